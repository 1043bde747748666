/**
 * Validation and normalisation of user input. Pure functions: both transports call them through
 * the services, so a rule holds the same in GraphQL and REST.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ValidationError, type FieldError } from './errors.js';

// Control characters, lone surrogates, bidi overrides and isolates (API.md, "The user resource").
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;
const FORBIDDEN_IN_BIO = /[\p{Cs}\u202A-\u202E\u2066-\u2069]|(?![\n\t])\p{Cc}/u;

const codePoints = (s: string): number => [...s].length;

function requireString(value: unknown, field: string): string {
  if (value === null || value === undefined) throw ValidationError.field(field, 'is required');
  if (typeof value !== 'string') throw ValidationError.field(field, 'must be a string');
  return value;
}

export function normalizeName(value: unknown, field = 'name'): string {
  const name = requireString(value, field).normalize('NFC').trim();
  if (name === '') throw ValidationError.field(field, 'must not be empty');
  if (FORBIDDEN_IN_NAME.test(name)) {
    throw ValidationError.field(
      field,
      'must not contain control characters, unpaired surrogates or bidirectional override/isolate characters',
    );
  }
  if (codePoints(name) > 100) throw ValidationError.field(field, 'must be at most 100 characters');
  return name;
}

export function normalizeBio(value: unknown): string | null {
  if (value === null) return null;
  const bio = requireString(value, 'bio').replace(/\r\n?/g, '\n').normalize('NFC').trim();
  if (FORBIDDEN_IN_BIO.test(bio)) {
    throw ValidationError.field(
      'bio',
      'must not contain control characters other than newline and tab, unpaired surrogates or bidirectional override/isolate characters',
    );
  }
  if (codePoints(bio) > 1000) throw ValidationError.field('bio', 'must be at most 1000 characters');
  // An unset bio is null, never "".
  return bio === '' ? null : bio;
}

const MAX_URL_LENGTH = 2048;

export function normalizeAvatarUrl(value: unknown): string | null {
  if (value === null) return null;
  const raw = requireString(value, 'avatarUrl');
  const fail = (message: string) => ValidationError.field('avatarUrl', message);
  if (raw === '') throw fail('must not be empty; send null to remove the avatar');
  if (raw.length > MAX_URL_LENGTH) throw fail(`must be at most ${MAX_URL_LENGTH} characters`);
  if (/[\s\p{Cc}\p{Cs}]/u.test(raw)) throw fail('must not contain whitespace or control characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('must be an https: or http: URL');
  if (url.username !== '' || url.password !== '') throw fail('must not contain a username or password');
  // Percent-encoding can lengthen it: the limit applies to what is stored.
  if (url.href.length > MAX_URL_LENGTH) throw fail(`must be at most ${MAX_URL_LENGTH} characters`);
  return url.href;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

export function normalizeLocale(value: unknown): string | null {
  if (value === null) return null;
  const raw = requireString(value, 'locale');
  const fail = (message: string) => ValidationError.field('locale', message);
  if (raw.includes('_')) throw fail('must be a BCP 47 language tag, with hyphens (en-US), not underscores');
  let canonical: string | undefined;
  try {
    canonical = raw.length <= 35 ? Intl.getCanonicalLocales(raw)[0] : undefined;
  } catch {
    // RangeError: not a well-formed BCP 47 tag.
  }
  if (canonical === undefined || canonical.length > 35) {
    throw fail('must be a BCP 47 language tag of at most 35 characters, such as en-GB');
  }
  const language = new Intl.Locale(canonical).language;
  let known = false;
  try {
    known = languageNames.of(language) !== undefined;
  } catch {
    // `und` and the like have no language subtag DisplayNames accepts.
  }
  if (!known) throw fail(`has an unknown language "${language ?? raw}"`);
  return canonical;
}

// ICU's canonical IDs keep some names that IANA has since renamed; store the current IANA name.
const RENAMED_ZONES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

export function normalizeTimeZone(value: unknown): string | null {
  if (value === null) return null;
  const raw = requireString(value, 'timezone');
  const fail = () => ValidationError.field('timezone', 'must be an IANA time zone name, such as Europe/Paris');
  // Newer ICU/V8 accept offsets like +02:00 as time zones; only named zones are allowed here.
  if (raw.length > 64 || /^[+\-\d]/.test(raw)) throw fail();
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    throw fail();
  }
  if (/^[+\-\d]/.test(resolved)) throw fail();
  return RENAMED_ZONES[resolved] ?? resolved;
}

export function normalizePhoneNumber(value: unknown, field = 'phoneNumber'): string | null {
  if (value === null) return null;
  const raw = requireString(value, field).trim();
  const fail = (message: string) => ValidationError.field(field, message);
  // libphonenumber-js is lenient (drops trailing text, reads "ext." and "tel:"): allow only
  // digits and common separators, so nothing the user typed is silently lost.
  if (!/^\+[0-9 ().-]{1,40}$/.test(raw)) {
    throw fail('must be an international number starting with + and the country code, such as +14155552671');
  }
  const phone = parsePhoneNumberFromString(raw);
  if (!phone?.isValid()) throw fail('is not a valid phone number');
  return phone.number;
}

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function normalizeEmail(value: unknown, field = 'email'): string {
  const email = requireString(value, field).trim();
  if (email.length > 254) throw ValidationError.field(field, 'must be at most 254 characters');
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const valid =
    at > 0 &&
    local.length <= 64 &&
    EMAIL_LOCAL.test(local) &&
    domain.split('.').every((label) => HOST_LABEL.test(label));
  if (!valid) throw ValidationError.field(field, 'must be a single email address, such as ada@example.com');
  // Stored as given (API.md, "Emails"); compared and kept unique through emailKey.
  return email;
}

/** The form emails are compared and kept unique in. */
export function emailKey(email: string): string {
  return email.toLowerCase();
}

export function validatePassword(value: unknown, field = 'password'): string {
  const password = requireString(value, field);
  const length = codePoints(password);
  if (length < 8 || length > 256) throw ValidationError.field(field, 'must be 8 to 256 characters');
  // An unpaired surrogate becomes U+FFFD when encoded for hashing, so distinct passwords would collide.
  if (/\p{Cs}/u.test(password)) throw ValidationError.field(field, 'must not contain unpaired surrogates');
  return password;
}

export interface ProfilePatch {
  name?: string;
  bio?: string | null;
  avatarUrl?: string | null;
  locale?: string | null;
  timezone?: string | null;
}

const WRITABLE: { [K in keyof Required<ProfilePatch>]: (value: unknown) => ProfilePatch[K] } = {
  name: (value) => normalizeName(value),
  bio: normalizeBio,
  avatarUrl: normalizeAvatarUrl,
  locale: normalizeLocale,
  timezone: normalizeTimeZone,
};

/** Checks every key of an update and reports every offending field at once. */
export function normalizeProfilePatch(input: Record<string, unknown>): ProfilePatch {
  const patch: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(WRITABLE, key)) {
      errors.push({ field: key, message: 'is not a writable field' });
      continue;
    }
    try {
      patch[key] = WRITABLE[key as keyof ProfilePatch](input[key]);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...error.errors);
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return patch as ProfilePatch;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID (an id from a path is checked before it reaches a uuid column). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
