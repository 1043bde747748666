/**
 * What the bench reports: medians over the rounds, ratios to the ceiling of the same round, the
 * targets beside them, the peers' table, and bench/results/latest.json (+ a timestamped copy).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, type EmbeddedStartup, type Measurement } from './harness.js';
import { P99_MAX_RATIO, PEER_GOAL, RSS_MAX_MB, type Peer, type Scenario } from './scenarios.js';

const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

type Side = Pick<Measurement, 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'maxRssMb' | 'cpuUsPerRequest' | 'pgCpuUsPerRequest'>;

interface PeerSummary {
  id: string;
  title: string;
  side: Side;
  /** To the ceiling, as `ratio` is for the service. */
  ratio: Side;
  /** The service's req/s over this peer's, per round, then the median. */
  serviceRatio: number;
}

export interface ScenarioSummary {
  id: string;
  title: string;
  service: Side;
  ceiling: Side;
  ratio: Side;
  targets: {
    throughput: { min: number | null; pass: boolean | null };
    p99: { max: number; pass: boolean };
    rss: { maxMb: number; pass: boolean };
  };
  /** Only in the scenarios the peers ran. */
  peers?: PeerSummary[];
  runs: Measurement[];
}

const side = (list: Measurement[]): Side => ({
  reqPerSec: median(list.map((r) => r.reqPerSec)),
  p50Ms: median(list.map((r) => r.p50Ms)),
  p99Ms: median(list.map((r) => r.p99Ms)),
  maxRssMb: Math.max(...list.map((r) => r.maxRssMb)),
  cpuUsPerRequest: median(list.map((r) => r.cpuUsPerRequest)),
  pgCpuUsPerRequest: list.every((r) => r.pgCpuUsPerRequest !== null) ? median(list.map((r) => r.pgCpuUsPerRequest!)) : null,
});

/** Ratios are taken per round (each run beside the other server's run of that round), then the median. */
function ratios(runs: Measurement[], to: Measurement[]): Side {
  const paired = (key: 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'cpuUsPerRequest') => median(runs.map((s, i) => s[key] / to[i]![key]));
  const [a, b] = [side(runs), side(to)];
  return {
    reqPerSec: paired('reqPerSec'),
    p50Ms: paired('p50Ms'),
    p99Ms: paired('p99Ms'),
    maxRssMb: a.maxRssMb / b.maxRssMb,
    cpuUsPerRequest: paired('cpuUsPerRequest'),
    pgCpuUsPerRequest: a.pgCpuUsPerRequest && b.pgCpuUsPerRequest ? a.pgCpuUsPerRequest / b.pgCpuUsPerRequest : null,
  };
}

export function summarise(scenario: Scenario, runs: Measurement[], peers: Peer[]): ScenarioSummary {
  const of = (kind: string) => runs.filter((r) => r.server === kind).sort((a, b) => a.round - b.round);
  const service = of('service');
  const ceiling = of('ceiling');
  const serviceSide = side(service);
  const ratio = ratios(service, ceiling);
  const peerSummaries = peers
    .filter((peer) => of(peer.id).length > 0)
    .map((peer): PeerSummary => {
      const list = of(peer.id);
      return { id: peer.id, title: peer.title, side: side(list), ratio: ratios(list, ceiling), serviceRatio: ratios(service, list).reqPerSec };
    });
  return {
    id: scenario.id,
    title: scenario.title,
    service: serviceSide,
    ceiling: side(ceiling),
    ratio,
    targets: {
      throughput: {
        min: scenario.minThroughputRatio,
        pass: scenario.minThroughputRatio === null ? null : ratio.reqPerSec >= scenario.minThroughputRatio,
      },
      p99: { max: P99_MAX_RATIO, pass: ratio.p99Ms <= P99_MAX_RATIO },
      rss: { maxMb: RSS_MAX_MB, pass: serviceSide.maxRssMb <= RSS_MAX_MB },
    },
    ...(peerSummaries.length ? { peers: peerSummaries } : {}),
    runs,
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (pass: boolean | null) => (pass === null ? '—' : pass ? 'pass' : 'FAIL');

function markdown(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The service against the ceiling, every scenario. */
export function table(summaries: ScenarioSummary[]): string {
  const header = [
    'scenario',
    'req/s service (ceiling)',
    'ratio',
    'target',
    'p50 ms (ceiling)',
    'p99 ms (ceiling)',
    'p99 ratio ≤ 2',
    'max RSS MB (ceiling)',
    'RSS ≤ 150 MB',
    'node CPU µs/req (ceiling)',
    'PG CPU µs/req (ceiling)',
  ];
  const rows = summaries.map((s) => [
    s.id,
    `${fmt(s.service.reqPerSec)} (${fmt(s.ceiling.reqPerSec)})`,
    fmt(s.ratio.reqPerSec, 2),
    s.targets.throughput.min === null ? '—' : `≥ ${fmt(s.targets.throughput.min, 2)} ${verdict(s.targets.throughput.pass)}`,
    `${fmt(s.service.p50Ms)} (${fmt(s.ceiling.p50Ms)})`,
    `${fmt(s.service.p99Ms)} (${fmt(s.ceiling.p99Ms)})`,
    `${fmt(s.ratio.p99Ms, 2)} ${verdict(s.targets.p99.pass)}`,
    `${fmt(s.service.maxRssMb)} (${fmt(s.ceiling.maxRssMb)})`,
    verdict(s.targets.rss.pass),
    `${fmt(s.service.cpuUsPerRequest)} (${fmt(s.ceiling.cpuUsPerRequest)})`,
    s.service.pgCpuUsPerRequest === null || s.ceiling.pgCpuUsPerRequest === null
      ? '—'
      : `${fmt(s.service.pgCpuUsPerRequest)} (${fmt(s.ceiling.pgCpuUsPerRequest)})`,
  ]);
  return markdown(header, rows);
}

/**
 * The peers beside the service in the scenarios they ran: req/s as a share of the same round's
 * ceiling, node CPU per request and p99; then the service's req/s as a share of each peer's.
 * Null when no scenario ran the peers.
 */
export function peersTable(summaries: ScenarioSummary[]): string | null {
  const withPeers = summaries.filter((s) => s.peers?.length);
  if (withPeers.length === 0) return null;
  const header = ['server', ...withPeers.flatMap((s) => [`${s.id} / ceiling`, 'node CPU µs/req', 'p99 ms'])];
  const row = (label: string, pick: (s: ScenarioSummary) => { side: Side; ratio: number | null }): string[] => [
    label,
    ...withPeers.flatMap((s) => {
      const { side: x, ratio } = pick(s);
      return [ratio === null ? `1.00 (${fmt(x.reqPerSec)} req/s)` : fmt(ratio, 2), fmt(x.cpuUsPerRequest), fmt(x.p99Ms)];
    }),
  ];
  const peers = withPeers[0]!.peers!;
  const rows = [
    row('ceiling: node:http + pg', (s) => ({ side: s.ceiling, ratio: null })),
    ...peers.map((peer) =>
      row(peer.title, (s) => {
        const p = s.peers!.find((x) => x.id === peer.id)!;
        return { side: p.side, ratio: p.ratio.reqPerSec };
      }),
    ),
    row('profile-gateway', (s) => ({ side: s.service, ratio: s.ratio.reqPerSec })),
  ];
  const shares = peers.map((peer) => {
    const parts = withPeers.map((s) => `${s.id} ${fmt(s.peers!.find((x) => x.id === peer.id)!.serviceRatio, 2)}`);
    const goal = PEER_GOAL.peer === peer.id ? peerGoal(withPeers) : '';
    return `profile-gateway's req/s as a share of ${peer.title}'s: ${parts.join(', ')}${goal}`;
  });
  return `${markdown(header, rows)}\n\n${shares.join('\n')}`;
}

function peerGoal(summaries: ScenarioSummary[]): string {
  const s = summaries.find((x) => x.id === PEER_GOAL.scenario);
  const share = s?.peers?.find((x) => x.id === PEER_GOAL.peer)?.serviceRatio;
  if (share === undefined) return '';
  return ` (goal on ${PEER_GOAL.scenario}: ≥ ${fmt(PEER_GOAL.min, 2)} ${verdict(share >= PEER_GOAL.min)})`;
}

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  postgres: string;
}

export function machine(): Machine {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return { nproc: os.availableParallelism(), cpu, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: '' };
}

/** The commit measured; says so when src/ differs from it. */
function commit(): string | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src') ? ' + uncommitted changes in src/' : '');
  } catch {
    return null;
  }
}

export interface Report {
  machine: Machine & { loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  settings: Record<string, unknown>;
  idleRssMb: Record<string, number>;
  wallSeconds: number;
  loadSeconds: number;
  scenarios: ScenarioSummary[];
  embeddedStartup: EmbeddedStartup | null;
}

/** Writes bench/results/latest.json and a timestamped copy; returns the copy's name. */
export function writeReport(report: Report): string {
  const date = new Date().toISOString();
  const json = `${JSON.stringify({ date, commit: commit(), ...report }, null, 2)}\n`;
  const stamp = date.replace(/[:.]/g, '-');
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${stamp}.json`), json);
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), json);
  return `${stamp}.json`;
}
