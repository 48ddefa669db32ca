/**
 * Amazon Connect contact evaluations → one `qa.evaluated` (score 0–100, critical fail, evaluation id, revision).
 *
 * Two documented shapes are read:
 *
 * 1. The DescribeContactEvaluation response, `{Evaluation, EvaluationForm}`
 *    (https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeContactEvaluation.html): the answers
 *    (`Answers[refId].Value` {StringValue | NumericValue | NotApplicable}), Connect's per-item scores
 *    (`Scores[refId]` {Percentage, NotApplicable, AutomaticFail}), the notes, LastModifiedTime, and the form version
 *    it was filled on with its sections, questions, weights, options (Score, AutomaticFail) and ScoringStrategy
 *    {Mode QUESTION_ONLY | SECTION_ONLY, Status}. This is the shape Frontline computes the score from, so the weights
 *    are the form's own. It is what a small Lambda on the evaluation's S3 file (or on the EventBridge evaluation event)
 *    gets back from the API and puts on the Firehose stream.
 * 2. The evaluation file Connect exports to S3 (Evaluations/YYYY/MM/DD/…-<evaluation id>.json, schemaVersion 3.x;
 *    https://docs.aws.amazon.com/connect/latest/adminguide/evaluationforms-example-output-file.html): it carries
 *    Connect's own overall percentage and per-question scores but no weights, so Connect's overall score is used as is.
 *
 * The score from the form (shape 1): a question's percentage is Connect's own (`Scores[refId].Percentage`) when
 * present, else its answer option's score ÷ the question's best option score. Questions answered "not applicable"
 * (or with no answer, or TEXT questions, which carry no score) are left out and the remaining weights re-normalised:
 * - QUESTION_ONLY: Σ weight × percentage ÷ Σ weight over the scored questions;
 * - SECTION_ONLY: a section's percentage is the mean of its scored questions and sub-sections; the form's is
 *   Σ section weight × section percentage ÷ Σ weight over the sections that have a score.
 * An answer option marked AutomaticFail (or Connect's AutomaticFail flag) is a critical fail: "the overall evaluation
 * gets a score of 0" (API_EvaluationFormNumericQuestionOption), which Frontline's QA KPI applies to critical fails.
 * The documentation does not spell out the N/A re-normalisation; Connect's own overall percentage is kept in
 * `ext.connectScore` beside Frontline's so a difference shows.
 */
import { maskPersonalData } from '../../../shared/mask.js';
import { FieldReader, isObject, timeMs, type Json } from './fields.js';

export interface EvaluationRead {
  evaluationId: string;
  /** The evaluated contact (a leg's contact id). */
  contactId: string;
  /** Connect user id of the agent who handled the contact (ContactAgentId / metadata.agentId), if given. */
  agentUserId?: string;
  /** Connect user id (from EvaluatorArn) or username (S3 export's `evaluator`) of the evaluator. */
  evaluatorUserId?: string;
  evaluatorName?: string;
  /** Instance ARN prefix (from EvaluationArn), to spell the agent's ARN. */
  instanceArn?: string;
  submitted: boolean;
  revisionMs: number;
  /** Null: the form is not scored (scoring disabled, or nothing scorable answered). */
  score: number | null;
  criticalFail: boolean;
  notes?: string;
  ext: Json;
}

export type EvalOutcome = { ok: true; value: EvaluationRead } | { ok: false; reasons: string[] };

export function evaluationKeys(body: unknown): { evaluationId?: string; contactId?: string; agentUserId?: string; evaluatorUserId?: string } {
  if (!isObject(body)) return {};
  if (isObject(body.Evaluation)) {
    const e = body.Evaluation;
    const m = isObject(e.Metadata) ? e.Metadata : {};
    return {
      evaluationId: typeof e.EvaluationId === 'string' ? e.EvaluationId : undefined,
      contactId: typeof m.ContactId === 'string' ? m.ContactId : undefined,
      agentUserId: typeof m.ContactAgentId === 'string' ? m.ContactAgentId : undefined,
      evaluatorUserId: typeof m.EvaluatorArn === 'string' ? userOfArn(m.EvaluatorArn) : undefined,
    };
  }
  const m = isObject(body.metadata) ? body.metadata : {};
  return {
    evaluationId: typeof body.evaluationId === 'string' ? body.evaluationId : undefined,
    contactId: typeof m.contactId === 'string' ? m.contactId : undefined,
    agentUserId: typeof m.agentId === 'string' ? m.agentId : undefined,
  };
}

/** The user id at the end of a user ARN (`…/agent/<user id>`). */
function userOfArn(arn: string): string | undefined {
  const at = arn.lastIndexOf('/agent/');
  if (at < 0) return undefined;
  const tail = arn.slice(at + 7);
  return tail.length > 0 && !tail.includes('/') ? tail : undefined;
}

export function readEvaluation(body: unknown): EvalOutcome {
  if (!isObject(body)) return { ok: false, reasons: ['contact evaluation: expected a JSON object'] };
  return isObject(body.Evaluation) ? readDescribed(body) : readExported(body);
}

/** Shape 1: the DescribeContactEvaluation response. */
function readDescribed(body: Json): EvalOutcome {
  const f = new FieldReader('contact evaluation');
  const e = body.Evaluation as Json;
  const evaluationId = f.str(e, 'EvaluationId', 'Evaluation.EvaluationId');
  const meta = f.optObj(e, 'Metadata', 'Evaluation.Metadata');
  if (meta === undefined) f.fail('Evaluation.Metadata', 'an object with ContactId and EvaluatorArn', e.Metadata);
  const contactId = meta ? f.str(meta, 'ContactId', 'Evaluation.Metadata.ContactId') : '';
  const agentUserId = meta ? f.optStr(meta, 'ContactAgentId', 'Evaluation.Metadata.ContactAgentId') : undefined;
  const evaluatorArn = meta ? f.optStr(meta, 'EvaluatorArn', 'Evaluation.Metadata.EvaluatorArn') : undefined;
  const status = f.str(e, 'Status', 'Evaluation.Status');
  const modified = timeMs(e.LastModifiedTime) ?? timeMs(e.CreatedTime);
  if (modified === undefined) f.fail('Evaluation.LastModifiedTime', 'a timestamp (epoch seconds or ISO-8601)', e.LastModifiedTime);
  const answers = f.optObj(e, 'Answers', 'Evaluation.Answers') ?? {};
  const scores = f.optObj(e, 'Scores', 'Evaluation.Scores') ?? {};
  const form = f.optObj(body, 'EvaluationForm');
  if (form === undefined) f.fail('EvaluationForm', 'the evaluation form content (Items, ScoringStrategy)', body.EvaluationForm);
  const items = form?.Items;
  if (form !== undefined && !Array.isArray(items)) f.fail('EvaluationForm.Items', 'an array of sections', items);
  if (f.problems.length > 0 || form === undefined || !Array.isArray(items)) return { ok: false, reasons: f.problems };

  const ctx: ScoreContext = { answers, scores, problems: [], autoFail: false };
  const strategy = isObject(form.ScoringStrategy) ? form.ScoringStrategy : {};
  const enabled = strategy.Status === 'ENABLED';
  const mode = typeof strategy.Mode === 'string' ? strategy.Mode : 'QUESTION_ONLY';
  let score: number | null = null;
  if (enabled) {
    if (mode === 'SECTION_ONLY') score = sectionOnly(items, ctx);
    else if (mode === 'QUESTION_ONLY') score = questionOnly(items, ctx);
    else {
      // Another scoring mode (points-based): Connect's own overall percentage.
      walk(items, ctx);
      score = num(isObject(meta?.Score) ? meta.Score.Percentage : undefined) ?? null;
    }
  } else walk(items, ctx);
  if (ctx.problems.length > 0) return { ok: false, reasons: ctx.problems };
  const overall = isObject(meta?.Score) ? meta.Score : {};
  const criticalFail = ctx.autoFail || overall.AutomaticFail === true || Object.values(scores).some((s) => isObject(s) && s.AutomaticFail === true);
  const notes = joinNotes(Object.values(isObject(e.Notes) ? e.Notes : {}).map((n) => (isObject(n) ? n.Value : undefined)));
  const ext: Json = { form: textOf(form.Title) ?? textOf(form.EvaluationFormId) ?? '', formVersion: form.EvaluationFormVersion };
  const connectScore = num(overall.Percentage);
  if (connectScore !== undefined) ext.connectScore = connectScore;
  const arn = typeof e.EvaluationArn === 'string' ? e.EvaluationArn : undefined;
  const cut = arn?.indexOf('/contact-evaluation/') ?? -1;
  const out: EvaluationRead = {
    evaluationId,
    contactId,
    submitted: status === 'SUBMITTED',
    revisionMs: modified ?? 0,
    score: score === null ? null : round2(score),
    criticalFail,
    ext,
  };
  if (agentUserId !== undefined) out.agentUserId = agentUserId;
  const evaluatorUserId = evaluatorArn === undefined ? undefined : userOfArn(evaluatorArn);
  if (evaluatorUserId !== undefined) out.evaluatorUserId = evaluatorUserId;
  if (arn !== undefined && cut > 0) out.instanceArn = arn.slice(0, cut);
  if (notes !== undefined) out.notes = notes;
  return { ok: true, value: out };
}

/** Shape 2: the evaluation file exported to S3 (schemaVersion 3.x). */
function readExported(body: Json): EvalOutcome {
  const f = new FieldReader('contact evaluation');
  const evaluationId = f.str(body, 'evaluationId');
  const meta = f.optObj(body, 'metadata');
  if (meta === undefined) f.fail('metadata', 'an object with contactId, agentId and score', body.metadata);
  const contactId = meta ? f.str(meta, 'contactId', 'metadata.contactId') : '';
  const agentUserId = meta ? f.optStr(meta, 'agentId', 'metadata.agentId') : undefined;
  const evaluator = meta ? f.optStr(meta, 'evaluator', 'metadata.evaluator') : undefined;
  const submitted = meta ? (f.optTime(meta, 'evaluationSubmitTimestamp', 'metadata.evaluationSubmitTimestamp') ?? f.optTime(meta, 'evaluationStartTimestamp', 'metadata.evaluationStartTimestamp')) : undefined;
  if (meta !== undefined && submitted === undefined) f.fail('metadata.evaluationSubmitTimestamp', 'an ISO-8601 date-time', meta.evaluationSubmitTimestamp);
  const overall = meta && isObject(meta.score) ? meta.score : undefined;
  const questions = Array.isArray(body.questions) ? (body.questions as unknown[]) : [];
  const sections = Array.isArray(body.sections) ? (body.sections as unknown[]) : [];
  if (f.problems.length > 0) return { ok: false, reasons: f.problems };
  const pct = num(overall?.percentage);
  const criticalFail = overall?.automaticFail === true || [...questions, ...sections].some((q) => isObject(q) && isObject(q.score) && q.score.automaticFail === true);
  const notes = joinNotes([
    ...sections.map((s) => (isObject(s) ? s.notes : undefined)),
    ...questions.map((q) => (isObject(q) && isObject(q.answer) ? q.answer.notes : undefined)),
  ]);
  const ext: Json = { form: textOf(meta?.evaluationDefinitionTitle) ?? textOf(meta?.evaluationDefinitionId) ?? '', formVersion: meta?.evaluationDefinitionVersion };
  if (pct !== undefined) ext.connectScore = pct;
  const out: EvaluationRead = { evaluationId, contactId, submitted: true, revisionMs: submitted ?? 0, score: pct === undefined ? null : round2(pct), criticalFail, ext };
  if (agentUserId !== undefined) out.agentUserId = agentUserId;
  if (evaluator !== undefined) out.evaluatorName = evaluator;
  if (notes !== undefined) out.notes = notes;
  return { ok: true, value: out };
}

interface ScoreContext {
  answers: Json;
  scores: Json;
  problems: string[];
  autoFail: boolean;
}

/** A question's percentage, or undefined when it does not count (not applicable, unanswered, unscored). */
function questionPct(q: Json, ctx: ScoreContext): number | undefined {
  const refId = typeof q.RefId === 'string' ? q.RefId : '';
  const type = q.QuestionType;
  const answer = isObject(ctx.answers[refId]) ? ctx.answers[refId] : undefined;
  const value = answer && isObject(answer.Value) ? answer.Value : undefined;
  const own = isObject(ctx.scores[refId]) ? ctx.scores[refId] : undefined;
  if (own?.AutomaticFail === true) ctx.autoFail = true;
  if (type === 'TEXT' || value === undefined || value.NotApplicable === true || own?.NotApplicable === true) return undefined;
  const props = isObject(q.QuestionTypeProperties) ? q.QuestionTypeProperties : {};
  let option: Json | undefined;
  let options: unknown[];
  if (type === 'SINGLESELECT') {
    options = isObject(props.SingleSelect) && Array.isArray(props.SingleSelect.Options) ? props.SingleSelect.Options : [];
    option = options.find((o): o is Json => isObject(o) && o.RefId === value.StringValue);
    if (option === undefined) ctx.problems.push(`contact evaluation Evaluation.Answers.${refId}.Value.StringValue: expected the RefId of one of the question's options, got ${JSON.stringify(value.StringValue)}`);
  } else if (type === 'NUMERIC') {
    const v = value.NumericValue;
    options = isObject(props.Numeric) && Array.isArray(props.Numeric.Options) ? props.Numeric.Options : [];
    if (typeof v !== 'number') ctx.problems.push(`contact evaluation Evaluation.Answers.${refId}.Value.NumericValue: expected a number, got ${JSON.stringify(v)}`);
    else option = options.find((o): o is Json => isObject(o) && typeof o.MinValue === 'number' && typeof o.MaxValue === 'number' && v >= o.MinValue && v <= o.MaxValue);
  } else return undefined;
  if (option?.AutomaticFail === true) ctx.autoFail = true;
  const given = num(own?.Percentage);
  if (given !== undefined) return given;
  if (option === undefined) return undefined;
  const best = Math.max(0, ...options.map((o) => (isObject(o) ? (num(o.Score) ?? 0) : 0)));
  return best > 0 ? ((num(option.Score) ?? 0) / best) * 100 : undefined;
}

/** Visits every question (for automatic fails and answer problems) without scoring. */
function walk(items: unknown[], ctx: ScoreContext): void {
  for (const it of items) {
    if (!isObject(it)) continue;
    if (isObject(it.Question)) questionPct(it.Question, ctx);
    else if (isObject(it.Section) && Array.isArray(it.Section.Items)) walk(it.Section.Items, ctx);
  }
}

function questionOnly(items: unknown[], ctx: ScoreContext): number | null {
  let sum = 0;
  let weights = 0;
  const visit = (list: unknown[]) => {
    for (const it of list) {
      if (!isObject(it)) continue;
      if (isObject(it.Question)) {
        const pct = questionPct(it.Question, ctx);
        const w = num(it.Question.Weight) ?? 0;
        if (pct !== undefined && w > 0) {
          sum += w * pct;
          weights += w;
        }
      } else if (isObject(it.Section) && Array.isArray(it.Section.Items)) visit(it.Section.Items);
    }
  };
  visit(items);
  return weights > 0 ? sum / weights : null;
}

function sectionOnly(items: unknown[], ctx: ScoreContext): number | null {
  /** A section's percentage: the mean of its scored questions and sub-sections. */
  const sectionPct = (section: Json): number | undefined => {
    const parts: number[] = [];
    for (const it of Array.isArray(section.Items) ? section.Items : []) {
      if (!isObject(it)) continue;
      const pct = isObject(it.Question) ? questionPct(it.Question, ctx) : isObject(it.Section) ? sectionPct(it.Section) : undefined;
      if (pct !== undefined) parts.push(pct);
    }
    return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) / parts.length : undefined;
  };
  let sum = 0;
  let weights = 0;
  for (const it of items) {
    if (!isObject(it) || !isObject(it.Section)) continue;
    const pct = sectionPct(it.Section);
    const w = num(it.Section.Weight) ?? 0;
    if (pct !== undefined && w > 0) {
      sum += w * pct;
      weights += w;
    }
  }
  return weights > 0 ? sum / weights : null;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function textOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, 200) : undefined;
}

function round2(v: number): number {
  return Math.min(100, Math.max(0, Math.round(v * 100) / 100));
}

function joinNotes(values: unknown[]): string | undefined {
  const parts = values.filter((v): v is string => typeof v === 'string' && v.trim().length > 0).map((v) => v.trim());
  if (parts.length === 0) return undefined;
  const text = maskPersonalData(parts.join('\n'));
  return text.length > 5_000 ? `${text.slice(0, 4_999)}…` : text;
}
