/**
 * Seeds the benchmark database with plain pg, in multi-row INSERT batches: active users with a
 * default email and one to three live sessions each (and a revoked one for every fifth user, so
 * the live-session predicates have something to exclude). Returns one token per user.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../src/domain/passwords.js';
import { generateToken, hashToken } from '../src/domain/tokens.js';

const BATCH = 1_000;
const DAY_MS = 86_400_000;

async function insert(client: pg.Client, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = row.map((value) => {
        values.push(value);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await client.query(`insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`, values);
  }
}

export async function seedUsers(databaseUrl: string, count: number): Promise<string[]> {
  // The service's own hashing, once for every user: an argon2 hash carries its parameters and
  // salt, so one is as valid as many, and nobody logs in here.
  const passwordHash = await hashPassword('bench password, never used');
  const now = new Date();
  const expires = new Date(now.getTime() + 30 * DAY_MS);
  const users: unknown[][] = [];
  const emails: unknown[][] = [];
  const sessions: unknown[][] = [];
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const n = String(i).padStart(5, '0');
    // Every optional field set on every other user, so "every field" answers carry real values.
    const full = i % 2 === 0;
    users.push([
      id,
      'active',
      `Bench User ${n}`,
      full ? `Hello, I am bench user ${n}.` : null,
      full ? `https://example.com/avatars/${n}.png` : null,
      full ? `+1415555${n.slice(-4)}` : null,
      full ? 'en-GB' : null,
      full ? 'Europe/Paris' : null,
      passwordHash,
      now,
      now,
    ]);
    emails.push([randomUUID(), id, `bench-${n}@example.com`, true, now]);
    const token = generateToken();
    tokens.push(token);
    sessions.push([randomUUID(), id, hashToken(token), now, expires, null, now]);
    for (let extra = 0; extra < i % 3; extra++) sessions.push([randomUUID(), id, hashToken(generateToken()), now, expires, null, now]);
    if (i % 5 === 0) sessions.push([randomUUID(), id, hashToken(generateToken()), now, expires, now, now]);
  }

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await insert(
      client,
      'users',
      ['id', 'status', 'name', 'bio', 'avatar_url', 'phone_number', 'locale', 'timezone', 'password_hash', 'created_at', 'updated_at'],
      users,
    );
    await insert(client, 'user_emails', ['id', 'user_id', 'address', 'is_default', 'created_at'], emails);
    await insert(client, 'sessions', ['id', 'user_id', 'token_hash', 'created_at', 'expires_at', 'revoked_at', 'last_seen_at'], sessions);
    await client.query('commit');
    // Statistics, as a database that has lived a while would have them.
    await client.query('analyze users, user_emails, sessions');
  } finally {
    await client.end();
  }
  return tokens;
}
