/** Runs the real server entry point (`server/main.ts`) as a child process, as `npm start` does. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  proc: ChildProcess;
  baseUrl: string;
  output(): string;
  /** The one-time setup code the server printed on first run, once seen. */
  setupCode(): string | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `server/main.ts` under tsx, or `opts.args` (e.g. a compiled build's main.js) in `opts.cwd`. */
export async function startChildServer(env: Record<string, string>, readyTimeoutMs = 60_000, opts: { args?: string[]; cwd?: string } = {}): Promise<ChildServer> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let out = '';
  const proc = spawn(process.execPath, opts.args ?? ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let setupCode: string | undefined;
  proc.stdout?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    // Kept apart from the rolling output, which a burst of log lines could push it out of.
    setupCode ??= /setup code\s+([A-Z2-9]{6}-[A-Z2-9]{6})/.exec(out)?.[1];
  });
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${baseUrl}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    baseUrl,
    output: () => out,
    setupCode: () => setupCode,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

/** Creates the first admin with the one-time setup code the server printed; returns the admin's cookie and CSRF token. */
export async function setUpFirstAdmin(server: ChildServer, password: string, username = 'ada', displayName = 'Ada Admin'): Promise<{ cookie: string; csrf: string }> {
  let code: string | undefined;
  for (let i = 0; i < 200 && !code; i++) {
    code = server.setupCode();
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  if (!code) throw new Error(`the server printed no setup code:\n${server.output()}`);
  const setup = await fetch(`${server.baseUrl}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ setupCode: code, username, displayName, password }) });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
  const set = setup.headers.getSetCookie().find((c) => /^(__Host-)?fl_session=[^;]/.test(c));
  if (!set) throw new Error('setup answered without a session cookie');
  const cookie = set.split(';')[0] as string;
  const me = (await (await fetch(`${server.baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  return { cookie, csrf: me.principal.csrfToken };
}
