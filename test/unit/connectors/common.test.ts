/** The mapping rules every platform shares (server/connectors/common.ts). */
import { describe, expect, it } from 'vitest';
import { MappingRun } from '../../../server/connectors/common.js';
import { sourceMapping } from '../../../shared/sources.js';

const known = { agents: new Set(['ann', 'bob']), queues: new Set(['q-billing']) };

describe('MappingRun', () => {
  it('maps an agent by the table (id, then label), then by a label that is a Frontline agent, else passes the id', () => {
    const run = new MappingRun(sourceMapping.parse({ agents: { 'uuid-cat': 'cat', 'Dan D': 'dan' } }), known);
    expect(run.agent('uuid-cat', 'Cat')).toBe('cat');
    expect(run.agent('uuid-dan', 'Dan D')).toBe('dan');
    // The login is the directory's id: no mapping needed.
    expect(run.agent('arn:aws:connect:eu-west-2:1:instance/i/agent/a1', 'ann')).toBe('ann');
    // The id itself is a Frontline agent: it wins over a label that also is one.
    expect(run.agent('bob', 'ann')).toBe('bob');
    // Neither: the id passes through (and is listed as seen, for the mapping editor).
    expect(run.agent('uuid-eve', 'Eve')).toBe('uuid-eve');
    expect(run.seen.filter((s) => s.kind === 'agent').map((s) => s.value)).toEqual(['uuid-cat', 'uuid-dan', 'arn:aws:connect:eu-west-2:1:instance/i/agent/a1', 'bob', 'uuid-eve']);
    expect(run.problems).toEqual([]);
  });

  it('maps a queue by its name when the name is a Frontline queue; strict queues refuse what is not in the table', () => {
    expect(new MappingRun(sourceMapping.parse({}), known).queue('arn:queue/1', 'q-billing')).toBe('q-billing');
    const strict = new MappingRun(sourceMapping.parse({ strictQueues: true }), known);
    strict.queue('arn:queue/2', 'Sales');
    expect(strict.problems).toEqual(['queue "arn:queue/2" (Sales) is not mapped to a Frontline queue (strict queues is on): add it to the source\'s queue mapping']);
  });

  it('maps states by the table (any spelling), the platform defaults, then the built-in names; resolution by wrap-up codes', () => {
    const run = new MappingRun(sourceMapping.parse({ states: { 'Team huddle': 'break' }, wrapCodes: { Resolved: true, 'Call back': false } }));
    expect(run.state('team-huddle')).toBe('break');
    expect(run.state('Routable', { Routable: 'available' })).toBe('available');
    expect(run.state('Lunch')).toBe('break');
    expect(run.state('Gardening')).toBeUndefined();
    expect(run.problems).toHaveLength(1);
    expect(run.resolved(['Resolved'])).toBe(true);
    expect(run.resolved(['Resolved', 'Call back'])).toBe(false);
    expect(run.resolved([])).toBe(true);
    expect(new MappingRun(sourceMapping.parse({ resolvedByDefault: false })).resolved(['Other'])).toBe(false);
  });
});
