/**
 * A wall tile's trend: one line, its target as a dashed line, a few axis labels. Drawn as plain SVG rather than with
 * recharts: a wall screen is often a weak computer, and recharts alone (~100 KB gzip) weighed more than the rest of
 * the wall together. The figures are the tile's own points; nothing is smoothed or estimated.
 */
import { memo, useEffect, useRef, useState } from 'react';
import type { TileData } from '../../../shared/boards.js';
import { formatKpi } from '../../../shared/kpi-format.js';
import { KPI_DEFINITIONS, type KpiName, type Target } from '../../../shared/kpis.js';

type TrendData = Extract<TileData, { kind: 'trend' }>;

const LINE = '#56b4e9';
const TARGET = '#e69f00';
const AXIS = '#9aa4b2';

/** Round steps (1, 2, 5 × 10^k) covering [lo, hi] in about `count` intervals. */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step / 2; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

export const WallTrend = memo(function WallTrend({ kpi, data, target }: { kpi: KpiName; data: TrendData; target: Target | null }) {
  const box = useRef<HTMLDivElement>(null);
  const size = useElementSize(box);
  const px = useViewportUnit();
  const unit = KPI_DEFINITIONS[kpi].unit;
  const scale = (v: number) => (unit === 'fraction' ? v * 100 : v);
  const suffix = unit === 'fraction' ? '%' : unit === 'seconds' ? 's' : '';
  const label = new Intl.DateTimeFormat('en-GB', data.granularity === 'hour' ? { hour: '2-digit' } : { day: '2-digit', month: '2-digit' });
  const points = data.points.map((p, i) => ({ i, t: label.format(new Date(p.start)), value: p.value === null ? null : scale(p.value) }));
  const known = points.filter((p): p is { i: number; t: string; value: number } => p.value !== null);
  const last = known.at(-1);
  const summary = `${KPI_DEFINITIONS[kpi].label} trend: ${last ? `latest ${formatKpi(kpi, data.points[last.i]?.value ?? null)}` : 'no data yet'}${target ? `, target ${formatKpi(kpi, target.threshold)}` : ''}`;

  const m = { top: px, right: px * 5, bottom: px * 2, left: px * 4 };
  const w = Math.max(0, size.width - m.left - m.right);
  const h = Math.max(0, size.height - m.top - m.bottom);
  const values = [...known.map((p) => p.value), ...(target ? [scale(target.threshold)] : [])];
  const ticks = niceTicks(Math.min(...values), Math.max(...values));
  const lo = ticks[0] ?? 0;
  const hi = ticks.at(-1) ?? 1;
  const x = (i: number) => m.left + (points.length < 2 ? w / 2 : (i / (points.length - 1)) * w);
  const y = (v: number) => m.top + (hi === lo ? h / 2 : (1 - (v - lo) / (hi - lo)) * h);
  // As many time labels as fit, evenly spaced, always including the first.
  const every = Math.max(1, Math.ceil(points.length / Math.max(1, Math.floor(w / (px * 4)))));
  // A line needs two points; with fewer (a new centre, a quiet week) the points themselves are drawn.
  const few = known.length < 3;

  return (
    <div className="wb-chart" ref={box}>
      {size.width > 0 && size.height > 0 ? (
        <svg width={size.width} height={size.height} role="img" aria-label={summary} data-testid="wall-trend">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={m.left} x2={m.left + w} y1={y(t)} y2={y(t)} stroke="#30363d" />
              <text x={m.left - px * 0.4} y={y(t)} fill={AXIS} fontSize={px} textAnchor="end" dominantBaseline="middle">
                {`${t}${suffix}`}
              </text>
            </g>
          ))}
          {points.map((p) =>
            p.i % every === 0 ? (
              <text key={p.i} x={x(p.i)} y={m.top + h + px * 1.4} fill={AXIS} fontSize={px} textAnchor="middle">
                {p.t}
              </text>
            ) : null,
          )}
          {target ? (
            <g>
              <line x1={m.left} x2={m.left + w} y1={y(scale(target.threshold))} y2={y(scale(target.threshold))} stroke={TARGET} strokeDasharray="10 6" strokeWidth={3} />
              <text x={m.left + w + px * 0.4} y={y(scale(target.threshold))} fill={TARGET} fontSize={px} dominantBaseline="middle">
                target
              </text>
            </g>
          ) : null}
          {known.length > 1 ? <polyline points={known.map((p) => `${x(p.i)},${y(p.value)}`).join(' ')} fill="none" stroke={LINE} strokeWidth={3} strokeLinejoin="round" /> : null}
          {few ? known.map((p) => <circle key={p.i} cx={x(p.i)} cy={y(p.value)} r={6} fill={LINE} />) : null}
        </svg>
      ) : null}
    </div>
  );
});

/** The element's content box, kept current as the tile resizes (a rotation, a window resize). */
function useElementSize(ref: React.RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const read = () => setSize((s) => (s.width === el.clientWidth && s.height === el.clientHeight ? s : { width: el.clientWidth, height: el.clientHeight }));
    read();
    const observer = new ResizeObserver(read);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/** One type unit for SVG charts: the wall's base font size, from the viewport, kept current on resize. */
function useViewportUnit(): number {
  const unit = () => Math.round(Math.min(64, Math.max(12, 0.0055 * window.innerWidth + 0.0075 * window.innerHeight)));
  const [px, setPx] = useState(unit);
  useEffect(() => {
    const onResize = () => setPx(unit());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return px;
}
