/**
 * `npm run kpi:rebuild` — recomputes the persisted KPI rollups (every scope, every 15-minute interval and local day
 * before the hot window) from the raw events, and reports how many stored rows it changed. Days whose raw events
 * retention has deleted are left as they are. Safe beside a running server: both compute rows the same way.
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { DirectoryService } from '../directory/directory.service.js';
import { KpiHistory } from '../kpi/history.js';
import { KpiService } from '../kpi/kpi.service.js';
import { silentLogger } from '../logger.js';
import { openStore } from '../store/db.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  const config = loadConfig();
  const store = await openStore(config.database);
  try {
    const directory = new DirectoryService(store);
    const dir = await directory.get();
    const before = await new KpiHistory(store, dir).allRows();
    const kpis = new KpiService(store, directory, systemClock, silentLogger, { eventRetentionDays: config.retention.eventDays });
    await kpis.rebuild('full');
    await kpis.settle();
    const after = await new KpiHistory(store, dir).allRows();
    const key = (r: { scope: string; grain: string; start_ms: number }) => `${r.scope}|${r.grain}|${r.start_ms}`;
    const old = new Map(before.map((r) => [key(r), r.counters]));
    let changed = 0;
    let added = 0;
    for (const r of after) {
      const was = old.get(key(r));
      if (was === undefined) added++;
      else if (was !== r.counters) changed++;
      old.delete(key(r));
    }
    const report = {
      rows: after.length,
      unchanged: after.length - changed - added,
      changed,
      added,
      removed: old.size,
      rawEventsRead: kpis.lastLoad.historyEvents,
      hotWindowFrom: new Date(kpis.hotFrom).toISOString(),
      seconds: Number((kpis.lastLoad.ms / 1000).toFixed(2)),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else
      process.stdout.write(
        `KPI rollups rebuilt from ${report.rawEventsRead.toLocaleString('en-GB')} raw events in ${report.seconds} s: ${report.rows.toLocaleString('en-GB')} rows ` +
          `(${report.unchanged.toLocaleString('en-GB')} unchanged, ${report.changed} changed, ${report.added} added, ${report.removed} removed); ` +
          `history runs up to ${report.hotWindowFrom}, the engine holds the days after it in memory\n`,
      );
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kpi:rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
