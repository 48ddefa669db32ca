/**
 * Service standards and versioned scorecards in the store. A scorecard version never changes once written:
 * evaluations and calibrations point at (scorecard, version), so an old evaluation always reads against the card it
 * was scored on. Access is decided by the routes' predicates, never here.
 */
import { randomUUID } from 'node:crypto';
import type { Channel } from '../../shared/channels.js';
import type { ScorecardDefinition, StandardInput } from '../../shared/qa.js';
import type { ScorecardSummaryView, ScorecardVersionInfo, ScorecardVersionView, StandardView } from '../../shared/qa-scorecard-api.js';
import type { Store } from '../store/db.js';
import type { QaScorecardsTable, QaStandardsTable } from '../store/schema.js';

/** The store answers in the API's own shapes (shared/qa-scorecard-api.ts): one description of each, not two. */
export type Standard = StandardView;
export type ScorecardSummary = ScorecardSummaryView;
export type ScorecardVersion = ScorecardVersionView;

/** A conflict the caller can act on: someone else changed it first, or it does not exist. */
export class ScorecardConflict extends Error {
  constructor(
    readonly code: 'not_found' | 'version_conflict' | 'duplicate_code',
    message: string,
  ) {
    super(message);
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

function standardOf(r: QaStandardsTable): Standard {
  return { id: r.id, code: r.code, title: r.title, source: r.source, description: r.description, createdBy: r.created_by, createdAt: iso(r.created_ms) as string, retiredAt: iso(r.retired_ms) };
}

function summaryOf(r: QaScorecardsTable): ScorecardSummary {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    channels: JSON.parse(r.channels) as Channel[],
    currentVersion: Number(r.current_version),
    createdBy: r.created_by,
    createdAt: iso(r.created_ms) as string,
    retiredAt: iso(r.retired_ms),
  };
}

export class ScorecardStore {
  constructor(private readonly store: Store) {}

  async standards(includeRetired = false): Promise<Standard[]> {
    let q = this.store.db.selectFrom('qa_standards').selectAll().orderBy('code');
    if (!includeRetired) q = q.where('retired_ms', 'is', null);
    return (await q.execute()).map(standardOf);
  }

  async standard(id: string): Promise<Standard | undefined> {
    const r = await this.store.db.selectFrom('qa_standards').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? standardOf(r) : undefined;
  }

  async addStandard(input: StandardInput, by: string, nowMs: number): Promise<Standard> {
    const taken = await this.store.db.selectFrom('qa_standards').select('id').where('code', '=', input.code).executeTakeFirst();
    if (taken) throw new ScorecardConflict('duplicate_code', `a standard with code '${input.code}' exists already`);
    const row: QaStandardsTable = { id: randomUUID(), code: input.code, title: input.title, source: input.source ?? null, description: input.description ?? null, created_by: by, created_ms: nowMs, retired_ms: null };
    await this.store.db.insertInto('qa_standards').values(row).execute();
    return standardOf(row);
  }

  async updateStandard(id: string, input: StandardInput): Promise<Standard> {
    const clash = await this.store.db.selectFrom('qa_standards').select('id').where('code', '=', input.code).where('id', '!=', id).executeTakeFirst();
    if (clash) throw new ScorecardConflict('duplicate_code', `a standard with code '${input.code}' exists already`);
    const done = await this.store.db
      .updateTable('qa_standards')
      .set({ code: input.code, title: input.title, source: input.source ?? null, description: input.description ?? null })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) throw new ScorecardConflict('not_found', 'no such standard');
    return (await this.standard(id)) as Standard;
  }

  async retireStandard(id: string, nowMs: number): Promise<void> {
    const done = await this.store.db.updateTable('qa_standards').set({ retired_ms: nowMs }).where('id', '=', id).where('retired_ms', 'is', null).executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) throw new ScorecardConflict('not_found', 'no such standard in use');
  }

  async scorecards(includeRetired = false): Promise<ScorecardSummary[]> {
    let q = this.store.db.selectFrom('qa_scorecards').selectAll().orderBy('name');
    if (!includeRetired) q = q.where('retired_ms', 'is', null);
    return (await q.execute()).map(summaryOf);
  }

  async scorecard(id: string): Promise<ScorecardSummary | undefined> {
    const r = await this.store.db.selectFrom('qa_scorecards').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? summaryOf(r) : undefined;
  }

  /** One version; `version` omitted: the current one. */
  async version(scorecardId: string, version?: number): Promise<ScorecardVersion | undefined> {
    let v = version;
    if (v === undefined) {
      const card = await this.scorecard(scorecardId);
      if (!card) return undefined;
      v = card.currentVersion;
    }
    const r = await this.store.db.selectFrom('qa_scorecard_versions').selectAll().where('scorecard_id', '=', scorecardId).where('version', '=', v).executeTakeFirst();
    if (!r) return undefined;
    return { scorecardId: r.scorecard_id, version: Number(r.version), definition: JSON.parse(r.definition) as ScorecardDefinition, changeNote: r.change_note, createdBy: r.created_by, createdAt: iso(r.created_ms) as string };
  }

  async versions(scorecardId: string): Promise<ScorecardVersionInfo[]> {
    const rows = await this.store.db.selectFrom('qa_scorecard_versions').select(['scorecard_id', 'version', 'change_note', 'created_by', 'created_ms']).where('scorecard_id', '=', scorecardId).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ scorecardId: r.scorecard_id, version: Number(r.version), changeNote: r.change_note, createdBy: r.created_by, createdAt: iso(r.created_ms) as string }));
  }

  async create(input: { name: string; description: string; channels: Channel[]; definition: ScorecardDefinition }, by: string, nowMs: number): Promise<ScorecardSummary> {
    const id = randomUUID();
    await this.store.db.transaction().execute(async (trx) => {
      await trx.insertInto('qa_scorecards').values({ id, name: input.name, description: input.description, channels: JSON.stringify(input.channels), current_version: 1, created_by: by, created_ms: nowMs, retired_ms: null }).execute();
      await trx.insertInto('qa_scorecard_versions').values({ scorecard_id: id, version: 1, definition: JSON.stringify(input.definition), change_note: 'first version', created_by: by, created_ms: nowMs }).execute();
    });
    return (await this.scorecard(id)) as ScorecardSummary;
  }

  /** Writes the next version if `expected` is still the current one (two authors cannot overwrite each other). */
  async publish(scorecardId: string, expected: number, definition: ScorecardDefinition, changeNote: string, by: string, nowMs: number): Promise<ScorecardSummary> {
    await this.store.db.transaction().execute(async (trx) => {
      const next = expected + 1;
      const done = await trx.updateTable('qa_scorecards').set({ current_version: next }).where('id', '=', scorecardId).where('current_version', '=', expected).executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) {
        const exists = await trx.selectFrom('qa_scorecards').select('current_version').where('id', '=', scorecardId).executeTakeFirst();
        if (!exists) throw new ScorecardConflict('not_found', 'no such scorecard');
        throw new ScorecardConflict('version_conflict', `the scorecard is at version ${Number(exists.current_version)} now, not ${expected}: reload and make your change again`);
      }
      await trx.insertInto('qa_scorecard_versions').values({ scorecard_id: scorecardId, version: next, definition: JSON.stringify(definition), change_note: changeNote, created_by: by, created_ms: nowMs }).execute();
    });
    return (await this.scorecard(scorecardId)) as ScorecardSummary;
  }

  async retire(scorecardId: string, nowMs: number): Promise<void> {
    const done = await this.store.db.updateTable('qa_scorecards').set({ retired_ms: nowMs }).where('id', '=', scorecardId).where('retired_ms', 'is', null).executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) throw new ScorecardConflict('not_found', 'no such scorecard in use');
  }
}
