/**
 * Calibration sessions (issue 19, part 4): several evaluators score one contact blind against a pinned scorecard
 * version; once every one has submitted, or the organiser closes the session, the answers are revealed with their
 * spread per criterion (shared/qa-calibration.ts).
 *
 * Who sees what:
 * - an admin, manager or team leader who may view the contact's agent opens a session and invites 2–12 evaluators
 *   (admins, managers, team leaders, coaches);
 * - while open, an invited evaluator sees only their own answers; the organiser sees who has submitted, not the scores;
 * - the contact (timeline, customer comment, masked as stored) is shown to the invited evaluators through the session
 *   even when they could not otherwise view that agent: scoring it is the task they were given by someone who can.
 *   Nobody else reads the contact or the session through here (403);
 * - calibration scores judge the evaluators, not the agent: they are never sent to the KPI engine as qa.evaluated and
 *   never shown to the agent (agents have no route to them at all).
 */
import { randomUUID } from 'node:crypto';
import type { Answer } from '../../shared/qa.js';
import { scoreEvaluation } from '../../shared/qa-score.js';
import { calibrationSpread } from '../../shared/qa-calibration.js';
import { CALIBRATION_EVALUATOR_ROLES, type CalibrationDetail, type CalibrationSubmissionView, type CalibrationSummary } from '../../shared/qa-calibration-api.js';
import type { UserPrincipal } from '../access/principal.js';
import { canViewAgent, type DirectoryIndex } from '../access/policies.js';
import type { AccountService } from '../accounts/account.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { ContactsService } from '../drilldown/contacts.service.js';
import type { Store } from '../store/db.js';
import type { QaCalibrationScoresTable, QaCalibrationsTable } from '../store/schema.js';
import type { ScorecardStore } from './scorecard.store.js';

export type CalibrationErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

export class CalibrationError extends Error {
  constructor(
    readonly kind: CalibrationErrorKind,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface CalibrationDeps {
  store: Store;
  scorecards: ScorecardStore;
  accounts: AccountService;
  contacts: ContactsService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  audit: AuditService;
  clock: Clock;
}

const iso = (ms: number | string | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
const DAY_MS = 86_400_000;

export class CalibrationService {
  constructor(private readonly d: CalibrationDeps) {}

  /** The people who may be invited. */
  async evaluators(): Promise<{ id: string; name: string; role: string }[]> {
    const roles: readonly string[] = CALIBRATION_EVALUATOR_ROLES;
    return (await this.d.accounts.list()).filter((u) => !u.disabledAt && roles.includes(u.role)).map((u) => ({ id: u.id, name: u.displayName, role: u.role }));
  }

  async open(p: UserPrincipal, input: { contactId: string; scorecardId: string; title: string; dueDate: string | null; evaluatorIds: string[] }, ip: string | null): Promise<string> {
    const invitable = new Set((await this.evaluators()).map((e) => e.id));
    const stranger = input.evaluatorIds.find((id) => !invitable.has(id));
    if (stranger) throw new CalibrationError('invalid', `user '${stranger}' cannot be invited: evaluators are active admins, managers, team leaders or coaches`);
    const card = await this.d.scorecards.scorecard(input.scorecardId);
    if (!card || card.retiredAt !== null) throw new CalibrationError('invalid', `no scorecard '${input.scorecardId}' in use`);
    const rec = await this.d.contacts.record(input.contactId, await this.d.directory.get());
    if (!rec) throw new CalibrationError('invalid', `no contact '${input.contactId}'`);
    const agentId = rec.contact.agentId;
    if (!agentId) throw new CalibrationError('invalid', 'the contact was not handled by an agent: there is nothing to calibrate on');
    if (!canViewAgent(p, agentId, await this.d.dirIndex())) throw new CalibrationError('forbidden', "you may not view this contact's agent");
    const now = this.d.clock.now();
    const row: QaCalibrationsTable = {
      id: randomUUID(),
      contact_id: input.contactId,
      agent_id: agentId,
      scorecard_id: card.id,
      scorecard_version: card.currentVersion,
      title: input.title,
      evaluator_ids: JSON.stringify(input.evaluatorIds),
      created_by: p.userId,
      created_ms: now,
      // The end of the due day (UTC): the session is due through that whole day.
      due_ms: input.dueDate === null ? null : Date.parse(`${input.dueDate}T00:00:00Z`) + DAY_MS - 1,
      status: 'open',
      closed_ms: null,
    };
    await this.d.store.db.insertInto('qa_calibrations').values(row).execute();
    await this.d.audit.record({ actor: `user:${p.userId}`, action: 'qa.calibration.open', target: `qa-calibration:${row.id}`, ip, details: { scorecardId: card.id, version: card.currentVersion, evaluators: input.evaluatorIds.length } });
    return row.id;
  }

  /** Sessions the caller organises or is invited to, newest first. */
  async list(p: UserPrincipal): Promise<CalibrationSummary[]> {
    const rows = await this.d.store.db.selectFrom('qa_calibrations').selectAll().orderBy('created_ms', 'desc').limit(500).execute();
    const mine = rows.filter((r) => r.created_by === p.userId || (JSON.parse(r.evaluator_ids) as string[]).includes(p.userId));
    if (mine.length === 0) return [];
    const scores = await this.d.store.db.selectFrom('qa_calibration_scores').select(['calibration_id', 'evaluator_id']).where('calibration_id', 'in', mine.map((r) => r.id)).execute();
    const names = await this.names();
    const cards = new Map((await this.d.scorecards.scorecards(true)).map((c) => [c.id, c.name]));
    return mine.map((r) => this.summaryOf(p, r, new Set(scores.filter((s) => s.calibration_id === r.id).map((s) => s.evaluator_id)), names, cards.get(r.scorecard_id) ?? r.scorecard_id));
  }

  async view(p: UserPrincipal, id: string, ip: string | null): Promise<CalibrationDetail> {
    const { row, subs } = await this.load(id);
    const names = await this.names();
    const card = await this.d.scorecards.scorecard(row.scorecard_id);
    const summary = this.summaryOf(p, row, new Set(subs.map((s) => s.evaluator_id)), names, card?.name ?? row.scorecard_id);
    if (!summary.mine.organiser && !summary.mine.evaluator) {
      await this.d.audit.record({ actor: `user:${p.userId}`, action: 'qa.calibration.open', target: `qa-calibration:${id}`, outcome: 'denied', ip });
      throw new CalibrationError('forbidden', 'only the organiser and the invited evaluators see a calibration session');
    }
    const version = await this.d.scorecards.version(row.scorecard_id, Number(row.scorecard_version));
    if (!version) throw new CalibrationError('not_found', 'the pinned scorecard version is missing');
    const views = subs.map((s) => viewOf(s, names));
    const own = views.find((v) => v.evaluatorId === p.userId) ?? null;
    return {
      calibration: summary,
      definition: version.definition,
      contact: (await this.d.contacts.record(row.contact_id, await this.d.directory.get())) ?? null,
      mySubmission: summary.mine.evaluator ? own : null,
      submissions: summary.revealed ? views : null,
      spread: summary.revealed ? calibrationSpread(version.definition, subs.map((s) => ({ evaluatorId: s.evaluator_id, answers: JSON.parse(s.answers) as Answer[], score: Number(s.score), criticalFail: Number(s.critical_fail) === 1 }))) : null,
    };
  }

  /** An invited evaluator's answers; again while open replaces them. The last one in reveals (and closes) the session. */
  async submit(p: UserPrincipal, id: string, answers: Answer[], ip: string | null): Promise<void> {
    const { row, subs } = await this.load(id);
    const invited = JSON.parse(row.evaluator_ids) as string[];
    if (!invited.includes(p.userId)) throw new CalibrationError('forbidden', 'you are not invited to score this calibration');
    if (row.status !== 'open') throw new CalibrationError('conflict', 'the session is closed: the scores are revealed and no longer change');
    const version = await this.d.scorecards.version(row.scorecard_id, Number(row.scorecard_version));
    if (!version) throw new CalibrationError('not_found', 'the pinned scorecard version is missing');
    const scored = scoreEvaluation(version.definition, answers);
    if (!scored.ok) throw new CalibrationError('invalid', `the answers do not fit the card: ${scored.issues[0]?.reason ?? ''}`, scored.issues.map((i) => ({ path: i.key, reason: i.reason })));
    const now = this.d.clock.now();
    const values: QaCalibrationScoresTable = { calibration_id: id, evaluator_id: p.userId, answers: JSON.stringify(answers), score: scored.score, critical_fail: scored.criticalFail ? 1 : 0, submitted_ms: now };
    const done = new Set([...subs.map((s) => s.evaluator_id), p.userId]);
    const last = invited.every((e) => done.has(e));
    await this.d.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('qa_calibration_scores').where('calibration_id', '=', id).where('evaluator_id', '=', p.userId).execute();
      await trx.insertInto('qa_calibration_scores').values(values).execute();
      if (last) await trx.updateTable('qa_calibrations').set({ status: 'closed', closed_ms: now }).where('id', '=', id).execute();
    });
    await this.d.audit.record({ actor: `user:${p.userId}`, action: 'qa.calibration.submit', target: `qa-calibration:${id}`, ip, details: { revealed: last } });
  }

  /** The organiser reveals the scores as they stand; those who had not submitted are left out of the spread. */
  async close(p: UserPrincipal, id: string, ip: string | null): Promise<void> {
    const { row } = await this.load(id);
    if (row.created_by !== p.userId) throw new CalibrationError('forbidden', 'only the organiser closes a calibration session');
    if (row.status !== 'open') throw new CalibrationError('conflict', 'the session is closed already');
    await this.d.store.db.updateTable('qa_calibrations').set({ status: 'closed', closed_ms: this.d.clock.now() }).where('id', '=', id).execute();
    await this.d.audit.record({ actor: `user:${p.userId}`, action: 'qa.calibration.close', target: `qa-calibration:${id}`, ip });
  }

  private async load(id: string) {
    const row = await this.d.store.db.selectFrom('qa_calibrations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new CalibrationError('not_found', `no calibration session '${id}'`);
    const subs = await this.d.store.db.selectFrom('qa_calibration_scores').selectAll().where('calibration_id', '=', id).orderBy('submitted_ms').execute();
    return { row, subs };
  }

  private async names(): Promise<Map<string, string>> {
    return new Map((await this.d.accounts.list()).map((u) => [u.id, u.displayName]));
  }

  private summaryOf(p: UserPrincipal, r: QaCalibrationsTable, submitted: Set<string>, names: Map<string, string>, scorecardName: string): CalibrationSummary {
    const invited = JSON.parse(r.evaluator_ids) as string[];
    const closed = r.status === 'closed';
    return {
      id: r.id,
      title: r.title,
      contactId: r.contact_id,
      agentId: r.agent_id,
      scorecardId: r.scorecard_id,
      scorecardName,
      scorecardVersion: Number(r.scorecard_version),
      organiser: { id: r.created_by, name: names.get(r.created_by) ?? r.created_by },
      evaluators: invited.map((e) => ({ id: e, name: names.get(e) ?? e, submitted: submitted.has(e) })),
      createdAt: iso(r.created_ms) as string,
      dueDate: r.due_ms === null ? null : (iso(r.due_ms) as string).slice(0, 10),
      status: closed ? 'closed' : 'open',
      closedAt: iso(r.closed_ms),
      revealed: closed || invited.every((e) => submitted.has(e)),
      mine: { organiser: r.created_by === p.userId, evaluator: invited.includes(p.userId), submitted: submitted.has(p.userId) },
    };
  }
}

function viewOf(s: QaCalibrationScoresTable, names: Map<string, string>): CalibrationSubmissionView {
  return { evaluatorId: s.evaluator_id, name: names.get(s.evaluator_id) ?? s.evaluator_id, answers: JSON.parse(s.answers) as Answer[], score: Number(s.score), criticalFail: Number(s.critical_fail) === 1, submittedAt: iso(s.submitted_ms) as string };
}
