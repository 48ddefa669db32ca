/**
 * The organisation directory: replaced as a whole, or one item added, changed or removed, each in one transaction
 * that keeps every reference whole (a team names a site, an agent a team, a queue perhaps a site), so readers never
 * see half a directory.
 */
import fs from 'node:fs/promises';
import { sql, type Transaction } from 'kysely';
import {
  DIRECTORY_ITEM_NAMES,
  directory as directorySchema,
  type Agent,
  type Directory,
  type DirectoryKind,
  type Queue,
  type Site,
  type Team,
} from '../../shared/directory.js';
import { assertNever } from '../../shared/events.js';
import type { Store } from '../store/db.js';
import type { Database } from '../store/schema.js';

/** One item to add or change, tagged with its kind. */
export type DirectoryItemChange = { kind: 'sites'; item: Site } | { kind: 'teams'; item: Team } | { kind: 'queues'; item: Queue } | { kind: 'agents'; item: Agent };

/** Why a single-item change was refused; the HTTP layer maps the kind to a status. Nothing was changed. */
export type DirectoryRefusal = 'unknown_reference' | 'still_referenced' | 'not_found';

export class DirectoryRuleError extends Error {
  constructor(
    readonly refusal: DirectoryRefusal,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The centre-wide settings of the directory (its zone and credit rule), kept as JSON in `meta`. */
const CENTRE_KEY = 'directory.centre';

/** At most this many dependent ids are named in a refusal's message (all of them, up to 100, in its details). */
const NAMED_IN_MESSAGE = 10;

export class DirectoryService {
  private cached: Directory | undefined;

  constructor(private readonly store: Store) {}

  async get(): Promise<Directory> {
    if (this.cached) return this.cached;
    const db = this.store.db;
    const [sites, teams, queues, agents, centreRow] = await Promise.all([
      db.selectFrom('sites').selectAll().orderBy('id').execute(),
      db.selectFrom('teams').selectAll().orderBy('id').execute(),
      db.selectFrom('queues').selectAll().orderBy('id').execute(),
      db.selectFrom('agents').selectAll().orderBy('id').execute(),
      db.selectFrom('meta').select('value').where('key', '=', CENTRE_KEY).executeTakeFirst(),
    ]);
    const centre = centreRow ? (JSON.parse(centreRow.value) as Pick<Directory, 'timeZone' | 'creditAgent'>) : {};
    this.cached = {
      ...(centre.timeZone !== undefined ? { timeZone: centre.timeZone } : {}),
      ...(centre.creditAgent !== undefined ? { creditAgent: centre.creditAgent } : {}),
      sites: sites.map((s) => ({ id: s.id, name: s.name, timeZone: s.time_zone, openingHours: JSON.parse(s.opening_hours) as Directory['sites'][number]['openingHours'] })),
      teams: teams.map((t) => ({ id: t.id, name: t.name, siteId: t.site_id })),
      queues: queues.map((q) => ({
        id: q.id,
        name: q.name,
        channel: q.channel as Directory['queues'][number]['channel'],
        ...(q.site_id === null ? {} : { siteId: q.site_id }),
        serviceLevelSeconds: Number(q.service_level_seconds),
      })),
      agents: agents.map((a) => ({ id: a.id, name: a.name, teamId: a.team_id })),
    };
    return this.cached;
  }

  /** Forget the cached copy (the directory was changed by something other than replace()). */
  invalidate(): void {
    this.cached = undefined;
  }

  async isEmpty(): Promise<boolean> {
    const d = await this.get();
    return d.sites.length === 0 && d.teams.length === 0 && d.queues.length === 0 && d.agents.length === 0;
  }

  /** Replaces the whole directory. The input must already be validated with the shared schema. */
  async replace(next: Directory): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await this.lock(trx);
      await trx.deleteFrom('agents').execute();
      await trx.deleteFrom('queues').execute();
      await trx.deleteFrom('teams').execute();
      await trx.deleteFrom('sites').execute();
      const centre = JSON.stringify({ ...(next.timeZone !== undefined ? { timeZone: next.timeZone } : {}), ...(next.creditAgent !== undefined ? { creditAgent: next.creditAgent } : {}) });
      await trx
        .insertInto('meta')
        .values({ key: CENTRE_KEY, value: centre })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: centre }))
        .execute();
      const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / 500) }, (_, i) => xs.slice(i * 500, i * 500 + 500));
      for (const c of chunks(next.sites)) {
        await trx.insertInto('sites').values(c.map((s) => ({ id: s.id, name: s.name, time_zone: s.timeZone, opening_hours: JSON.stringify(s.openingHours) }))).execute();
      }
      for (const c of chunks(next.teams)) {
        await trx.insertInto('teams').values(c.map((t) => ({ id: t.id, name: t.name, site_id: t.siteId }))).execute();
      }
      for (const c of chunks(next.queues)) {
        await trx
          .insertInto('queues')
          .values(c.map((q) => ({ id: q.id, name: q.name, channel: q.channel, site_id: q.siteId ?? null, service_level_seconds: q.serviceLevelSeconds })))
          .execute();
      }
      for (const c of chunks(next.agents)) {
        await trx.insertInto('agents').values(c.map((a) => ({ id: a.id, name: a.name, team_id: a.teamId }))).execute();
      }
    });
    this.cached = undefined;
  }

  /**
   * Adds or changes one item (validated with the shared schema). Refused with `unknown_reference`, and nothing
   * changed, when it names a site or team the directory does not have. `created` is true when the id was new.
   */
  async upsert(change: DirectoryItemChange): Promise<{ created: boolean }> {
    const created = await this.store.db.transaction().execute(async (trx) => {
      await this.lock(trx);
      const { kind, item } = change;
      const exists = async (table: DirectoryKind, id: string) => (await trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
      const requireParent = async (table: 'sites' | 'teams', field: string, id: string) => {
        if (await exists(table, id)) return;
        const what = `${DIRECTORY_ITEM_NAMES[table]} '${id}'`;
        throw new DirectoryRuleError('unknown_reference', `${DIRECTORY_ITEM_NAMES[kind]} '${item.id}' names ${what}, which is not in the directory; nothing was changed`, {
          path: field,
          reason: `unknown ${DIRECTORY_ITEM_NAMES[table]} '${id}'`,
        });
      };
      const isNew = !(await exists(kind, item.id));
      switch (change.kind) {
        case 'sites': {
          const row = { name: change.item.name, time_zone: change.item.timeZone, opening_hours: JSON.stringify(change.item.openingHours) };
          if (isNew) await trx.insertInto('sites').values({ id: change.item.id, ...row }).execute();
          else await trx.updateTable('sites').set(row).where('id', '=', change.item.id).execute();
          break;
        }
        case 'teams': {
          await requireParent('sites', 'siteId', change.item.siteId);
          const row = { name: change.item.name, site_id: change.item.siteId };
          if (isNew) await trx.insertInto('teams').values({ id: change.item.id, ...row }).execute();
          else await trx.updateTable('teams').set(row).where('id', '=', change.item.id).execute();
          break;
        }
        case 'queues': {
          if (change.item.siteId !== undefined) await requireParent('sites', 'siteId', change.item.siteId);
          const row = { name: change.item.name, channel: change.item.channel, site_id: change.item.siteId ?? null, service_level_seconds: change.item.serviceLevelSeconds };
          if (isNew) await trx.insertInto('queues').values({ id: change.item.id, ...row }).execute();
          else await trx.updateTable('queues').set(row).where('id', '=', change.item.id).execute();
          break;
        }
        case 'agents': {
          await requireParent('teams', 'teamId', change.item.teamId);
          const row = { name: change.item.name, team_id: change.item.teamId };
          if (isNew) await trx.insertInto('agents').values({ id: change.item.id, ...row }).execute();
          else await trx.updateTable('agents').set(row).where('id', '=', change.item.id).execute();
          break;
        }
        default:
          assertNever(change);
      }
      return isNew;
    });
    this.cached = undefined;
    return { created };
  }

  /**
   * Removes one item. Refused with `still_referenced` (naming what points at it) while a site has teams or queues or
   * a team has agents, and with `not_found` for an id the directory does not have; nothing is changed then. An
   * agent's events are kept: figures count them as `team:unassigned`, like any agent the directory does not know.
   */
  async remove(kind: DirectoryKind, id: string): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await this.lock(trx);
      const what = `${DIRECTORY_ITEM_NAMES[kind]} '${id}'`;
      if (!(await trx.selectFrom(kind).select('id').where('id', '=', id).executeTakeFirst())) {
        throw new DirectoryRuleError('not_found', `there is no ${what} in the directory; nothing was changed`);
      }
      const dependents: Partial<Record<DirectoryKind, string[]>> = {};
      const collect = async (table: 'teams' | 'queues' | 'agents', column: 'site_id' | 'team_id') => {
        const rows = await trx.selectFrom(table).select('id').where(column, '=', id).orderBy('id').limit(101).execute();
        if (rows.length > 0) dependents[table] = rows.map((r) => r.id);
      };
      switch (kind) {
        case 'sites':
          await collect('teams', 'site_id');
          await collect('queues', 'site_id');
          break;
        case 'teams':
          await collect('agents', 'team_id');
          break;
        case 'queues':
        case 'agents':
          break;
        default:
          assertNever(kind);
      }
      const entries = Object.entries(dependents) as [DirectoryKind, string[]][];
      if (entries.length > 0) {
        const named = entries.map(([k, ids]) => {
          const shown = ids.slice(0, NAMED_IN_MESSAGE).map((x) => `'${x}'`);
          const more = ids.length <= NAMED_IN_MESSAGE ? '' : ids.length > 100 ? ' and many more' : ` and ${ids.length - NAMED_IN_MESSAGE} more`;
          return `${k} ${shown.join(', ')}${more}`;
        });
        const details = Object.fromEntries(entries.map(([k, ids]) => [k, ids.slice(0, 100)]));
        throw new DirectoryRuleError('still_referenced', `${what} is still named by ${named.join(' and ')}; move or remove them first; nothing was changed`, details);
      }
      await trx.deleteFrom(kind).where('id', '=', id).execute();
    });
    this.cached = undefined;
  }

  /** Every directory write holds this to its commit, so no other node's write can slip between a check and a write. */
  private async lock(trx: Transaction<Database>): Promise<void> {
    const keys = this.store.pg;
    if (keys) await sql`select pg_advisory_xact_lock(${keys.lockClass}::int, ${keys.directoryLock}::int)`.execute(trx);
  }

  /** Loads a directory JSON file, validating it with the same schema as the API. */
  async loadFile(file: string): Promise<Directory> {
    const text = await fs.readFile(file, 'utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new Error(`directory file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    const parsed = directorySchema.safeParse(raw);
    if (!parsed.success) {
      const lines = parsed.error.issues.slice(0, 20).map((i) => `  ${i.path.join('.')}: ${i.message}`);
      throw new Error(`directory file ${file} is invalid:\n${lines.join('\n')}`);
    }
    await this.replace(parsed.data);
    return parsed.data;
  }
}
