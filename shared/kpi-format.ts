import { KPI_DEFINITIONS, type KpiName } from './kpis.js';

const nf = new Intl.NumberFormat('en-GB');

/** A KPI value as the screen shows it (and the CSV export carries the raw number behind it). */
export function formatKpi(kpi: KpiName, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  switch (KPI_DEFINITIONS[kpi].unit) {
    case 'fraction':
      return `${(value * 100).toFixed(1)}%`;
    case 'seconds':
      return value >= 3600 ? `${(value / 3600).toFixed(1)} h` : value >= 120 ? `${Math.floor(value / 60)}m ${String(Math.round(value % 60)).padStart(2, '0')}s` : `${Math.round(value)} s`;
    case 'score':
      return value.toFixed(1);
    case 'per1000':
      return value.toFixed(1);
  }
}

export function formatChange(kpi: KpiName, now: number | null, before: number | null): { text: string; delta: number } | null {
  if (now === null || before === null) return null;
  const delta = now - before;
  const unit = KPI_DEFINITIONS[kpi].unit;
  const text = unit === 'fraction' ? `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)} pts` : `${delta >= 0 ? '+' : '−'}${formatKpi(kpi, Math.abs(delta))}`;
  return { text, delta };
}

export const count = (n: number) => nf.format(n);
