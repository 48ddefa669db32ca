/** Table types for Kysely. Column names are snake_case in SQL and here. */
import type { ColumnType, Generated } from 'kysely';

export interface EventsTable {
  /** Ingest order; the replay cursor for the KPI engine. */
  seq: Generated<number>;
  id: string;
  type: string;
  occurred_at: string;
  /** occurred_at as epoch milliseconds, for range queries and ordering across offsets. */
  occurred_ms: number;
  received_ms: number;
  source: string | null;
  contact_id: string | null;
  agent_id: string | null;
  /** Canonical JSON of the validated event. */
  payload: string;
  /**
   * sha256 of the payload as first received: same id + same hash is a harmless re-send, same id + other hash is a
   * conflict. Kept as received when personal data is later redacted, so a re-send of an erased event stays a duplicate
   * and is never stored again.
   */
  content_hash: string;
  /** The event's pseudonymous customer id, if any (for erasure by customer). */
  customer_id: string | null;
  /** When personal data in this event was redacted or pseudonymised (retention, erasure). */
  redacted_ms: number | null;
  /** When free text (comment, summary, notes) was removed from this event. */
  text_removed_ms: number | null;
  /**
   * When this event expired as an orphan (contract v2): a survey, evaluation or complaint whose contact had not been
   * offered within the orphan TTL. Kept, listed for admins, and left out of every KPI fold.
   */
  expired_ms: number | null;
}

export interface ErasedCustomersTable {
  /** sha256 of the erased customer id; the id itself is not kept. */
  customer_hash: string;
  pseudonym: string;
  erased_ms: number;
}

export interface ErasedContactsTable {
  contact_id: string;
  erased_ms: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_ms: number;
  last_used_ms: number | null;
  revoked_ms: number | null;
}

export interface SitesTable {
  id: string;
  name: string;
  time_zone: string;
  opening_hours: string;
}
export interface TeamsTable {
  id: string;
  name: string;
  site_id: string;
}
export interface QueuesTable {
  id: string;
  name: string;
  channel: string;
  site_id: string | null;
  service_level_seconds: number;
}
export interface AgentsTable {
  id: string;
  name: string;
  team_id: string;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  /** argon2id; null for an account that signs in only through single sign-on. */
  password_hash: string | null;
  role: string;
  agent_id: string | null;
  site_id: string | null;
  /** JSON array of team ids (team leaders). */
  team_ids: string;
  created_ms: number;
  updated_ms: number;
  disabled_ms: number | null;
}

/** A provider identity (issuer, subject) and the account it signs in to; user_id null: waiting for an admin. */
export interface AccountIdentitiesTable {
  id: string;
  issuer: string;
  subject: string;
  user_id: string | null;
  /** 1: role, teams and agent link follow the provider's claims at every sign-in; 0: set by an admin. */
  role_from_claims: number;
  display_name: string;
  email: string | null;
  suggested_username: string;
  /** JSON: the role, team and agent claims seen at the last sign-in. */
  claims: string;
  waiting_reason: string | null;
  created_ms: number;
  last_login_ms: number;
}

/** A single sign-on in flight; id is the sha256 of the random value in that browser's fl_oidc cookie. */
export interface OidcLoginsTable {
  id: string;
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  return_to: string;
  ip: string;
  created_ms: number;
  expires_ms: number;
}

export interface SessionsTable {
  /** sha256 of the session token; the token itself lives only in the browser's cookie. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_ms: number;
  last_seen_ms: number;
  expires_ms: number;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start_ms: number;
  locked_until_ms: number | null;
}

export interface DisplaysTable {
  id: string;
  name: string;
  /** pending (showing a code) | approved (waiting for the screen to collect its credential) | paired | revoked */
  status: string;
  code_hash: string | null;
  pairing_secret_hash: string | null;
  pairing_expires_ms: number | null;
  token_hash: string | null;
  /** JSON array of scopes the screen may show, e.g. ["centre", "team:t-billing"]. */
  scopes: string;
  created_ms: number;
  created_ip: string | null;
  approved_by: string | null;
  approved_ms: number | null;
  revoked_by: string | null;
  revoked_ms: number | null;
  last_seen_ms: number | null;
  /** 'board:ID', 'rotation:ID', or null for the centre pulse. */
  shows: string | null;
  /** Local hour of a daily soft reload, or null (never). */
  reload_hour: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at_ms: number;
  /** user:<id>, key:<id>, display:<id>, system, or anonymous */
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  /** JSON object; never a secret or a customer's personal data. */
  details: string;
}

export interface CoachingCasesTable {
  id: string;
  /** individual | systemic | recognition */
  kind: string;
  /** open | closed */
  status: string;
  /** The scope the case is about, e.g. agent:a-012 or team:billing. */
  scope: string;
  agent_id: string | null;
  team_id: string | null;
  kpi: string;
  /** The rule that fired, in plain words. */
  rule: string;
  /** JSON: the figures behind the flag (value, limits, n, period, peers). */
  figures: string;
  /** JSON array of contact ids frozen as evidence. */
  evidence_contact_ids: string;
  /** The flagger's key (kind, subject, KPI, day) for cases it opened; null for others. */
  flag_key?: string | null;
  assigned_coach_id: string | null;
  opened_ms: number;
  closed_ms: number | null;
  /** new | assigned | planned | held | closed (a held case whose follow_up_ms has passed is due for review). */
  stage?: string;
  /** Bumped by every change; a write naming an older version is refused (two people saving over each other). */
  version?: number;
  plan?: string | null;
  session_at_ms?: number | null;
  held_ms?: number | null;
  notes?: string | null;
  /** The agent's own reflection and self-assessment. */
  reflection?: string | null;
  /** acknowledged | disputed, by the agent. */
  response?: string | null;
  response_comment?: string | null;
  response_ms?: number | null;
  follow_up_ms?: number | null;
  /** When the scheduler filed "follow-up review due" (once per case). */
  follow_up_due_ms?: number | null;
  /** Length of the equal before/after windows of the follow-up review. */
  review_days?: number | null;
  /** improved | no_change | escalated | not_warranted */
  outcome?: string | null;
  outcome_reason?: string | null;
  /** JSON: the before/after review as it stood when the case closed. */
  review?: string | null;
  updated_ms?: number | null;
}

export interface CaseActionsTable {
  id: string;
  case_id: string;
  /** What will be done (specific). */
  text: string;
  /** How we will know it was done (measurable). */
  measure: string;
  /** Who does it: a user id, or the agent the case is about ('agent'). */
  owner: string;
  due_ms: number;
  /** open | done | dropped */
  status: string;
  created_ms: number;
  created_by: string;
  done_ms: number | null;
}

export interface CommentFactsTable {
  event_id: string;
  /** Complaints may come without a contact. */
  contact_id: string | null;
  occurred_ms: number;
  /** survey | complaint */
  kind: string;
  csat: number | null;
  /** −1 to 1 (wink-nlp). */
  sentiment: number;
  agent_id: string | null;
  queue_id: string | null;
  channel: string | null;
  /** JSON array of theme ids. */
  themes: string;
  /** The dictionary version the themes were tagged with. */
  dictionary_version: number;
}

export interface VocDictionaryTable {
  /** Always 1: one dictionary. */
  id: number;
  /** JSON: ThemeDefinition[]. */
  themes: string;
  version: number;
  updated_ms: number;
  updated_by: string;
}

export interface ServiceReviewsTable {
  id: string;
  title: string;
  scope: string;
  from_day: string;
  to_day: string;
  created_ms: number;
  created_by: string;
  /** JSON: the ServiceReview as built when saved. */
  snapshot: string;
}

export interface ReviewCommentsTable {
  id: Generated<number>;
  review_id: string;
  at_ms: number;
  author: string;
  text: string;
}

export interface CaseEventsTable {
  id: Generated<number>;
  case_id: string;
  at_ms: number;
  /** user:ID, system:flagger or system:scheduler */
  actor: string;
  action: string;
  /** JSON: what changed (field names and new values; long text is kept whole). */
  details: string;
}

/** A flagger signal added to an open case of the same scope, KPI and kind instead of opening another. */
export interface CaseSignalsTable {
  flag_key: string;
  case_id: string;
  at_ms: number;
}

export interface TargetsTable {
  id: string;
  kpi: string;
  scope: string;
  threshold: number;
  direction: string;
  tolerance: number;
  /** Local dates, YYYY-MM-DD, inclusive. */
  effective_from: string;
  effective_to: string | null;
  review_date: string;
  owner: string;
  objective: string;
  created_ms: number;
  updated_ms: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface KpiRollupsTable {
  scope: string;
  /** 'interval' (15 minutes, start in UTC ms) or 'day' (local day of the centre's time zone). */
  grain: string;
  start_ms: number;
  /** serializeCounters() of the summed counters. */
  counters: string;
}

export interface KpiCheckpointTable {
  /** Always 1: one row. */
  id: number;
  /** Hash of what the rollups were computed under (directory, time zone); a change means a full rebuild. */
  basis: string;
  /** Rollups are complete for every interval before this (a local midnight). */
  cutoff_ms: number;
  /** Every stored event up to this seq is reflected in the rollups. */
  through_seq: number;
  written_ms: number;
}

export interface BoardsTable {
  id: string;
  name: string;
  /** JSON: { tiles, staleAfterSeconds } as validated by shared/boards.ts. */
  spec: string;
  created_by: string;
  created_ms: number;
  updated_ms: number;
}

export type RotationsTable = BoardsTable;

export interface Database {
  events: EventsTable;
  api_keys: ApiKeysTable;
  sites: SitesTable;
  teams: TeamsTable;
  queues: QueuesTable;
  agents: AgentsTable;
  meta: MetaTable;
  users: UsersTable;
  account_identities: AccountIdentitiesTable;
  oidc_logins: OidcLoginsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  displays: DisplaysTable;
  audit_log: AuditLogTable;
  erased_customers: ErasedCustomersTable;
  erased_contacts: ErasedContactsTable;
  coaching_cases: CoachingCasesTable;
  case_actions: CaseActionsTable;
  case_events: CaseEventsTable;
  case_signals: CaseSignalsTable;
  comment_facts: CommentFactsTable;
  voc_dictionary: VocDictionaryTable;
  service_reviews: ServiceReviewsTable;
  review_comments: ReviewCommentsTable;
  targets: TargetsTable;
  kpi_rollups: KpiRollupsTable;
  kpi_checkpoint: KpiCheckpointTable;
  boards: BoardsTable;
  rotations: RotationsTable;
  notification_prefs: NotificationPrefsTable;
  notification_endpoints: NotificationEndpointsTable;
  notification_outbox: NotificationOutboxTable;
  notification_attempts: NotificationAttemptsTable;
  notification_state: NotificationStateTable;
  qa_standards: QaStandardsTable;
  qa_scorecards: QaScorecardsTable;
  qa_scorecard_versions: QaScorecardVersionsTable;
  qa_evaluations: QaEvaluationsTable;
  qa_evaluation_events: QaEvaluationEventsTable;
  qa_samples: QaSamplesTable;
  qa_calibrations: QaCalibrationsTable;
  qa_calibration_scores: QaCalibrationScoresTable;

  initiatives: InitiativesTable;
  initiative_comments: InitiativeCommentsTable;
  initiative_events: InitiativeEventsTable;
  sources: SourcesTable;
  source_dead_letters: SourceDeadLettersTable;
  source_memory: SourceMemoryTable;
  source_seen: SourceSeenTable;
}

/** A platform connection (issue 16, server/connectors). */
export interface SourcesTable {
  id: string;
  platform: string;
  name: string;
  enabled: number;
  mapping: string;
  settings: string;
  secrets: string | null;
  poll_seconds: number | null;
  backfill_days: number;
  cursor: string | null;
  last_poll_ms: number | null;
  last_error: string | null;
  accepted: ColumnType<number, number | undefined, number>;
  duplicate: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  rejected_by: ColumnType<string, string | undefined, string>;
  last_record_ms: number | null;
  newest_record_ms: number | null;
  lag_ms: number | null;
  created_ms: number;
  created_by: string;
  updated_ms: number;
  deleted_ms: number | null;
}

export interface SourceDeadLettersTable {
  id: Generated<number>;
  source_id: string;
  received_ms: number;
  kind: string;
  record_key: string;
  reason: string;
  reasons: string;
  record: string;
  status: string;
  replayed_ms: number | null;
}

export interface SourceMemoryTable {
  source_id: string;
  key: string;
  value: string;
  updated_ms: number;
}

export interface SourceSeenTable {
  source_id: string;
  kind: string;
  value: string;
  label: string | null;
  count: number;
  last_ms: number;
}

/** One person's notification choices (JSON as validated by shared/notifications.ts). */
export interface NotificationPrefsTable {
  user_id: string;
  prefs: string;
  updated_ms: number;
}

/** A team's or the centre's webhook or email address. */
export interface NotificationEndpointsTable {
  id: string;
  /** webhook | email */
  channel: string;
  name: string;
  /** centre or team:ID */
  scope: string;
  address: string;
  /** Webhooks: the HMAC-SHA256 secret every delivery is signed with. */
  secret: string | null;
  /** JSON array of event kinds. */
  kinds: string;
  created_by: string;
  created_ms: number;
  disabled_ms: number | null;
}

/** One notice for one recipient, from filing to delivery (or giving up). */
export interface NotificationOutboxTable {
  id: string;
  event_id: string;
  dedupe_key: string;
  kind: string;
  /** user:ID or endpoint:ID */
  recipient: string;
  /** email | webhook */
  channel: string;
  address: string;
  payload: string;
  /** null: sent alone; hourly | daily | quiet: held for the recipient's next digest. */
  digest: string | null;
  due_ms: number;
  /** pending | sent | failed */
  status: string;
  attempts: number;
  claimed_until_ms: number | null;
  created_ms: number;
  sent_ms: number | null;
  last_error: string | null;
}

export interface NotificationAttemptsTable {
  id: Generated<number>;
  outbox_id: string;
  at_ms: number;
  /** delivered | error */
  status: string;
  /** HTTP status, or the SMTP server's reply. */
  reply: string | null;
  duration_ms: number;
  error: string | null;
}

export interface NotificationStateTable {
  key: string;
  value: string;
  updated_ms: number;
}

/** QA monitoring (migration 021): see server/store/migrations/021-qa.ts for what each column holds. */
export interface QaStandardsTable {
  id: string;
  code: string;
  title: string;
  source: string | null;
  description: string | null;
  created_by: string;
  created_ms: number;
  retired_ms: number | null;
}

export interface QaScorecardsTable {
  id: string;
  name: string;
  description: string;
  channels: string;
  current_version: number;
  created_by: string;
  created_ms: number;
  retired_ms: number | null;
}

export interface QaScorecardVersionsTable {
  scorecard_id: string;
  version: number;
  definition: string;
  change_note: string;
  created_by: string;
  created_ms: number;
}

export interface QaEvaluationsTable {
  id: string;
  contact_id: string;
  agent_id: string;
  scorecard_id: string;
  scorecard_version: number;
  evaluator_id: string;
  method: string;
  status: string;
  answers: string;
  summary: string | null;
  score: number | null;
  critical_fail: number | null;
  revision: Generated<number>;
  sample_id: string | null;
  created_ms: number;
  updated_ms: number;
  submitted_ms: number | null;
  agent_response: string | null;
  agent_comment: string | null;
  responded_ms: number | null;
  case_id: string | null;
  version: Generated<number>;
}

export interface QaEvaluationEventsTable {
  id: Generated<number>;
  evaluation_id: string;
  at_ms: number;
  actor: string;
  action: string;
  details: string | null;
}

export interface QaSamplesTable {
  id: string;
  period: string;
  agent_id: string;
  contact_id: string;
  sample_key: string;
  drawn_ms: number;
  drawn_by: string;
  evaluation_id: string | null;
}

export interface QaCalibrationsTable {
  id: string;
  contact_id: string;
  agent_id: string;
  scorecard_id: string;
  scorecard_version: number;
  title: string;
  evaluator_ids: string;
  created_by: string;
  created_ms: number;
  due_ms: number | null;
  status: string;
  closed_ms: number | null;
}

export interface QaCalibrationScoresTable {
  calibration_id: string;
  evaluator_id: string;
  answers: string;
  score: number;
  critical_fail: number;
  submitted_ms: number;
}

/** An improvement initiative (server/improvement); JSON columns are read and written whole under `version`. */
export interface InitiativesTable {
  id: string;
  title: string;
  scope: string;
  status: string;
  outcome: string | null;
  outcome_reason: string | null;
  version: number;
  origin: string;
  problem: string;
  root_cause: string;
  evidence: string;
  actions: string;
  criteria: string;
  stakeholders: string;
  signoffs: string;
  window_days: number;
  change_day: string | null;
  change_text: string | null;
  created_ms: number;
  created_by: string;
  updated_ms: number;
  closed_ms: number | null;
}

export interface InitiativeCommentsTable {
  id: Generated<number>;
  initiative_id: string;
  at_ms: number;
  author: string;
  text: string;
}

export interface InitiativeEventsTable {
  id: Generated<number>;
  initiative_id: string;
  at_ms: number;
  actor: string;
  action: string;
  details: string;
}
