// Turns run results into table rows, prints them, and describes the machine for bench/RESULTS.md.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import { mergeTallies } from './load.mjs';

const COLUMNS = [
  ['scenario', 'scenario'],
  ['conns', 'conns'],
  ['secs', 'secs'],
  ['msgs/s', 'msgsPerS'],
  ['msgs counted', 'counts'],
  ['req/s', 'reqPerS'],
  ['p50 ms', 'p50'],
  ['p90 ms', 'p90'],
  ['p99 ms', 'p99'],
  ['non-2xx', 'non2xx'],
  ['socket errors', 'socketErrors'],
  ['gateway CPU%', 'cpu'],
  ['gateway RSS MB', 'rss'],
  ['bench CPU%', 'benchCpu'],
  ['verify', 'verify'],
];

/** Columns holding text (left-aligned); the others hold numbers (right-aligned). */
const TEXT_COLUMNS = new Set([0, 4, 14]);

const fixed = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** One table row of a tally; `outcome` fields (CPU, RSS, verification) only go on the last row of a run. */
function row(name, connections, tally, counts, elapsedS, outcome) {
  const [p50, p90, p99] = tally.latencies.percentiles([50, 90, 99]);
  return {
    scenario: name,
    conns: String(connections),
    secs: fixed(elapsedS, 1),
    msgsPerS: counts ? fixed(tally.messages / elapsedS, 0) : '–',
    counts: counts ?? '–',
    reqPerS: fixed(tally.responses / elapsedS, 0),
    p50: fixed(p50, 2),
    p90: fixed(p90, 2),
    p99: fixed(p99, 2),
    non2xx: String(tally.non2xx),
    socketErrors: String(tally.socketErrors + tally.timeouts),
    cpu: outcome?.gateway ? fixed(outcome.gateway.cpuPercent, 0) : '',
    rss: outcome?.gateway ? fixed(outcome.gateway.rssPeakBytes / 2 ** 20, 0) : '',
    benchCpu: outcome ? fixed(outcome.benchCpu, 0) : '',
    verify: outcome ? (outcome.failures.length ? 'FAIL' : 'PASS') : '',
  };
}

/**
 * The rows of one run: one per role, and for a run with several roles (mixed) one more for all of them.
 * `run` is { scenario, connections, counts, result, gateway, benchCpu, failures }.
 */
export function rowsOf(run) {
  const tallies = [...run.result.tallies.values()];
  const { elapsedS } = run.result;
  if (tallies.length === 1) {
    return [row(run.scenario, run.connections, tallies[0], run.counts[tallies[0].role], elapsedS, run)];
  }
  const rows = tallies.map((t) => row(`${run.scenario}: ${t.role}`, t.connections, t, run.counts[t.role], elapsedS));
  rows.push(row(`${run.scenario}: all`, run.connections, mergeTallies('all', tallies), undefined, elapsedS, run));
  return rows;
}

/** A markdown table of rows (readable as plain text on a terminal too). */
export function markdownTable(rows) {
  const widths = COLUMNS.map(([title, key]) => Math.max(title.length, ...rows.map((r) => r[key].length)));
  const numeric = (i) => !TEXT_COLUMNS.has(i);
  const line = (cells, align = true) =>
    `| ${cells.map((c, i) => (align && numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [
    line(
      COLUMNS.map(([title]) => title),
      false,
    ),
    `|${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...rows.map((r) => line(COLUMNS.map(([, key]) => r[key]))),
  ].join('\n');
}

/** The verification lines of a run: PASS with what was checked, or FAIL with each failure. */
export function verificationText(run) {
  const verdict = run.failures.length ? 'FAIL' : 'PASS';
  const head = `${run.scenario} @ ${run.connections} (${run.result.elapsedS.toFixed(1)} s): ${verdict} — ${run.detail}`;
  return [head, ...run.failures.map((f) => `  - ${f}`)].join('\n');
}

/** CPU model, cores, memory, Node version, date, and the commit of the tree measured. */
export async function describeMachine() {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  let commit = 'unknown';
  try {
    const git = promisify(execFile);
    const { stdout: head } = await git('git', ['rev-parse', '--short', 'HEAD']);
    const { stdout: dirty } = await git('git', ['status', '--porcelain', '--', 'src']);
    commit = head.trim() + (dirty.trim() ? ' (with uncommitted changes in src/)' : '');
  } catch {}
  return {
    cpu: model,
    cores: os.cpus().length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
  };
}
