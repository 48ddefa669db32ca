/**
 * Sentiment of a comment from wink-nlp's English model (a maintained NLP library; lexicon-based with negation and
 * emphasis handling), a score from −1 to 1. One model instance per process: loading it takes a moment.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let nlp: ReturnType<typeof winkNLP> | undefined;

export function sentimentOf(text: string): number {
  nlp ??= winkNLP(model);
  const { its } = nlp;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- wink-nlp's `its` helpers are plain functions meant to be passed
  const score = nlp.readDoc(text).out(its.sentiment) as unknown as number;
  return Number.isFinite(score) ? Math.max(-1, Math.min(1, score)) : 0;
}
