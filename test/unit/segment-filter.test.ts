/**
 * The browser reads a segment filter from its URL without zod (shared/segment-filter.ts); the server checks the same
 * parameters with segmentFilterQuery (shared/segments.ts). Both must give the same answer for any URL, or a link the
 * explore page builds could show one filter and fetch another.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/channels.js';
import { EMPTY_FILTER, FILTER_MAX_VALUES, filterFromParams, filterParams } from '../../shared/segment-filter.js';
import { segmentFilterQuery } from '../../shared/segments.js';

const KEYS = ['teams', 'queues', 'channels', 'reasons', 'hours', 'weekdays'] as const;

function bySchema(p: URLSearchParams) {
  const r = segmentFilterQuery.safeParse(Object.fromEntries(KEYS.map((k) => [k, p.getAll(k)])));
  return r.success ? r.data : EMPTY_FILTER;
}

const id = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('', 'x'.repeat(128), 'x'.repeat(129)));
const number = fc.oneof(fc.integer({ min: -2, max: 25 }).map(String), fc.constantFrom('', ' 5 ', '1e1', '3.5', '7.0', 'x', '0x1', 'Infinity', 'NaN'));
const channel = fc.constantFrom(...CHANNELS, 'fax', '', 'Voice');
const values = <T>(item: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: fc.array(item, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constant([]) });
const params = fc
  .record({ teams: values(id), queues: values(id), channels: values(channel), reasons: values(id), hours: values(number), weekdays: values(number) })
  .map((r) => {
    const p = new URLSearchParams();
    for (const k of KEYS) for (const v of r[k]) p.append(k, v);
    return p;
  });

describe('segment filter in a URL', () => {
  it('filterFromParams and the server schema agree on every URL', () => {
    fc.assert(
      fc.property(params, (p) => {
        expect(filterFromParams(p)).toEqual(bySchema(p));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees at the list limit too: 200 values are read, 201 give no filter', () => {
    for (const n of [FILTER_MAX_VALUES, FILTER_MAX_VALUES + 1]) {
      const p = new URLSearchParams();
      for (let i = 0; i < n; i++) p.append('teams', `t${i}`);
      expect(filterFromParams(p)).toEqual(bySchema(p));
      expect(filterFromParams(p).teams.length).toBe(n === FILTER_MAX_VALUES ? n : 0);
    }
  });

  it('reads back what filterParams wrote', () => {
    const f = { teams: ['t-b', 't-a'], queues: ['q1'], channels: ['chat'], reasons: ['billing'], hours: [14, 8], weekdays: [1, 7] };
    expect(filterFromParams(filterParams(f))).toEqual({ ...f, teams: ['t-a', 't-b'], hours: [8, 14] });
  });
});
