// One schema over the environment. Every problem is reported at once, so an operator fixes the
// configuration in one pass instead of one restart per mistake.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  ASSAY_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres|postgresql):\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  SQLITE_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  ASSAY_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Assay <no-reply@localhost>'),
  ASSAY_SIGNUP: z.enum(['open', 'invite', 'closed']).default('closed'),
  TRUST_PROXY: z.string().default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ASSAY_CONTENT_DIRS: z.string().default(''),
  UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(2048).default(100),
  ASSAY_SCAN_COMMAND: z.string().min(1).optional(),
  ATTEMPT_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  JOBS_IN_THREAD: bool.optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//)
    .optional(),
  WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
  API_RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).max(1_000_000).default(600),
  API_RATE_LIMIT_PER_ORG: z.coerce.number().int().min(1).max(1_000_000).default(1200),
});

export type Env = z.input<typeof envSchema>;

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  database:
    | { kind: 'sqlite'; file: string; synchronous: 'normal' | 'full' }
    | { kind: 'postgres'; url: string; poolSize: number };
  secretKeyHex: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  signup: 'open' | 'invite' | 'closed';
  trustProxy: boolean | string;
  logLevel: string;
  contentDirs: string[];
  uploadMaxBytes: number;
  /** A virus scanner for uploads, fed the file on stdin (see server/blobs/scan-hook.ts). */
  scanCommand: string | undefined;
  /** How long after a section's deadline a candidate's write is still accepted (network latency). */
  attemptGraceMs: number;
  jobsInThread: boolean | undefined;
  redisUrl: string | undefined;
  /** Let webhooks reach private, loopback and link-local addresses (tests, closed networks). */
  webhooksAllowPrivate: boolean;
  /** Requests per minute for API-key callers: per key and per organization. */
  apiRateLimit: { perKey: number; perOrg: number };
}>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        return `${key}: ${i.message}${key in cleaned ? ` (got ${JSON.stringify(cleaned[key])})` : ''}`;
      }),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.ASSAY_DATA_DIR);
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  const trust = e.TRUST_PROXY;
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, ''),
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'sqlite' as const, file: path.join(dataDir, 'assay.db'), synchronous: e.SQLITE_SYNCHRONOUS },
    secretKeyHex: e.ASSAY_SECRET_KEY,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    signup: e.ASSAY_SIGNUP,
    trustProxy: trust === 'true' ? true : trust === 'false' ? false : trust,
    logLevel: e.LOG_LEVEL,
    contentDirs: e.ASSAY_CONTENT_DIRS.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((d) => path.resolve(d)),
    uploadMaxBytes: e.UPLOAD_MAX_MB * 1024 * 1024,
    scanCommand: e.ASSAY_SCAN_COMMAND,
    attemptGraceMs: e.ATTEMPT_GRACE_SECONDS * 1000,
    jobsInThread: e.JOBS_IN_THREAD,
    redisUrl: e.REDIS_URL,
    webhooksAllowPrivate: e.WEBHOOKS_ALLOW_PRIVATE,
    apiRateLimit: { perKey: e.API_RATE_LIMIT_PER_KEY, perOrg: e.API_RATE_LIMIT_PER_ORG },
  });
}
