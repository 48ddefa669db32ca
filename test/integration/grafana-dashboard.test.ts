/**
 * The sample Grafana dashboard (deploy/grafana/frontline.json) against a scrape of a real server: every metric name
 * in every panel's query and in the variables is one the server exposes, with the right type for how it is used, and
 * every Frontline metric the server exposes has a panel. The dashboard cannot drift from the code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/people.js';
import { parseExposition, type Exposition } from '../support/prometheus.js';
import { startTestServer, type TestServer } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Target {
  expr?: string;
  refId: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  schemaVersion: number;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; datasource?: { uid: string } }[] };
}

const dashboard = JSON.parse(fs.readFileSync(path.join(root, 'deploy/grafana/frontline.json'), 'utf8')) as Dashboard;

/** PromQL words that are not metric names: aggregation modifiers, set and vector-matching keywords. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** The metric names a PromQL expression reads: identifiers left after removing strings, matchers, ranges and groupings, that are not a function call. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = bare.slice((m.index ?? 0) + word.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(word) || /^\d/.test(word)) continue;
    names.push(word);
  }
  return names;
}

/** The family a sample name belongs to and how it is read: a histogram's _bucket, _sum and _count are its own. */
function familyOf(e: Exposition, name: string): { family: string; type: string } | undefined {
  const direct = e.types.get(name);
  if (direct) return { family: name, type: direct };
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const type = m ? e.types.get(m[1] as string) : undefined;
  return m && (type === 'histogram' || type === 'summary') ? { family: m[1] as string, type } : undefined;
}

let t: TestServer;
let scraped: Exposition;

beforeAll(async () => {
  t = await startTestServer();
  const key = (await t.server.apiKeys.create('prometheus', ['metrics'])).key;
  const res = await call(t.baseUrl, 'GET', '/metrics', { bearer: key });
  expect(res.status).toBe(200);
  scraped = parseExposition(await res.text());
});
afterAll(async () => {
  await t.close();
});

describe('deploy/grafana/frontline.json', () => {
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((x) => ({ panel: p.title, expr: x.expr ?? '' })));
  const variableQueries = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ panel: `variable ${v.name}`, expr: /^label_values\(([^,]+),/.exec((v.query as { query: string }).query)?.[1]?.trim() ?? '' }));

  it('is a Grafana dashboard with a Prometheus data source variable that every panel and query uses', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const x of p.targets ?? []) expect(x.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it('reads only metrics a real server exposes, each as its type allows', () => {
    const wrong: string[] = [];
    for (const { panel, expr } of [...exprs, ...variableQueries]) {
      const names = metricNames(expr);
      if (names.length === 0) wrong.push(`${panel}: no metric in ${expr}`);
      for (const name of names) {
        const f = familyOf(scraped, name);
        if (!f) wrong.push(`${panel}: ${name} is not exposed`);
        else if (f.type === 'histogram' && name === f.family) wrong.push(`${panel}: ${name} is a histogram; read its _bucket, _sum or _count`);
        else if (f.type === 'counter' && !new RegExp(`(rate|increase)\\(${name}\\b`).test(expr)) wrong.push(`${panel}: counter ${name} read without rate() or increase()`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has a panel for every Frontline metric the server exposes, and for event-loop lag, heap and RSS', () => {
    const used = new Set(exprs.flatMap(({ expr }) => metricNames(expr)).map((n) => familyOf(scraped, n)?.family));
    const frontline = [...scraped.types.keys()].filter((n) => n.startsWith('frontline_'));
    expect(frontline.length).toBeGreaterThan(10);
    expect(frontline.filter((n) => !used.has(n))).toEqual([]);
    for (const n of ['nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) expect(used.has(n), n).toBe(true);
  });

  it('finds metric names in PromQL the way Prometheus reads it', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le, operation) (rate(a_bucket{x="y{z}"}[5m])))')).toEqual(['a_bucket']);
    expect(metricNames('time() - max(b_seconds{instance=~"$instance"})')).toEqual(['b_seconds']);
    expect(metricNames('sum(rate(c_total[1m])) / on (job) group_left sum(d)')).toEqual(['c_total', 'd']);
  });
});
