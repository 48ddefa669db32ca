/**
 * Answering a scorecard: every criterion with its guidance, the answer (met / not met, or a 1–5 rating; N/A where the
 * criterion allows it), whether the finding is a positive or a negative example, and a note. The score is shown as it
 * is filled in, by the same rule the server applies (shared/qa-score.ts). Used by evaluations and calibrations alike.
 */
import { useId } from 'react';
import { criteriaOf, RATING_MAX, RATING_MIN, scoreEvaluation, type Answer, type AnswerValue, type Criterion, type ExampleKind, type ScorecardDefinition } from '../../../shared/qa-score.js';

export interface StandardRef {
  code: string;
  title: string;
}

interface Props {
  definition: ScorecardDefinition;
  answers: readonly Answer[];
  onChange?: (answers: Answer[]) => void;
  readOnly?: boolean;
  /** Standards by id, to show which standard each criterion checks. */
  standards?: ReadonlyMap<string, StandardRef>;
}

const RATINGS = Array.from({ length: RATING_MAX - RATING_MIN + 1 }, (_, i) => RATING_MIN + i);

export function valueWords(value: AnswerValue): string {
  if (value === 'met') return 'Met';
  if (value === 'not_met') return 'Not met';
  if (value === 'na') return 'N/A';
  return `${value} of ${RATING_MAX}`;
}

const EXAMPLE_WORDS: Record<ExampleKind, string> = { positive: '✓ Positive example', negative: '✗ Negative example' };

/** The answers as a map, and a way to replace one, keeping the criteria's order. */
function upsert(def: ScorecardDefinition, answers: readonly Answer[], next: Answer): Answer[] {
  const byKey = new Map(answers.map((a) => [a.key, a]));
  byKey.set(next.key, next);
  return criteriaOf(def)
    .map((c) => byKey.get(c.key))
    .filter((a): a is Answer => a !== undefined);
}

export function ScorecardAnswers({ definition, answers, onChange, readOnly = false, standards }: Props) {
  const byKey = new Map(answers.map((a) => [a.key, a]));
  const set = (c: Criterion, patch: Partial<Answer>) => {
    const held = byKey.get(c.key);
    const base: Answer = held ?? { key: c.key, value: c.scale === 'met' ? 'met' : RATING_MAX, example: null };
    onChange?.(upsert(definition, answers, { ...base, ...patch, key: c.key }));
  };
  return (
    <div className="qa-card">
      {definition.sections.map((s) => (
        <section key={s.title} className="qa-section" aria-label={s.title}>
          <h3>{s.title}</h3>
          {s.criteria.map((c) => (
            <CriterionAnswer key={c.key} criterion={c} answer={byKey.get(c.key)} readOnly={readOnly} standard={standards?.get(c.standardId)} onChange={(patch) => set(c, patch)} />
          ))}
        </section>
      ))}
      <ScoreLine definition={definition} answers={answers} />
    </div>
  );
}

function CriterionAnswer({ criterion: c, answer, readOnly, standard, onChange }: { criterion: Criterion; answer: Answer | undefined; readOnly: boolean; standard: StandardRef | undefined; onChange: (patch: Partial<Answer>) => void }) {
  const name = useId();
  const choices: AnswerValue[] = [...(c.scale === 'met' ? (['met', 'not_met'] as const) : RATINGS), ...(c.naAllowed ? (['na'] as const) : [])];
  return (
    <fieldset className={`qa-criterion${answer?.example ? ` qa-example-${answer.example}` : ''}`}>
      <legend>
        {c.label}
        <span className="qa-badges">
          {c.critical ? <span className="qa-critical"> · Critical item</span> : null}
          <span className="muted"> · weight {c.weight}</span>
        </span>
      </legend>
      {c.guidance ? <p className="muted small-inline qa-guidance">{c.guidance}</p> : null}
      {standard ? (
        <p className="muted small-inline">
          Standard {standard.code}: {standard.title}
        </p>
      ) : null}
      {readOnly ? (
        <p className="qa-readonly">
          <strong>{answer ? valueWords(answer.value) : 'Not answered'}</strong>
          {answer?.example ? <span> · {EXAMPLE_WORDS[answer.example]}</span> : null}
          {answer?.note ? <span className="prewrap"> · {answer.note}</span> : null}
        </p>
      ) : (
        <>
          <div className="qa-choices" role="radiogroup" aria-label={`${c.label}: answer`}>
            {choices.map((v) => (
              <label key={String(v)} className="check">
                <input type="radio" name={`${name}-value`} checked={answer?.value === v} onChange={() => onChange({ value: v })} />
                {valueWords(v)}
              </label>
            ))}
          </div>
          <div className="row qa-finding">
            <label>
              Example
              <select value={answer?.example ?? ''} onChange={(e) => onChange({ example: e.target.value === '' ? null : (e.target.value as ExampleKind) })} aria-label={`${c.label}: example`}>
                <option value="">Not an example</option>
                <option value="positive">{EXAMPLE_WORDS.positive}</option>
                <option value="negative">{EXAMPLE_WORDS.negative}</option>
              </select>
            </label>
            <label className="grow">
              Note
              <input value={answer?.note ?? ''} maxLength={2000} onChange={(e) => onChange({ note: e.target.value === '' ? undefined : e.target.value })} aria-label={`${c.label}: note`} />
            </label>
          </div>
        </>
      )}
    </fieldset>
  );
}

/** The score so far: complete answers give the score the server will store; a critical fail is said in words. */
export function ScoreLine({ definition, answers }: { definition: ScorecardDefinition; answers: readonly Answer[] }) {
  const total = criteriaOf(definition).length;
  const r = scoreEvaluation(definition, answers);
  if (!r.ok) {
    return (
      <p className="qa-score muted" aria-live="polite">
        {answers.length} of {total} criteria answered; the score shows when every criterion is answered.
      </p>
    );
  }
  return (
    <p className="qa-score" aria-live="polite">
      Score <strong>{r.score.toFixed(1)}</strong> of 100
      {r.criticalFail ? <span className="qa-critical"> · ✗ Critical item not met: the QA KPI counts this evaluation as 0</span> : null}
    </p>
  );
}
