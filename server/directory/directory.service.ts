/** The organisation directory: replaced as a whole, in one transaction, so readers never see half a directory. */
import fs from 'node:fs/promises';
import { directory as directorySchema, type Directory } from '../../shared/directory.js';
import type { Store } from '../store/db.js';

export class DirectoryService {
  private cached: Directory | undefined;

  constructor(private readonly store: Store) {}

  async get(): Promise<Directory> {
    if (this.cached) return this.cached;
    const db = this.store.db;
    const [sites, teams, queues, agents] = await Promise.all([
      db.selectFrom('sites').selectAll().orderBy('id').execute(),
      db.selectFrom('teams').selectAll().orderBy('id').execute(),
      db.selectFrom('queues').selectAll().orderBy('id').execute(),
      db.selectFrom('agents').selectAll().orderBy('id').execute(),
    ]);
    this.cached = {
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
      await trx.deleteFrom('agents').execute();
      await trx.deleteFrom('queues').execute();
      await trx.deleteFrom('teams').execute();
      await trx.deleteFrom('sites').execute();
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
