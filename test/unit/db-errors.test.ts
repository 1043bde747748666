import { ConnectionException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../../src/db/errors.js';
import { ValidationError } from '../../src/domain/errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('isDatabaseUnavailable', () => {
  it('recognises a database that cannot be reached, is going away or is coming back', () => {
    const unavailable = [
      withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      withCode('ECONNRESET'),
      withCode('ETIMEDOUT'),
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('08006', 'connection failure'),
      withCode('53300', 'sorry, too many clients already'),
      withCode('57014', 'canceling statement due to statement timeout'),
      withCode('25P03', 'terminating connection due to idle-in-transaction timeout'),
      named('KnexTimeoutError', 'Knex: Timeout acquiring a connection. The pool is probably full.'),
      new ConnectionException(new Error('connect ECONNREFUSED')),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout expired'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('COMMIT; - Client was closed and is not queryable'),
      new Error('Transaction query already complete, run with DEBUG=knex:tx for more info'),
      new Error('Unable to acquire a connection'),
      new Error('request failed', { cause: new Error('x', { cause: withCode('57P01') }) }),
      new DatabaseUnavailableError('schema behind'),
    ];
    for (const error of unavailable) expect(isDatabaseUnavailable(error), String(error)).toBe(true);
  });

  it('leaves every other error alone', () => {
    const others = [
      withCode('23505', 'duplicate key value violates unique constraint'),
      new UniqueConstraintViolationException(withCode('23505')),
      withCode('42P01', 'relation "users" does not exist'),
      withCode('40P01', 'deadlock detected'),
      // PgBouncer refusing a startup parameter: a misconfiguration, not an outage to wait out.
      withCode('08P01', 'unsupported startup parameter: options'),
      new Error('Cannot read properties of undefined'),
      new Error('my statement timeout expired'),
      ValidationError.field('name', 'is required'),
      'ECONNREFUSED',
      undefined,
      null,
    ];
    for (const error of others) expect(isDatabaseUnavailable(error), String(error)).toBe(false);
  });
});
