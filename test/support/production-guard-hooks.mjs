// Module resolution hooks for production-guard.mjs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let allowed = [];

export function initialize(data) {
  // Package folders only (npm ls also lists the project itself).
  allowed = data.allowed.filter((p) => p.includes(`${path.sep}node_modules${path.sep}`)).map((p) => p + path.sep);
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (!result.url.startsWith('file:')) return result;
  const file = fileURLToPath(result.url);
  const refuse = (why) => {
    throw new Error(`production-guard: ${specifier} (${file}) ${why}, imported from ${context.parentURL ?? 'the command line'}`);
  };
  if (/\.(c|m)?tsx?$/.test(file)) refuse('is TypeScript source, which the image does not hold');
  const i = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (i >= 0 && !allowed.some((dir) => file.startsWith(dir))) refuse('is not a production dependency');
  return result;
}
