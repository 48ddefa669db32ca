/**
 * Voice of the customer: every survey comment and complaint summary becomes a comment fact (when, which contact,
 * agent, queue and channel, CSAT, sentiment, themes), kept current as events arrive. Themes come from the dictionary
 * the app edits (changing it re-tags every comment); sentiment from wink-nlp. The text itself is read from the event
 * when shown, so masking, retention and erasure apply to it in one place.
 */
import type { Scope } from '../../shared/access.js';
import type { Directory } from '../../shared/directory.js';
import { contactIdOf, type FrontlineEvent } from '../../shared/events.js';
import { sentimentLabel, type SentimentLabel, type ThemeDefinition, type ThemesReply, type ThemeSummary, type VocComment } from '../../shared/voc.js';
import type { Clock } from '../clock.js';
import type { AcceptedEvent } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { CommentFactsTable } from '../store/schema.js';
import { sentimentOf } from './sentiment.js';
import { compileThemes, DEFAULT_THEMES, tagThemes, type CompiledTheme } from './themes.js';

const DAY = 86_400_000;
const LOOKUP_BATCH = 500;

type CommentEvent = Extract<FrontlineEvent, { type: 'survey.responded' | 'complaint.logged' }>;

function textOf(e: FrontlineEvent): string | undefined {
  if (e.type === 'survey.responded') return e.comment;
  if (e.type === 'complaint.logged') return e.summary;
  return undefined;
}

/** Which comments a scope covers: by agent, queue or channel (sites and teams through their agents). */
export interface CommentFilter {
  agentIds?: string[];
  queueIds?: string[];
  channel?: string;
}

export function filterForScope(scope: Scope, dir: Directory): CommentFilter {
  switch (scope.kind) {
    case 'centre':
      return {};
    case 'agent':
      return { agentIds: [scope.id] };
    case 'team':
      return { agentIds: dir.agents.filter((a) => a.teamId === scope.id).map((a) => a.id) };
    case 'site': {
      const teams = new Set(dir.teams.filter((t) => t.siteId === scope.id).map((t) => t.id));
      return { agentIds: dir.agents.filter((a) => teams.has(a.teamId)).map((a) => a.id) };
    }
    case 'queue':
      return { queueIds: [scope.id] };
    case 'channel':
      return { channel: scope.id };
  }
}

export class VocService {
  private dictionary: { themes: ThemeDefinition[]; version: number; compiled: CompiledTheme[] } | undefined;
  private pending: CommentEvent[] = [];
  private draining: Promise<void> | undefined;
  private retagging: Promise<void> | undefined;
  private started = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Whether this node writes comment facts (with several nodes, only the leader does; see server/cluster). */
    private readonly writesFacts: () => boolean = () => true,
  ) {}

  /** Loads the dictionary (the default on first run) and adds facts for comments stored before (or while) the service was off. */
  async start(): Promise<void> {
    await this.loadDictionary();
    // From here on, stored comments become facts as they arrive; those stored before are caught up just below.
    this.started = true;
    if (this.writesFacts()) await this.catchUpFacts();
  }

  /** Adds facts for stored comments that have none (at start, and when this node takes over as the writer). */
  async catchUpFacts(): Promise<void> {
    const t0 = Date.now();
    const added = await this.catchUp();
    if (added > 0) this.logger.info({ added, ms: Date.now() - t0 }, 'comment facts caught up');
  }

  private readonly dictionaryListeners: (() => void)[] = [];

  /** Called after this node changed the dictionary (other nodes are told to reload theirs). */
  onDictionaryChanged(fn: () => void): void {
    this.dictionaryListeners.push(fn);
  }

  /** Reads the dictionary again (another node changed it). */
  async reloadDictionary(): Promise<void> {
    await this.loadDictionary();
  }

  private async loadDictionary(): Promise<void> {
    let row = await this.store.db.selectFrom('voc_dictionary').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!row) {
      await this.store.db
        .insertInto('voc_dictionary')
        .values({ id: 1, themes: JSON.stringify(DEFAULT_THEMES), version: 1, updated_ms: this.clock.now(), updated_by: 'system:default' })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      row = await this.store.db.selectFrom('voc_dictionary').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    }
    const themes = JSON.parse(row.themes) as ThemeDefinition[];
    this.dictionary = { themes, version: Number(row.version), compiled: compileThemes(themes) };
  }

  getDictionary(): { themes: ThemeDefinition[]; version: number } {
    const d = this.ready();
    return { themes: d.themes, version: d.version };
  }

  /** Replaces the dictionary and re-tags every comment (in the background; `settle` waits for it). */
  async setDictionary(themes: ThemeDefinition[], actor: string): Promise<{ version: number }> {
    const version = this.ready().version + 1;
    await this.store.db.updateTable('voc_dictionary').set({ themes: JSON.stringify(themes), version, updated_ms: this.clock.now(), updated_by: actor }).where('id', '=', 1).execute();
    this.dictionary = { themes, version, compiled: compileThemes(themes) };
    for (const fn of this.dictionaryListeners) fn();
    this.retagging = this.retag().catch((err: unknown) => this.logger.error({ err }, 're-tagging comments failed'));
    return { version };
  }

  private ready(): NonNullable<VocService['dictionary']> {
    if (!this.dictionary) throw new Error('the voice-of-the-customer service is not started');
    return this.dictionary;
  }

  /** Stored events in; comment events become facts shortly after. */
  onStored(events: AcceptedEvent[]): void {
    // Before start (a first run's backfill happens then) events are only stored; start's catch-up reads them.
    if (!this.started || !this.writesFacts()) return;
    for (const { event } of events) if ((event.type === 'survey.responded' || event.type === 'complaint.logged') && textOf(event)) this.pending.push(event);
    if (this.pending.length > 0 && !this.draining) this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  /** Waits until every comment delivered so far is a fact, tagged with the current dictionary (tests). */
  async settle(): Promise<void> {
    while (this.draining || this.retagging) {
      await this.draining;
      await this.retagging;
      this.retagging = undefined;
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, LOOKUP_BATCH);
      try {
        await this.addFacts(batch);
      } catch (err) {
        this.logger.error({ err }, 'comment facts failed for a batch; the next start catches up');
      }
    }
  }

  /** Facts for comment events not yet in the table. */
  private async catchUp(): Promise<number> {
    let added = 0;
    for (let after = 0; ; ) {
      const rows = await this.store.db
        .selectFrom('events')
        .leftJoin('comment_facts', 'comment_facts.event_id', 'events.id')
        .select(['events.seq', 'events.payload'])
        .where('events.type', 'in', ['survey.responded', 'complaint.logged'])
        .where('comment_facts.event_id', 'is', null)
        .where('events.seq', '>', after)
        .orderBy('events.seq')
        .limit(LOOKUP_BATCH)
        .execute();
      if (rows.length === 0) return added;
      const events = rows.map((r) => JSON.parse(r.payload) as CommentEvent).filter((e) => textOf(e));
      added += await this.addFacts(events);
      after = Number(rows[rows.length - 1]?.seq);
    }
  }

  private async addFacts(events: CommentEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const d = this.ready();
    const contacts = [...new Set(events.map((e) => contactIdOf(e)).filter((c): c is string => c !== undefined))];
    const info = new Map<string, { agentId: string | null; queueId: string | null; channel: string | null; answeredMs: number }>();
    if (contacts.length > 0) {
      const rows = await this.store.db.selectFrom('events').select(['payload']).where('contact_id', 'in', contacts).where('type', 'in', ['contact.offered', 'contact.answered']).orderBy('seq').execute();
      for (const r of rows) {
        const e = JSON.parse(r.payload) as FrontlineEvent;
        const cid = contactIdOf(e);
        if (cid === undefined) continue;
        const c = info.get(cid) ?? { agentId: null, queueId: null, channel: null, answeredMs: Infinity };
        if (e.type === 'contact.offered') {
          c.queueId ??= e.queueId;
          c.channel ??= e.channel;
        } else if (e.type === 'contact.answered' && Date.parse(e.occurredAt) < c.answeredMs) {
          // As the KPI engine does: the contact belongs to the agent who answered it first.
          c.agentId = e.agentId;
          c.answeredMs = Date.parse(e.occurredAt);
        }
        info.set(cid, c);
      }
    }
    const rows: CommentFactsTable[] = events.map((e) => {
      const text = textOf(e) ?? '';
      const c = (e.contactId === undefined ? undefined : info.get(e.contactId)) ?? { agentId: null, queueId: null, channel: null };
      return {
        event_id: e.id,
        contact_id: e.contactId ?? null,
        occurred_ms: Date.parse(e.occurredAt),
        kind: e.type === 'survey.responded' ? 'survey' : 'complaint',
        csat: e.type === 'survey.responded' ? (e.csat ?? null) : null,
        sentiment: Math.round(sentimentOf(text) * 1000) / 1000,
        agent_id: e.type === 'complaint.logged' ? (e.agentId ?? c.agentId) : c.agentId,
        queue_id: c.queueId,
        channel: c.channel,
        themes: JSON.stringify(tagThemes(text, d.compiled)),
        dictionary_version: d.version,
      };
    });
    for (let i = 0; i < rows.length; i += 200) {
      await this.store.db
        .insertInto('comment_facts')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
    return rows.length;
  }

  /** Re-tags comments tagged with an older dictionary, reading their text from the events. */
  private async retag(): Promise<void> {
    const d = this.ready();
    for (;;) {
      const rows = await this.store.db
        .selectFrom('comment_facts')
        .innerJoin('events', 'events.id', 'comment_facts.event_id')
        .select(['comment_facts.event_id', 'events.payload'])
        .where('comment_facts.dictionary_version', '<', d.version)
        .limit(1000)
        .execute();
      if (rows.length === 0) break;
      await this.store.db.transaction().execute(async (trx) => {
        for (const r of rows) {
          const text = textOf(JSON.parse(r.payload) as FrontlineEvent) ?? '';
          await trx.updateTable('comment_facts').set({ themes: JSON.stringify(tagThemes(text, d.compiled)), dictionary_version: d.version }).where('event_id', '=', r.event_id).execute();
        }
      });
      if (this.ready().version !== d.version) return; // a newer dictionary took over; its own re-tag carries on
    }
    // Facts whose event is gone (erased) would never match the join: drop them.
    await this.store.db.deleteFrom('comment_facts').where('dictionary_version', '<', d.version).execute();
  }

  /** After retention or erasure removed text: facts whose event lost its text go. */
  async afterPrivacyChange(): Promise<void> {
    const gone = await this.store.db
      .selectFrom('comment_facts')
      .leftJoin('events', 'events.id', 'comment_facts.event_id')
      .select('comment_facts.event_id')
      .where((eb) => eb.or([eb('events.id', 'is', null), eb('events.text_removed_ms', 'is not', null)]))
      .execute();
    for (let i = 0; i < gone.length; i += 500) {
      await this.store.db
        .deleteFrom('comment_facts')
        .where(
          'event_id',
          'in',
          gone.slice(i, i + 500).map((g) => g.event_id),
        )
        .execute();
    }
  }

  private facts(filter: CommentFilter, fromMs: number, toMs: number) {
    let q = this.store.db.selectFrom('comment_facts').selectAll().where('occurred_ms', '>=', fromMs).where('occurred_ms', '<', toMs);
    if (filter.agentIds) q = filter.agentIds.length === 0 ? q.where('event_id', '=', '') : q.where('agent_id', 'in', filter.agentIds);
    if (filter.queueIds) q = q.where('queue_id', 'in', filter.queueIds);
    if (filter.channel) q = q.where('channel', '=', filter.channel);
    return q;
  }

  /** Top themes of a scope's comments over [from, to), with the previous period of the same length beside them. */
  async themes(scope: string, filter: CommentFilter, fromMs: number, toMs: number): Promise<ThemesReply> {
    const d = this.ready();
    const len = toMs - fromMs;
    const [now, before] = await Promise.all([this.facts(filter, fromMs, toMs).execute(), this.facts(filter, fromMs - len, fromMs).execute()]);
    const sentiment: Record<SentimentLabel, number> = { negative: 0, neutral: 0, positive: 0 };
    for (const f of now) sentiment[sentimentLabel(f.sentiment)]++;
    const bucketMs = len <= 14 * DAY ? DAY : 7 * DAY;
    const buckets = Math.max(1, Math.ceil(len / bucketMs));
    const byTheme = new Map<string, CommentFactsTable[]>();
    for (const f of now) for (const t of JSON.parse(f.themes) as string[]) byTheme.set(t, [...(byTheme.get(t) ?? []), f]);
    const previous = new Map<string, number>();
    for (const f of before) for (const t of JSON.parse(f.themes) as string[]) previous.set(t, (previous.get(t) ?? 0) + 1);
    const examplesWanted: { theme: string; facts: CommentFactsTable[] }[] = [];
    const summaries: ThemeSummary[] = d.themes.map((t) => {
      const fs = byTheme.get(t.id) ?? [];
      const trend = Array.from({ length: buckets }, (_, i) => ({ from: new Date(fromMs + i * bucketMs).toISOString(), days: (Math.min(toMs, fromMs + (i + 1) * bucketMs) - (fromMs + i * bucketMs)) / DAY, count: 0 }));
      for (const f of fs) {
        const b = trend[Math.min(buckets - 1, Math.floor((Number(f.occurred_ms) - fromMs) / bucketMs))];
        if (b) b.count++;
      }
      const surveys = fs.filter((f) => f.csat !== null);
      const worst = [...fs].sort((a, b) => a.sentiment - b.sentiment || Number(b.occurred_ms) - Number(a.occurred_ms)).slice(0, 3);
      examplesWanted.push({ theme: t.id, facts: worst });
      return {
        id: t.id,
        label: t.label,
        count: fs.length,
        share: now.length === 0 ? 0 : fs.length / now.length,
        meanSentiment: fs.length === 0 ? 0 : fs.reduce((s, f) => s + f.sentiment, 0) / fs.length,
        negativeShare: fs.length === 0 ? 0 : fs.filter((f) => sentimentLabel(f.sentiment) === 'negative').length / fs.length,
        meanCsat: surveys.length === 0 ? null : surveys.reduce((s, f) => s + Number(f.csat), 0) / surveys.length,
        previousCount: previous.get(t.id) ?? 0,
        trend,
        examples: [],
      };
    });
    const texts = await this.texts(examplesWanted.flatMap((e) => e.facts));
    for (const s of summaries) s.examples = (examplesWanted.find((e) => e.theme === s.id)?.facts ?? []).map((f) => toComment(f, texts));
    summaries.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
    return { scope, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), comments: now.length, previousComments: before.length, sentiment, themes: summaries };
  }

  /** The comments behind a theme or a sentiment (or all), newest first. */
  async comments(filter: CommentFilter, fromMs: number, toMs: number, opts: { theme?: string; sentiment?: SentimentLabel; limit: number }): Promise<{ total: number; comments: VocComment[] }> {
    const all = await this.facts(filter, fromMs, toMs).orderBy('occurred_ms', 'desc').execute();
    const chosen = all.filter((f) => (!opts.theme || (JSON.parse(f.themes) as string[]).includes(opts.theme)) && (!opts.sentiment || sentimentLabel(f.sentiment) === opts.sentiment));
    const page = chosen.slice(0, opts.limit);
    const texts = await this.texts(page);
    return { total: chosen.length, comments: page.map((f) => toComment(f, texts)) };
  }

  private async texts(facts: CommentFactsTable[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const ids = [...new Set(facts.map((f) => f.event_id))];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.store.db
        .selectFrom('events')
        .select(['id', 'payload'])
        .where(
          'id',
          'in',
          ids.slice(i, i + 500),
        )
        .execute();
      for (const r of rows) out.set(r.id, textOf(JSON.parse(r.payload) as FrontlineEvent) ?? '');
    }
    return out;
  }
}

function toComment(f: CommentFactsTable, texts: Map<string, string>): VocComment {
  return {
    contactId: f.contact_id,
    at: new Date(Number(f.occurred_ms)).toISOString(),
    kind: f.kind as VocComment['kind'],
    text: texts.get(f.event_id) ?? '',
    sentiment: f.sentiment,
    csat: f.csat === null ? null : Number(f.csat),
    agentId: f.agent_id,
    queueId: f.queue_id,
    themes: JSON.parse(f.themes) as string[],
  };
}

