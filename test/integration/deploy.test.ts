/**
 * The container image and the compose files, checked on a machine with no container engine (CI has none): the
 * Dockerfile's build context is made the way Docker makes it (git's files minus .dockerignore), its build stage's steps
 * are run on it (`npm run build`), and the runtime stage's command is started from the result with a guard that refuses
 * anything the image would not hold (TypeScript, tsx, development packages), worker threads included. The compose
 * files are parsed and every node's environment goes through the server's own config parser.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../server/config.js';
import { ROOT, startChildServer, type ChildServer } from '../support/child-server.js';
import { tempDir } from '../support/stores.js';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments and parser directives dropped. */
function dockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\w+)\s+(.*)$/.exec(full);
    if (!m) throw new Error(`unparsed Dockerfile line: ${full}`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]! });
  }
  return out;
}

function stages(ins: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const i of ins) {
    if (i.op === 'FROM') result.push([]);
    result.at(-1)?.push(i);
  }
  return result;
}

/** .dockerignore as Docker reads it for the patterns used here: names and globs from the context's root. */
function ignored(patterns: string[], file: string): boolean {
  return patterns.some((p) => {
    const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '(/.*)?$');
    return re.test(file);
  });
}

const DOCKERFILE = dockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const [BUILD, RUNTIME] = stages(DOCKERFILE) as [Instruction[], Instruction[]];
const IGNORE = fs
  .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const CONTEXT = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && fs.existsSync(path.join(ROOT, f)) && !ignored(IGNORE, f));

describe('the Dockerfile', () => {
  it('builds in one stage and runs from a second as a non-root user, with a health check on /healthz', () => {
    expect(stages(DOCKERFILE)).toHaveLength(2);
    const last = (op: string) => RUNTIME.filter((i) => i.op === op).at(-1)?.args;
    const user = last('USER');
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
    expect(last('HEALTHCHECK')).toMatch(/\/healthz/);
    expect(last('EXPOSE')).toBe('3000');
    expect(JSON.parse(last('CMD')!)).toEqual(['node', 'dist/node/server/main.js']);
    // Only what the build stage produced reaches the runtime stage: no sources, no compiler.
    for (const copy of RUNTIME.filter((i) => i.op === 'COPY')) expect(copy.args).toMatch(/--from=build/);
    expect(BUILD.some((i) => i.op === 'RUN' && /npm ci\b/.test(i.args))).toBe(true);
    expect(BUILD.some((i) => i.op === 'RUN' && /npm run build/.test(i.args) && /npm prune --omit=dev/.test(i.args))).toBe(true);
  });

  it('copies only files that are in the build context, and the context holds nothing local or secret', () => {
    const sources = BUILD.filter((i) => i.op === 'COPY' && !i.args.includes('--from')).flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const src of sources) expect(CONTEXT.some((f) => f === src || f.startsWith(src + '/')), `${src} is in the build context`).toBe(true);
    for (const f of CONTEXT) expect(f).not.toMatch(/^(\.git\/|node_modules\/|dist\/|data\/|\.env)|\.sqlite/);
  });
});

describe('the image, built and started as its Dockerfile says (no container engine here)', () => {
  let dir: string;
  let server: ChildServer | undefined;
  const guardEnv: Record<string, string> = {};

  beforeAll(async () => {
    dir = tempDir('frontline-image-');
    // The build stage: COPY what it copies from the context, then `npm run build` (node_modules stands in for `npm ci`).
    const copied = BUILD.filter((i) => i.op === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const f of CONTEXT.filter((f) => copied.some((src) => f === src || f.startsWith(src + '/')))) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    // `npm prune --omit=dev`: the production packages, which the guard holds every import to.
    const list = path.join(dir, 'production-packages.txt');
    fs.writeFileSync(list, execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }));
    guardEnv.FRONTLINE_PRODUCTION_PACKAGES = list;
    const env = Object.fromEntries(RUNTIME.filter((i) => i.op === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
    server = await startChildServer(
      { ...env, ...guardEnv, NODE_OPTIONS: '', DATA_DIR: path.join(dir, 'data'), SIMULATOR: 'on', SIM_BACKFILL_DAYS: '3', LOG_LEVEL: 'info' },
      90_000,
      { args: ['--import', path.join(ROOT, 'test', 'support', 'production-guard.mjs'), 'dist/node/server/main.js'], cwd: dir },
    );
  }, 240_000);

  afterAll(async () => {
    await server?.kill('SIGTERM');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API and the built client from plain JavaScript, and the flagger runs on its worker thread', async () => {
    const s = server!;
    expect((await fetch(`${s.baseUrl}/healthz`)).status).toBe(200);
    const page = await fetch(`${s.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    // Files the server reads beside its code (package.json for the API description's version) are found from dist/.
    const api = await fetch(`${s.baseUrl}/api/v1/openapi.json`);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { info: { version: string } }).info.version).toBe((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    await expect.poll(() => s.output(), { timeout: 90_000, interval: 250 }).toMatch(/flagger ran over the closed days/);
    expect(s.output()).toMatch(/production-guard: active in the main thread/);
    expect(s.output()).toMatch(/production-guard: active in the worker thread/);
    expect(s.output()).not.toMatch(/production-guard: .* is (TypeScript|not a production)/);
    expect(s.output()).not.toMatch(/could not start its worker thread/);
  });

  it('has a guard that does refuse what the image lacks: tsx, a development package, a TypeScript file', () => {
    for (const code of ["await import('tsx/esm/api')", "await import('vitest')", `await import(${JSON.stringify(path.join(ROOT, 'server', 'paths.ts'))})`]) {
      const r = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test', 'support', 'production-guard.mjs'), '--input-type=module', '-e', code], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ...guardEnv, NODE_OPTIONS: '' },
      });
      expect(r.status, code).not.toBe(0);
      expect(r.stderr).toMatch(/production-guard: .* is (not a production dependency|TypeScript source)/);
    }
  });

  it("answers the image's own HEALTHCHECK command", () => {
    const check = JSON.parse(RUNTIME.find((i) => i.op === 'HEALTHCHECK')!.args.replace(/^.*?CMD\s+/, '')) as string[];
    expect(check[0]).toBe('node');
    const r = spawnSync(process.execPath, check.slice(1), { env: { ...process.env, PORT: new URL(server!.baseUrl).port }, timeout: 10_000 });
    expect(r.status).toBe(0);
  });

  it('runs the compiled command-line tools: an admin created with `node dist/node/server/cli/user.js` signs in', async () => {
    const r = spawnSync(
      process.execPath,
      ['--import', path.join(ROOT, 'test', 'support', 'production-guard.mjs'), 'dist/node/server/cli/user.js', 'create', '--username', 'ops', '--name', 'Ops Admin', '--role', 'admin', '--password-stdin'],
      { cwd: dir, input: 'copper kettles sing at dusk\n', encoding: 'utf8', env: { ...process.env, ...guardEnv, NODE_OPTIONS: '', DATA_DIR: path.join(dir, 'data') } },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const login = await fetch(`${server!.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops', password: 'copper kettles sing at dusk' }),
    }).catch((err: unknown) => {
      throw new Error(`sign-in failed: ${String(err)}; the server said:\n${server!.output().slice(-3000)}`, { cause: err });
    });
    expect(login.status).toBe(200);
  });
});

describe('the compose files', () => {
  const read = (f: string) => parseYaml(fs.readFileSync(path.join(ROOT, 'deploy', f), 'utf8'), { merge: true }) as {
    services: Record<string, { build?: { context: string; dockerfile: string }; image?: string; environment?: Record<string, string>; networks?: Record<string, { ipv4_address?: string }> | string[]; volumes?: string[]; ports?: string[] }>;
  };
  const dockerEnv = Object.fromEntries(RUNTIME.filter((i) => i.op === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
  /** Compose's ${VAR:-default} with the variable unset. */
  const interpolate = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));

  it('one node: builds this Dockerfile, keeps its data in a volume at DATA_DIR, and its settings parse', () => {
    const c = read('compose.yaml');
    const node = c.services.frontline!;
    expect(fs.existsSync(path.join(ROOT, 'deploy', node.build!.context, node.build!.dockerfile))).toBe(true);
    expect(node.volumes?.some((v) => v.endsWith(':' + dockerEnv.DATA_DIR))).toBe(true);
    expect(() => loadConfig({ ...dockerEnv, ...interpolate(node.environment ?? {}) })).not.toThrow();
  });

  it('three nodes: PostgreSQL and Redis shared, addresses as the nginx example names them, TRUST_PROXY the proxy', () => {
    const c = read('compose.cluster.yaml');
    const nodes = Object.entries(c.services).filter(([name]) => name.startsWith('node-'));
    expect(nodes).toHaveLength(3);
    const upstream = [...fs.readFileSync(path.join(ROOT, 'deploy', 'nginx', 'frontline.conf'), 'utf8').matchAll(/^\s*server\s+([\d.]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    const proxy = c.services.proxy!;
    const proxyAddress = (proxy.networks as Record<string, { ipv4_address: string }>).frontline!.ipv4_address;
    expect(proxy.volumes?.some((v) => v.startsWith('./nginx/frontline.conf:'))).toBe(true);
    const configs = nodes.map(([, n]) => loadConfig({ ...dockerEnv, ...interpolate(n.environment ?? {}) }));
    for (const [i, [, n]] of nodes.entries()) {
      expect(n.build?.dockerfile).toBe('Dockerfile');
      const address = (n.networks as Record<string, { ipv4_address: string }>).frontline!.ipv4_address;
      expect(upstream).toContain(`${address}:${configs[i]!.port}`);
      expect(configs[i]!.trustProxy).toEqual([proxyAddress]);
      expect(configs[i]!.database.kind).toBe('postgres');
      expect(configs[i]!.cluster?.redisUrl).toBe('redis://redis:6379');
    }
    expect(new Set(configs.map((c) => c.cluster?.nodeId)).size).toBe(3);
    expect(new Set(configs.map((c) => (c.database.kind === 'postgres' ? c.database.url : ''))).size).toBe(1);
    expect(c.services.postgres?.image).toMatch(/^postgres:/);
    expect(c.services.redis?.image).toMatch(/^redis:/);
  });
});
