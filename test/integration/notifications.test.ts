/**
 * Notifications end to end, against a real SMTP server (smtp-server) and real HTTP webhook receivers on loopback
 * ports, with a manual clock: Billing's CSAT goes below its target and stays there for the sustain time, so its team
 * leader gets one email naming the team and the KPI and the team's webhook one signed delivery; a receiver answering
 * 500 twice then 200 gets three attempts with growing delays and one delivery; a restarted sender and watcher send
 * nothing again; a case assigned to the coach emails the coach; one assigned in their quiet hours is held and goes
 * out as a digest when the quiet hours end; the recovery is notified too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.js';
import { silentLogger } from '../../server/logger.js';
import type { Dialect } from '../../server/store/db.js';
import { NotificationSender } from '../../server/notifications/sender.js';
import { createTransports } from '../../server/notifications/transports.js';
import { NotificationWatchers } from '../../server/notifications/watchers.js';
import { verifySignature } from '../../server/notifications/signature.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { DEFAULT_PREFS, type DeliveryInfo, type NotificationPrefs } from '../../shared/notifications.js';
import { uid } from '../support/events.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks.js';
import { startMailSink, type MailSink } from '../support/mail.js';
import { call, seedPeople, sessionFor, type Credentials, type People } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MIN = 60_000;
// Monday 2 November 2026, 09:00 in London (UTC in winter).
const NOW = Date.UTC(2026, 10, 2, 9, 0);

/** Webhook receivers: /ok answers 200; /flaky answers 500 to its first two requests, then 200. */
function startReceiver(): Promise<WebhookReceiver> {
  return startWebhookReceiver((path, before) => (path === '/flaky' && before.filter((r) => r.path === '/flaky').length < 2 ? 500 : 200));
}

/** A handled contact on Billing's voice queue with a survey: CSAT credited to Ann. */
function surveyed(csat: number, atMs: number): FrontlineEvent[] {
  const contactId = uid('c');
  const t = (s: number) => new Date(atMs + s * 1000).toISOString();
  return [
    { id: uid(), type: 'contact.offered', occurredAt: t(0), contactId, channel: 'voice', queueId: 'voice-billing' },
    { id: uid(), type: 'contact.answered', occurredAt: t(5), contactId, agentId: 'a-ann' },
    { id: uid(), type: 'contact.ended', occurredAt: t(200), contactId, agentId: 'a-ann', talkSeconds: 180, holdSeconds: 0, wrapSeconds: 15, resolved: true },
    { id: uid(), type: 'survey.responded', occurredAt: t(260), contactId, csat },
  ];
}

describe.each<Dialect>(['sqlite', 'postgres'])('notifications on %s', (dialect) => {
  const clock = new ManualClock(NOW);
  let t: TestServer;
  let mail: MailSink;
  let hooks: Awaited<ReturnType<typeof startReceiver>>;
  let people: People;
  const who: Partial<Record<keyof People, Credentials>> = {};
  let secret = '';

  const ingest = async (events: FrontlineEvent[]) => {
    const out = await t.server.ingest.ingest(events);
    expect(out).toMatchObject({ rejected: 0 });
    await t.server.kpis.settle();
  };
  const setPrefs = async (as: keyof People, prefs: Partial<NotificationPrefs>) => {
    const res = await call(t.baseUrl, 'PUT', '/api/v1/notifications/preferences', who[as] as Credentials, { ...DEFAULT_PREFS, ...prefs });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const deliveries = async (): Promise<DeliveryInfo[]> => {
    const res = await call(t.baseUrl, 'GET', '/api/v1/notifications/deliveries?limit=200', who.admin as Credentials);
    expect(res.status).toBe(200);
    return ((await res.json()) as { deliveries: DeliveryInfo[] }).deliveries;
  };
  const tick = async () => {
    await t.server.notifications.watchers.check();
    await t.server.notifications.sender.run();
  };
  const assignCase = async (): Promise<string> => {
    const c = await t.server.cases.insert({ kind: 'individual', scope: 'agent:a-ann', agentId: 'a-ann', teamId: 't-billing', kpi: 'csat', rule: 'CUSUM above h', figures: {}, evidenceContactIds: [], assignedCoachId: null, openedMs: clock.now() });
    const res = await call(t.baseUrl, 'POST', `/api/v1/cases/${c.id}/assign`, who.teamLeader as Credentials, { version: c.version, assigneeId: people.coach.id });
    expect(res.status, await res.clone().text()).toBe(200);
    // The case change files its notices after the commit; give the listener its turn.
    for (let i = 0; i < 50 && (await t.store.db.selectFrom('notification_outbox').select('id').where('payload', 'like', `%${c.id}%`).execute()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    return c.id;
  };

  beforeAll(async () => {
    mail = await startMailSink();
    hooks = await startReceiver();
    t = await startTestServer({ dialect, clock, env: { SMTP_URL: mail.url, PUBLIC_URL: 'https://frontline.test', NOTIFY_BREACH_SUSTAIN_MINUTES: '5', NOTIFY_RETRY_BASE_SECONDS: '60', NOTIFY_MAX_ATTEMPTS: '5' } });
    // The test drives the loops itself, at the manual clock's times.
    t.server.notifications.sender.stop();
    t.server.notifications.watchers.stop();
    people = await seedPeople(t);
    // The KPI engine learns the teams from the directory.
    await t.server.kpis.rebuild();
    for (const k of ['admin', 'manager', 'teamLeader', 'coach'] as const) who[k] = await sessionFor(t, people[k]);
    const target = await call(t.baseUrl, 'POST', '/api/v1/targets', who.manager as Credentials, { kpi: 'csat', scope: 'team:t-billing', threshold: 0.8, direction: 'up', tolerance: 0.05, effectiveFrom: '2026-01-01', reviewDate: '2026-12-31', owner: 'Max', objective: 'Billing customers leave satisfied' });
    expect(target.status).toBe(201);
    await setPrefs('teamLeader', { email: 'tom@billing.test', emailEnabled: true });
    await setPrefs('coach', { email: 'cora@coaching.test', emailEnabled: true });
    // People who may not see Billing's figures: the South site's manager and an agent. They are never told.
    for (const k of ['siteManager', 'agent'] as const) who[k] = await sessionFor(t, people[k]);
    await setPrefs('siteManager', { email: 'sue@south.test', emailEnabled: true });
    await setPrefs('agent', { email: 'ann@billing.test', emailEnabled: true });
    const hook = await call(t.baseUrl, 'POST', '/api/v1/notifications/endpoints', who.manager as Credentials, { channel: 'webhook', name: 'Billing chat-ops', scope: 'team:t-billing', address: `${hooks.url}/ok`, kinds: ['kpi_breach', 'kpi_recovered'] });
    expect(hook.status).toBe(201);
    secret = ((await hook.json()) as { secret: string }).secret;
    const flaky = await call(t.baseUrl, 'POST', '/api/v1/notifications/endpoints', who.admin as Credentials, { channel: 'webhook', name: 'Centre pager', scope: 'centre', address: `${hooks.url}/flaky`, kinds: ['kpi_breach'] });
    expect(flaky.status).toBe(201);
  });

  afterAll(async () => {
    await t.close();
    await mail.close();
    await hooks.close();
  });

  it('the secret is shown once: the endpoint list never carries it', async () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const res = await call(t.baseUrl, 'GET', '/api/v1/notifications/endpoints', who.manager as Credentials);
    const text = await res.text();
    expect(text).toContain('Billing chat-ops');
    expect(text).not.toContain(secret);
  });

  it('a site manager manages endpoints for their own teams only; bodies are checked with a clear error', async () => {
    const add = (scope: string, address = `${hooks.url}/ok`) => call(t.baseUrl, 'POST', '/api/v1/notifications/endpoints', who.siteManager as Credentials, { channel: 'webhook', name: 'South', scope, address, kinds: ['kpi_breach'] });
    expect((await add('team:t-billing')).status).toBe(403);
    expect((await add('centre')).status).toBe(403);
    const bad = await add('team:t-south', 'ftp://example.com/x');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('must be an http:// or https:// URL');
    const ok = await add('team:t-south');
    expect(ok.status).toBe(201);
    const { endpoint } = (await ok.json()) as { endpoint: { id: string } };
    // The South manager sees only their own endpoint; they cannot touch Billing's.
    const list = (await (await call(t.baseUrl, 'GET', '/api/v1/notifications/endpoints', who.siteManager as Credentials)).json()) as { endpoints: { name: string }[] };
    expect(list.endpoints.map((e) => e.name)).toEqual(['South']);
    const billing = (await (await call(t.baseUrl, 'GET', '/api/v1/notifications/endpoints', who.manager as Credentials)).json()) as { endpoints: { id: string; name: string }[] };
    const billingId = billing.endpoints.find((e) => e.name === 'Billing chat-ops')!.id;
    expect((await call(t.baseUrl, 'DELETE', `/api/v1/notifications/endpoints/${billingId}`, who.siteManager as Credentials)).status).toBe(403);
    expect((await call(t.baseUrl, 'DELETE', `/api/v1/notifications/endpoints/${endpoint.id}`, who.siteManager as Credentials)).status).toBe(200);
    const quiet = await call(t.baseUrl, 'PUT', '/api/v1/notifications/preferences', who.coach as Credentials, { ...DEFAULT_PREFS, quietHours: { start: '25:00', end: '07:00' } });
    expect(quiet.status).toBe(400);
    expect(((await quiet.json()) as { error: { message: string } }).error.message).toContain('quietHours.start must be a time HH:MM');
  });

  it('a CSAT breach held for the sustain time sends one email to the team leader and one signed webhook', async () => {
    // Ten surveys of 1 out of 5 this morning: Billing's CSAT today is 0% against a target of 80%.
    const events: FrontlineEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(...surveyed(1, NOW - 60 * MIN + i * 5 * MIN));
    await ingest(events);
    await tick();
    expect(mail.mails, 'nothing before the breach has held for 5 minutes').toHaveLength(0);
    clock.advance(4 * MIN);
    await tick();
    expect(mail.mails).toHaveLength(0);
    clock.advance(1 * MIN);
    await tick();
    expect(mail.mails).toHaveLength(1);
    const m = mail.mails[0]!;
    expect(m.to).toEqual(['tom@billing.test']);
    expect(m.subject).toBe('[Frontline] CSAT off target for team Billing: 0.0% against 80.0%');
    expect(m.text).toContain("Today's CSAT for team Billing is 0.0%; the target is at least 80.0%.");
    expect(m.text).toContain('https://frontline.test/explore?scope=team%3At-billing');
    expect(m.html).toContain('<a href="https://frontline.test/explore?scope=team%3At-billing">');

    const ok = hooks.got.filter((g) => g.path === '/ok');
    expect(ok).toHaveLength(1);
    const h = ok[0]!;
    expect(h.headers['x-frontline-event']).toBe('kpi_breach');
    expect(h.headers['x-frontline-delivery']).toMatch(/^ntf_/);
    expect(verifySignature(secret, h.headers['x-frontline-signature'] as string, h.body, Math.floor(clock.now() / 1000))).toEqual({ ok: true });
    expect(verifySignature(secret, h.headers['x-frontline-signature'] as string, h.body.replace('Billing', 'Billinh'), Math.floor(clock.now() / 1000))).toEqual({ ok: false, reason: 'mismatch' });
    const body = JSON.parse(h.body) as { type: string; id: string; time: string; data: Record<string, unknown> };
    expect(body).toMatchObject({ type: 'kpi_breach', time: new Date(clock.now()).toISOString(), data: { scope: 'team:t-billing', kpi: 'csat', value: 0, threshold: 0.8, link: 'https://frontline.test/explore?scope=team%3At-billing' } });
    expect(body.id).toMatch(/^evt_/);
  });

  it('a receiver answering 500 twice then 200 gets three attempts with growing delays and one delivery', async () => {
    const flakyRow = async () => (await deliveries()).find((d) => d.recipientName === 'Centre pager') as DeliveryInfo;
    let row = await flakyRow();
    expect(row).toMatchObject({ status: 'pending', attempts: [{ status: 'error', reply: '500' }] });
    for (let i = 0; i < 2; i++) {
      // Not before its time...
      clock.set(Date.parse(row.dueAt) - 1000);
      await t.server.notifications.sender.run();
      expect((await flakyRow()).attempts).toHaveLength(i + 1);
      // ...and at it.
      clock.set(Date.parse(row.dueAt));
      await t.server.notifications.sender.run();
      row = await flakyRow();
    }
    expect(row.status).toBe('sent');
    expect(row.attempts.map((a) => [a.status, a.reply])).toEqual([
      ['error', '500'],
      ['error', '500'],
      ['delivered', '200'],
    ]);
    const at = row.attempts.map((a) => Date.parse(a.at));
    const gaps = [at[1]! - at[0]!, at[2]! - at[1]!];
    // Base 60 s, doubling, with up to a quarter of jitter.
    expect(gaps[0]).toBeGreaterThanOrEqual(60_000);
    expect(gaps[0]).toBeLessThanOrEqual(75_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(120_000);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    const flaky = hooks.got.filter((g) => g.path === '/flaky');
    expect(flaky.map((g) => g.answered)).toEqual([500, 500, 200]);
    expect(new Set(flaky.map((g) => g.headers['x-frontline-delivery'])).size).toBe(1);
  });

  it('nothing is sent twice when the sender and watchers start again over the same store', async () => {
    const before = { mails: mail.mails.length, hooks: hooks.got.length, rows: (await deliveries()).length };
    const config = { breachSustainMs: 5 * MIN, sourceSilentMs: 15 * MIN, checkMs: 30_000 };
    const s = t.server;
    const transports = createTransports({ smtpUrl: mail.url, from: 'Frontline <f@test>', webhookTimeoutMs: 5000 });
    const sender = new NotificationSender(t.store, s.notifications.service.outbox, transports, clock, silentLogger, { maxAttempts: 5, retryBaseMs: 60_000, retryCapMs: 3600_000, publicUrl: 'https://frontline.test', pollMs: 1000 });
    const watchers = new NotificationWatchers({ store: t.store, clock, logger: silentLogger, kpis: s.kpis, targets: s.targets, directory: s.directory, dirIndex: async () => new (await import('../../server/access/policies.js')).DirectoryIndex(await s.directory.get()), notifications: s.notifications.service }, config);
    clock.advance(10 * MIN);
    await watchers.check();
    await sender.run();
    await tick();
    transports.close();
    expect({ mails: mail.mails.length, hooks: hooks.got.length, rows: (await deliveries()).length }).toEqual(before);
  });

  it('a case assigned to the coach emails the coach', async () => {
    const caseId = await assignCase();
    await t.server.notifications.sender.run();
    const m = mail.mails.at(-1)!;
    expect(m.to).toEqual(['cora@coaching.test']);
    expect(m.subject).toBe('[Frontline] Case assigned to you: CSAT for Ann (Billing)');
    expect(m.text).toContain('tom.lead gave you the CSAT case for Ann (Billing).');
    expect(m.text).toContain(`https://frontline.test/cases/${caseId}`);
  });

  it("quiet hours hold a notice and release it as a digest when they end; the recovery is notified", async () => {
    // 09:00 to 11:00 London time is quiet for the coach.
    await setPrefs('coach', { email: 'cora@coaching.test', emailEnabled: true, timeZone: 'Europe/London', quietHours: { start: '09:00', end: '11:00' } });
    const sent = mail.mails.length;
    const caseId = await assignCase();
    await t.server.notifications.sender.run();
    expect(mail.mails).toHaveLength(sent);
    const held = (await deliveries()).find((d) => d.recipient === `user:${people.coach.id}` && d.status === 'pending') as DeliveryInfo;
    expect(held).toMatchObject({ digest: 'quiet', dueAt: new Date(Date.UTC(2026, 10, 2, 11, 0)).toISOString() });

    // Meanwhile Billing recovers: 40 surveys of 5 bring CSAT to 80%, held for five minutes.
    const events: FrontlineEvent[] = [];
    for (let i = 0; i < 40; i++) events.push(...surveyed(5, clock.now() - 30 * MIN + i * 20_000));
    await ingest(events);
    await tick();
    clock.advance(5 * MIN);
    await tick();
    const recovered = mail.mails.slice(sent);
    expect(recovered.map((m) => [m.to[0], m.subject])).toEqual([['tom@billing.test', '[Frontline] CSAT back on target for team Billing: 80.0% against 80.0%']]);
    const ok = hooks.got.filter((g) => g.path === '/ok');
    expect(ok.map((g) => g.headers['x-frontline-event'])).toEqual(['kpi_breach', 'kpi_recovered']);
    expect(verifySignature(secret, ok[1]!.headers['x-frontline-signature'] as string, ok[1]!.body, Math.floor(clock.now() / 1000))).toEqual({ ok: true });

    // 11:00: quiet hours over, the held notice goes out as a digest.
    clock.set(Date.UTC(2026, 10, 2, 11, 0));
    await t.server.notifications.sender.run();
    const digest = mail.mails.at(-1)!;
    expect(digest.to).toEqual(['cora@coaching.test']);
    expect(digest.subject).toBe('[Frontline] Digest: Case assigned to you: CSAT for Ann (Billing)');
    expect(digest.text).toContain(`https://frontline.test/cases/${caseId}`);
    expect(mail.mails).toHaveLength(sent + 2);
    expect((await deliveries()).filter((d) => d.status !== 'sent')).toEqual([]);
  });

  it('a dispute tells the coach and the team leader; a follow-up coming due tells the coach', async () => {
    await setPrefs('coach', { email: 'cora@coaching.test', emailEnabled: true });
    const caseId = await assignCase();
    await t.server.notifications.sender.run();
    const sent = mail.mails.length;
    const c = await call(t.baseUrl, 'GET', `/api/v1/cases/${caseId}`, who.agent as Credentials);
    const version = ((await c.json()) as { case: { version: number } }).case.version;
    const res = await call(t.baseUrl, 'POST', `/api/v1/cases/${caseId}/response`, who.agent as Credentials, { version, response: 'disputed', comment: 'Those surveys were about the billing outage' });
    expect(res.status, await res.clone().text()).toBe(200);
    await expect.poll(async () => (await deliveries()).filter((d) => d.kind === 'dispute_raised').length).toBe(2);
    await t.server.notifications.sender.run();
    const disputed = mail.mails.slice(sent);
    expect(disputed.map((m) => m.to[0]).sort()).toEqual(['cora@coaching.test', 'tom@billing.test']);
    for (const m of disputed) {
      expect(m.subject).toBe('[Frontline] Case disputed: CSAT for Ann (Billing)');
      expect(m.text).toContain('Their comment: "Those surveys were about the billing outage"');
    }

    await t.store.db.updateTable('coaching_cases').set({ stage: 'held', follow_up_ms: clock.now() - MIN }).where('id', '=', caseId).execute();
    expect(await t.server.followUps.run()).toEqual([caseId]);
    await expect.poll(async () => (await deliveries()).filter((d) => d.kind === 'follow_up_due').length).toBe(1);
    await t.server.notifications.sender.run();
    expect(mail.mails.at(-1)).toMatchObject({ to: ['cora@coaching.test'], subject: '[Frontline] Follow-up review due: CSAT for Ann (Billing)' });
    // Nobody outside Billing heard of any of it.
    expect(mail.mails.filter((m) => m.to.some((a) => a === 'sue@south.test' || a === 'ann@billing.test'))).toEqual([]);
  });

  it('an ingest key that delivered and then fell silent tells the admins, and again when it is back', async () => {
    await setPrefs('admin', { email: 'ada@centre.test', emailEnabled: true });
    const { key } = await t.server.apiKeys.create('CRM feed', ['ingest']);
    const post = async () => {
      const event: FrontlineEvent = { id: uid(), type: 'agent.state', occurredAt: new Date(clock.now()).toISOString(), agentId: 'a-ann', state: 'available' };
      const res = await fetch(`${t.baseUrl}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify([event]) });
      expect(res.status).toBeLessThan(300);
    };
    await post();
    clock.advance(15 * MIN);
    await tick();
    expect(mail.mails.filter((m) => m.to.includes('ada@centre.test'))).toEqual([]);
    clock.advance(1 * MIN + 1000);
    await tick();
    await tick();
    const silent = mail.mails.filter((m) => m.to.includes('ada@centre.test'));
    expect(silent.map((m) => m.subject)).toEqual(['[Frontline] Data source silent: CRM feed has sent nothing for 16 minutes']);
    await post();
    await tick();
    const back = mail.mails.filter((m) => m.to.includes('ada@centre.test'));
    expect(back.map((m) => m.subject)).toEqual(['[Frontline] Data source silent: CRM feed has sent nothing for 16 minutes', '[Frontline] Data source delivering again: CRM feed']);
    // Only admins hear about sources.
    expect(mail.mails.filter((m) => m.subject.includes('Data source') && !m.to.includes('ada@centre.test'))).toEqual([]);
  });

  it('a case change whose notice was never filed (the node died after the commit) is filed by the leader from the case trail, once', async () => {
    const c = await t.server.cases.insert({ kind: 'individual', scope: 'agent:a-ann', agentId: 'a-ann', teamId: 't-billing', kpi: 'aht', rule: 'CUSUM above h', figures: {}, evidenceContactIds: [], assignedCoachId: null, openedMs: clock.now() });
    // What CaseStore.change commits, without the after-commit listener that files the notice.
    await t.store.db.updateTable('coaching_cases').set({ assigned_coach_id: people.coach.id, stage: 'assigned' }).where('id', '=', c.id).execute();
    await t.store.db.insertInto('case_events').values({ case_id: c.id, at_ms: clock.now(), actor: `user:${people.teamLeader.id}`, action: 'assigned', details: JSON.stringify({ from: null, to: people.coach.id, toName: 'cora.coach' }) }).execute();
    const sent = mail.mails.length;
    await tick();
    await tick();
    expect(mail.mails.slice(sent).map((m) => [m.to[0], m.subject])).toEqual([['cora@coaching.test', '[Frontline] Case assigned to you: AHT for Ann (Billing)']]);
  });

  it('the delivery log keeps 90 days: older sent notices and their attempts are dropped, pending ones kept', async () => {
    const all = await deliveries();
    expect(all.length).toBeGreaterThan(0);
    const outbox = t.server.notifications.service.outbox;
    expect(await outbox.purge(NOW)).toBe(0);
    const removed = await outbox.purge(clock.now() + 1);
    expect(removed).toBe(all.filter((d) => d.status !== 'pending').length);
    expect((await deliveries()).filter((d) => d.status !== 'pending')).toEqual([]);
    expect(await t.store.db.selectFrom('notification_attempts').select('id').execute()).toEqual([]);
  });
});
