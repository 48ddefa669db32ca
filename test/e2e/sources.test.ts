/**
 * Connecting Amazon Connect on the Sources page, in Chromium against the product as `npm start` runs it (simulator off:
 * the centre's records come from Connect only):
 * - a new admin signs in, adds an Amazon Connect source with its Firehose access key, and reads the source's Firehose
 *   endpoint URL from the page;
 * - the simulated centre's morning (server/connectors/connect/simulate.ts: contact trace records and agent events, as
 *   Kinesis Data Firehose HTTP endpoint deliveries) is POSTed to that URL over HTTP, as Firehose would: a first
 *   delivery, then (once mapped) the rest; a delivery with the wrong access key is refused in Firehose's format;
 * - on the mapping editor the admin maps the queues and agents the source has sent (matched by name) and the
 *   disposition "Not resolved" (not resolved), and saves;
 * - the dashboard, open all along with no figures, shows the first ones, equal to the read API's for today, and so
 *   does a KPI tile on a paired wall screen;
 * - an agent event with a custom status "Team huddle" (not a state Frontline knows) is rejected and held as a dead
 *   letter; the admin maps "Team huddle" → break, replays, and sees it stored (no dead letters, one more accepted).
 * Every Sources page passes axe (WCAG 2.1 AA). Screenshots go to test-results/sources-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../shared/api.js';
import type { BoardBody } from '../../shared/boards.js';
import type { Directory } from '../../shared/directory.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { formatKpi } from '../../shared/kpi-format.js';
import type { SourceSummary } from '../../shared/sources.js';
import { CONNECT_SIM_ACCOUNT, CONNECT_SIM_REGION, connectFirehoseRequests, simUuid } from '../../server/connectors/connect/simulate.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import { expectAccessible, launchBrowser, navTo, shot, watchErrors } from '../support/browser.js';
import { ROOT, setUpFirstAdmin, startChildServer, type ChildServer } from '../support/child-server.js';
import { tempDir } from '../support/stores.js';

const HOUR = 3_600_000;
const PASSWORD = 'amber kettles whistle at dawn';
const ACCESS_KEY = 'frontline-e2e-firehose-key-7f3a';
const INSTANCE_ARN = `arn:aws:connect:${CONNECT_SIM_REGION}:${CONNECT_SIM_ACCOUNT}:instance/${simUuid('instance')}`;

let server: ChildServer;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let dashboard: Page;
const dataDir = tempDir('frontline-e2e-sources-');
const errors: string[] = [];
let ada: { cookie: string; csrf: string };
let firehoseUrl = '';
let sourceId = '';
let events: FrontlineEvent[] = [];
let requests: ReturnType<typeof connectFirehoseRequests> = [];

/**
 * The centre is the simulator's, in a zone where it is now early afternoon (Etc/GMT-N is UTC+N), open 08:00-20:00
 * every day: its morning from 08:00 to now is a full set of contacts, all of them "today" for the dashboard.
 */
const NOW = Date.now();
const OFFSET_HOURS = 13 - new Date(NOW).getUTCHours();
const ZONE = OFFSET_HOURS === 0 ? 'Etc/GMT' : `Etc/GMT${OFFSET_HOURS > 0 ? '-' : '+'}${Math.abs(OFFSET_HOURS)}`;
const LOCAL_MIDNIGHT = Math.floor((NOW + OFFSET_HOURS * HOUR) / (24 * HOUR)) * 24 * HOUR - OFFSET_HOURS * HOUR;
const DAY = { open: '08:00', close: '20:00' } as const;
const base = defaultCentreDirectory();
const directory: Directory = {
  ...base,
  timeZone: ZONE,
  sites: base.sites.map((s) => ({ ...s, timeZone: ZONE, openingHours: { mon: DAY, tue: DAY, wed: DAY, thu: DAY, fri: DAY, sat: DAY, sun: DAY } })),
};

async function api(method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}${p}`, { method, headers: { 'content-type': 'application/json', cookie: ada.cookie, 'x-csrf-token': ada.csrf }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

async function source(): Promise<SourceSummary> {
  const res = await api('GET', `/api/v1/sources/${sourceId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { source: SourceSummary }).source;
}

/** Today's centre figures from the read API: local midnight of the centre's zone to now. */
async function today(): Promise<KpisReply['kpis']> {
  const q = new URLSearchParams({ scope: 'centre', from: new Date(LOCAL_MIDNIGHT).toISOString(), to: new Date().toISOString() });
  const res = await api('GET', `/api/v1/kpis?${q.toString()}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as KpisReply).kpis;
}

/** POSTs a Firehose delivery to the URL the page showed, as Kinesis Data Firehose would; Firehose's answer back. */
async function firehose(req: { headers: Record<string, string>; body: string }): Promise<{ status: number; body: { requestId?: string; timestamp?: number; errorMessage?: string } }> {
  const res = await fetch(firehoseUrl, { method: 'POST', headers: req.headers, body: req.body });
  return { status: res.status, body: (await res.json()) as { requestId?: string; timestamp?: number; errorMessage?: string } };
}

/** Delivers Firehose requests one after another, each answered 200 in Firehose's format; the records they held. */
async function deliverAll(list: { headers: Record<string, string>; body: string }[]): Promise<number> {
  let records = 0;
  for (const r of list) {
    const reply = await firehose(r);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    // Firehose's success answer: the request id back and a timestamp.
    expect(reply.body.requestId).toBe(r.headers['x-amz-firehose-request-id']);
    expect(typeof reply.body.timestamp).toBe('number');
    records += (JSON.parse(r.body) as { records: unknown[] }).records.length;
  }
  return records;
}

async function accessible(p: Page, label: string): Promise<void> {
  await expectAccessible(p, label);
  expect(await p.title()).toMatch(/ · Frontline$/);
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  server = await startChildServer({ DATA_DIR: dataDir, SIMULATOR: 'false', LOG_LEVEL: 'warn', ...(process.env.E2E_PORT ? { PORT: process.env.E2E_PORT } : {}) }, 120_000);
  ada = await setUpFirstAdmin(server, PASSWORD);
  expect((await api('PUT', '/api/v1/directory', directory)).status).toBe(200);
  // The new admin who connects the platform.
  expect((await api('POST', '/api/v1/users', { username: 'nia', displayName: 'Nia Admin', role: 'admin', password: PASSWORD })).status).toBe(201);
  const sim = new CentreSimulator({ seed: 11, startMs: LOCAL_MIDNIGHT + 8 * HOUR, directory, scenarios: [] });
  events = sim.advanceTo(NOW - 60_000);
  expect(events.filter((e) => e.type === 'contact.ended').length, 'the simulated morning has contacts').toBeGreaterThan(50);
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  ctx.setDefaultTimeout(30_000);
  page = watchErrors(await ctx.newPage(), errors);
  dashboard = watchErrors(await ctx.newPage(), errors);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('connecting Amazon Connect on the Sources page', () => {
  it('a new admin adds an Amazon Connect source and reads its Firehose endpoint URL from the page', async () => {
    await page.goto(server.baseUrl);
    await page.getByLabel('Username').fill('nia');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
    await navTo(page, 'Sources');
    await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
    await page.getByText('No sources yet').waitFor();
    await accessible(page, 'sources (empty)');
    await page.getByRole('radio', { name: /Amazon Connect/ }).check();
    await page.getByLabel('Name').fill('Connect (Leeds)');
    await page.getByLabel(/Firehose access key/).fill(ACCESS_KEY);
    await page.getByLabel(/Instance ARN/).fill(INSTANCE_ARN);
    await page.getByRole('button', { name: 'Add source' }).click();
    const created = page.getByTestId('created-source');
    await created.waitFor();
    firehoseUrl = await created.getByTestId('endpoint-url-firehose').inputValue();
    expect(firehoseUrl).toMatch(new RegExp(`^${server.baseUrl}/api/v1/sources/src_[A-Za-z0-9_-]+/push/firehose$`));
    sourceId = /\/sources\/([^/]+)\/push/.exec(firehoseUrl)![1]!;
    expect(await created.getByTestId('endpoint-url-eventbridge').inputValue()).toBe(firehoseUrl.replace(/firehose$/, 'eventbridge'));
    expect(await created.getByTestId('next-steps').innerText()).toMatch(/HTTP endpoint URL/);
    // The list shows it waiting, in words.
    await expect.poll(() => page.getByTestId('source-row').first().innerText()).toMatch(/Connect \(Leeds\)\s+Amazon Connect\s+◌\s*Waiting\s+never/);
    await shot(page, 'sources-1-added', { fullPage: true });
    await accessible(page, 'sources (added)');
    // The secret is never sent back: the source only says it is set.
    const s = await source();
    expect(s.secretsSet).toEqual(['accessKey']);
    expect(JSON.stringify(s)).not.toContain(ACCESS_KEY);
  });

  it("Firehose delivers the morning's first records to the URL; the source's page shows them arriving, hours behind", async () => {
    // The dashboard, open before anything arrived: no figure yet.
    await dashboard.goto(`${server.baseUrl}/`);
    await dashboard.getByTestId('kpi-connection').getByText('● Live').waitFor();
    expect((await dashboard.getByTestId('value-aht').innerText()).trim()).toBe('–');

    requests = connectFirehoseRequests(events, { accessKey: ACCESS_KEY, instanceArn: INSTANCE_ARN });
    expect(requests.length).toBeGreaterThan(2);
    // A wrong access key is refused in Firehose's own format, and nothing is stored.
    const wrong = await firehose({ ...requests[0]!, headers: { ...requests[0]!.headers, 'x-amz-firehose-access-key': 'not the key' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.requestId).toBe(requests[0]!.headers['x-amz-firehose-request-id']);
    const first = await deliverAll(requests.slice(0, 1));
    const s = await source();
    // Every record stored (or, repeating what an earlier one said, a duplicate); the refused delivery is counted.
    expect(s.health.accepted + s.health.duplicate).toBe(first);
    expect(s.health.rejectedBy).toEqual({ auth: 1 });
    expect(s.health.deadLetters).toBe(0);

    await page.getByRole('link', { name: /^Open Connect \(Leeds\)/ }).click();
    await page.getByTestId('source-health').waitFor();
    // The first delivery holds the early morning: hours behind the platform's clock, so the source says it lags.
    await expect.poll(() => page.getByTestId('source-status').first().innerText()).toMatch(/▲\s*Lagging/);
    expect(await page.getByTestId('source-health').innerText()).toMatch(/Lagging\. Records arrive late/);
    await expect.poll(() => page.getByTestId('health-accepted').innerText()).toBe(s.health.accepted.toLocaleString('en-GB'));
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByTestId('test-result').innerText()).toMatch(/Receiving/);
    await shot(page, 'sources-2-health', { fullPage: true });
    await accessible(page, 'source health');
  });

  it('the admin maps the queues, agents and dispositions the source has sent, from the seen values', async () => {
    await page.getByRole('tab', { name: 'Mapping' }).click();
    const queues = page.getByTestId('map-queue');
    await queues.getByTestId('mapping-row-queue').first().waitFor();
    // Every queue the records named so far, by its Connect ARN with its name beside it.
    const seen = await page.getByTestId('mapping-row-queue').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value') ?? ''));
    expect(seen.length).toBeGreaterThan(0);
    for (const arn of seen) expect(arn).toMatch(new RegExp(`^${INSTANCE_ARN}/queue/`));
    // Connect's queue names and logins are the directory's ids: they map out of the box, by name, and the page says so.
    for (const row of await page.getByTestId('mapping-row-queue').all()) expect(await row.innerText()).toMatch(/by its name: /);
    await accessible(page, 'source mapping');
    // Matching pins them to Connect's ARNs, so a renamed queue or login keeps its figures where they were.
    await page.getByRole('button', { name: 'Match queues and agents by name' }).click();
    await expect.poll(() => page.getByTestId('match-note').innerText()).toMatch(new RegExp(`^Matched \\d+ agents? and ${seen.length} queues? by id or name`));
    // The simulated centre writes its disposition as the "disposition" attribute, "Resolved" or "Not resolved"
    // (CONNECT_SIM_MAPPING): a contact dispositioned "Not resolved" was not resolved. Typed by hand if not sent yet.
    const notResolved = page.getByLabel('Resolved when wrapped up with Not resolved');
    if ((await notResolved.count()) === 0) {
      await page.getByLabel('Add a wrap-up code by hand').fill('Not resolved');
      await page.getByTestId('map-wrapCode').getByRole('button', { name: 'Add' }).click();
    }
    await notResolved.selectOption({ label: 'Not resolved' });
    await shot(page, 'sources-3-mapping-matched', { fullPage: true });
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await expect.poll(() => page.getByTestId('mapping-saved').innerText()).toMatch(/^Mapping saved: \d+ changes\. Records from now on use it\./);
    const m = (await source()).mapping;
    expect(m.wrapCodes).toEqual({ 'Not resolved': false });
    // Each queue ARN now maps to the Frontline queue its Connect name gives; each agent ARN to the agent its username does.
    const queueIds = new Set(directory.queues.map((q) => q.id));
    expect(Object.keys(m.queues).sort()).toEqual([...seen].sort());
    for (const [arn, id] of Object.entries(m.queues)) expect(arn).toBe(`${INSTANCE_ARN}/queue/${simUuid('queue', id)}`);
    expect([...new Set(Object.values(m.queues))].every((id) => queueIds.has(id))).toBe(true);
    const agentIds = new Set(directory.agents.map((a) => a.id));
    expect(Object.keys(m.agents).length).toBeGreaterThan(5);
    for (const [arn, id] of Object.entries(m.agents)) {
      expect(agentIds.has(id)).toBe(true);
      expect(arn).toBe(`${INSTANCE_ARN}/agent/${simUuid('user', id)}`);
    }
  });

  it('the rest of the morning arrives and is stored with the mapping', async () => {
    const before = await source();
    const rest = await deliverAll(requests.slice(1));
    const after = await source();
    expect(after.health.accepted + after.health.duplicate - before.health.accepted - before.health.duplicate).toBe(rest);
    expect(after.health.deadLetters).toBe(0);
    // Now up to date: healthy.
    await page.getByRole('tab', { name: 'Health and settings' }).click();
    await expect.poll(() => page.getByTestId('source-status').first().innerText()).toMatch(/●\s*Healthy/);
  });

  it('the dashboard and a wall tile show the first figures, equal to the read API', async () => {
    const k = await today();
    expect(k.aht.n).toBeGreaterThan(50);
    const aht = formatKpi('aht', k.aht.value);
    const asa = formatKpi('asa', k.asa.value);
    await expect.poll(() => dashboard.getByTestId('value-aht').innerText(), { timeout: 30_000 }).toBe(aht);
    await expect.poll(() => dashboard.getByTestId('value-asa').innerText()).toBe(asa);
    // First-contact resolution with the disposition mapped (provisional while the repeat window is open: marked *).
    expect(k.fcrRepeat.value).not.toBeNull();
    await expect.poll(async () => (await dashboard.getByTestId('value-fcrRepeat').innerText()).replace(/\s*\*$/, '')).toBe(formatKpi('fcrRepeat', k.fcrRepeat.value));
    expect(await dashboard.getByTestId('tile-aht').innerText()).toContain(`n=${k.aht.n.toLocaleString('en-GB')}`);
    await shot(dashboard, 'sources-4-dashboard');

    const wall = watchErrors(await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage(), errors);
    await wall.goto(`${server.baseUrl}/wall`);
    await expect.poll(async () => /^[A-Z2-9]{4}/.test((await wall.getByTestId('pairing-code').innerText()).trim()), { timeout: 15_000 }).toBe(true);
    const approved = await api('POST', '/api/v1/displays', { code: (await wall.getByTestId('pairing-code').innerText()).trim(), name: 'Floor wall', scopes: ['centre'] });
    expect(approved.status).toBe(201);
    const displayId = ((await approved.json()) as { display: { id: string } }).display.id;
    const board: BoardBody = {
      name: 'Connect floor',
      staleAfterSeconds: 120,
      tiles: [
        { id: 'aht', kind: 'kpi', scope: 'centre', window: 'today', kpi: 'aht', w: 6, h: 3 },
        { id: 'asa', kind: 'kpi', scope: 'centre', window: 'today', kpi: 'asa', w: 6, h: 3 },
      ],
    };
    const created = await api('POST', '/api/v1/boards', board);
    expect(created.status, await created.clone().text()).toBe(201);
    const boardId = ((await created.json()) as { board: { id: string } }).board.id;
    expect((await api('PUT', `/api/v1/displays/${displayId}/shows`, { shows: `board:${boardId}`, reloadHour: null })).status).toBe(200);
    await wall.getByTestId('wallboard').waitFor({ timeout: 30_000 });
    await expect.poll(() => wall.getByTestId('wvalue-aht').innerText(), { timeout: 30_000 }).toBe(aht);
    await expect.poll(() => wall.getByTestId('wvalue-asa').innerText()).toBe(asa);
    await shot(wall, 'sources-5-wall');
    await wall.context().close();
  });

  it('an agent status Frontline does not know is held as a dead letter; mapped and replayed, it is stored', async () => {
    // An agent event stream record as "Agent event streams data model" describes it
    // (https://docs.aws.amazon.com/connect/latest/adminguide/agent-event-stream-model.html): a STATE_CHANGE to the
    // custom status "Team huddle" for the first agent (Username = the Frontline agent id, as the simulator sends it).
    const agentId = directory.agents[0]!.id;
    const at = new Date().toISOString();
    const huddle = {
      AWSAccountId: CONNECT_SIM_ACCOUNT,
      AgentARN: `${INSTANCE_ARN}/agent/${simUuid('user', agentId)}`,
      CurrentAgentSnapshot: {
        AgentStatus: { ARN: `${INSTANCE_ARN}/agent-state/${simUuid('agent-state', 'team-huddle')}`, Name: 'Team huddle', StartTimestamp: at, Type: 'CUSTOM' },
        Configuration: { AgentHierarchyGroups: null, FirstName: agentId, LastName: '', RoutingProfile: { ARN: `${INSTANCE_ARN}/routing-profile/${simUuid('routing-profile', 'default')}`, Name: 'Frontline simulated profile' }, Username: agentId },
        Contacts: [],
      },
      EventId: simUuid('agent-event', agentId, 'team huddle', at),
      EventTimestamp: at,
      EventType: 'STATE_CHANGE',
      InstanceARN: INSTANCE_ARN,
      PreviousAgentSnapshot: null,
      Version: '2019-05-25',
    };
    const requestId = simUuid('firehose-request', 'team huddle', at);
    const reply = await firehose({
      headers: { 'content-type': 'application/json', 'x-amz-firehose-protocol-version': '1.0', 'x-amz-firehose-request-id': requestId, 'x-amz-firehose-access-key': ACCESS_KEY },
      body: JSON.stringify({ requestId, timestamp: Date.now(), records: [{ data: Buffer.from(JSON.stringify(huddle)).toString('base64') }] }),
    });
    // Firehose is told the delivery succeeded: the record is Frontline's to hold, not Firehose's to retry.
    expect(reply.status).toBe(200);
    const before = await source();
    expect(before.health.deadLetters).toBe(1);
    expect(before.health.rejectedBy.unmapped).toBe(1);

    await page.getByRole('tab', { name: /Dead letters/ }).click();
    const letter = page.getByTestId('dead-letter');
    await expect.poll(() => letter.count()).toBe(1);
    const text = await letter.innerText();
    expect(text).toMatch(/Not mapped/);
    expect(text).toContain('agent-event');
    expect(text).toContain('agent state "Team huddle" is not mapped');
    await letter.getByText('The record as received').click();
    await expect.poll(() => letter.locator('pre').innerText()).toContain('"Name": "Team huddle"');
    await shot(page, 'sources-6-dead-letter', { fullPage: true });
    await accessible(page, 'source dead letters');

    // The mapping editor puts the value that kept a record out first, and says so.
    await page.getByRole('button', { name: 'Mapping', exact: true }).click();
    await expect.poll(() => page.getByTestId('rejecting-values').innerText()).toContain('"Team huddle"');
    const row = page.locator('[data-testid="mapping-row-state"][data-value="Team huddle"]');
    await expect.poll(() => row.getAttribute('class')).toBe('rejecting');
    expect(await row.innerText()).toMatch(/kept 1 record out/);
    await page.getByLabel('Standard state for Team huddle').selectOption('break');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await expect.poll(() => page.getByTestId('mapping-saved').innerText()).toMatch(/Mapping saved: 1 change\b[\s\S]*agent state "Team huddle" → break/);
    await shot(page, 'sources-7-huddle-mapped', { fullPage: true });
    // The value is mapped now; the record it kept out still waits for a replay, and the page says so.
    await expect.poll(() => page.getByTestId('rejecting-values').innerText()).toMatch(/"Team huddle" is mapped now, but the records it kept out are still held/);
    await page.getByTestId('mapping-saved').getByRole('button', { name: 'replay them on the Dead letters tab' }).click();
    await page.getByRole('button', { name: 'Replay all (1)' }).click();
    await expect.poll(() => page.getByTestId('replay-result').innerText()).toMatch(/Replayed: 1 record stored\./);
    await page.getByTestId('no-dead-letters').waitFor();
    await shot(page, 'sources-8-replayed', { fullPage: true });

    const after = await source();
    expect(after.health.deadLetters).toBe(0);
    expect(after.health.accepted).toBe(before.health.accepted + 1);
    expect(after.mapping.states).toEqual({ 'Team huddle': 'break' });
    // The replayed record is listed as stored.
    await page.getByRole('radio', { name: 'Replayed' }).check();
    await expect.poll(() => page.getByTestId('dead-letter').innerText()).toMatch(/Stored on replay/);
    // And the list says so too, live.
    await navTo(page, 'Sources');
    await expect.poll(() => page.getByTestId('source-row').getByTestId('accepted').innerText()).toBe(after.health.accepted.toLocaleString('en-GB'));
    expect(await page.getByTestId('source-row').innerText()).toMatch(/●\s*Healthy/);
    await shot(page, 'sources-9-list');
  });

  it('on a phone the list and a source read as cards, and pass axe', async () => {
    const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const [name, value] = ada.cookie.split('=') as [string, string];
    await phoneCtx.addCookies([{ name, value, url: server.baseUrl }]);
    const phone = watchErrors(await phoneCtx.newPage(), errors);
    await phone.goto(`${server.baseUrl}/admin/sources`);
    await phone.getByTestId('source-row').waitFor();
    await shot(phone, 'sources-10-phone-list', { fullPage: true });
    await accessible(phone, 'sources (phone)');
    await phone.goto(`${server.baseUrl}/admin/sources/${sourceId}?tab=mapping`);
    await phone.getByTestId('mapping-row-queue').first().waitFor();
    await shot(phone, 'sources-11-phone-mapping');
    await accessible(phone, 'source mapping (phone)');
    await phone.context().close();
  });

  it('logged no page or console error', () => {
    expect(errors).toEqual([]);
  });
});
