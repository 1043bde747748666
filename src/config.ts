/** Reads process.env once (after the optional `.env` file), validates it, and exports a typed Config. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/** A setting with a bad value: its message names the variable and says what it accepts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads `file` (default `.env` in the working directory), if it exists, into `env`: a variable
 * already set there (even to an empty string) wins over the file. Every entry point calls this
 * before loadConfig, so `npm start`, `npm run db:migrate` and the operator commands read the same
 * settings. Node's own parser (`--env-file`'s) reads it; `--env-file` itself fails when the file
 * is missing.
 */
export function readDotEnv(file = '.env', env: NodeJS.ProcessEnv = process.env): void {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ConfigError(`${path.resolve(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); fix or remove it`);
  }
  for (const [name, value] of Object.entries(parseEnv(content))) {
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
}

export interface Config {
  port: number;
  host: string;
  nodeEnv: string;
  production: boolean;
  logLevel: string;
  /** Unset: embedded PostgreSQL (PGlite) persisted under dataDir. */
  databaseUrl: string | undefined;
  /** A direct connection for migrations when databaseUrl leads to a pooler (PgBouncer). */
  databaseMigrationUrl: string | undefined;
  /** Named prepared statements: 'auto' uses them unless a pooler is in front. */
  dbPreparedStatements: boolean | 'auto';
  /** Where /metrics listens (Prometheus); 0 is any free port, undefined is off. */
  metricsPort: number | undefined;
  /** Where /metrics listens: METRICS_HOST, else HOST (an internal interface keeps it off the public network). */
  metricsHost: string;
  dataDir: string;
  dbPoolMax: number;
  /** Bounds connecting to the database and waiting for a pooled connection. */
  dbConnectTimeoutMs: number;
  /** PostgreSQL's statement_timeout for every statement the service runs. */
  dbStatementTimeoutMs: number;
  sessionTtlMs: number;
  accountPurgeAfterMs: number;
  purgeIntervalMs: number;
  corsOrigins: string[];
  introspection: boolean;
  /** Fastify's trustProxy: whose X-Forwarded-For gives the client address (rate limits, logs). */
  trustProxy: boolean | string[];
  graphqlLimits: GraphQLLimits;
  rateLimits: RateLimits;
  /** Unset: rate-limit counters live in this process's memory. */
  redisUrl: string | undefined;
  /** Prefix of every rate-limit key in Redis, so deployments can share a server. */
  redisKeyPrefix: string;
  mail: MailConfig;
  /** How many email addresses an account may have. */
  emailsPerUser: number;
  emailVerificationTtlMs: number;
  passwordResetTtlMs: number;
}

export interface MailConfig {
  /** Unset: messages are printed to the console (never in production: start-up refuses). */
  smtpUrl: string | undefined;
  /** The From of every message. */
  from: string;
  /** Where links in messages point: this service as its users reach it, without a trailing slash. */
  publicUrl: string;
}

/** Checked before any resolver runs; over any of them is a 400. */
export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Of the `query` string, in UTF-8 bytes. */
  maxDocumentBytes: number;
}

export interface RateLimits {
  /** logIn/signUp attempts (REST and GraphQL together) per email per window. */
  authPerEmail: number;
  /** logIn/signUp attempts per client IP per window. */
  authPerIp: number;
  authWindowMs: number;
  /** Any request, per token or else per client IP, per window. */
  requests: number;
  requestsWindowMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `15m`, `0s`, `500ms`; a bare number is seconds. */
export function parseDuration(value: string, name: string): number {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) throw new ConfigError(`${name} must be a duration such as 30d, 12h, 15m, 10s or 500ms; got "${value}"`);
  return Number(match[1]) * UNITS[match[2] ?? 's']!;
}

function positive(ms: number, name: string): number {
  if (ms <= 0) throw new ConfigError(`${name} must be longer than zero`);
  return ms;
}

function parseInteger(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${value}"`);
  }
  return n;
}

function parseBoolean(value: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false; got "${value}"`);
}

/** `false`/unset, `true` (any proxy), or a comma-separated list of proxy addresses/CIDRs. */
function parseTrustProxy(value: string | undefined): boolean | string[] {
  if (value === undefined || /^(0|false|no|off)$/i.test(value)) return false;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  return value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

const DATABASE_URL_FORM = 'postgres://user:password@host:5432/database';

/**
 * A URL the PostgreSQL driver can use, or a ConfigError that says what is wrong. The value is
 * never echoed: it may hold a password.
 */
function checkDatabaseUrl(value: string | undefined, name = 'DATABASE_URL'): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL; expected ${DATABASE_URL_FORM} (special characters in the password percent-encoded)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`${name} must start with postgres:// or postgresql://, not "${url.protocol}"; expected ${DATABASE_URL_FORM}`);
  }
  // A Unix socket is named by ?host=/path instead.
  if (!url.hostname && !url.searchParams.get('host')) throw new ConfigError(`${name} names no host; expected ${DATABASE_URL_FORM}`);
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    decodeURIComponent(url.pathname);
  } catch {
    throw new ConfigError(`${name} has a malformed %-escape in its user, password or database name; expected ${DATABASE_URL_FORM}`);
  }
  return value;
}

/** `auto` (default), or true/false. */
function parsePreparedStatements(value: string | undefined): boolean | 'auto' {
  if (value === undefined || /^auto$/i.test(value)) return 'auto';
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`DB_PREPARED_STATEMENTS must be auto, true or false; got "${value}"`);
}

/** A port, 0 (any free one) or `off`. */
function parseMetricsPort(value: string | undefined): number | undefined {
  if (value !== undefined && /^(off|false|no|none|disabled)$/i.test(value)) return undefined;
  return parseInteger(value ?? '9464', 'METRICS_PORT (or off)', 0, 65535);
}

export const SANDBOX_ORIGIN = 'https://studio.apollographql.com';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  const production = nodeEnv === 'production';
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const listed = (get('CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const databaseUrl = checkDatabaseUrl(get('DATABASE_URL'));
  const databaseMigrationUrl = checkDatabaseUrl(get('DATABASE_MIGRATION_URL'), 'DATABASE_MIGRATION_URL');
  if (databaseMigrationUrl && !databaseUrl) throw new ConfigError('DATABASE_MIGRATION_URL is set but DATABASE_URL is not: set DATABASE_URL too, or neither (the embedded database)');
  const introspection = get('GRAPHQL_INTROSPECTION');
  const port = parseInteger(get('PORT') ?? '4000', 'PORT', 0, 65535);
  const host = get('HOST') ?? (production ? '0.0.0.0' : '127.0.0.1');
  const smtpUrl = get('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/\s]+/i.test(smtpUrl)) throw new ConfigError(`SMTP_URL must be an smtp:// or smtps:// URL; got "${redactUrl(smtpUrl)}"`);
  // The console transport would print every message (tokens included) to the log: never in production.
  if (production && smtpUrl === undefined) throw new ConfigError('SMTP_URL must be set when NODE_ENV=production (e.g. smtp://user:pass@mail.internal:587): without it messages would only be printed to the console');
  return {
    port,
    host,
    nodeEnv,
    production,
    logLevel: get('LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    databaseUrl,
    databaseMigrationUrl,
    dbPreparedStatements: parsePreparedStatements(get('DB_PREPARED_STATEMENTS')),
    metricsPort: parseMetricsPort(get('METRICS_PORT')),
    metricsHost: get('METRICS_HOST') ?? host,
    dataDir: path.resolve(get('DATA_DIR') ?? '.data'),
    // PGlite serves one connection at a time; on a server, start-up holds one for the migration lock.
    dbPoolMax: databaseUrl ? parseInteger(get('DB_POOL_MAX') ?? '10', 'DB_POOL_MAX', 2, 1000) : 1,
    dbConnectTimeoutMs: positive(parseDuration(get('DB_CONNECT_TIMEOUT') ?? '3s', 'DB_CONNECT_TIMEOUT'), 'DB_CONNECT_TIMEOUT'),
    dbStatementTimeoutMs: positive(parseDuration(get('DB_STATEMENT_TIMEOUT') ?? '10s', 'DB_STATEMENT_TIMEOUT'), 'DB_STATEMENT_TIMEOUT'),
    sessionTtlMs: positive(parseDuration(get('SESSION_TTL') ?? '30d', 'SESSION_TTL'), 'SESSION_TTL'),
    accountPurgeAfterMs: parseDuration(get('ACCOUNT_PURGE_AFTER') ?? '0s', 'ACCOUNT_PURGE_AFTER'),
    purgeIntervalMs: positive(parseDuration(get('PURGE_INTERVAL') ?? '30s', 'PURGE_INTERVAL'), 'PURGE_INTERVAL'),
    corsOrigins: production ? listed : [...new Set([...listed, SANDBOX_ORIGIN])],
    introspection: introspection === undefined ? !production : parseBoolean(introspection, 'GRAPHQL_INTROSPECTION'),
    trustProxy: parseTrustProxy(get('TRUST_PROXY')),
    graphqlLimits: {
      maxDepth: parseInteger(get('GRAPHQL_MAX_DEPTH') ?? '10', 'GRAPHQL_MAX_DEPTH', 1, 1000),
      maxAliases: parseInteger(get('GRAPHQL_MAX_ALIASES') ?? '15', 'GRAPHQL_MAX_ALIASES', 0, 10_000),
      maxDirectives: parseInteger(get('GRAPHQL_MAX_DIRECTIVES') ?? '50', 'GRAPHQL_MAX_DIRECTIVES', 0, 10_000),
      maxTokens: parseInteger(get('GRAPHQL_MAX_TOKENS') ?? '1000', 'GRAPHQL_MAX_TOKENS', 10, 1_000_000),
      // The whole /graphql body is at most 1 MB, so a larger document limit could never apply.
      maxDocumentBytes: parseInteger(get('GRAPHQL_MAX_DOCUMENT_BYTES') ?? '102400', 'GRAPHQL_MAX_DOCUMENT_BYTES', 100, 1024 * 1024),
    },
    rateLimits: {
      authPerEmail: parseInteger(get('RATE_LIMIT_AUTH_PER_EMAIL') ?? '10', 'RATE_LIMIT_AUTH_PER_EMAIL', 1, 1_000_000_000),
      authPerIp: parseInteger(get('RATE_LIMIT_AUTH_PER_IP') ?? '30', 'RATE_LIMIT_AUTH_PER_IP', 1, 1_000_000_000),
      authWindowMs: positive(parseDuration(get('RATE_LIMIT_AUTH_WINDOW') ?? '15m', 'RATE_LIMIT_AUTH_WINDOW'), 'RATE_LIMIT_AUTH_WINDOW'),
      requests: parseInteger(get('RATE_LIMIT_REQUESTS') ?? '600', 'RATE_LIMIT_REQUESTS', 1, 1_000_000_000),
      requestsWindowMs: positive(parseDuration(get('RATE_LIMIT_WINDOW') ?? '1m', 'RATE_LIMIT_WINDOW'), 'RATE_LIMIT_WINDOW'),
    },
    redisUrl: get('REDIS_URL'),
    redisKeyPrefix: get('REDIS_KEY_PREFIX') ?? 'pgw:rl:',
    mail: {
      smtpUrl,
      from: get('MAIL_FROM') ?? 'profile-gateway <no-reply@localhost>',
      publicUrl: parsePublicUrl(get('PUBLIC_URL') ?? `http://127.0.0.1:${port}`),
    },
    emailsPerUser: parseInteger(get('EMAILS_PER_USER') ?? '10', 'EMAILS_PER_USER', 1, 100),
    emailVerificationTtlMs: positive(parseDuration(get('EMAIL_VERIFICATION_TTL') ?? '24h', 'EMAIL_VERIFICATION_TTL'), 'EMAIL_VERIFICATION_TTL'),
    passwordResetTtlMs: positive(parseDuration(get('PASSWORD_RESET_TTL') ?? '1h', 'PASSWORD_RESET_TTL'), 'PASSWORD_RESET_TTL'),
  };
}

/** An absolute http(s) URL, kept without a trailing slash. */
function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http:// or https:// URL; got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`PUBLIC_URL must be an http:// or https:// URL; got "${value}"`);
  return url.href.replace(/\/+$/, '');
}

/** A URL as it may be shown in an error: without its password. */
function redactUrl(value: string): string {
  return value.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/, '$1***@');
}
