/** ISO weeks as the QA sample names its periods (server/qa/sampling.ts), for picking an earlier week. */
/** The ISO week `weeks` before an ISO week id such as 2026-W50 (its Monday, moved back, named by its Thursday). */
export function isoWeekBefore(id: string, weeks: number): string {
  const m = /^(\d{4})-W(\d{2})$/.exec(id);
  if (!m) return id;
  const mondayOfWeek1 = (year: number): number => {
    const jan4 = Date.UTC(year, 0, 4);
    return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
  };
  const monday = mondayOfWeek1(Number(m[1])) + (Number(m[2]) - 1 - weeks) * 7 * 86_400_000;
  const year = new Date(monday + 3 * 86_400_000).getUTCFullYear();
  const week = 1 + Math.floor((monday - mondayOfWeek1(year)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
