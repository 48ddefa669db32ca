/** The agent's response to an evaluation, in words and an icon (never colour alone). */
import type { EvaluationView } from '../../../shared/qa-evaluations.js';

export function ResponseMark({ e }: { e: Pick<EvaluationView, 'status' | 'response'> }) {
  if (e.status === 'draft') return <span className="muted">Draft</span>;
  if (e.response === 'acknowledged')
    return (
      <span className="response response-acknowledged">
        <span aria-hidden="true">✓ </span>Acknowledged
      </span>
    );
  if (e.response === 'disputed')
    return (
      <span className="response response-disputed">
        <span aria-hidden="true">⚑ </span>Disputed
      </span>
    );
  return (
    <span className="muted">
      <span aria-hidden="true">… </span>Awaiting response
    </span>
  );
}
