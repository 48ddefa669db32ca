/** One typed config module: parses the environment once with zod and fails fast with a clear message. */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseStateMap } from '../shared/contract-v2.js';
import { ssoEnvSchema, ssoSettings, type SsoSettings } from './sso/sso.config.js';
import { CENTRE_PRESET_NAMES, parseSites, SHIFT_PATTERNS, type CentreOptions, type CentrePreset, type SiteSpec } from './simulator/centres.js';
import type { AgentState } from '../shared/events.js';

const bool = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'on' || v === 'yes');

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  /** Absent: the embedded SQLite file `$DATA_DIR/frontline.sqlite`. A postgres:// URL: PostgreSQL. */
  DATABASE_URL: z
    .string()
    .refine((u) => /^(postgres|postgresql):\/\//.test(u) || u.startsWith('sqlite:') || u.startsWith('file:'), {
      message: 'must be a postgres:// URL, or sqlite:PATH for an explicit SQLite file',
    })
    .optional(),
  /**
   * Scale-out: with a PostgreSQL DATABASE_URL, several identical nodes share one database and this Redis (the
   * Socket.IO adapter between them). See README, "Running several nodes".
   */
  REDIS_URL: z
    .string()
    .refine((u) => /^rediss?:\/\//.test(u), { message: 'must be a redis:// or rediss:// URL' })
    .optional(),
  /** This node's name in logs and the cluster status (default: host name and process id). */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,40}$/, 'letters, digits, dot, dash and underscore, at most 40')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DIRECTORY_FILE: z.string().optional(),
  SIMULATOR: bool.default(true),
  SIM_SEED: z.coerce.number().int().default(7),
  SIM_SPEED: z.coerce.number().positive().max(1000).default(1),
  /** Start the simulated clock at this instant instead of now (tests, demos of a busy hour). */
  SIM_CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  SIM_BACKFILL_DAYS: z.coerce.number().int().min(0).max(400).default(42),
  SIM_GROUND_TRUTH_FILE: z.string().optional(),
  /** Which simulated centre a first start sets up (server/simulator/centres.ts): default (45 agents), medium, large. */
  SIM_CENTRE: z.enum(CENTRE_PRESET_NAMES as [CentrePreset, ...CentrePreset[]]).default('default'),
  /** Overrides of the preset: how many agents, which sites (`leeds:Europe/London,manila:Asia/Manila:extended*2`), team size, opening pattern. */
  SIM_AGENTS: z.coerce.number().int().min(1).max(100_000).optional(),
  SIM_SITES: z
    .string()
    .optional()
    .transform((v, ctx): SiteSpec[] | undefined => {
      if (v === undefined || v.trim() === '') return undefined;
      try {
        return parseSites(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  SIM_TEAM_SIZE: z.coerce.number().int().min(2).max(100).optional(),
  SIM_SHIFTS: z.enum(SHIFT_PATTERNS).optional(),
  INGEST_MAX_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).default(300),
  /**
   * Which reverse proxies to believe X-Forwarded-For/-Proto from: off, a number of hops (on = 1), or a comma list of
   * addresses/subnets (loopback, 10.0.0.0/8). Never "every hop": a client could then pick its own address and slip
   * past the sign-in limits.
   */
  TRUST_PROXY: z
    .string()
    .default('off')
    .transform((v, ctx): false | number | string[] => {
      const t = v.trim().toLowerCase();
      if (['off', 'false', '0', 'no', ''].includes(t)) return false;
      if (['on', 'true', 'yes'].includes(t)) return 1;
      if (/^\d+$/.test(t)) return Number(t);
      const list = t.split(',').map((x) => x.trim()).filter(Boolean);
      if (list.every((x) => /^(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)$/.test(x))) return list;
      ctx.addIssue({ code: 'custom', message: 'must be off, a number of proxy hops (on = 1), or a comma list of addresses or subnets' });
      return z.NEVER;
    }),
  LIVE_BROADCAST_INTERVAL_MS: z.coerce.number().int().min(250).max(60_000).default(1000),
  /** auto: cookies are Secure (and __Host- prefixed) when the request came over HTTPS (see TRUST_PROXY). */
  SECURE_COOKIES: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Extra origins allowed to open sockets and send cookie-authenticated writes (comma-separated); same-host is always allowed. */
  ALLOWED_ORIGINS: z.string().default(''),
  SESSION_IDLE_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  SESSION_MAX_DAYS: z.coerce.number().positive().max(90).default(7),
  /** Raw events older than this many days are deleted (0 = keep forever). */
  RETENTION_EVENT_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  /** Free-text survey comments, complaint summaries and QA notes older than this many days are removed (0 = keep). */
  RETENTION_COMMENT_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  /** Contract v2: the centre's agent state names mapped to the five standard ones, as JSON ({"Lunch":"break"}). */
  FRONTLINE_AGENT_STATES: z
    .string()
    .optional()
    .transform((v, ctx): Record<string, AgentState> => {
      try {
        return parseStateMap(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Contract v2: a survey, evaluation or complaint whose contact has not arrived after this many days expires. */
  ORPHAN_TTL_DAYS: z.coerce.number().positive().max(365).default(7),
  /** New data for a closed day asks for a flagger run after this many quiet seconds... */
  FLAGGER_LATE_QUIET_SECONDS: z.coerce.number().min(0).max(3600).default(20),
  /** ...and at most this many seconds after the first of it. */
  FLAGGER_LATE_MAX_WAIT_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  /** The address people open Frontline at (https://frontline.example.com); the SSO redirect URL is derived from it. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** Single sign-on (OpenID Connect): see server/sso/sso.config.ts and README, "Single sign-on (OpenID Connect)". */
  ...ssoEnvSchema.shape,
  /** Notifications by email: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. Absent: no email. */
  SMTP_URL: z
    .string()
    .refine((u) => /^smtps?:\/\/[^/\s]+/.test(u), { message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587' })
    .optional(),
  /** The sender of notification email. */
  SMTP_FROM: z.string().min(3).max(300).default('Frontline <frontline@localhost>'),
  /** A KPI must stay off target (or back on it) this long before anyone is told: no flapping. */
  NOTIFY_BREACH_SUSTAIN_MINUTES: z.coerce.number().min(0).max(24 * 60).default(5),
  /** An ingest key that delivered events and then sent nothing for this long is reported silent. */
  NOTIFY_SOURCE_SILENT_MINUTES: z.coerce.number().min(2).max(7 * 24 * 60).default(15),
  /** Delivery tries before a notice is marked failed, and the first retry's delay (doubling after each failure). */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  NOTIFY_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(3600).default(30),
  NOTIFY_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(10),
  /** How often the leader looks for pull sources whose poll is due (each source keeps its own poll interval). */
  SOURCES_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  /** Seals sources' credentials at rest (32 bytes, base64): required with several nodes; else $DATA_DIR/secret.key. */
  FRONTLINE_SECRET_KEY: z
    .string()
    .refine((k) => Buffer.from(k, 'base64').length === 32, { message: 'must be 32 bytes in base64, e.g. the output of: openssl rand -base64 32' })
    .optional(),
});

export type EnvConfig = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  /** Set when this node is one of several (PostgreSQL + Redis). */
  cluster: { redisUrl: string; nodeId: string } | null;
  logLevel: EnvConfig['LOG_LEVEL'];
  directoryFile: string | undefined;
  simulator: { enabled: boolean; seed: number; speed: number; clockStartMs: number | undefined; backfillDays: number; groundTruthFile: string; centre: CentreOptions };
  ingestMaxClockSkewMs: number;
  trustProxy: false | number | string[];
  liveBroadcastIntervalMs: number;
  secureCookies: 'auto' | 'always' | 'never';
  allowedOrigins: string[];
  session: { idleMs: number; absoluteMs: number };
  retention: { eventDays: number; commentDays: number };
  agentStates: Record<string, AgentState>;
  orphanTtlMs: number;
  /** When new data for a closed day makes the flagger run again (server/flagging/flagging.service.ts). */
  flaggerLate: { quietMs: number; maxWaitMs: number };
  publicUrl: string | undefined;
  /** Null when OIDC_ISSUER is not set: password sign-in only. */
  sso: SsoSettings | null;
  /** Sources' credentials at rest (server/connectors/secrets.ts). */
  secrets: { keyBase64: string | undefined; keyFile: string };
  sourcesTickMs: number;
  /** Notifications (server/notifications). */
  notify: {
    smtpUrl: string | null;
    smtpFrom: string;
    publicUrl: string;
    breachSustainMs: number;
    sourceSilentMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    webhookTimeoutMs: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const sso = ssoSettings(e);
  if (typeof sso === 'string') throw new Error(`Invalid configuration:\n  ${sso}`);
  const dataDir = path.resolve(e.DATA_DIR);
  const url = e.DATABASE_URL;
  const database: Config['database'] =
    url === undefined
      ? { kind: 'sqlite', file: path.join(dataDir, 'frontline.sqlite') }
      : /^postgres(ql)?:/.test(url)
        ? { kind: 'postgres', url }
        : { kind: 'sqlite', file: path.resolve(url.replace(/^(sqlite|file):/, '')) };
  if (e.REDIS_URL !== undefined && database.kind !== 'postgres') {
    throw new Error('Invalid configuration:\n  REDIS_URL: several nodes need a shared PostgreSQL database; set DATABASE_URL to a postgres:// URL');
  }
  return Object.freeze({
    cluster: e.REDIS_URL === undefined ? null : { redisUrl: e.REDIS_URL, nodeId: e.NODE_ID ?? `${os.hostname().split('.')[0] ?? 'node'}-${process.pid}` },
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    logLevel: e.LOG_LEVEL,
    directoryFile: e.DIRECTORY_FILE,
    simulator: {
      enabled: e.SIMULATOR,
      seed: e.SIM_SEED,
      speed: e.SIM_SPEED,
      clockStartMs: e.SIM_CLOCK_START === undefined ? undefined : Date.parse(e.SIM_CLOCK_START),
      backfillDays: e.SIM_BACKFILL_DAYS,
      groundTruthFile: e.SIM_GROUND_TRUTH_FILE ?? path.join(dataDir, 'ground-truth.json'),
      centre: {
        preset: e.SIM_CENTRE,
        ...(e.SIM_AGENTS !== undefined ? { agents: e.SIM_AGENTS } : {}),
        ...(e.SIM_SITES !== undefined ? { sites: e.SIM_SITES } : {}),
        ...(e.SIM_TEAM_SIZE !== undefined ? { teamSize: e.SIM_TEAM_SIZE } : {}),
        ...(e.SIM_SHIFTS !== undefined ? { pattern: e.SIM_SHIFTS } : {}),
      },
    },
    ingestMaxClockSkewMs: e.INGEST_MAX_CLOCK_SKEW_SECONDS * 1000,
    trustProxy: e.TRUST_PROXY,
    liveBroadcastIntervalMs: e.LIVE_BROADCAST_INTERVAL_MS,
    secureCookies: e.SECURE_COOKIES,
    allowedOrigins: e.ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    session: { idleMs: e.SESSION_IDLE_HOURS * 3600_000, absoluteMs: e.SESSION_MAX_DAYS * 86_400_000 },
    retention: { eventDays: e.RETENTION_EVENT_DAYS, commentDays: e.RETENTION_COMMENT_DAYS },
    agentStates: e.FRONTLINE_AGENT_STATES,
    orphanTtlMs: e.ORPHAN_TTL_DAYS * 86_400_000,
    flaggerLate: { quietMs: e.FLAGGER_LATE_QUIET_SECONDS * 1000, maxWaitMs: e.FLAGGER_LATE_MAX_WAIT_SECONDS * 1000 },
    publicUrl: e.PUBLIC_URL,
    sso,
    secrets: { keyBase64: e.FRONTLINE_SECRET_KEY, keyFile: path.join(dataDir, 'secret.key') },
    sourcesTickMs: e.SOURCES_TICK_MS,
    notify: {
      smtpUrl: e.SMTP_URL ?? null,
      smtpFrom: e.SMTP_FROM,
      publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
      breachSustainMs: e.NOTIFY_BREACH_SUSTAIN_MINUTES * 60_000,
      sourceSilentMs: e.NOTIFY_SOURCE_SILENT_MINUTES * 60_000,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      retryBaseMs: e.NOTIFY_RETRY_BASE_SECONDS * 1000,
      webhookTimeoutMs: e.NOTIFY_WEBHOOK_TIMEOUT_SECONDS * 1000,
    },
  });
}
