import { describe, expect, it } from 'vitest';
import { loadConfig, parseDuration, SANDBOX_ORIGIN } from '../../src/config.js';

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
    const config = loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' });
    expect(config.host).toBe('0.0.0.0');
    expect(config.introspection).toBe(false);
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
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
