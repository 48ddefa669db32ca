/** CSV answers for the export links: what the screen shows, as a spreadsheet opens it safely. */
import type { Response } from 'express';

export type CsvCell = string | number | null | undefined;

/** CSV cell: quoted when needed; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
export function csvCell(v: CsvCell): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function sendCsv(res: Response, name: string, rows: readonly (readonly CsvCell[])[]): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  // Scope ids may hold any character; the file name keeps only safe ones.
  res.set('Content-Disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.csv"`);
  res.send(rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n');
}
