/**
 * Credentials at rest (issue 16): a source's secret fields (an OAuth client secret, an API token, an auth token) are
 * sealed with AES-256-GCM before they touch the store and opened only in memory, to call the platform or verify its
 * signature. The key is FRONTLINE_SECRET_KEY (32 bytes, base64), or, when that is unset on a single node, a key file
 * made on first use beside the data (`$DATA_DIR/secret.key`, mode 0600): a copy of the database alone opens nothing.
 * A cluster's nodes must share one key, so there FRONTLINE_SECRET_KEY is required.
 *
 * Sealed form: `v1.<iv base64url>.<tag base64url>.<ciphertext base64url>`; the source's id is bound in as associated
 * data, so a sealed value copied onto another source does not open.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;

export class SecretBox {
  private key: Buffer | undefined;

  constructor(private readonly opts: { keyBase64?: string | undefined; keyFile: string; cluster: boolean }) {}

  seal(sourceId: string, values: Readonly<Record<string, string>>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.keyOf(), iv);
    cipher.setAAD(Buffer.from(sourceId, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sourceId: string, sealed: string): Record<string, string> {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || iv === undefined || tag === undefined || body === undefined) throw new Error('sealed credentials are not in the v1 form');
    const decipher = createDecipheriv(ALGORITHM, this.keyOf(), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(sourceId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    let text: string;
    try {
      text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('the source\'s credentials do not open with this server\'s key (FRONTLINE_SECRET_KEY or $DATA_DIR/secret.key changed?); paste them again on the Sources page');
    }
    return JSON.parse(text) as Record<string, string>;
  }

  /**
   * A source's pseudonym function: HMAC-SHA256 under a key derived from the server's key and the source id (never the
   * sealing key itself), 32 hex characters. The same address gives the same pseudonym on one source.
   */
  pseudonymizer(sourceId: string): (value: string) => string {
    const key = createHmac('sha256', this.keyOf()).update(`frontline-pseudonym\u0000${sourceId}`).digest();
    return (value) => createHmac('sha256', key).update(value).digest('hex').slice(0, 32);
  }

  private keyOf(): Buffer {
    if (this.key) return this.key;
    if (this.opts.keyBase64 !== undefined) {
      const k = Buffer.from(this.opts.keyBase64, 'base64');
      if (k.length !== KEY_BYTES) throw new Error(`FRONTLINE_SECRET_KEY must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 32); it decodes to ${k.length}`);
      this.key = k;
      return k;
    }
    if (this.opts.cluster) throw new Error('several nodes need one shared key for source credentials: set FRONTLINE_SECRET_KEY (openssl rand -base64 32) on every node');
    this.key = readOrMakeKeyFile(this.opts.keyFile);
    return this.key;
  }
}

function readOrMakeKeyFile(file: string): Buffer {
  try {
    const k = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (k.length !== KEY_BYTES) throw new Error(`${file} does not hold a ${KEY_BYTES}-byte base64 key`);
    return k;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const k = randomBytes(KEY_BYTES);
  try {
    // 'wx': never overwrite a key another process made a moment ago (that would orphan what it sealed).
    fs.writeFileSync(file, k.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return k;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readOrMakeKeyFile(file);
    throw err;
  }
}
