/**
 * The layers of src/ (README, "Development"): a request goes HTTP → transport (graphql/, rest/) →
 * domain → db, and each folder imports only what is below it. A rule written in a lower layer
 * then holds for both transports, and nothing reaches around the services to the database.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** What each folder may import besides itself (config.ts, a leaf, is open to all). */
const MAY_IMPORT: Record<string, string[]> = {
  db: [],
  domain: ['db'],
  jobs: ['db', 'domain', 'mail'],
  mail: [],
  http: ['db', 'domain'],
  graphql: ['db', 'domain', 'http', '__generated__'],
  rest: ['db', 'domain', 'http'],
  __generated__: ['db', 'graphql'],
  // Operator commands: the services over the database, as main.ts opens it; no transport.
  cli: ['db', 'domain', 'startup-errors.js'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Where each relative import of a file lands: a folder under src/, or a top-level file. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const targets = [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]!));
  return targets.map((target) => path.relative(SRC, target).split(path.sep)[0]!);
}

describe('layers', () => {
  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    it(`src/${folder}/ imports only ${allowed.length ? allowed.map((a) => `${a}/`).join(', ') : 'nothing above it'} (and config.ts)`, () => {
      const offending: string[] = [];
      for (const file of files(path.join(SRC, folder))) {
        for (const target of importsOf(file)) {
          if (target === folder || target === 'config.js' || allowed.includes(target)) continue;
          offending.push(`${path.relative(SRC, file)} → ${target}`);
        }
      }
      expect(offending).toEqual([]);
    });
  }
});
