/**
 * `npm run bench`: the service against its physical ceiling, on a real PostgreSQL.
 *
 * Creates a fresh database, starts the service (production settings) and bench/ceiling.ts as child
 * processes, seeds users with sessions, checks both answer the same, then loads both with
 * autocannon, alternating ceiling and service runs, for each scenario and round. Prints a table of
 * medians and ratios and writes it to bench/results/. Then times the embedded (PGlite) start-up.
 * Traffic goes to 127.0.0.1 only; children are killed and the database dropped whatever happens.
 *
 * The parts: bench/harness.ts (processes, load, measurements), bench/scenarios.ts (what is sent,
 * the targets, the correctness check), bench/report.ts (table, JSON).
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, used only to
 * create and drop the bench database), BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS,
 * BENCH_CONNECTIONS, BENCH_USERS, BENCH_SCENARIOS (comma-separated ids), BENCH_EMBEDDED=0 to skip
 * the PGlite start-up timing, BENCH_TIMEOUT (seconds, hard stop), BENCH_SERVICE_NODE_ARGS and
 * BENCH_CEILING_NODE_ARGS (extra node flags for either server, e.g. --cpu-prof).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import {
  ADMIN_URL,
  cleanup,
  createDatabase,
  dropDatabase,
  embeddedStartup,
  LoadFailure,
  makeTempDir,
  measure,
  removeTempDirs,
  ROOT,
  settings,
  startCeiling,
  startService,
  stopChild,
  wasInterrupted,
  type EmbeddedStartup,
  type Measurement,
} from './harness.js';
import { fmt, machine, summarise, table, writeReport } from './report.js';
import { SCENARIOS, validate } from './scenarios.js';
import { seedUsers } from './seed.js';

async function main(): Promise<number> {
  const began = performance.now();
  const loadAtStart = os.loadavg();
  const host = machine();
  const adminHost = new URL(ADMIN_URL).hostname;
  console.log(
    `profile-gateway bench: ${settings.rounds} rounds × ${settings.durationSec} s per run (warm-up ${settings.warmupSec} s before each ` +
      `scenario's first run on each server), ${settings.connections} connections, ${fmt(settings.users)} users; ` +
      `${host.nproc} CPUs (${host.cpu}), Node ${host.node}, load average ${loadAtStart[0]!.toFixed(1)}`,
  );
  const watchdog = setTimeout(() => {
    console.error(`\nBENCH_TIMEOUT (${settings.timeoutSec} s) reached: giving up`);
    void cleanup().finally(() => process.exit(1));
  }, settings.timeoutSec * 1000);
  watchdog.unref();

  const selected = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean);
  let scenarios = selected?.length ? SCENARIOS.filter((s) => selected.includes(s.id)) : SCENARIOS;
  if (scenarios.length === 0) throw new Error(`BENCH_SCENARIOS names none of ${SCENARIOS.map((s) => s.id).join(', ')}`);

  console.log('  building the service (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });

  const database = await createDatabase();
  host.postgres = database.postgres;
  console.log(`  database ${database.name} created on ${adminHost} (PostgreSQL ${database.postgres})`);

  const service = await startService(database.url, makeTempDir('pgw-bench-'));
  const seedStart = performance.now();
  const tokens = await seedUsers(database.url, settings.users);
  console.log(`  seeded ${fmt(tokens.length)} users with sessions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const ceiling = await startCeiling(database.url);

  const rest = await validate(service, ceiling, tokens);
  scenarios = scenarios.filter((s) => rest || !s.rest);

  const runs = new Map<string, Measurement[]>(scenarios.map((s) => [s.id, []]));
  const loadStart = performance.now();
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of scenarios) {
      // Alternate which goes first, so a drift in the machine's load favours neither.
      const order = round % 2 === 1 ? [ceiling, service] : [service, ceiling];
      const line: string[] = [];
      for (const server of order) {
        if (round === 1) await measure(server, scenario, tokens, round, true, database.url);
        const m = (await measure(server, scenario, tokens, round, false, database.url))!;
        runs.get(scenario.id)!.push(m);
        line.push(`${server.kind} ${fmt(m.reqPerSec)} req/s p99 ${fmt(m.p99Ms)} ms ${fmt(m.maxRssMb)} MB`);
      }
      console.log(`  round ${round} ${scenario.id.padEnd(16)} ${line.join(' | ')}`);
    }
  }
  const loadSec = (performance.now() - loadStart) / 1000;

  const serviceExit = await stopChild(service.child);
  if (serviceExit !== 0) console.log(`  ! the service exited with ${serviceExit} on SIGTERM (expected 0)`);
  if (service.logFd !== undefined) fs.closeSync(service.logFd);
  await stopChild(ceiling.child);
  await dropDatabase();
  removeTempDirs();
  console.log(`  database ${database.name} dropped`);

  let embedded: EmbeddedStartup | null = null;
  if (settings.embedded) {
    embedded = await embeddedStartup();
    removeTempDirs();
  }

  const summaries = scenarios.map((s) => summarise(s, runs.get(s.id)!));
  const wallSec = (performance.now() - began) / 1000;
  const skipped = SCENARIOS.filter((s) => !scenarios.includes(s)).map((s) => s.id);

  console.log(`\n${table(summaries)}\n`);
  console.log(
    'Medians over the rounds; ratios are the median of each round\'s service/ceiling pair; RSS is the peak VmRSS of the server ' +
      'process over all rounds; node CPU is that process\'s own CPU time per request, PG CPU that of the PostgreSQL backends serving it.',
  );
  if (skipped.length) console.log(`Skipped: ${skipped.join(', ')}${rest ? '' : ' (no REST routes in the service yet)'}`);
  if (embedded) {
    console.log(
      `Embedded (PGlite) start-up, spawn to /readyz 200: first ${(embedded.firstMs / 1000).toFixed(1)} s (fresh DATA_DIR), ` +
        `repeat ${(embedded.repeatMs / 1000).toFixed(1)} s (same DATA_DIR).`,
    );
  }
  console.log(`RSS once ready, before any load: service ${fmt(service.idleRssMb)} MB, ceiling ${fmt(ceiling.idleRssMb)} MB.`);
  console.log(`Wall time ${fmt(wallSec)} s (load ${fmt(loadSec)} s).`);

  const written = writeReport({
    machine: { ...host, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg() },
    settings: { ...settings, scenarios: scenarios.map((s) => s.id), skipped },
    idleRssMb: { service: service.idleRssMb, ceiling: ceiling.idleRssMb },
    wallSeconds: wallSec,
    loadSeconds: loadSec,
    scenarios: summaries,
    embeddedStartup: embedded,
  });
  console.log(`Written: bench/results/latest.json and bench/results/${written}`);
  return 0;
}

main()
  .catch(async (error: unknown) => {
    if (wasInterrupted()) return 130;
    console.error(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof LoadFailure) && error instanceof Error && error.stack) console.error(error.stack);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
