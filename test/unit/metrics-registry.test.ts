/** FrontlineMetrics without a server: a registry per instance, the node label on every series, bounded labels. */
import { describe, expect, it } from 'vitest';
import { FrontlineMetrics } from '../../server/metrics/frontline-metrics.js';
import { parseExposition, valueOf } from '../support/prometheus.js';

describe('FrontlineMetrics', () => {
  it('keeps each instance’s counts to itself (two servers in one process do not add up)', async () => {
    const a = new FrontlineMetrics();
    const b = new FrontlineMetrics();
    a.batch({ source: 'key:crm', accepted: 5, duplicate: 1, rejected: { invalid: 2 }, seconds: 0.01 });
    const ea = parseExposition((await a.scrape()).body);
    const eb = parseExposition((await b.scrape()).body);
    expect(valueOf(ea, 'frontline_ingest_events_total', { source: 'key:crm', outcome: 'accepted' })).toBe(5);
    expect(valueOf(ea, 'frontline_ingest_events_total', { source: 'key:crm', outcome: 'rejected' })).toBe(2);
    expect(eb.samples.filter((s) => s.name === 'frontline_ingest_events_total')).toEqual([]);
    // Both show the process metrics.
    expect(valueOf(eb, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('labels every series, the process metrics too, with the node when it is one of several', async () => {
    const m = new FrontlineMetrics({ node: 'web-1' });
    m.request('GET', '/api/v1/kpis', 200, 0.02);
    const e = parseExposition((await m.scrape()).body);
    expect(e.samples.length).toBeGreaterThan(50);
    expect(e.samples.filter((s) => s.labels.node !== 'web-1').map((s) => s.name)).toEqual([]);
    const single = parseExposition((await new FrontlineMetrics().scrape()).body);
    expect(single.samples.some((s) => 'node' in s.labels)).toBe(false);
  });

  it('labels requests by the declared route and status class, and requests no route answered as unmatched', async () => {
    const m = new FrontlineMetrics();
    m.request('GET', '/api/v1/agents/:agentId', 404, 0.003);
    m.request('GET', undefined, 404, 0.001);
    m.request('POST', '/api/v1/events', 503, 0.5);
    const e = parseExposition((await m.scrape()).body);
    expect(valueOf(e, 'frontline_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/agents/:agentId', status_class: '4xx' })).toBe(1);
    expect(valueOf(e, 'frontline_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(valueOf(e, 'frontline_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/events', status_class: '5xx' })).toBe(1);
  });

  it('counts the live delta latency only for batches followed by a tick that sent deltas', async () => {
    const m = new FrontlineMetrics();
    m.eventsApplied();
    m.kpiTick(0); // nobody followed what changed: that batch has no delta to wait for
    m.eventsApplied();
    m.eventsApplied();
    await new Promise((r) => setTimeout(r, 20));
    m.kpiTick(3);
    m.kpiTick(1); // nothing applied since: nothing more to count
    const e = parseExposition((await m.scrape()).body);
    expect(valueOf(e, 'frontline_live_delta_latency_seconds_count')).toBe(2);
    expect(valueOf(e, 'frontline_live_delta_latency_seconds_sum')).toBeGreaterThanOrEqual(0.036);
  });

  it('keeps the flagger’s last run as gauges and its failures apart', async () => {
    const m = new FrontlineMetrics();
    m.flaggerRan({ ok: true, run: { days: 42, read: 'full', daysRead: 42, events: 1000, readMs: 300, flagged: true, found: 3, opened: 2, added: 1, ms: 1500 } });
    m.flaggerRan({ ok: true, run: { days: 43, read: 'changed', daysRead: 2, events: 50, readMs: 20, flagged: true, found: 1, opened: 1, added: 0, ms: 250 } });
    m.flaggerRan({ ok: false, ms: 10 });
    const e = parseExposition((await m.scrape()).body);
    expect(valueOf(e, 'frontline_flagger_runs_total', { outcome: 'ok' })).toBe(2);
    expect(valueOf(e, 'frontline_flagger_runs_total', { outcome: 'failed' })).toBe(1);
    expect(valueOf(e, 'frontline_flagger_cases_opened_total')).toBe(3);
    expect(valueOf(e, 'frontline_flagger_signals_added_total')).toBe(1);
    expect(valueOf(e, 'frontline_flagger_last_run_read', { read: 'changed' })).toBe(1);
    expect(valueOf(e, 'frontline_flagger_last_run_read', { read: 'full' })).toBe(0);
    expect(valueOf(e, 'frontline_flagger_last_run_days_read')).toBe(2);
    expect(valueOf(e, 'frontline_flagger_last_run_days')).toBe(43);
    expect(valueOf(e, 'frontline_flagger_run_duration_seconds_sum', { read: 'full' })).toBe(1.5);
  });
});
