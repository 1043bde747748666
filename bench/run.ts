/**
 * `npm run bench`: the service against its physical ceiling and two peers, on a real PostgreSQL.
 *
 * Creates a fresh database, migrates it as a deployment's release step would (the built
 * `npm run db:migrate`), starts the service (production settings), bench/ceiling.ts and the
 * peers (bench/peers/) as child processes, seeds users with sessions, checks all answer the same,
 * then loads each with autocannon, alternating the servers' order every round, for each scenario
 * and round (the peers only in the scenarios marked for them). Prints the tables of medians and
 * ratios and writes them to bench/results/. Then times the embedded (PGlite) start-up. Traffic
 * goes to 127.0.0.1 only; children are killed and the database dropped whatever happens.
 *
 * The parts: bench/harness.ts (processes, load, measurements), bench/scenarios.ts (what is sent,
 * the targets, the peers, the correctness check), bench/report.ts (tables, JSON).
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, used only to
 * create and drop the bench database), BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS,
 * BENCH_CONNECTIONS, BENCH_USERS, BENCH_SCENARIOS (comma-separated ids), BENCH_PEERS=0 to skip the
 * peers, BENCH_EMBEDDED=0 to skip the PGlite start-up timing, BENCH_TIMEOUT (seconds, hard stop),
 * BENCH_SERVICE_NODE_ARGS, BENCH_CEILING_NODE_ARGS and BENCH_PEER_NODE_ARGS (extra node flags for
 * those servers, e.g. --cpu-prof).
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
  startPeer,
  startService,
  stopChild,
  wasInterrupted,
  type EmbeddedStartup,
  type Measurement,
  type Server,
} from './harness.js';
import { fmt, machine, peersTable, summarise, table, writeReport } from './report.js';
import { PEERS, SCENARIOS, validate } from './scenarios.js';
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
  const peers = settings.peers && scenarios.some((s) => s.peers) ? PEERS : [];

  console.log('  building the service (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });

  const database = await createDatabase();
  host.postgres = database.postgres;
  console.log(`  database ${database.name} created on ${adminHost} (PostgreSQL ${database.postgres})`);

  // A release step, as in a deployment: the instance measured then starts on a current schema, as
  // every instance but a migrating one does (that one also holds MikroORM, ~20 MB, for its life).
  execFileSync(process.execPath, ['dist/src/db/migrate.js'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: database.url }, stdio: ['ignore', 'ignore', 'inherit'] });
  const service = await startService(database.url, makeTempDir('pgw-bench-'));
  const seedStart = performance.now();
  const tokens = await seedUsers(database.url, settings.users);
  console.log(`  seeded ${fmt(tokens.length)} users with sessions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const ceiling = await startCeiling(database.url);
  const peerServers: Server[] = [];
  for (const peer of peers) peerServers.push(await startPeer(peer, database.url));

  const rest = await validate(service, ceiling, peerServers, tokens);
  scenarios = scenarios.filter((s) => rest || !s.rest);

  const runs = new Map<string, Measurement[]>(scenarios.map((s) => [s.id, []]));
  const loadStart = performance.now();
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of scenarios) {
      // Alternate the order, so a drift in the machine's load favours none of them.
      const servers = [ceiling, service, ...(scenario.peers ? peerServers : [])];
      const order = round % 2 === 1 ? servers : servers.reverse();
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
  for (const server of [ceiling, ...peerServers]) await stopChild(server.child);
  await dropDatabase();
  removeTempDirs();
  console.log(`  database ${database.name} dropped`);

  let embedded: EmbeddedStartup | null = null;
  if (settings.embedded) {
    embedded = await embeddedStartup();
    removeTempDirs();
  }

  const summaries = scenarios.map((s) => summarise(s, runs.get(s.id)!, peers));
  const wallSec = (performance.now() - began) / 1000;
  const skipped = SCENARIOS.filter((s) => !scenarios.includes(s)).map((s) => s.id);

  console.log(`\n${table(summaries)}\n`);
  console.log(
    'Medians over the rounds; ratios are the median of each round\'s service/ceiling pair; RSS is the peak VmRSS of the server ' +
      'process over all rounds; node CPU is that process\'s own CPU time per request, PG CPU that of the PostgreSQL backends serving it.',
  );
  const beside = peersTable(summaries);
  if (beside) {
    console.log(`\nPeers (bench/peers/), same database, same statement as the ceiling, same rounds; req/s as a share of the same round's ceiling:\n`);
    console.log(`${beside}\n`);
  }
  if (skipped.length) console.log(`Skipped: ${skipped.join(', ')}${rest ? '' : ' (no REST routes in the service yet)'}`);
  if (embedded) {
    console.log(
      `Embedded (PGlite) start-up, spawn to /readyz 200: first ${(embedded.firstMs / 1000).toFixed(1)} s (fresh DATA_DIR), ` +
        `repeat ${(embedded.repeatMs / 1000).toFixed(1)} s (same DATA_DIR).`,
    );
  }
  const idle = [service, ceiling, ...peerServers].map((s) => `${s.kind} ${fmt(s.idleRssMb)} MB`).join(', ');
  console.log(`RSS once ready, before any load: ${idle}.`);
  console.log(`Wall time ${fmt(wallSec)} s (load ${fmt(loadSec)} s).`);

  const written = writeReport({
    machine: { ...host, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg() },
    settings: { ...settings, scenarios: scenarios.map((s) => s.id), skipped, peers: peers.map((p) => p.id) },
    idleRssMb: Object.fromEntries([service, ceiling, ...peerServers].map((s) => [s.kind, s.idleRssMb])),
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
