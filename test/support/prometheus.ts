/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests that scrape /metrics: every
 * sample line must parse, or the test fails with the line that did not.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family name → type, from the `# TYPE` lines. */
  types: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (m) types.set(m[1] as string, m[2] as string);
      else if (!/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) throw new Error(`line ${i + 1}: unexpected comment: ${line}`);
      return;
    }
    samples.push(parseSample(line, i + 1));
  });
  return { samples, types };
}

function parseSample(line: string, n: number): Sample {
  const fail = (why: string): never => {
    throw new Error(`line ${n}: ${why}: ${line}`);
  };
  const name = NAME.exec(line)?.[0] ?? fail('no metric name');
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = LABEL_NAME.exec(rest)?.[0] ?? fail('bad label name');
      rest = rest.slice(label.length);
      if (!rest.startsWith('="')) fail('expected =" after a label name');
      rest = rest.slice(2);
      let value = '';
      for (;;) {
        const c = rest[0] ?? fail('unterminated label value');
        rest = rest.slice(1);
        if (c === '"') break;
        if (c === '\\') {
          const e = rest[0] ?? fail('dangling escape');
          rest = rest.slice(1);
          value += e === 'n' ? '\n' : e === '\\' || e === '"' ? e : fail(`bad escape \\${e}`);
        } else value += c;
      }
      labels[label] = value;
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) fail('expected , or } after a label');
    }
    rest = rest.slice(1);
  }
  const parts = rest.trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '') fail('expected a value and an optional timestamp');
  const text = parts[0] as string;
  // As Prometheus reads it (Go's ParseFloat): Inf and NaN in any case; prom-client writes an empty gauge as "Nan".
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  const value = special ? (special[2]?.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity) : Number(text);
  if (Number.isNaN(value) && !special) fail('value is not a number');
  return { name, labels, value };
}

/** The samples named `name` whose labels include every one of `labels`. */
export function samplesOf(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample named `name` with exactly these labels (besides a `node` label); fails when absent or ambiguous. */
export function valueOf(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(e, name, labels).filter((s) => Object.keys(s.labels).filter((k) => k !== 'node').length === Object.keys(labels).length);
  if (found.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`);
  return (found[0] as Sample).value;
}
