import type { Kysely, Migration } from 'kysely';
import { FREE_TEXT_FIELDS } from '../../../shared/events.js';
import { maskPersonalData } from '../../../shared/mask.js';
import type { Database } from '../schema.js';

/**
 * Free text is masked on the way in from now on; this masks what was stored before, so no unmasked comment, complaint
 * summary or QA note stays in the store. Content hashes are left as they were (they are of the event as sent).
 */
export function maskStoredText(): Migration {
  return {
    async up(raw: Kysely<unknown>) {
      const db = raw as unknown as Kysely<Database>;
      const types = Object.keys(FREE_TEXT_FIELDS) as (keyof typeof FREE_TEXT_FIELDS)[];
      let after = 0;
      for (;;) {
        const rows = await db.selectFrom('events').select(['seq', 'type', 'payload']).where('type', 'in', types).where('seq', '>', after).orderBy('seq').limit(2000).execute();
        if (rows.length === 0) break;
        for (const r of rows) {
          const event = JSON.parse(r.payload) as Record<string, unknown>;
          let changed = false;
          for (const f of FREE_TEXT_FIELDS[r.type as keyof typeof FREE_TEXT_FIELDS] ?? []) {
            const v = event[f];
            if (typeof v !== 'string') continue;
            const masked = maskPersonalData(v);
            if (masked !== v) {
              event[f] = masked;
              changed = true;
            }
          }
          // Key order is kept by JSON.parse/stringify, so the stored form stays in contract order.
          if (changed) await db.updateTable('events').set({ payload: JSON.stringify(event) }).where('seq', '=', r.seq).execute();
        }
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  };
}
