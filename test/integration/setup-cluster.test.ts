/**
 * First run with several nodes: two nodes' worth of services on one PostgreSQL schema print the same setup code, the
 * code from either console works on either node, and two racing setups (one per node) make exactly one admin.
 */
import { expect, it } from 'vitest';
import { AccountService } from '../../server/accounts/account.service.js';
import { SessionService } from '../../server/accounts/session.service.js';
import { SetupService } from '../../server/accounts/setup.service.js';
import { AuditService } from '../../server/audit/audit.service.js';
import { ManualClock } from '../../server/clock.js';
import { DirectoryService } from '../../server/directory/directory.service.js';
import { createLogger } from '../../server/logger.js';
import type { Store } from '../../server/store/db.js';
import { openTestStore } from '../support/stores.js';
import { twoNodesForSuite } from '../support/two-nodes.js';

const PASSWORD = 'copper kettles sing at dusk';
const nodes = twoNodesForSuite();

function node(store: Store): { setup: SetupService; accounts: AccountService } {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 9));
  const audit = new AuditService(store, clock, createLogger('silent'));
  const sessions = new SessionService(store, clock, { idleMs: 3_600_000, absoluteMs: 86_400_000 });
  const accounts = new AccountService(store, clock, sessions, new DirectoryService(store), audit);
  return { setup: new SetupService(accounts, audit, store, clock), accounts };
}

it('every node prints the same code; racing setups on two nodes make one admin; the code is then gone', async () => {
  const [a, b] = [node(nodes.base), node(nodes.other)];
  const [codeA, codeB] = await Promise.all([a.setup.prepare(), b.setup.prepare()]);
  expect(codeA).toMatch(/^[A-Z2-9]{6}-[A-Z2-9]{6}$/);
  expect(codeB).toBe(codeA);
  // A wrong code on B is refused, and the right one is still waiting.
  await expect(b.setup.complete('AAAAAA-AAAAAA', { username: 'x', displayName: 'X', password: PASSWORD }, null)).rejects.toThrow(/not right/);

  // The code read from A's console, sent through a proxy to both nodes at once (a double-click across two nodes).
  const results = await Promise.allSettled([
    a.setup.complete(codeA as string, { username: 'first', displayName: 'First Admin', password: PASSWORD }, null),
    b.setup.complete(codeA as string, { username: 'second', displayName: 'Second Admin', password: PASSWORD }, null),
  ]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const refused = results.find((r) => r.status === 'rejected');
  expect(String(refused?.reason)).toMatch(/already complete|being created by another request/);
  expect(await a.accounts.count()).toBe(1);

  // Neither node asks for setup any more, and a restart prints no code.
  expect(await a.setup.needed()).toBe(false);
  expect(await b.setup.needed()).toBe(false);
  expect(await node(nodes.other).setup.prepare()).toBeNull();
  const left = await nodes.base.db.selectFrom('meta').selectAll().where('key', 'like', 'setup%').execute();
  expect(left).toEqual([]);
});

it('a failed setup (a weak password) leaves the code usable and releases the claim', async () => {
  const fresh = await openTestStore('postgres');
  try {
    const n = node(fresh);
    const code = (await n.setup.prepare()) as string;
    await expect(n.setup.complete(code, { username: 'first', displayName: 'First Admin', password: 'short' }, null)).rejects.toThrow(/password/);
    const ok = await n.setup.complete(code, { username: 'first', displayName: 'First Admin', password: PASSWORD }, null);
    expect(ok.userId).toBeTruthy();
  } finally {
    await fresh.cleanup();
  }
});
