/** What every REST route checks of a body it reads. */
import { ValidationError } from '../domain/errors.js';
import { badRequest } from '../http/errors.js';

export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** Unknown keys are refused by name, so a typo never passes silently. */
export function onlyKeys<K extends string>(body: Record<string, unknown>, allowed: readonly K[]): Partial<Record<K, unknown>> {
  const unknown = Object.keys(body).filter((key) => !(allowed as readonly string[]).includes(key));
  if (unknown.length > 0) throw new ValidationError(unknown.map((field) => ({ field, message: 'is not an accepted field' })));
  return body as Partial<Record<K, unknown>>;
}
