import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * QA monitoring (issue 19): the organisation's service standards, versioned scorecards whose criteria check them,
 * evaluations of contacts against a scorecard version (with the agent's response and the coaching case they are
 * evidence for), each evaluation's own trail, the fair random samples evaluators work from, and calibration sessions
 * where several evaluators score one contact blind.
 *
 * Booleans are integers 0/1 (both dialects). JSON columns are validated by shared/qa.ts on the way in.
 */
export function qa(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('qa_standards')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('description', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('retired_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('qa_scorecards')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        /** JSON array of channels; [] for any. */
        .addColumn('channels', 'text', (c) => c.notNull())
        /** The version new evaluations use. */
        .addColumn('current_version', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('retired_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('qa_scorecard_versions')
        .addColumn('scorecard_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        /** JSON: ScorecardDefinition. A version never changes once written; evaluations point at it. */
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('change_note', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('qa_scorecard_versions_pk', ['scorecard_id', 'version'])
        .execute();
      await db.schema
        .createTable('qa_evaluations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        /** The evaluated agent (the contact's handling agent, or the leg's agent chosen by the evaluator). */
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('scorecard_id', 'text', (c) => c.notNull())
        .addColumn('scorecard_version', 'integer', (c) => c.notNull())
        /** The evaluator's user id. */
        .addColumn('evaluator_id', 'text', (c) => c.notNull())
        /** recorded_call | live_side_by_side | transcript | mystery_shop */
        .addColumn('method', 'text', (c) => c.notNull())
        /** draft | submitted */
        .addColumn('status', 'text', (c) => c.notNull())
        /** JSON: Answer[] (with each finding's positive/negative example mark and note). */
        .addColumn('answers', 'text', (c) => c.notNull())
        .addColumn('summary', 'text')
        /** Set on submission (the score before the critical-fail rule) and critical_fail 0/1. */
        .addColumn('score', 'double precision')
        .addColumn('critical_fail', 'integer')
        /** How many times it was sent to the KPI engine as qa.evaluated (its event revision); 0 while a draft. */
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        /** The sample row it answers, when the contact was drawn in a sample. */
        .addColumn('sample_id', 'text')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addColumn('submitted_ms', 'bigint')
        /** acknowledged | disputed, by the agent. */
        .addColumn('agent_response', 'text')
        .addColumn('agent_comment', 'text')
        .addColumn('responded_ms', 'bigint')
        /** The coaching case it was attached to as evidence. */
        .addColumn('case_id', 'text')
        /** Optimistic concurrency, as for cases. */
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('qa_evaluations_agent').on('qa_evaluations').columns(['agent_id', 'submitted_ms']).execute();
      await db.schema.createIndex('qa_evaluations_contact').on('qa_evaluations').column('contact_id').execute();
      await db.schema.createIndex('qa_evaluations_evaluator').on('qa_evaluations').columns(['evaluator_id', 'status']).execute();
      await db.schema.createIndex('qa_evaluations_case').on('qa_evaluations').column('case_id').execute();
      await db.schema
        .createTable('qa_evaluation_events')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('evaluation_id', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        /** user:ID */
        .addColumn('actor', 'text', (c) => c.notNull())
        /** created | saved | submitted | amended | acknowledged | disputed | attached | ... */
        .addColumn('action', 'text', (c) => c.notNull())
        /** JSON details. */
        .addColumn('details', 'text')
        .execute();
      await db.schema.createIndex('qa_evaluation_events_evaluation').on('qa_evaluation_events').column('evaluation_id').execute();
      await db.schema
        .createTable('qa_samples')
        .addColumn('id', 'text', (c) => c.primaryKey())
        /** The sampling period, e.g. an ISO week '2026-W49' in the centre's time zone. */
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        /** The draw's ordering key (a keyed hash of the contact id): the k smallest per agent are the sample. */
        .addColumn('sample_key', 'text', (c) => c.notNull())
        .addColumn('drawn_ms', 'bigint', (c) => c.notNull())
        .addColumn('drawn_by', 'text', (c) => c.notNull())
        .addColumn('evaluation_id', 'text')
        .addUniqueConstraint('qa_samples_once', ['period', 'agent_id', 'contact_id'])
        .execute();
      await db.schema.createIndex('qa_samples_period').on('qa_samples').columns(['period', 'agent_id']).execute();
      await db.schema
        .createTable('qa_calibrations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('scorecard_id', 'text', (c) => c.notNull())
        .addColumn('scorecard_version', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        /** JSON array of the invited evaluators' user ids. */
        .addColumn('evaluator_ids', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('due_ms', 'bigint')
        /** open | closed */
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('closed_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('qa_calibration_scores')
        .addColumn('calibration_id', 'text', (c) => c.notNull())
        .addColumn('evaluator_id', 'text', (c) => c.notNull())
        /** JSON: Answer[]. */
        .addColumn('answers', 'text', (c) => c.notNull())
        .addColumn('score', 'double precision', (c) => c.notNull())
        .addColumn('critical_fail', 'integer', (c) => c.notNull())
        .addColumn('submitted_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('qa_calibration_scores_pk', ['calibration_id', 'evaluator_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['qa_calibration_scores', 'qa_calibrations', 'qa_samples', 'qa_evaluation_events', 'qa_evaluations', 'qa_scorecard_versions', 'qa_scorecards', 'qa_standards']) {
        await db.schema.dropTable(t).execute();
      }
    },
  };
}
