import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration, readDotEnv, SANDBOX_ORIGIN } from '../../src/config.js';

describe('config', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      production: false,
      databaseUrl: undefined,
      dbPoolMax: 1,
      sessionTtlMs: 30 * 86_400_000,
      accountPurgeAfterMs: 0,
      introspection: true,
      corsOrigins: [SANDBOX_ORIGIN],
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('locks down production', () => {
    const config = loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.internal:587', CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' });
    expect(config.host).toBe('0.0.0.0');
    expect(config.introspection).toBe(false);
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    expect(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.internal:587', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it('refuses production without SMTP_URL: messages would only be printed', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^SMTP_URL must be set when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtps://u:p@mail.internal' }).mail.smtpUrl).toBe('smtps://u:p@mail.internal');
    expect(loadConfig({}).mail.smtpUrl).toBeUndefined();
  });

  it('uses a real pool with DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x@h/db' }).dbPoolMax).toBe(10);
    expect(loadConfig({ DATABASE_URL: 'postgres://x@h/db', DB_POOL_MAX: '3' }).dbPoolMax).toBe(3);
  });

  it('bounds database waits: 3 s to connect or get a pooled connection, 10 s per statement', () => {
    expect(loadConfig({})).toMatchObject({ dbConnectTimeoutMs: 3_000, dbStatementTimeoutMs: 10_000 });
    expect(loadConfig({ DB_CONNECT_TIMEOUT: '1500ms', DB_STATEMENT_TIMEOUT: '30s' })).toMatchObject({
      dbConnectTimeoutMs: 1_500,
      dbStatementTimeoutMs: 30_000,
    });
    expect(() => loadConfig({ DB_CONNECT_TIMEOUT: '0s' })).toThrow(/DB_CONNECT_TIMEOUT/);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT: 'never' })).toThrow(/DB_STATEMENT_TIMEOUT/);
  });

  it('parses durations', () => {
    expect(parseDuration('30d', 'X')).toBe(2_592_000_000);
    expect(parseDuration('12h', 'X')).toBe(43_200_000);
    expect(parseDuration('15m', 'X')).toBe(900_000);
    expect(parseDuration('0s', 'X')).toBe(0);
    expect(parseDuration('500ms', 'X')).toBe(500);
    expect(parseDuration('45', 'X')).toBe(45_000);
  });

  it('refuses bad values with the variable named', () => {
    expect(() => loadConfig({ SESSION_TTL: 'forever' })).toThrow(/SESSION_TTL/);
    expect(() => loadConfig({ SESSION_TTL: '0s' })).toThrow(/SESSION_TTL/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: '-1' })).toThrow(/PORT/);
    expect(() => loadConfig({ GRAPHQL_INTROSPECTION: 'maybe' })).toThrow(/GRAPHQL_INTROSPECTION/);
    expect(() => loadConfig({ ACCOUNT_PURGE_AFTER: '-5s' })).toThrow(/ACCOUNT_PURGE_AFTER/);
  });
});

describe('hardening configuration', () => {
  it('defaults to API.md’s GraphQL limits and production-sane rate limits, in memory, no proxy trusted', () => {
    const config = loadConfig({});
    expect(config.graphqlLimits).toEqual({ maxDepth: 10, maxAliases: 15, maxDirectives: 50, maxTokens: 1000, maxDocumentBytes: 102_400 });
    expect(config.rateLimits).toEqual({ authPerEmail: 10, authPerIp: 30, authWindowMs: 900_000, requests: 600, requestsWindowMs: 60_000 });
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisKeyPrefix).toBe('pgw:rl:');
    expect(config.trustProxy).toBe(false);
  });

  it('reads each from the environment', () => {
    const config = loadConfig({
      GRAPHQL_MAX_DEPTH: '7',
      GRAPHQL_MAX_ALIASES: '3',
      GRAPHQL_MAX_DIRECTIVES: '5',
      GRAPHQL_MAX_TOKENS: '500',
      GRAPHQL_MAX_DOCUMENT_BYTES: '2048',
      RATE_LIMIT_AUTH_PER_EMAIL: '5',
      RATE_LIMIT_AUTH_PER_IP: '20',
      RATE_LIMIT_AUTH_WINDOW: '1h',
      RATE_LIMIT_REQUESTS: '100',
      RATE_LIMIT_WINDOW: '10s',
      REDIS_URL: 'redis://cache.internal:6379/2',
      REDIS_KEY_PREFIX: 'staging:',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
    });
    expect(config.graphqlLimits).toEqual({ maxDepth: 7, maxAliases: 3, maxDirectives: 5, maxTokens: 500, maxDocumentBytes: 2048 });
    expect(config.rateLimits).toEqual({ authPerEmail: 5, authPerIp: 20, authWindowMs: 3_600_000, requests: 100, requestsWindowMs: 10_000 });
    expect(config.redisUrl).toBe('redis://cache.internal:6379/2');
    expect(config.redisKeyPrefix).toBe('staging:');
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1']);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it('refuses values that would disable or break a limit', () => {
    expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: '0' })).toThrow(/GRAPHQL_MAX_DEPTH/);
    expect(() => loadConfig({ GRAPHQL_MAX_TOKENS: 'lots' })).toThrow(/GRAPHQL_MAX_TOKENS/);
    // The /graphql body is at most 1 MB: a bigger document limit could never apply.
    expect(() => loadConfig({ GRAPHQL_MAX_DOCUMENT_BYTES: String(2 * 1024 * 1024) })).toThrow(/GRAPHQL_MAX_DOCUMENT_BYTES/);
    expect(() => loadConfig({ RATE_LIMIT_REQUESTS: '0' })).toThrow(/RATE_LIMIT_REQUESTS/);
    expect(() => loadConfig({ RATE_LIMIT_AUTH_PER_EMAIL: '-1' })).toThrow(/RATE_LIMIT_AUTH_PER_EMAIL/);
    expect(() => loadConfig({ RATE_LIMIT_AUTH_WINDOW: '0s' })).toThrow(/RATE_LIMIT_AUTH_WINDOW/);
  });
});

describe('DATABASE_URL', () => {
  it('accepts postgres:// and postgresql:// URLs, and a Unix socket named by ?host=', () => {
    for (const url of ['postgres://app:secret@db.internal:5432/app', 'postgresql://db/app', 'postgres:///app?host=/var/run/postgresql', 'postgres://[::1]/app']) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it.each([
    ['not a URL', 'db.internal:5432/app', /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/, not "db.internal:"/],
    ['unparsable', 'postgres://h:99999/app', /^DATABASE_URL is not a valid URL; expected postgres:\/\/user:password@host:5432\/database/],
    ['another scheme', 'mysql://u:s3cret@h/app', /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/, not "mysql:"/],
    ['no host', 'postgres:///app?password=s3cret', /^DATABASE_URL names no host/],
    ['a broken %-escape', 'postgres://u:s3cret%zz@h/app', /^DATABASE_URL has a malformed %-escape/],
  ])('refuses %s with a ConfigError that never echoes the value', (_case, url, message) => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describe('many instances: DATABASE_MIGRATION_URL, DB_PREPARED_STATEMENTS, METRICS_PORT', () => {
  it('default to no migration URL, prepared statements decided by the connection, metrics on 9464', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x@h/db' });
    expect(config).toMatchObject({ databaseMigrationUrl: undefined, dbPreparedStatements: 'auto', metricsPort: 9464 });
  });

  it('read each; METRICS_PORT=off turns metrics off and 0 is any free port', () => {
    const env = { DATABASE_URL: 'postgres://app@pgbouncer:6432/db', DATABASE_MIGRATION_URL: 'postgres://app@db:5432/db' };
    expect(loadConfig(env).databaseMigrationUrl).toBe('postgres://app@db:5432/db');
    expect(loadConfig({ DB_PREPARED_STATEMENTS: 'false' }).dbPreparedStatements).toBe(false);
    expect(loadConfig({ DB_PREPARED_STATEMENTS: 'TRUE' }).dbPreparedStatements).toBe(true);
    expect(loadConfig({ DB_PREPARED_STATEMENTS: 'auto' }).dbPreparedStatements).toBe('auto');
    expect(loadConfig({ METRICS_PORT: 'off' }).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(loadConfig({ METRICS_PORT: '9100' }).metricsPort).toBe(9100);
  });

  it('METRICS_HOST defaults to HOST, whatever HOST is', () => {
    expect(loadConfig({}).metricsHost).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '10.0.0.5' }).metricsHost).toBe('10.0.0.5');
    expect(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.internal:587' }).metricsHost).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.internal:587', METRICS_HOST: '10.0.0.5' })).toMatchObject({ host: '0.0.0.0', metricsHost: '10.0.0.5' });
  });

  it.each([
    [{ DB_PREPARED_STATEMENTS: 'sometimes' }, /^DB_PREPARED_STATEMENTS must be auto, true or false; got "sometimes"$/],
    [{ METRICS_PORT: 'nine' }, /^METRICS_PORT \(or off\) must be a whole number from 0 to 65535; got "nine"$/],
    [{ METRICS_PORT: '70000' }, /^METRICS_PORT \(or off\) must be a whole number/],
    [{ DATABASE_URL: 'postgres://h/db', DATABASE_MIGRATION_URL: 'mysql://u:s3cret@h/db' }, /^DATABASE_MIGRATION_URL must start with postgres:\/\/ or postgresql:\/\/, not "mysql:"/],
    [{ DATABASE_MIGRATION_URL: 'postgres://h/db' }, /^DATABASE_MIGRATION_URL is set but DATABASE_URL is not/],
  ])('refuse %j with the variable named', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).not.toThrow(/s3cret/);
  });
});

describe('readDotEnv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pgw-dotenv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds what the file sets and the environment does not; a variable already set, even empty, wins', async () => {
    const file = path.join(dir, 'a.env');
    await writeFile(file, '# comment\nPORT=4100\nDATA_DIR=from-file\nexport LOG_LEVEL=debug\nCORS_ORIGINS="https://a.example, https://b.example"\nHOST=0.0.0.0\n');
    const env: NodeJS.ProcessEnv = { PORT: '4200', HOST: '' };
    readDotEnv(file, env);
    expect(env).toEqual({
      PORT: '4200',
      HOST: '',
      DATA_DIR: 'from-file',
      LOG_LEVEL: 'debug',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
  });

  it('does nothing when the file is missing', () => {
    const env: NodeJS.ProcessEnv = { PORT: '1' };
    readDotEnv(path.join(dir, 'missing.env'), env);
    expect(env).toEqual({ PORT: '1' });
  });

  it('a .env that cannot be read is a ConfigError naming it', async () => {
    const notAFile = path.join(dir, 'dir.env');
    await mkdir(notAFile);
    expect(() => readDotEnv(notAFile, {})).toThrow(ConfigError);
    expect(() => readDotEnv(notAFile, {})).toThrow(/dir\.env cannot be read \(EISDIR\); fix or remove it/);
  });
});
