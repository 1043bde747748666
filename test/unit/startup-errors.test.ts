import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { DataDirInUseError } from '../../src/db/data-dir-lock.js';
import { databaseError, listenError, StartupError, startupErrorLine } from '../../src/startup-errors.js';

const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('startup errors', () => {
  it('a user’s mistake is its one line; anything else is the service’s own failure (undefined)', () => {
    expect(startupErrorLine(new ConfigError('PORT must be …'))).toBe('PORT must be …');
    expect(startupErrorLine(new DataDirInUseError('/d', 42))).toMatch(/^DATA_DIR \/d is in use by another profile-gateway process \(pid 42\)/);
    expect(startupErrorLine(new StartupError('port 1 is in use; set PORT'))).toBe('port 1 is in use; set PORT');
    expect(startupErrorLine(new TypeError('x is undefined'))).toBeUndefined();
  });

  it('listen failures name PORT or HOST', () => {
    const config = { port: 4000, host: '10.1.2.3' };
    expect(startupErrorLine(listenError(errno('EADDRINUSE'), config))).toMatch(/^port 4000 is in use; set PORT/);
    expect(startupErrorLine(listenError(errno('EACCES'), { ...config, port: 80 }))).toMatch(/^port 80 needs privileges .*; set PORT to 1024 or above$/);
    expect(startupErrorLine(listenError(errno('EADDRNOTAVAIL'), config))).toMatch(/^HOST 10\.1\.2\.3 is not an address of this machine; set HOST/);
    expect(startupErrorLine(listenError(errno('ENOTFOUND'), { ...config, host: 'nowhere' }))).toMatch(/^HOST nowhere cannot be resolved; set HOST/);
    const other = new Error('boom');
    expect(listenError(other, config)).toBe(other);
  });

  it('database failures name DATA_DIR or DATABASE_URL, never the password', async () => {
    const embedded = { databaseUrl: undefined, dataDir: '/srv/data' };
    expect(startupErrorLine(await databaseError(errno('EACCES'), embedded))).toBe(
      'DATA_DIR /srv/data cannot be used: permission denied; set DATA_DIR to a writable directory',
    );
    const server = { databaseUrl: 'postgres://app:s3cret@db.internal:6543/app', dataDir: '/unused' };
    const lines = await Promise.all(
      [
        errno('28P01', 'password authentication failed for user "app"'),
        new Error('wrapped', { cause: errno('3D000', 'database "app" does not exist') }),
        errno('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal'),
        errno('ECONNREFUSED', 'connect ECONNREFUSED'),
      ].map(async (e) => startupErrorLine(await databaseError(e, server))),
    );
    expect(lines).toEqual([
      'DATABASE_URL: password authentication failed for user "app" (at db.internal:6543); check its user and password',
      'DATABASE_URL: database "app" does not exist (at db.internal:6543); create it, or fix the database name',
      'DATABASE_URL: host db.internal cannot be resolved; check the host name',
      'DATABASE_URL: PostgreSQL at db.internal:6543 cannot be reached (ECONNREFUSED); start it, or fix the host and port',
    ]);
    for (const line of lines) expect(line).not.toContain('s3cret');
    const bug = new TypeError('x is undefined');
    expect(await databaseError(bug, server)).toBe(bug);
  });
});
