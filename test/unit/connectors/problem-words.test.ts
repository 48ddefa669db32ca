/**
 * The Sources page finds the values that kept records out by reading the mapping rules' reasons
 * (client/src/sources/words.ts reads what server/connectors/common.ts writes): this pins the two together, so a
 * change of wording on one side fails here instead of silently losing the page's highlighting.
 */
import { expect, it } from 'vitest';
import { rejectionsByValue, seenKey } from '../../../client/src/sources/words.js';
import { MappingRun } from '../../../server/connectors/common.js';
import { sourceMapping } from '../../../shared/sources.js';

it("every kind of value the mapping rules refuse is found in the dead letter's reasons by the page", () => {
  const run = new MappingRun(sourceMapping.parse({ strictQueues: true, strictAgents: true }));
  run.queue('arn:queue/9', 'Sales');
  run.agent('uuid-7', 'Eve');
  run.state('Team huddle');
  run.channel('video', {});
  const letters = [{ reason: 'unmapped' as const, reasons: run.problems, status: 'held' as const }];
  const rows = [
    { kind: 'queue' as const, value: 'arn:queue/9' },
    { kind: 'agent' as const, value: 'uuid-7' },
    { kind: 'state' as const, value: 'Team huddle' },
    { kind: 'channel' as const, value: 'video' },
    { kind: 'state' as const, value: 'Lunch' },
  ];
  const found = rejectionsByValue(rows, letters);
  expect([...found.keys()].sort()).toEqual([seenKey('queue', 'arn:queue/9'), seenKey('agent', 'uuid-7'), seenKey('state', 'Team huddle'), seenKey('channel', 'video')].sort());
});
