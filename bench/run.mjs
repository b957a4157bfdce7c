// Entry point of `npm run bench`: runs one scenario (or --all of them) against qgate and prints the figures.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runLoad } from './load.mjs';
import { parseOptions, SCENARIO_NAMES, USAGE, UsageError } from './options.mjs';
import { sampleProcess, sampleSelf } from './proc-stats.mjs';
import {
  abTable,
  describeMachine,
  markdownTable,
  rowsOf,
  soakSection,
  targetsSection,
  verificationText,
} from './report.mjs';
import { QUEUES, SCENARIOS } from './scenarios.mjs';
import { startServer } from './server.mjs';
import { ZaqarClient } from './zaqar-client.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ALL_CONNECTIONS = [16, 64];
/** Hand-written notes (what the profiles showed, what changed) that --all puts into RESULTS.md. */
const FINDINGS = join(HERE, 'findings.md');

/** A store URI without its credentials, fit to print. */
function printableStore(uri) {
  try {
    const url = new URL(uri);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return uri;
  }
}

/**
 * Runs one scenario at one connection count on a fresh project; returns what the report needs.
 * `store` and `root` (the checkout to run) apply with --start-server; `duration` overrides --duration.
 */
async function runScenario(options, name, connections, { store, root, duration = options.duration } = {}) {
  const scenario = SCENARIOS[name];
  const server = options.startServer ? await startServer({ store, workers: options.workers, root }) : undefined;
  try {
    const url = server?.url ?? options.target;
    const pid = server?.pid ?? options.pid;
    const project = `bench-${name}-${randomBytes(4).toString('hex')}`;
    const client = new ZaqarClient(url, project);
    await client.ping();
    for (const queue of QUEUES) await client.createQueue(queue);
    const run = { url, project, client, connections, duration, prefill: options.prefill };
    const state = await scenario.setup(run);

    const gateway = pid ? await sampleProcess(pid) : undefined;
    const self = sampleSelf();
    const result = await runLoad({ url, connections, duration, connection: scenario.connection(run, state) });
    const benchCpu = self.stop();
    const gatewayUsage = gateway ? await gateway.stop() : undefined;

    const { failures, detail } = await scenario.verify(run, result, state);
    return {
      scenario: name,
      connections,
      counts: scenario.counts,
      result,
      gateway: gatewayUsage,
      workers: server?.workers,
      benchCpu,
      failures,
      detail,
    };
  } finally {
    await server?.stop();
  }
}

/** Logs and runs one scenario. */
async function logged(options, name, connections, extra = {}) {
  const what = extra.label ? ` (${extra.label})` : '';
  const seconds = extra.duration ?? options.duration;
  process.stderr.write(`bench: ${name} with ${connections} connections for ${seconds} s${what}…\n`);
  const run = await runScenario(options, name, connections, extra);
  process.stderr.write(`${verificationText(run)}\n`);
  return run;
}

/** The command line that regenerates the file, as given. */
function commandLine(options) {
  const parts = ['npm run build && npm run bench -- --all'];
  if (options.startServer) parts.push('--start-server');
  for (const store of options.stores) parts.push(`--store ${printableStore(store)}`);
  if (options.workers) parts.push(`--workers ${options.workers}`);
  if (options.baseline) parts.push(`--baseline ${options.baseline}`, `--rounds ${options.rounds}`);
  if (options.soak) parts.push(`--soak ${options.soak}`);
  if (options.duration !== 10) parts.push(`--duration ${options.duration}`);
  if (options.prefill !== 200000) parts.push(`--prefill ${options.prefill}`);
  return parts.join(' ');
}

/** The markdown of bench/RESULTS.md. */
async function resultsMarkdown(machine, options, sections, soak, load) {
  const findings = await readFile(FINDINGS, 'utf8').catch(() => '');
  const body = sections.map((section, i) => {
    const parts = [`## Store: \`${section.store}\``, '', markdownTable(section.current.flatMap(rowsOf))];
    if (section.baseline.length) {
      parts.push(
        '',
        `### Before and after, alternating (A B A B, ${options.rounds} pair(s) per row)`,
        '',
        `Before: \`${options.baseline}\` (${section.baselineCommit}); after: this checkout. Each pair ran back to`,
        'back on fresh gateway processes; trust only a difference that shows in every pair.',
        '',
        abTable(section.pairs),
      );
    }
    if (i === 0 && options.startServer) parts.push('', targetsSection(section.current));
    parts.push('', '```', section.all.map(verificationText).join('\n'), '```');
    return parts.join('\n');
  });
  return `# qgate benchmark results

Regenerate with \`${commandLine(options)}\`
(see [README.md](README.md) for what each scenario does and how to compare two servers).

- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB memory; load average ${load.before} before
  the runs, ${load.after} after (other work shared the machine: figures drift, compare only alternating pairs)
- Node ${machine.node}; qgate at commit ${machine.commit}
- Date: ${machine.date}
- Each run: ${options.duration} s of load (secs: until the last response) on ${options.startServer ? 'a fresh gateway process and ' : ''}a fresh
  project, 4 queues, 126-byte message bodies; the benchmark client runs on the same machine and shares its cores.
- Gateway CPU% and RSS cover the gateway's process and its workers (\`workers\` column: how many); 100% = one core.

${body.join('\n\n')}
${soak ? `\n${soakSection(soak)}\n` : ''}
msgs/s counts messages acknowledged with 201 (post), returned by listings (list), or claimed and then
deleted (claim). Latency covers every response. RSS is the peak of the summed processes during the run.
${findings ? `\n${findings.trim()}\n` : ''}`;
}

/** The short commit of a checkout, for the report. */
async function commitOf(root) {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
    return `commit ${stdout.trim()}`;
  } catch {
    return 'not a git checkout';
  }
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!options.pid && !options.startServer) {
    process.stderr.write('bench: no --pid or --start-server: gateway CPU% and RSS are not measured\n');
  }
  const plan = options.all
    ? SCENARIO_NAMES.flatMap((name) => ALL_CONNECTIONS.map((connections) => [name, connections]))
    : [[options.scenario, options.connections]];
  const stores = options.startServer ? (options.stores.length ? options.stores : ['memory:']) : [undefined];
  const baselineRoot = options.baseline ? resolve(options.baseline) : undefined;
  const load = { before: loadavg()[0].toFixed(2) };

  const sections = [];
  for (const [index, store] of stores.entries()) {
    const section = {
      store: store ? printableStore(store) : `the server at ${options.target}`,
      current: [],
      baseline: [],
      pairs: [],
      all: [],
      baselineCommit: baselineRoot ? await commitOf(baselineRoot) : '',
    };
    const alternate = baselineRoot && index === 0;
    for (const [name, connections] of plan) {
      for (let round = 1; round <= (alternate ? options.rounds : 1); round++) {
        let before;
        if (alternate) {
          before = await logged(options, name, connections, { store, root: baselineRoot, label: `before, ${round}` });
          section.baseline.push(before);
        }
        const after = await logged(options, name, connections, { store, label: alternate ? `after, ${round}` : '' });
        section.current.push(after);
        if (before) section.pairs.push({ before, after });
      }
    }
    section.all = [...section.baseline, ...section.current];
    sections.push(section);
  }
  let soak;
  if (options.soak) {
    soak = await logged(options, 'mixed', 16, { store: stores[0], duration: options.soak, label: 'RSS soak' });
  }
  load.after = loadavg()[0].toFixed(2);

  const runs = [...sections.flatMap((s) => s.all), ...(soak ? [soak] : [])];
  for (const section of sections) {
    process.stdout.write(`\n${section.store}\n${markdownTable(section.current.flatMap(rowsOf))}\n`);
    if (section.pairs.length) process.stdout.write(`\n${abTable(section.pairs)}\n`);
  }
  if (soak) process.stdout.write(`\n${soakSection(soak)}\n`);
  process.stdout.write(`\n${runs.map(verificationText).join('\n')}\n`);

  if (options.all) {
    const file = options.results ?? join(HERE, 'RESULTS.md');
    await writeFile(file, await resultsMarkdown(await describeMachine(), options, sections, soak, load));
    // The lint check covers bench/: leave the file as biome would format it.
    // Run from the file's own folder: biome ignores files outside the project it finds from its cwd.
    await promisify(execFile)(join(HERE, '..', 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
      cwd: dirname(resolve(file)),
    }).catch(() => {});
    process.stdout.write(`\nwrote ${file}\n`);
  }
  const failed = runs.filter((r) => r.failures.length);
  if (failed.length) process.stdout.write(`\nFAIL: verification failed for ${failed.length} run(s)\n`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Expected failures (no server, a failed start) carry their own explanation; BENCH_DEBUG=1 shows the stack.
    process.stderr.write(`bench: ${process.env.BENCH_DEBUG ? err.stack : (err.message ?? err)}\n`);
    process.exitCode = 1;
  },
);
