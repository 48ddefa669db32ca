/**
 * QA monitoring records under the privacy rules (issue 19): evaluations written in Frontline, their trail, samples
 * and calibrations hold agent ids and free text about agents and contacts, so erasure and pseudonymisation reach them
 * exactly as they reach cases.
 * - A departed agent: their id becomes the pseudonym everywhere it keys a QA record; their name is replaced in every
 *   text written about them (the summary, each finding's note, their own response, the trail), as for a case.
 * - An erased customer: the free text of evaluations and calibration scores of their contacts (summary, notes) goes,
 *   since an evaluator may have quoted the customer; the scores and answers stay (they are about the agent).
 */
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

type Scrub = (text: string) => string;

interface StoredAnswer {
  note?: string;
  [k: string]: unknown;
}

function mapNotes(answersJson: string, fn: (note: string) => string | undefined): string {
  const answers = JSON.parse(answersJson) as StoredAnswer[];
  return JSON.stringify(
    answers.map((a) => {
      if (typeof a.note !== 'string') return a;
      const note = fn(a.note);
      const { note: _old, ...rest } = a;
      return note === undefined ? rest : { ...rest, note };
    }),
  );
}

function mapStrings(v: unknown, fn: Scrub): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, fn));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, fn)]));
  return v;
}

/** Moves a departed agent's QA records to their pseudonym and replaces their name in what was written. Returns texts changed. */
export async function pseudonymiseQaRecords(trx: Transaction<Database>, agentId: string, pseudonym: string, scrub: Scrub | null): Promise<number> {
  let changed = 0;
  const evaluations = await trx.selectFrom('qa_evaluations').select(['id', 'answers', 'summary', 'agent_comment']).where('agent_id', '=', agentId).execute();
  if (scrub) {
    for (const e of evaluations) {
      const answers = mapNotes(e.answers, scrub);
      const summary = e.summary === null ? null : scrub(e.summary);
      const agentComment = e.agent_comment === null ? null : scrub(e.agent_comment);
      if (answers !== e.answers || summary !== e.summary || agentComment !== e.agent_comment) {
        changed++;
        await trx.updateTable('qa_evaluations').set({ answers, summary, agent_comment: agentComment }).where('id', '=', e.id).execute();
      }
    }
    const ids = evaluations.map((e) => e.id);
    for (let i = 0; i < ids.length; i += 500) {
      const trail = await trx.selectFrom('qa_evaluation_events').select(['id', 'details']).where('evaluation_id', 'in', ids.slice(i, i + 500)).where('details', 'is not', null).execute();
      for (const t of trail) {
        const details = JSON.stringify(mapStrings(JSON.parse(t.details as string) as unknown, scrub));
        if (details !== t.details) {
          changed++;
          await trx.updateTable('qa_evaluation_events').set({ details }).where('id', '=', t.id).execute();
        }
      }
    }
    const calibrations = await trx.selectFrom('qa_calibrations').select('id').where('agent_id', '=', agentId).execute();
    for (const c of calibrations) {
      for (const s of await trx.selectFrom('qa_calibration_scores').select(['evaluator_id', 'answers']).where('calibration_id', '=', c.id).execute()) {
        const answers = mapNotes(s.answers, scrub);
        if (answers !== s.answers) {
          changed++;
          await trx.updateTable('qa_calibration_scores').set({ answers }).where('calibration_id', '=', c.id).where('evaluator_id', '=', s.evaluator_id).execute();
        }
      }
    }
  }
  await trx.updateTable('qa_evaluations').set({ agent_id: pseudonym }).where('agent_id', '=', agentId).execute();
  await trx.updateTable('qa_samples').set({ agent_id: pseudonym }).where('agent_id', '=', agentId).execute();
  await trx.updateTable('qa_calibrations').set({ agent_id: pseudonym }).where('agent_id', '=', agentId).execute();
  return changed;
}

/** Removes the free text of QA records about these contacts (an erased customer's). Returns records changed. */
export async function stripQaTextsOfContacts(trx: Transaction<Database>, contactIds: readonly string[]): Promise<number> {
  let changed = 0;
  const drop = (): undefined => undefined;
  for (let i = 0; i < contactIds.length; i += 500) {
    const batch = contactIds.slice(i, i + 500);
    for (const e of await trx.selectFrom('qa_evaluations').select(['id', 'answers', 'summary']).where('contact_id', 'in', batch).execute()) {
      const answers = mapNotes(e.answers, drop);
      if (answers !== e.answers || e.summary !== null) {
        changed++;
        await trx.updateTable('qa_evaluations').set({ answers, summary: null }).where('id', '=', e.id).execute();
      }
    }
    const calibrations = await trx.selectFrom('qa_calibrations').select('id').where('contact_id', 'in', batch).execute();
    for (const c of calibrations) {
      for (const s of await trx.selectFrom('qa_calibration_scores').select(['evaluator_id', 'answers']).where('calibration_id', '=', c.id).execute()) {
        const answers = mapNotes(s.answers, drop);
        if (answers !== s.answers) {
          changed++;
          await trx.updateTable('qa_calibration_scores').set({ answers }).where('calibration_id', '=', c.id).where('evaluator_id', '=', s.evaluator_id).execute();
        }
      }
    }
  }
  return changed;
}
