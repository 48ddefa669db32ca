/**
 * Realism bands on a normal (scenario-free) fortnight of the default centre. Figures are taken over the second
 * week, once repeat contacts from the first week are flowing, as in a centre that has been running for a while.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import type { GroundTruth } from '../../../server/simulator/index.js';
import { aht, byContact, DAY_MS, londonTime, mean, median, MONDAY, ofType, simulate, type ContactRecord } from './support.js';

const WEEK2 = MONDAY + 7 * DAY_MS;
const END = MONDAY + 14 * DAY_MS;
const VOICE_SL_S = 20;
let events: FrontlineEvent[];
let contacts: Map<string, ContactRecord>;
let truth: GroundTruth;
let week2: ContactRecord[];

beforeAll(() => {
  const run = simulate(14, { scenarios: [] });
  events = run.events;
  truth = run.sim.groundTruth();
  contacts = byContact(events);
  week2 = [...contacts.values()].filter((c) => c.offeredMs >= WEEK2);
});

describe('queue performance on a normal week', () => {
  it('voice service level is 74-92% and abandonment 3-8% (DOMAIN.md section 3 definitions)', () => {
    const voice = week2.filter((c) => c.offered.channel === 'voice' && (c.answeredMs !== undefined || c.abandonedMs !== undefined));
    const short = voice.filter((c) => c.abandonedMs !== undefined && c.abandonedMs - c.offeredMs < 5000).length;
    const within = voice.filter((c) => c.answeredMs !== undefined && c.answeredMs - c.offeredMs <= VOICE_SL_S * 1000).length;
    const abandoned = voice.filter((c) => c.abandonedMs !== undefined && c.abandonedMs - c.offeredMs >= 5000).length;
    expect(short).toBeGreaterThan(0);
    const sl = within / (voice.length - short);
    const abandonment = abandoned / (voice.length - short);
    expect(sl).toBeGreaterThan(0.74);
    expect(sl).toBeLessThan(0.92);
    expect(abandonment).toBeGreaterThan(0.03);
    expect(abandonment).toBeLessThan(0.08);
  });

  it('email never abandons and gets a first reply within minutes to hours', () => {
    const email = week2.filter((c) => c.offered.channel === 'email');
    expect(email.some((c) => c.abandonedMs !== undefined)).toBe(false);
    const firstReplyMin = email.filter((c) => c.answeredMs !== undefined).map((c) => ((c.answeredMs ?? 0) - c.offeredMs) / 60_000);
    expect(median(firstReplyMin)).toBeGreaterThan(10);
    expect(median(firstReplyMin)).toBeLessThan(6 * 60);
    expect(Math.max(...firstReplyMin)).toBeGreaterThan(4 * 60);
  });

  it('handle time is skewed with a voice median near 360 s, and differs by channel', () => {
    const handled = week2.filter((c) => c.ended !== undefined);
    const byChannel = (ch: string) => handled.filter((c) => c.offered.channel === ch).map((c) => aht(c.ended as NonNullable<ContactRecord['ended']>));
    const voice = byChannel('voice');
    expect(median(voice)).toBeGreaterThan(300);
    expect(median(voice)).toBeLessThan(420);
    expect(mean(voice)).toBeGreaterThan(median(voice) * 1.05);
    expect(median(byChannel('chat'))).toBeGreaterThan(median(voice) * 1.1);
    expect(median(byChannel('email'))).toBeGreaterThan(median(voice) * 1.1);
  });

  it('arrivals follow opening hours, an intraday curve and a weekly pattern', () => {
    const offered = ofType(events, 'contact.offered').map((e) => londonTime(Date.parse(e.occurredAt)));
    for (const t of offered) {
      expect(t.weekday).not.toBe('sun');
      const open = t.weekday === 'sat' ? 9 : 8;
      const close = t.weekday === 'sat' ? 17 : 20;
      expect(t.hour).toBeGreaterThanOrEqual(open);
      expect(t.hour).toBeLessThan(close);
    }
    const weekdays = offered.filter((t) => t.weekday !== 'sat');
    const atHour = (h: number) => weekdays.filter((t) => t.hour === h).length;
    expect(atHour(10)).toBeGreaterThan(atHour(8) * 1.3);
    expect(atHour(14)).toBeGreaterThan(atHour(12));
    expect(atHour(10)).toBeGreaterThan(atHour(19) * 2);
    const onDay = (d: string) => week2.filter((c) => londonTime(c.offeredMs).weekday === d).length;
    expect(onDay('mon')).toBeGreaterThan(onDay('fri'));
    expect(onDay('sat')).toBeLessThan(onDay('wed') / 2);
  });

  it('contact lifecycles are consistent: offered first, then either abandoned unanswered or answered and ended', () => {
    const seen = new Map<string, string[]>();
    for (const e of events) {
      if (e.type === 'agent.state' || e.type === 'qa.evaluated' || e.type === 'complaint.logged' || e.type === 'survey.responded') continue;
      seen.set(e.contactId, [...(seen.get(e.contactId) ?? []), e.type]);
    }
    for (const [id, types] of seen) {
      expect(types[0], id).toBe('contact.offered');
      if (types.includes('contact.abandoned')) expect(types, id).toEqual(['contact.offered', 'contact.abandoned']);
      const ended = types.indexOf('contact.ended');
      if (ended >= 0) {
        expect(ended, id).toBe(types.length - 1);
        expect(types.slice(1, ended).every((t) => t === 'contact.answered' || t === 'contact.transferred'), id).toBe(true);
        expect(types.filter((t) => t === 'contact.answered').length, id).toBe(types.filter((t) => t === 'contact.transferred').length + 1);
      }
    }
  });

  it('every contact ends at most once, and transfers end with the receiving agent', () => {
    const ended = new Map<string, number>();
    for (const e of ofType(events, 'contact.ended')) ended.set(e.contactId, (ended.get(e.contactId) ?? 0) + 1);
    expect(Math.max(...ended.values())).toBe(1);
    const transferred = ofType(events, 'contact.transferred');
    expect(transferred.length).toBeGreaterThan(20);
    for (const t of transferred) {
      const c = contacts.get(t.contactId);
      if (c?.ended) expect(c.ended.agentId).not.toBe(t.fromAgentId);
    }
  });
});

describe('quality outcomes', () => {
  it('CSAT (top-2-box) is about 85%, survey response 14-21%, FCR about 75%', () => {
    const handled = week2.filter((c) => c.ended !== undefined);
    const surveys = handled.flatMap((c) => c.surveys);
    const top2 = surveys.filter((s) => (s.csat ?? 0) >= 4).length / surveys.length;
    expect(top2).toBeGreaterThan(0.8);
    expect(top2).toBeLessThan(0.9);
    expect(surveys.length / handled.length).toBeGreaterThan(0.14);
    expect(surveys.length / handled.length).toBeLessThan(0.21);
    const fcr = handled.filter((c) => c.ended?.resolved).length / handled.length;
    expect(fcr).toBeGreaterThan(0.68);
    expect(fcr).toBeLessThan(0.82);
  });

  it('surveys arrive late (minutes to hours after the contact ends) and NPS tracks CSAT', () => {
    const delaysMin: number[] = [];
    for (const c of contacts.values()) {
      for (const s of c.surveys) {
        expect(c.endedMs).toBeDefined();
        delaysMin.push((Date.parse(s.occurredAt) - (c.endedMs ?? 0)) / 60_000);
      }
    }
    expect(Math.min(...delaysMin)).toBeGreaterThan(0);
    expect(median(delaysMin)).toBeGreaterThan(10);
    expect(median(delaysMin)).toBeLessThan(240);
    expect(delaysMin.filter((d) => d > 180).length).toBeGreaterThan(50);
    const surveys = ofType(events, 'survey.responded');
    const npsOf = (pred: (csat: number) => boolean) => surveys.filter((s) => s.nps !== undefined && pred(s.csat ?? 0)).map((s) => s.nps ?? 0);
    expect(mean(npsOf((c) => c === 5))).toBeGreaterThan(mean(npsOf((c) => c <= 2)) + 4);
  });

  it('repeat contacts make repeat-contact FCR real: unresolved customers mostly come back within 7 days', () => {
    const week1 = [...contacts.values()].filter((c) => c.offeredMs < WEEK2 && c.endedMs !== undefined);
    const later = new Map<string, number[]>();
    for (const c of contacts.values()) {
      const key = `${c.offered.customerId}|${c.offered.reason}`;
      later.set(key, [...(later.get(key) ?? []), c.offeredMs]);
    }
    const cameBack = (c: ContactRecord) =>
      (later.get(`${c.offered.customerId}|${c.offered.reason}`) ?? []).some((t) => t > (c.endedMs ?? 0) && t - (c.endedMs ?? 0) <= 7 * DAY_MS);
    const unresolved = week1.filter((c) => c.ended?.resolved === false);
    const resolved = week1.filter((c) => c.ended?.resolved === true);
    expect(unresolved.filter(cameBack).length / unresolved.length).toBeGreaterThan(0.6);
    expect(resolved.filter(cameBack).length / resolved.length).toBeLessThan(0.12);
    expect(resolved.filter(cameBack).length).toBeGreaterThan(0);
  });

  it('comments are varied, in keeping with the score, and some carry personal data to mask', () => {
    const surveys = ofType(events, 'survey.responded');
    const withComment = surveys.filter((s) => s.comment !== undefined);
    expect(withComment.length / surveys.length).toBeGreaterThan(0.4);
    const firstSentence = (s: string) => s.split(/(?<=[.!?])\s/)[0] ?? s;
    expect(new Set(withComment.map((s) => firstSentence((s.comment ?? '').replace(/\d+/g, '#').replace(/^[A-Z][a-z]+ (was|clearly)/, '$1')))).size).toBeGreaterThan(35);
    const happy = new Set(withComment.filter((s) => s.csat === 5).map((s) => firstSentence(s.comment ?? '')));
    const unhappy = withComment.filter((s) => s.csat === 1).map((s) => firstSentence(s.comment ?? ''));
    expect(unhappy.filter((c) => happy.has(c))).toEqual([]);
    const texts = withComment.map((s) => s.comment ?? '');
    const pii = {
      email: texts.filter((t) => /[\w.]+@example\.(com|co\.uk|org)/.test(t)),
      phone: texts.filter((t) => /(\+44 ?7700|07700|0113) ?\d{3} ?\d{3,4}/.test(t)),
      card: texts.filter((t) => /\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b/.test(t)),
      postcode: texts.filter((t) => /\b[A-Z]{1,2}\d{1,2} \d[A-Z]{2}\b/.test(t)),
    };
    for (const found of Object.values(pii)) expect(found.length).toBeGreaterThan(0);
    const piiShare = new Set(Object.values(pii).flat()).size / texts.length;
    expect(piiShare).toBeGreaterThan(0.02);
    expect(piiShare).toBeLessThan(0.09);
  });

  it('QA: about 4 evaluations per agent-week, in office hours a day or two after the contact', () => {
    const qa = ofType(events, 'qa.evaluated');
    const week1 = qa.filter((q) => (contacts.get(q.contactId)?.endedMs ?? END) < WEEK2);
    expect(week1.length / 45).toBeGreaterThan(3);
    expect(week1.length / 45).toBeLessThan(5.5);
    expect(new Set(qa.map((q) => q.evaluatorId)).size).toBeGreaterThan(1);
    expect(qa.some((q) => q.criticalFail)).toBe(true);
    for (const q of qa) {
      const t = Date.parse(q.occurredAt);
      const local = londonTime(t);
      expect(['sat', 'sun']).not.toContain(local.weekday);
      expect(local.hour).toBeGreaterThanOrEqual(9);
      expect(local.hour).toBeLessThan(17);
      expect(t - (contacts.get(q.contactId)?.endedMs ?? t)).toBeGreaterThan(12 * 3_600_000);
    }
  });

  it('complaints come from a small share of contacts, with a category and a summary', () => {
    const complaints = ofType(events, 'complaint.logged');
    const perThousand = (1000 * complaints.length) / contacts.size;
    expect(perThousand).toBeGreaterThan(1);
    expect(perThousand).toBeLessThan(10);
    expect(new Set(complaints.map((c) => c.category)).size).toBeGreaterThan(2);
    for (const c of complaints) expect(c.summary && c.contactId && c.customerId && c.agentId).toBeTruthy();
  });

  it('agents differ persistently, as the ground truth says (resolution and handle time track their effects)', () => {
    const rate = new Map<string, { n: number; resolved: number; logAht: number }>();
    for (const e of ofType(events, 'contact.ended')) {
      const r = rate.get(e.agentId) ?? { n: 0, resolved: 0, logAht: 0 };
      r.n++;
      r.resolved += e.resolved ? 1 : 0;
      r.logAht += Math.log(aht(e));
      rate.set(e.agentId, r);
    }
    const agents = truth.agents.filter((a) => (rate.get(a.id)?.n ?? 0) > 100);
    expect(agents.length).toBeGreaterThan(40);
    const fcr = correlation(agents.map((a) => a.fcrLogitEffect), agents.map((a) => { const r = rate.get(a.id); return r ? r.resolved / r.n : 0; }));
    const ahtCorr = correlation(agents.map((a) => a.ahtLogEffect), agents.map((a) => { const r = rate.get(a.id); return r ? r.logAht / r.n : 0; }));
    expect(fcr).toBeGreaterThan(0.4);
    expect(ahtCorr).toBeGreaterThan(0.2);
  });
});

describe('agent states', () => {
  it('agents work shifts inside opening hours, take breaks, and are offline after close', () => {
    const states = ofType(events, 'agent.state');
    const last = new Map<string, string>();
    let breaks = 0;
    for (const s of states) {
      expect(last.get(s.agentId)).not.toBe(s.state);
      last.set(s.agentId, s.state);
      if (s.state === 'break') breaks++;
      if (s.state !== 'offline') {
        const local = londonTime(Date.parse(s.occurredAt));
        expect(local.weekday).not.toBe('sun');
        expect(local.hour).toBeGreaterThanOrEqual(local.weekday === 'sat' ? 9 : 8);
        // Logging in and breaks fall inside opening hours; the last contact may run on past the close.
        const close = local.weekday === 'sat' ? 17 : 20;
        expect(local.hour).toBeLessThan(s.state === 'busy' || s.state === 'wrap' ? close + 1 : close);
      }
    }
    expect(breaks).toBeGreaterThan(45 * 8);
    expect([...last.values()].every((s) => s === 'offline')).toBe(true);
    expect(last.size).toBe(45);
  });
});

function correlation(x: number[], y: number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((xi, i) => {
    const yi = y[i] ?? my;
    sxy += (xi - mx) * (yi - my);
    sxx += (xi - mx) ** 2;
    syy += (yi - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}
