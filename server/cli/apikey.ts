/** `npm run apikey -- create --name NAME --scopes ingest,read | list | revoke ID` */
import { parseArgs } from 'node:util';
import { API_KEY_SCOPES, API_KEY_SCOPE_HELP } from '../../shared/api.js';
import { ApiKeyService, parseScopes } from '../apikeys/apikey.service.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { openStore } from '../store/db.js';

const USAGE = `usage:
  npm run apikey -- create --name NAME --scopes SCOPE[,SCOPE...]   (default: ingest)
  npm run apikey -- list
  npm run apikey -- revoke KEY_ID

scopes:
${API_KEY_SCOPES.map((s) => `  ${s.padEnd(10)} ${API_KEY_SCOPE_HELP[s]}`).join('\n')}`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [command, arg] = positionals;
  if (command !== 'create' && command !== 'list' && command !== 'revoke') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const store = await openStore(loadConfig().database);
  try {
    const keys = new ApiKeyService(store, systemClock);
    if (command === 'create') {
      if (!values.name) throw new Error('--name is required');
      const { key, info } = await keys.create(values.name, parseScopes(values.scopes ?? 'ingest'));
      if (values.json) process.stdout.write(`${JSON.stringify({ key, ...info })}\n`);
      else process.stdout.write(`API key '${info.name}' (id ${info.id}, scopes ${info.scopes.join(',')}). It is shown only once:\n\n  ${key}\n\n`);
    } else if (command === 'list') {
      const all = await keys.list();
      if (values.json) process.stdout.write(`${JSON.stringify(all)}\n`);
      else if (all.length === 0) process.stdout.write('no API keys\n');
      else
        for (const k of all)
          process.stdout.write(
            `${k.id}  ${k.revokedAt ? 'REVOKED ' : 'active  '} ${k.scopes.join(',').padEnd(18)} ${k.name}  created ${k.createdAt}  last used ${k.lastUsedAt ?? 'never'}\n`,
          );
    } else {
      if (!arg) throw new Error('revoke needs a key id (see `npm run apikey -- list`)');
      const ok = await keys.revoke(arg);
      if (!ok) throw new Error(`no API key with id '${arg}'`);
      process.stdout.write(`revoked ${arg}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`apikey: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
