/**
 * A chart's points as a table of links: what a click on a point opens, reachable by keyboard, and the chart's figures
 * for a screen reader. Folded away under the chart so the page looks as before.
 */
import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import { Link } from 'react-router';
import { useActiveTooltipDataPoints } from 'recharts';

/** A clickable chart's description: how the keyboard reaches what a click on a point opens. */
export const CHART_KEYS = 'Enter opens the contacts of the point the arrow keys are on. Left and right arrow keys step through the points; the table below the chart lists each with a link to its contacts.';

export interface ListedPoint {
  key: string;
  /** The period, as the chart's axis names it ("03/12", "Week of 1 Dec"). */
  label: string;
  /** The figure, formatted; '–' when the period has none. */
  value: string;
  n: number;
  /** Where a click on the point leads; null for a period with no contacts. */
  to: string | null;
}

export function PointList({ what, period, points, testId }: { what: string; period: string; points: ListedPoint[]; testId?: string }) {
  if (points.length === 0) return null;
  return (
    <details className="point-list" data-testid={testId}>
      <summary>
        {what}: the {points.length} {period}s as a table, each with its contacts
      </summary>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{what}</caption>
          <thead>
            <tr>
              <th scope="col">{period[0]!.toUpperCase() + period.slice(1)}</th>
              <th scope="col" className="num">
                Value
              </th>
              <th scope="col" className="num">
                n
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.key}>
                <td>{p.to && p.n > 0 ? <Link to={p.to} data-testid="point-link">{p.label}</Link> : p.label}</td>
                <td className="num">{p.value}</td>
                <td className="num">{p.n.toLocaleString('en-GB')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Inside a recharts chart: keeps `pointRef` on the data point its tooltip shows, moved to by mouse or arrow keys. */
export function ActivePoint<T>({ pointRef }: { pointRef: RefObject<T | undefined> }) {
  const points = useActiveTooltipDataPoints();
  useEffect(() => {
    pointRef.current = points?.[0] as T | undefined;
  }, [points, pointRef]);
  return null;
}

/**
 * Enter on a focused chart opens the point its arrow keys are on, as a click on it does: recharts moves the tooltip
 * with the arrow keys but leaves Enter to toggle it. Put `onKeyDown` on the chart's wrapper and `<ActivePoint pointRef={active} />`
 * inside the chart.
 */
export function useEnterOpensPoint<T>(open: (point: T) => void): { active: RefObject<T | undefined>; onKeyDown: (e: KeyboardEvent) => void } {
  const active = useRef<T | undefined>(undefined);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || !active.current) return;
    e.preventDefault();
    open(active.current);
  };
  return { active, onKeyDown };
}
