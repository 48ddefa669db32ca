/**
 * `npm run user -- create --username NAME --name "Full Name" --role admin [--team ID ...] [--site ID] [--agent ID]`
 * `npm run user -- set-password --username NAME`      (ends that person's sessions)
 * `npm run user -- list`
 *
 * The password is asked for at a hidden prompt, or read from standard input with --password-stdin (for scripts).
 * There is never a default password.
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createUserBody, ROLES } from '../../shared/access.js';
import { AccountService } from '../accounts/account.service.js';
import { SessionService } from '../accounts/session.service.js';
import { AuditService } from '../audit/audit.service.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { DirectoryService } from '../directory/directory.service.js';
import { createLogger } from '../logger.js';
import { openStore } from '../store/db.js';

const USAGE = `usage:
  npm run user -- create --username NAME --name "Full Name" --role ${ROLES.join('|')} [--team ID]... [--site ID] [--agent ID] [--password-stdin]
  npm run user -- set-password --username NAME [--password-stdin]
  npm run user -- list`;

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  let muted = false;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!muted) process.stdout.write(chunk);
      cb();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output: out, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      process.stdout.write(q);
      muted = true;
      rl.question('', (a) => {
        muted = false;
        process.stdout.write('\n');
        resolve(a);
      });
    });
  const first = await ask('Password: ');
  const again = await ask('Again: ');
  rl.close();
  if (first !== again) throw new Error('the two passwords differ');
  return first;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      team: { type: 'string', multiple: true },
      site: { type: 'string' },
      agent: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
    },
  });
  const [command] = positionals;
  if (command !== 'create' && command !== 'list' && command !== 'set-password') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const store = await openStore(config.database);
  try {
    const logger = createLogger('warn');
    const audit = new AuditService(store, systemClock, logger);
    const sessions = new SessionService(store, systemClock, config.session);
    const accounts = new AccountService(store, systemClock, sessions, new DirectoryService(store), audit);
    const meta = { actor: 'cli', ip: null };
    if (command === 'list') {
      for (const u of await accounts.list()) {
        process.stdout.write(`${u.id}  ${u.username.padEnd(24)} ${u.role.padEnd(12)} ${u.displayName}${u.disabledAt ? '  (disabled)' : ''}\n`);
      }
      return 0;
    }
    if (!values.username) throw new Error('--username is required');
    if (command === 'set-password') {
      const user = (await accounts.list()).find((u) => u.username === values.username?.toLowerCase());
      if (!user) throw new Error(`no user '${values.username}'`);
      await accounts.setPassword(user.id, await readPassword(values['password-stdin']), meta);
      process.stdout.write(`password set for ${user.username}; their sessions have ended\n`);
      return 0;
    }
    const parsed = createUserBody.safeParse({
      username: values.username,
      displayName: values.name ?? values.username,
      role: values.role,
      teamIds: values.team ?? [],
      siteId: values.site ?? null,
      agentId: values.agent ?? null,
    });
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '));
    const user = await accounts.create({ ...parsed.data, password: await readPassword(values['password-stdin']) }, meta);
    process.stdout.write(`created ${user.role} '${user.username}' (${user.id})\n`);
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
