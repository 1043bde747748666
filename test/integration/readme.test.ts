/**
 * The README runs as pasted. Every ```sh block of README.md (```shell ones are shown only) runs
 * in order, as one bash script (curl and node only), against the service started as `npm start`
 * starts it, on a fresh database, with its port in place of 4000. Each `curl` command in those
 * blocks ends with `# → NNN`, the status it answers; the test records every curl's status and
 * compares. So a README change by anyone stays checked: a new ```sh block runs too, a curl
 * without its expected status fails with a message saying what to add. The ```graphql operations
 * are validated against the schema.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kind, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers.js';
import { PROCESS_TEST_TIMEOUT_MS, root, startService, type ServiceProcess } from '../service-process.js';

interface Block {
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i]!); i += 1) body.push(lines[i]!);
    blocks.push({ lang: open[1]!, line: start + 1, code: body.join('\n') });
  }
  return blocks;
}

interface CurlCall {
  line: number;
  command: string;
  expected: number | undefined;
}

/** The curl commands of a block, in order (continuation lines joined), with their `# → NNN`. */
function curlCalls(block: Block): CurlCall[] {
  const calls: CurlCall[] = [];
  const lines = block.code.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const first = i;
    let command = lines[i]!;
    while (command.endsWith('\\') && i + 1 < lines.length) command = command.slice(0, -1) + lines[++i]!;
    const code = command.split(/\s#\s/)[0]!;
    if (/^\s*#/.test(command) || !/(^|[\s;|(])curl\s/.test(code)) continue;
    const expected = /#\s*→\s*(\d{3})\b/.exec(command)?.[1];
    calls.push({ line: block.line + 1 + first, command: command.trim(), expected: expected ? Number(expected) : undefined });
  }
  return calls;
}

const readme = await readFile(path.join(root, 'README.md'), 'utf8');
const blocks = fencedBlocks(readme);
const runnable = blocks.filter((b) => b.lang === 'sh');

describe('README.md', () => {
  it('has ```sh blocks to run, and every curl in them says the status it answers', () => {
    expect(runnable.length).toBeGreaterThan(0);
    const missing = runnable.flatMap(curlCalls).filter((call) => call.expected === undefined);
    expect(
      missing.map((call) => `README.md:${call.line}: end this curl command with "# → <status>" (or fence its block as \`\`\`shell if it is not meant to run as pasted)`),
    ).toEqual([]);
  });

  it('its GraphQL operations are valid against the schema', () => {
    const schema = buildSchema();
    const operations = blocks
      .filter((b) => b.lang === 'graphql')
      .map((b) => ({ b, document: parse(b.code) }))
      .filter(({ document }) => document.definitions.every((d) => d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION));
    expect(operations.length).toBeGreaterThan(0);
    for (const { b, document } of operations) {
      expect(validate(schema, document).map((e) => `README.md:${b.line}: ${e.message}`)).toEqual([]);
    }
  });

  describe('its ```sh blocks, run in order against a fresh start', () => {
    let work: string;
    let testDb: TestDatabase;
    let service: ServiceProcess | undefined;
    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'pgw-readme-'));
      testDb = await createTestDatabase();
      // As a newcomer runs it: default settings, from a directory of its own (its .data there).
      service = await startService(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}, undefined, { cwd: work });
    }, PROCESS_TEST_TIMEOUT_MS);
    afterAll(async () => {
      if (service) expect(await service.stop()).toBe(0);
      await testDb?.drop();
      await rm(work, { recursive: true, force: true });
    });

    it('each succeeds, and each curl answers the status the README says', { timeout: PROCESS_TEST_TIMEOUT_MS }, async () => {
      const port = service!.port;
      const headers = path.join(work, 'headers');
      const script = [
        'set -euo pipefail',
        `mkdir -p '${headers}'; echo 0 > '${headers}/count'`,
        // Records each response's status line without changing what curl prints.
        `curl() { local n; n=$(( $(cat '${headers}/count') + 1 )); echo "$n" > '${headers}/count'; command curl -D '${headers}/'"$n" "$@"; }`,
        ...runnable.map((b) => `echo '@@ README.md:${b.line}' >&2\n${b.code.replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`)}`),
      ].join('\n');
      await writeFile(path.join(work, 'readme.sh'), script);
      const bash = spawn('bash', [path.join(work, 'readme.sh')], {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: work, LANG: 'C.UTF-8' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      bash.stdout.on('data', (chunk) => (stdout += chunk));
      bash.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise((resolve) => bash.once('close', resolve));
      const lastBlock = [...stderr.matchAll(/@@ (README\.md:\d+)/g)].at(-1)?.[1];
      expect(code, `the block at ${lastBlock} failed:\n${stderr}\n--- stdout ---\n${stdout}`).toBe(0);

      const calls = runnable.flatMap(curlCalls);
      const files = (await readdir(headers)).filter((f) => /^\d+$/.test(f));
      const statuses = await Promise.all(
        files
          .map(Number)
          .sort((a, b) => a - b)
          .map(async (n) => Number(/^HTTP\/[\d.]+ (\d{3})/.exec(await readFile(path.join(headers, String(n)), 'utf8'))?.[1])),
      );
      expect(statuses.map((status, i) => `README.md:${calls[i]?.line} → ${status}`)).toEqual(
        calls.map((call) => `README.md:${call.line} → ${call.expected}`),
      );
    });
  });
});
