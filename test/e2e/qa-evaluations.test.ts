/**
 * Issue 19 acceptance in Chromium, one story on one server: a manager authors the complaint-handling card (HEAT) on
 * the Scorecards page and publishes it; a team leader draws the week's sample, opens a contact (with the customer's
 * comment and the leg's notes), evaluates it through the form, submits; the QA KPI for the agent is exactly the card
 * score worked out by hand; the agent signs in, sees the evaluation on her profile, acknowledges it, and the profile
 * shows the acknowledgement. axe-core checks each new page; screenshots go to test-results/qa-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../shared/api.js';
import { expectAccessible, launchBrowser, navTo, shot, watchErrors } from '../support/browser.js';
import { buildClient, type ClientBuild } from '../support/client-build.js';
import { call, PASSWORD, seedPeople, sessionFor, type People } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

let build: ClientBuild;
let t: TestServer;
let browser: Browser;
let key: string;
let people: People;
const errors: string[] = [];
const iso = (ms: number) => new Date(ms).toISOString();

async function page(): Promise<Page> {
  return watchErrors(await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage(), errors);
}

async function signIn(p: Page, username: string): Promise<void> {
  await p.goto(t.baseUrl);
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password').fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByTestId('who').waitFor();
}

async function qaKpi(scope: string, fromMs: number): Promise<{ value: number | null; n: number }> {
  const q = new URLSearchParams({ scope, from: iso(fromMs), to: iso(Date.now() + 60_000) });
  const res = await fetch(`${t.baseUrl}/api/v1/kpis?${q.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  return ((await res.json()) as KpisReply).kpis.qa;
}

const since = Date.now() - 3 * 3_600_000;

beforeAll(async () => {
  build = buildClient();
  t = await startTestServer({ clientDir: build.clientDir });
  people = await seedPeople(t);
  await t.server.kpis.rebuild();
  key = await t.key(['ingest', 'read']);
  const at = Date.now() - 2 * 3_600_000;
  const contact = (id: string, agentId: string, offset: number, extra: { comment?: string; notes?: string } = {}) => [
    { id: `${id}-o`, type: 'contact.offered', occurredAt: iso(at + offset), contactId: id, channel: 'voice', queueId: 'voice-billing' },
    { id: `${id}-a`, type: 'contact.answered', occurredAt: iso(at + offset + 5_000), contactId: id, agentId },
    { id: `${id}-e`, type: 'contact.ended', occurredAt: iso(at + offset + 300_000), contactId: id, agentId, talkSeconds: 250, holdSeconds: 20, wrapSeconds: 30, resolved: true, ...(extra.notes ? { notes: extra.notes } : {}) },
    ...(extra.comment ? [{ id: `${id}-s`, type: 'survey.responded', occurredAt: iso(at + offset + 600_000), contactId: id, csat: 2, comment: extra.comment }] : []),
  ];
  const events = [
    ...contact('c-ann-1', 'a-ann', 0, { comment: 'Took ages to get a straight answer about my refund', notes: 'Customer asked about a double charge. Verified DOB and postcode. Raised refund ticket R-1042; told customer 3–5 days.' }),
    ...contact('c-ann-2', 'a-ann', 600_000),
    ...contact('c-bob-1', 'a-bob', 1_200_000),
  ];
  const res = await fetch(`${t.baseUrl}/api/v2/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(events) });
  expect(res.status, await res.text()).toBe(200);
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  build?.remove();
});

describe('QA evaluation in the browser', () => {
  let evaluationUrl = '';

  it('a manager authors the complaint-handling card from the HEAT template and publishes it', async () => {
    const max = await page();
    await signIn(max, 'max.manager');
    await navTo(max, 'QA');
    await max.getByRole('navigation', { name: 'Quality monitoring' }).getByRole('link', { name: 'Scorecards' }).click();
    await max.getByRole('link', { name: 'New scorecard' }).click();
    await max.getByLabel('Start from a template').selectOption({ label: 'Complaint handling (HEAT)' });
    await max.getByRole('button', { name: 'Use template' }).click();
    await max.getByRole('status').filter({ hasText: '5 standards added' }).waitFor();
    await max.getByRole('button', { name: 'Publish version 1' }).click();
    await max.getByRole('heading', { name: 'Version history' }).waitFor();
    await max.getByRole('heading', { name: 'Complaint handling (HEAT)', level: 1 }).waitFor();
  }, 120_000);

  it('a team leader draws the sample and evaluates a contact through the form; the QA KPI is the card score', async () => {
    const lead = await page();
    await signIn(lead, 'tom.lead');
    await navTo(lead, 'QA');
    await lead.getByRole('heading', { name: /Quality monitoring/ }).waitFor();
    await lead.getByRole('button', { name: /Draw this week/ }).click();
    await lead.getByRole('status').filter({ hasText: /added to the sample|Nothing new/ }).waitFor();
    await lead.getByTestId('qa-coverage').waitFor();
    await expectAccessible(lead, 'QA worklist');
    await shot(lead, 'qa-worklist', { fullPage: true });

    await lead.goto(`${t.baseUrl}/contacts/c-ann-1`);
    await lead.getByTestId('contact-qa').getByRole('button', { name: 'Evaluate this contact' }).waitFor();
    await expectAccessible(lead, 'contact page with Evaluate');
    await shot(lead, 'qa-contact-evaluate', { fullPage: true });
    await lead.getByRole('button', { name: 'Evaluate this contact' }).click();
    await lead.waitForURL(/\/qa\/evaluations\//);
    evaluationUrl = lead.url();
    await lead.getByTestId('qa-form').waitFor();
    await lead.getByTestId('qa-notes').waitFor();
    await lead.getByRole('radiogroup', { name: 'Monitoring method' }).getByLabel('Recorded call').check();
    const answer = async (label: string, value: string, example?: 'positive' | 'negative', note?: string) => {
      await lead.getByRole('radiogroup', { name: `${label}: answer` }).getByLabel(value, { exact: true }).check();
      if (example) await lead.getByLabel(`${label}: example`).selectOption(example);
      if (note) await lead.getByLabel(`${label}: note`).fill(note);
    };
    // The HEAT card's weights (shared/qa-templates.ts): hear 20, empathise 15 (1–5), apologise 15, take ownership 20
    // (critical), resolve 15 (1–5), confirm and close 10 (N/A allowed), record 5.
    // Earned: hear 20 + empathise 4 of 5 → 15 × 3/4 = 11.25 + apologise not met 0 + ownership 20 + resolve 3 of 5 →
    // 15 × 2/4 = 7.5 + record 5 = 63.75; confirm-close N/A leaves its 10 out: 100 × 63.75 / 90 = 70.8333…
    await answer('Hear: let the customer explain without interrupting', 'Met', 'positive', 'Let the customer finish before asking a question');
    await answer('Empathise: acknowledged how the customer feels', '4 of 5');
    await answer('Apologise: a sincere apology for the experience', 'Not met', 'negative', 'The customer waited on a refund; no apology');
    await answer('Take ownership: said what they will do and by when', 'Met');
    await answer('Resolved the complaint or agreed the next steps', '3 of 5');
    await answer('Confirmed the outcome and closed warmly', 'N/A');
    await answer('Recorded the complaint correctly', 'Met');
    await expect.poll(() => lead.locator('.qa-score').first().textContent()).toContain('70.8');
    await lead.getByLabel(/Summary for the agent/).fill('Heard the customer out and owned the refund. Apologise when we have let the customer down.');
    await expectAccessible(lead, 'QA evaluation form');
    await shot(lead, 'qa-evaluation-form', { fullPage: true });
    await lead.getByRole('button', { name: 'Submit evaluation' }).click();
    await lead.getByTestId('qa-score').filter({ hasText: '70.8' }).waitFor();
    await shot(lead, 'qa-evaluation-submitted', { fullPage: true });
    // Nothing else was evaluated: the QA KPI of Ann, her team and the queue is this one score.
    for (const scope of ['agent:a-ann', 'team:t-billing', 'queue:voice-billing']) {
      const qa = await qaKpi(scope, since);
      expect(qa.n, scope).toBe(1);
      expect(qa.value, scope).toBeCloseTo((100 * 63.75) / 90, 9);
    }
  }, 120_000);

  it('the agent sees it on her profile, acknowledges it, and the profile shows her response', async () => {
    const ann = await page();
    await signIn(ann, 'ann');
    await ann.goto(`${t.baseUrl}/agents/a-ann`);
    const table = ann.getByTestId('agent-evaluations');
    await table.waitFor();
    await expect.poll(() => table.textContent()).toContain('Awaiting response');
    await table.getByRole('link', { name: /Contact c-ann-1/ }).click();
    await ann.getByTestId('qa-response').waitFor();
    expect(ann.url()).toBe(evaluationUrl);
    // Read-only: the examples and notes are there, no form to change the answers.
    await ann.getByText('Let the customer finish before asking a question').waitFor();
    expect(await ann.getByRole('button', { name: 'Submit evaluation' }).count()).toBe(0);
    await expectAccessible(ann, 'QA evaluation, the agent’s view');
    await shot(ann, 'qa-evaluation-agent', { fullPage: true });
    await ann.getByRole('button', { name: 'Acknowledge' }).click();
    await ann.getByTestId('qa-response-state').filter({ hasText: 'Acknowledged' }).waitFor();
    await ann.goto(`${t.baseUrl}/agents/a-ann`);
    await expect.poll(() => ann.getByTestId('agent-evaluations').textContent()).toContain('Acknowledged');
    await ann.getByTestId('agent-evaluations').scrollIntoViewIfNeeded();
    await expectAccessible(ann, 'agent profile with evaluations');
    await shot(ann, 'qa-agent-profile', { fullPage: true });
    // Another agent's evaluation is not hers: Dan gets a refusal, not the page.
    const dan = await page();
    await signIn(dan, 'dan');
    await dan.goto(evaluationUrl);
    await dan.getByText(/not yours to see/).waitFor();
    expect(errors.filter((e) => !/403/.test(e))).toEqual([]);
  }, 120_000);

  it('the team leader attaches it to a coaching case about Ann; the case page lists it with its examples', async () => {
    const c = await t.server.cases.insert({ kind: 'individual', scope: 'agent:a-ann', agentId: 'a-ann', teamId: 't-billing', kpi: 'qa', rule: 'manual', figures: {}, evidenceContactIds: [], assignedCoachId: null, openedMs: Date.now() });
    const lead = await page();
    await signIn(lead, 'tom.lead');
    await lead.goto(evaluationUrl);
    const attach = lead.getByTestId('qa-attach');
    await attach.waitFor();
    await attach.getByRole('combobox').selectOption(c.id);
    await attach.getByRole('button', { name: 'Attach as evidence' }).click();
    await attach.getByRole('link', { name: /coaching case/ }).click();
    const onCase = lead.getByTestId('case-evaluations');
    await onCase.waitFor();
    await onCase.getByText('The customer waited on a refund; no apology', { exact: false }).waitFor();
    await onCase.scrollIntoViewIfNeeded();
    await expectAccessible(lead, 'case page with an attached evaluation');
    await shot(lead, 'qa-case-evidence', { fullPage: true });

    // Ann changes her mind and disputes: her team leader (the evaluator) sees it on the QA page.
    const annSession = await sessionFor(t, people.agent);
    const id = evaluationUrl.split('/').pop() as string;
    const current = (await (await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${id}`, annSession)).json()) as { evaluation: { version: number } };
    expect((await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${id}/response`, annSession, { version: current.evaluation.version, response: 'disputed', comment: 'I did apologise, at 2:10' })).status).toBe(200);
    await lead.goto(`${t.baseUrl}/qa`);
    await lead.getByTestId('qa-disputed').getByText('Disputed').first().waitFor();
    await expectAccessible(lead, 'QA page with a dispute');
    await shot(lead, 'qa-worklist-disputed', { fullPage: true });
  }, 120_000);
});
