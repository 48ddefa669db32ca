/**
 * System first, then people (DOMAIN.md section 5): the XmR chart of a centre, site, team, queue or channel with the
 * Making Data Count icons, and for a team its agents on a funnel plot against each other. Pick the scope and KPI;
 * everything else comes from the chart API. The choices live in the URL (?scope=team:billing&kpi=csat), so a chart can
 * be shared and Back from the contacts behind a point returns to the same chart.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { Me } from '../../../shared/access.js';
import { FUNNEL_KPIS, type ChartGranularity, type FunnelKpi } from '../../../shared/charts.js';
import type { Directory } from '../../../shared/directory.js';
import { KPI_DEFINITIONS, KPI_NAMES, type KpiName } from '../../../shared/kpis.js';
import { api } from '../api/http.js';
import { ScopeSelect } from '../shell/ScopeSelect.js';
import { PeriodSelect } from '../shell/PeriodSelect.js';
import { scopeChoices } from '../shell/scopes.js';
import { FunnelPanel } from './FunnelPanel.js';
import { useXmr, XmrPanel } from './XmrPanel.js';

interface Period {
  value: string;
  label: string;
  granularity: ChartGranularity;
  days: number;
}
const DEFAULT_PERIOD: Period = { value: 'day-42', label: 'Daily, last 42 days', granularity: 'day', days: 42 };
const PERIODS: Period[] = [
  DEFAULT_PERIOD,
  { value: 'day-90', label: 'Daily, last 90 days', granularity: 'day', days: 90 },
  { value: 'day-180', label: 'Daily, last 180 days', granularity: 'day', days: 180 },
  { value: 'interval', label: 'Today, by quarter-hour', granularity: 'interval', days: 1 },
];
const FUNNEL_PERIODS = [28, 56, 90];

/** The group a funnel plot is drawn for: the picked team or queue, else none. */
function funnelGroup(scope: string, dir: Directory | undefined): { kind: 'team' | 'queue'; id: string; name: string } | null {
  const [kind, id] = scope.split(':') as [string, string | undefined];
  if (id === undefined) return null;
  if (kind === 'team') return { kind, id, name: dir?.teams.find((t) => t.id === id)?.name ?? id };
  if (kind === 'queue') return { kind, id, name: dir?.queues.find((q) => q.id === id)?.name ?? id };
  return null;
}

const isFunnelKpi = (k: KpiName): k is FunnelKpi => (FUNNEL_KPIS as readonly string[]).includes(k);

export function ChartsPage({ me }: { me: Me }) {
  const dir = useQuery({ queryKey: ['directory'], queryFn: async () => (await api<{ directory: Directory }>('/api/v1/directory')).directory });
  const options = useMemo(() => scopeChoices(me, dir.data, { ownFigures: false }), [me, dir.data]);
  const [params, setParams] = useSearchParams();
  const set = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) next.set(k, v);
    setParams(next, { replace: true });
  };
  const wanted = params.get('scope');
  // Until the directory is in, a scope from the URL is taken as given (the server checks it); then it must be offered.
  const scope = (dir.data ? options.find((o) => o.value === wanted)?.value : wanted) ?? options[0]?.value ?? 'centre';
  const setPicked = (v: string) => set({ scope: v });
  const kpiParam = params.get('kpi');
  const kpi: KpiName = (KPI_NAMES as readonly string[]).includes(kpiParam ?? '') ? (kpiParam as KpiName) : 'csat';
  const setKpi = (k: KpiName) => set({ kpi: k });
  const period = PERIODS.find((p) => p.value === params.get('period')) ?? DEFAULT_PERIOD;
  const periodKey = period.value;
  const setPeriodKey = (v: string) => set({ period: v });
  const funnelDays = FUNNEL_PERIODS.find((d) => String(d) === params.get('funnel')) ?? 28;
  const setFunnelDays = (d: number) => set({ funnel: String(d) });
  const chart = useXmr(scope, kpi, period.granularity, period.days);
  const scopeLabel = options.find((o) => o.value === scope)?.label ?? scope;
  const group = funnelGroup(scope, dir.data);

  return (
    <div className="page charts-page">
      <header className="topbar">
        <h1>
          Charts <span className="sub">{scopeLabel}</span>
        </h1>
        <div className="filters">
          <ScopeSelect value={scope} choices={options} onPick={setPicked} />
          <label className="inline">
            KPI
            <select aria-label="KPI" value={kpi} onChange={(e) => setKpi(e.target.value as KpiName)}>
              {KPI_NAMES.map((k) => (
                <option key={k} value={k}>
                  {KPI_DEFINITIONS[k].label}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            Period
            <select aria-label="Period" value={periodKey} onChange={(e) => setPeriodKey(e.target.value)}>
              {PERIODS.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <p className="muted charts-lead">
        System first: the chart shows whether this part of the centre has really changed (special cause) or is varying as it always does (common
        cause). A concern here is a system issue for the team leader or manager, not a reason to coach one person. People are compared with their
        peers on the funnel plot, never on a system chart.
      </p>
      <XmrPanel scopeLabel={scopeLabel} kpi={kpi} chart={chart} />
      {group === null ? (
        <p className="muted charts-note">Pick a team or a queue to see its agents on a funnel plot.</p>
      ) : !isFunnelKpi(kpi) ? (
        <p className="muted charts-note">
          The agent funnel plot is drawn for survey rates: pick {FUNNEL_KPIS.map((k) => KPI_DEFINITIONS[k].label).join(' or ')} to see it.
        </p>
      ) : (
        <>
          <PeriodSelect value={funnelDays} choices={FUNNEL_PERIODS} onPick={setFunnelDays} label="Funnel period" className="inline charts-funnel-period" />
          <FunnelPanel group={group} kpi={kpi} days={funnelDays} />
        </>
      )}
    </div>
  );
}
