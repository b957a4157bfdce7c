// Entry point of `npm run bench`: runs one scenario (or --all of them) against qgate and prints the figures.

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load.mjs';
import { parseOptions, SCENARIO_NAMES, USAGE, UsageError } from './options.mjs';
import { sampleProcess, sampleSelf } from './proc-stats.mjs';
import { describeMachine, markdownTable, rowsOf, verificationText } from './report.mjs';
import { QUEUES, SCENARIOS } from './scenarios.mjs';
import { startServer } from './server.mjs';
import { ZaqarClient } from './zaqar-client.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ALL_CONNECTIONS = [16, 64];

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

/** Runs one scenario at one connection count on a fresh project; returns what the report needs. */
async function runScenario(options, name, connections) {
  const scenario = SCENARIOS[name];
  const server = options.startServer ? await startServer({ store: options.store }) : undefined;
  try {
    const url = server?.url ?? options.target;
    const pid = server?.pid ?? options.pid;
    const project = `bench-${name}-${randomBytes(4).toString('hex')}`;
    const client = new ZaqarClient(url, project);
    await client.ping();
    for (const queue of QUEUES) await client.createQueue(queue);
    const run = { url, project, client, connections, duration: options.duration, prefill: options.prefill };
    const state = await scenario.setup(run);

    const gateway = pid ? await sampleProcess(pid) : undefined;
    const self = sampleSelf();
    const result = await runLoad({
      url,
      connections,
      duration: options.duration,
      connection: scenario.connection(run, state),
    });
    const benchCpu = self.stop();
    const gatewayUsage = gateway ? await gateway.stop() : undefined;

    const { failures, detail } = await scenario.verify(run, result, state);
    return {
      scenario: name,
      connections,
      counts: scenario.counts,
      result,
      gateway: gatewayUsage,
      benchCpu,
      failures,
      detail,
    };
  } finally {
    await server?.stop();
  }
}

/** The markdown of bench/RESULTS.md. */
function resultsMarkdown(machine, store, options, rows, runs) {
  return `# qgate benchmark results

Regenerate with \`npm run build && npm run bench -- --all --start-server${options.store ? ` --store ${store}` : ''}\`
(see [README.md](README.md) for what each scenario does and how to compare two servers).

- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB memory
- Node ${machine.node}; qgate at commit ${machine.commit}
- Store: \`${store}\`
- Date: ${machine.date}
- Each run: ${options.duration} s of load (secs: until the last response) on ${options.startServer ? 'a fresh gateway process and ' : ''}a fresh
  project, 4 queues, 126-byte message bodies; the benchmark client runs on the same machine and shares its cores.

${markdownTable(rows)}

msgs/s counts messages acknowledged with 201 (post), returned by listings (list), or claimed and then
deleted (claim). Latency covers every response. Gateway CPU% is of one core (200% = two cores busy); RSS is
the peak during the run. Figures on this VM drift by up to 2x between runs: compare servers with alternating
runs, never against this table alone.

## Verification

\`\`\`
${runs.map(verificationText).join('\n')}
\`\`\`
`;
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

  const runs = [];
  for (const [name, connections] of plan) {
    process.stderr.write(`bench: ${name} with ${connections} connections for ${options.duration} s…\n`);
    const run = await runScenario(options, name, connections);
    runs.push(run);
    process.stderr.write(`${verificationText(run)}\n`);
  }
  const rows = runs.flatMap(rowsOf);
  process.stdout.write(`\n${markdownTable(rows)}\n\n${runs.map(verificationText).join('\n')}\n`);

  if (options.all) {
    const store = options.startServer ? printableStore(options.store ?? 'memory:') : `the server at ${options.target}`;
    const file = options.results ?? join(HERE, 'RESULTS.md');
    await writeFile(file, resultsMarkdown(await describeMachine(), store, options, rows, runs));
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
