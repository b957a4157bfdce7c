#!/usr/bin/env node
// qgate-manage: operator commands on the catalog (apply a catalog file, show pools and flavors).

import { readFile } from 'node:fs/promises';
import { applyCatalog, parseCatalogDocument } from '../catalog/apply';
import { PoolCatalog } from '../catalog/catalog';
import { openCatalogStore } from '../catalog/bootstrap';
import { type ConfigError, loadConfig } from '../config/load';
import { redactUri } from '../core/redact';
import { createDriver } from '../drivers/factory';

const USAGE = `usage: qgate-manage catalog apply FILE [--dry-run]
       qgate-manage catalog show

Works on the management store of the configuration (QGATE_CONFIG, QGATE_* variables):
catalog.management_store_uri, or store.uri when that is empty.`;

/** Where output goes (tests capture it). */
export interface ManageOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command; resolves with the exit code (0 ok, 1 failed, 2 bad usage). */
export async function runManage(
  args: string[],
  env: NodeJS.ProcessEnv,
  io: ManageOutput = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
): Promise<number> {
  const [group, command, ...rest] = args;
  const dryRun = rest.includes('--dry-run');
  const file = rest.find((a) => !a.startsWith('--'));
  if (group !== 'catalog' || !['apply', 'show'].includes(command) || (command === 'apply' && !file)) {
    io.err(USAGE);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    io.err(`qgate-manage: ${(err as ConfigError).message}`);
    return 1;
  }
  const uri = config.catalog.management_store_uri || config.store.uri;
  if (uri.startsWith('memory:')) {
    io.err(
      `qgate-manage: the management store is ${uri} (inside each gateway process); a separate command cannot ` +
        'change it. Set catalog.file to apply a catalog at start, or use a Redis management store.',
    );
    if (command === 'apply' && !dryRun) return 1;
  }
  const storeOptions = { timeoutMs: config.store.timeout_ms, gcIntervalMs: 0 };
  const catalog = new PoolCatalog({
    store: openCatalogStore(uri, config.store.timeout_ms),
    driverFactory: (poolUri) => createDriver(poolUri, storeOptions),
    cacheSize: 1,
    cacheTtlMs: 1,
  });
  try {
    if (command === 'show') {
      for (const pool of await catalog.store.allPools()) {
        const queues = await catalog.store.countQueuesInPool(pool.name);
        io.out(
          `pool ${pool.name}: ${redactUri(pool.uri)} weight ${pool.weight} flavor ${pool.flavor ?? 'none'} queues ${queues}`,
        );
      }
      for (const flavor of await catalog.store.listFlavors({ limit: Number.MAX_SAFE_INTEGER })) {
        io.out(`flavor ${flavor.name}`);
      }
      return 0;
    }
    const doc = parseCatalogDocument(JSON.parse(await readFile(file as string, 'utf8')));
    const changes = await applyCatalog(catalog, doc, dryRun);
    for (const change of changes) io.out(dryRun ? `would change ${change}` : `changed ${change}`);
    if (changes.length === 0) io.out('catalog is up to date: nothing to change');
    return 0;
  } catch (err) {
    io.err(`qgate-manage: ${(err as Error).message}`);
    return 1;
  } finally {
    await catalog.close();
  }
}

if (require.main === module) {
  void runManage(process.argv.slice(2), process.env).then((code) => process.exit(code));
}
