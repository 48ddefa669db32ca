/**
 * Notifications: who hears about what, and how. `raise` turns one event into outbox rows: one per person who chose
 * the kind and may see what it is about (a team leader only their teams, an agent only their own cases), and one per
 * team or centre endpoint subscribed to it. The sender (sender.ts) delivers them; this file never sends.
 */
import { randomBytes } from 'node:crypto';
import { KPI_DEFINITIONS, type KpiName } from '../../shared/kpis.js';
import { scopeText, type UserInfo } from '../../shared/access.js';
import { DEFAULT_PREFS, notificationPrefs, type DeliveryInfo, type EndpointInfo, type NewEndpointBody, type NotificationKind, type NotificationPrefs } from '../../shared/notifications.js';
import { canViewCase, canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { UserPrincipal } from '../access/principal.js';
import type { AccountService } from '../accounts/account.service.js';
import { AccountError } from '../accounts/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { caseRef, type CaseChanged, type CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { NotificationEndpointsTable } from '../store/schema.js';
import { details, headline, linkPath, type NotificationEvent } from './events.js';
import { newId, type NewOutboxRow, Outbox } from './outbox.js';
import { digestDue, inQuietHours, quietHoursEnd } from './schedule.js';
import type { StoredNotice } from './words.js';

/** Who an event concerns, before each person's own choices and access are applied. */
export type Audience =
  | { kind: 'scope'; scope: string }
  | { kind: 'case'; caseId: string; userIds: string[] }
  | { kind: 'admins' };

export interface NotificationDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  accounts: AccountService;
  cases: CaseStore;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  audit: AuditService;
  /** False when SMTP_URL is not set: nobody is emailed, and the pages say so. */
  emailAvailable: boolean;
}

export class NotificationService {
  readonly outbox: Outbox;

  constructor(private readonly d: NotificationDeps) {
    this.outbox = new Outbox(d.store);
  }

  get emailAvailable(): boolean {
    return this.d.emailAvailable;
  }

  async preferences(userId: string): Promise<NotificationPrefs> {
    const row = await this.d.store.db.selectFrom('notification_prefs').select('prefs').where('user_id', '=', userId).executeTakeFirst();
    if (!row) return DEFAULT_PREFS;
    // Kinds added since the person saved keep the default until they choose.
    const stored = JSON.parse(row.prefs) as NotificationPrefs;
    return notificationPrefs.parse({ ...stored, kinds: { ...DEFAULT_PREFS.kinds, ...stored.kinds } });
  }

  async setPreferences(userId: string, prefs: NotificationPrefs): Promise<NotificationPrefs> {
    if (prefs.emailEnabled && prefs.email === null) throw new AccountError('invalid', 'give an email address to turn email on');
    const now = this.d.clock.now();
    const text = JSON.stringify(prefs);
    await this.d.store.db
      .insertInto('notification_prefs')
      .values({ user_id: userId, prefs: text, updated_ms: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ prefs: text, updated_ms: now }))
      .execute();
    return prefs;
  }

  async endpoints(): Promise<EndpointInfo[]> {
    const rows = await this.d.store.db.selectFrom('notification_endpoints').selectAll().orderBy('created_ms').execute();
    const names = await this.scopeNames();
    return rows.map((r) => toEndpoint(r, names));
  }

  async endpoint(id: string): Promise<EndpointInfo> {
    const found = (await this.endpoints()).find((e) => e.id === id);
    if (!found) throw new AccountError('not_found', `no notification endpoint '${id}'`);
    return found;
  }

  /** Adds a webhook (with a new secret, returned here and never again) or a team email address. */
  async addEndpoint(body: NewEndpointBody, actor: string): Promise<{ endpoint: EndpointInfo; secret: string | null }> {
    await this.checkScopeExists(body.scope);
    const id = newId('nep');
    const secret = body.channel === 'webhook' ? `whsec_${randomBytes(32).toString('base64url')}` : null;
    await this.d.store.db
      .insertInto('notification_endpoints')
      .values({ id, channel: body.channel, name: body.name, scope: body.scope, address: body.address, secret, kinds: JSON.stringify(body.kinds), created_by: actor, created_ms: this.d.clock.now(), disabled_ms: null })
      .execute();
    await this.d.audit.record({ actor, action: 'notifications.endpoint.create', target: `endpoint:${id}`, details: { channel: body.channel, scope: body.scope, kinds: body.kinds } });
    return { endpoint: await this.endpoint(id), secret };
  }

  async changeEndpoint(id: string, patch: { name?: string | undefined; kinds?: NotificationKind[] | undefined; enabled?: boolean | undefined }, actor: string): Promise<EndpointInfo> {
    await this.endpoint(id);
    await this.d.store.db
      .updateTable('notification_endpoints')
      .set({
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.kinds === undefined ? {} : { kinds: JSON.stringify(patch.kinds) }),
        ...(patch.enabled === undefined ? {} : { disabled_ms: patch.enabled ? null : this.d.clock.now() }),
      })
      .where('id', '=', id)
      .execute();
    await this.d.audit.record({ actor, action: 'notifications.endpoint.update', target: `endpoint:${id}`, details: patch });
    return this.endpoint(id);
  }

  async removeEndpoint(id: string, actor: string): Promise<void> {
    await this.endpoint(id);
    await this.d.store.db.deleteFrom('notification_endpoints').where('id', '=', id).execute();
    await this.d.audit.record({ actor, action: 'notifications.endpoint.delete', target: `endpoint:${id}`, details: {} });
  }

  /** The delivery log, newest first, each row with its attempts; `recipients` limits it to what the caller may see. */
  async deliveries(limit: number, recipients: readonly string[] | 'all'): Promise<DeliveryInfo[]> {
    let q = this.d.store.db.selectFrom('notification_outbox').selectAll().orderBy('created_ms', 'desc').orderBy('id').limit(limit);
    if (recipients !== 'all') {
      if (recipients.length === 0) return [];
      q = q.where('recipient', 'in', recipients);
    }
    const rows = await q.execute();
    const ids = rows.map((r) => r.id);
    const attempts = ids.length === 0 ? [] : await this.d.store.db.selectFrom('notification_attempts').selectAll().where('outbox_id', 'in', ids).orderBy('id').execute();
    const names = new Map<string, string>();
    for (const u of await this.d.accounts.list()) names.set(`user:${u.id}`, u.displayName);
    for (const e of await this.endpoints()) names.set(`endpoint:${e.id}`, e.name);
    const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      kind: r.kind as DeliveryInfo['kind'],
      recipient: r.recipient,
      recipientName: names.get(r.recipient) ?? r.recipient,
      channel: r.channel as DeliveryInfo['channel'],
      status: r.status as DeliveryInfo['status'],
      digest: r.digest,
      createdAt: iso(r.created_ms) as string,
      dueAt: iso(r.due_ms) as string,
      sentAt: iso(r.sent_ms),
      lastError: r.last_error,
      attempts: attempts
        .filter((a) => a.outbox_id === r.id)
        .map((a) => ({ at: iso(a.at_ms) as string, status: a.status as 'delivered' | 'error', reply: a.reply, durationMs: Number(a.duration_ms), error: a.error })),
    }));
  }

  /** Files one event for everyone it concerns. `key` names the event for deduplication (the same key twice files once). */
  async raise(event: NotificationEvent, key: string, audience: Audience): Promise<string[]> {
    const now = this.d.clock.now();
    const eventId = newId('evt');
    const notice: StoredNotice = { envelope: { type: event.kind, id: eventId, time: new Date(now).toISOString(), data: event.data as unknown as Record<string, unknown> }, headline: headline(event), details: details(event), link: linkPath(event) };
    const payload = JSON.stringify(notice);
    const rows: NewOutboxRow[] = [];
    const base = { event_id: eventId, kind: event.kind, payload };
    if (this.d.emailAvailable) {
      for (const person of await this.peopleFor(audience)) {
        const prefs = await this.preferences(person.id);
        const mode = prefs.kinds[event.kind];
        if (mode === 'off' || !prefs.emailEnabled || prefs.email === null) continue;
        const timing = mode === 'digest' ? { digest: prefs.digest, due_ms: digestDue(now, prefs) } : inQuietHours(now, prefs) ? { digest: 'quiet', due_ms: quietHoursEnd(now, prefs) } : { digest: null, due_ms: now };
        rows.push({ ...base, ...timing, dedupe_key: `${key}|user:${person.id}`, recipient: `user:${person.id}`, channel: 'email', address: prefs.email });
      }
    }
    for (const e of await this.endpointsFor(event, audience)) {
      if (e.channel === 'email' && !this.d.emailAvailable) continue;
      rows.push({ ...base, digest: null, due_ms: now, dedupe_key: `${key}|endpoint:${e.id}`, recipient: `endpoint:${e.id}`, channel: e.channel, address: e.address });
    }
    const filed = await this.outbox.file(rows, now);
    if (filed.length > 0) this.d.logger.info({ kind: event.kind, key, notices: filed.length }, 'notifications filed');
    return filed;
  }

  /** A test notice to the caller's own email or to one endpoint, sent like any other. */
  async sendTest(to: { userId: string } | { endpointId: string }, actorName: string): Promise<string> {
    const now = this.d.clock.now();
    const eventId = newId('evt');
    const notice: StoredNotice = { envelope: { type: 'test', id: eventId, time: new Date(now).toISOString(), data: { requestedBy: actorName } }, headline: `Test notification requested by ${actorName}`, details: ['If you can read this, Frontline can reach you here.'], link: '/account' };
    let row: NewOutboxRow;
    if ('userId' in to) {
      const prefs = await this.preferences(to.userId);
      if (prefs.email === null) throw new AccountError('invalid', 'save an email address in your notification settings first');
      row = { event_id: eventId, kind: 'test', payload: JSON.stringify(notice), digest: null, due_ms: now, dedupe_key: `test:${eventId}`, recipient: `user:${to.userId}`, channel: 'email', address: prefs.email };
    } else {
      const e = await this.endpoint(to.endpointId);
      row = { event_id: eventId, kind: 'test', payload: JSON.stringify(notice), digest: null, due_ms: now, dedupe_key: `test:${eventId}`, recipient: `endpoint:${e.id}`, channel: e.channel, address: e.address };
    }
    if (row.channel === 'email' && !this.d.emailAvailable) throw new AccountError('conflict', 'email is not configured on this server (set SMTP_URL)');
    const [id] = await this.outbox.file([row], now);
    return id as string;
  }

  /** Case triggers: assigned (to the coach), follow-up due (to the owner), disputed (to the coach and team leaders). */
  async onCaseChanged(e: CaseChanged & { assigneeId?: string | null }): Promise<void> {
    if (e.action !== 'assigned' && e.action !== 'follow_up_due' && e.action !== 'responded') return;
    const c = await this.d.cases.get(e.caseId);
    if (!c) return;
    if (e.action === 'responded' && c.response !== 'disputed') return;
    const dir = await this.d.directory.get();
    const agent = c.agentId === null ? undefined : dir.agents.find((a) => a.id === c.agentId);
    const team = c.teamId === null ? undefined : dir.teams.find((t) => t.id === c.teamId);
    const subject = agent ? `${agent.name}${team ? ` (${team.name})` : ''}` : team ? `team ${team.name}` : c.scope;
    const by = e.actor.startsWith('user:') ? await this.d.accounts.get(e.actor.slice(5)).then((u) => u.displayName, () => 'Someone') : 'Frontline';
    const kpiLabel = KPI_DEFINITIONS[c.kpi as KpiName]?.label ?? c.kpi;
    const data = { caseId: c.id, kpi: c.kpi, kpiLabel, subject, teamId: c.teamId, teamName: team?.name ?? null, by };
    const key = `case:${c.id}:${e.action}:${e.atMs}`;
    const coach = c.assignedCoachId === null ? [] : [c.assignedCoachId];
    // From the trail: the person it was given to then (it may have been reassigned since).
    const assignee = e.assigneeId === undefined ? coach : e.assigneeId === null ? [] : [e.assigneeId];
    if (e.action === 'assigned') await this.raise({ kind: 'case_assigned', data }, key, { kind: 'case', caseId: c.id, userIds: assignee });
    else if (e.action === 'follow_up_due') await this.raise({ kind: 'follow_up_due', data }, key, { kind: 'case', caseId: c.id, userIds: coach });
    else {
      const detail = await this.d.cases.detail(c.id);
      const leaders = c.teamId === null ? [] : (await this.d.accounts.list()).filter((u) => u.role === 'team_leader' && u.teamIds.includes(c.teamId as string)).map((u) => u.id);
      await this.raise({ kind: 'dispute_raised', data: { ...data, comment: detail?.responseComment ?? null } }, key, { kind: 'case', caseId: c.id, userIds: [...new Set([...coach, ...leaders])] });
    }
  }

  private async peopleFor(a: Audience): Promise<UserInfo[]> {
    const people = (await this.d.accounts.list()).filter((u) => u.disabledAt === null);
    const dir = await this.d.dirIndex();
    switch (a.kind) {
      case 'scope': {
        const scope = scopeText.parse(a.scope);
        return people.filter((u) => canViewScope(principal(u), scope, dir));
      }
      case 'case': {
        const c = await this.d.cases.get(a.caseId);
        if (!c) return [];
        return people.filter((u) => a.userIds.includes(u.id) && canViewCase(principal(u), caseRef(c), dir));
      }
      case 'admins':
        return people.filter((u) => u.role === 'admin');
    }
  }

  /** Endpoints subscribed to this kind whose scope covers the event: the centre's hear everything, a team's its own. */
  private async endpointsFor(event: NotificationEvent, a: Audience): Promise<EndpointInfo[]> {
    const teamOf = async (): Promise<string | null> => {
      if (a.kind === 'scope') return a.scope.startsWith('team:') ? a.scope.slice(5) : null;
      if (a.kind === 'case') return (await this.d.cases.get(a.caseId))?.teamId ?? null;
      return null;
    };
    const team = await teamOf();
    return (await this.endpoints()).filter((e) => e.enabled && e.kinds.includes(event.kind) && (e.scope === 'centre' || (team !== null && e.scope === `team:${team}`)));
  }

  private async scopeNames(): Promise<Map<string, string>> {
    const dir = await this.d.directory.get();
    return new Map([['centre', 'Whole centre'], ...dir.teams.map((t) => [`team:${t.id}`, t.name] as [string, string])]);
  }

  private async checkScopeExists(scope: string): Promise<void> {
    if (!(await this.scopeNames()).has(scope)) throw new AccountError('invalid', `no team '${scope.replace(/^team:/, '')}' in the directory`);
  }
}

/** A person as the access predicates see them (no session: notifications go to whoever the account is). */
export function principal(u: UserInfo): UserPrincipal {
  return { kind: 'user', userId: u.id, username: u.username, role: u.role, agentId: u.agentId, siteId: u.siteId, teamIds: u.teamIds, sessionId: '', csrfToken: '' };
}

function toEndpoint(r: NotificationEndpointsTable, names: Map<string, string>): EndpointInfo {
  return {
    id: r.id,
    channel: r.channel as EndpointInfo['channel'],
    name: r.name,
    scope: r.scope,
    scopeName: names.get(r.scope) ?? r.scope,
    address: r.address,
    kinds: JSON.parse(r.kinds) as NotificationKind[],
    createdAt: new Date(Number(r.created_ms)).toISOString(),
    enabled: r.disabled_ms === null,
  };
}
