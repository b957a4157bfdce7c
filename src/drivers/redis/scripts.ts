// Loads the Lua scripts (scripts/*.lua, each prefixed with lib.lua and lib_outbox.lua) and defines them on a client.
//
// ioredis sends a script's full text (EVAL) the first time on each connection and its SHA (EVALSHA) after
// that, so a script costs one round trip even right after a failover to a replica that never saw it.

import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';

/**
 * Every script, by the name it is defined under; `readOnly` scripts never write. Queue scripts take a queue's
 * QUEUE_SCRIPT_KEY_COUNT keys (keys.ts); `storeWide` ones take only the delivery due index.
 */
export const SCRIPT_NAMES = {
  createQueue: { file: 'create_queue', readOnly: false },
  setMetadata: { file: 'set_metadata', readOnly: false },
  deleteQueue: { file: 'delete_queue', readOnly: false },
  postMessages: { file: 'post_messages', readOnly: false },
  listMessages: { file: 'list_messages', readOnly: true },
  getMessages: { file: 'get_messages', readOnly: true },
  deleteMessage: { file: 'delete_message', readOnly: false },
  deleteMessages: { file: 'delete_messages', readOnly: false },
  popMessages: { file: 'pop_messages', readOnly: false },
  queueStats: { file: 'queue_stats', readOnly: true },
  createClaim: { file: 'create_claim', readOnly: false },
  getClaim: { file: 'get_claim', readOnly: true },
  updateClaim: { file: 'update_claim', readOnly: false },
  deleteClaim: { file: 'delete_claim', readOnly: false },
  sweep: { file: 'sweep', readOnly: false },
  createSubscription: { file: 'create_subscription', readOnly: false },
  listSubscriptions: { file: 'list_subscriptions', readOnly: true },
  updateSubscription: { file: 'update_subscription', readOnly: false },
  deleteSubscriptions: { file: 'delete_subscriptions', readOnly: false },
  enqueueDelivery: { file: 'enqueue_delivery', readOnly: false },
  takeDeliveries: { file: 'take_deliveries', readOnly: false, storeWide: true },
  settleDelivery: { file: 'settle_delivery', readOnly: false },
} as const;

/** The helpers prepended to every script, in this order. */
const LIBRARIES = ['lib', 'lib_outbox'];

/** The name of one script. */
export type ScriptName = keyof typeof SCRIPT_NAMES;

/** How many KEYS every queue script takes (see keys.ts). */
export const QUEUE_SCRIPT_KEY_COUNT = 11;

/** A defined script as ioredis exposes it: the keys, then the arguments. */
type ScriptCall = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

// The scripts sit next to this file in the source tree. tsc does not copy .lua files into dist/, so the
// compiled driver falls back to the source tree of the same checkout (dist/drivers/redis → src/drivers/redis).
const CANDIDATE_DIRS = [join(__dirname, 'scripts'), resolve(__dirname, '../../../src/drivers/redis/scripts')];

let loaded: Promise<Record<ScriptName, string>> | undefined;

async function scriptsDir(): Promise<string> {
  for (const dir of CANDIDATE_DIRS) {
    try {
      await access(join(dir, 'lib.lua'));
      return dir;
    } catch {
      // try the next place
    }
  }
  throw new Error(`Redis driver scripts not found (looked in ${CANDIDATE_DIRS.join(', ')})`);
}

/** The source of every script (the libraries + the script), read once per process. */
export function loadScriptSources(): Promise<Record<ScriptName, string>> {
  loaded ??= (async () => {
    const dir = await scriptsDir();
    const libs = await Promise.all(LIBRARIES.map((file) => readFile(join(dir, `${file}.lua`), 'utf8')));
    const lib = libs.join('\n');
    const entries = await Promise.all(
      Object.entries(SCRIPT_NAMES).map(async ([name, { file }]) => {
        const body = await readFile(join(dir, `${file}.lua`), 'utf8');
        return [name, `${lib}\n${body}`] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<ScriptName, string>;
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/** Runs the defined scripts of one client. */
export class ScriptRunner {
  constructor(private readonly client: Redis) {}

  /** Defines every script on the client (no round trip: ioredis loads them on first use). */
  static async define(client: Redis): Promise<ScriptRunner> {
    const sources = await loadScriptSources();
    for (const [name, lua] of Object.entries(sources)) {
      const script: { readOnly: boolean; storeWide?: boolean } = SCRIPT_NAMES[name as ScriptName];
      const numberOfKeys = script.storeWide ? 1 : QUEUE_SCRIPT_KEY_COUNT;
      client.defineCommand(`qgate_${name}`, { lua, numberOfKeys, readOnly: script.readOnly });
    }
    return new ScriptRunner(client);
  }

  /** Runs one script: exactly one command on the wire. */
  run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const call = (this.client as unknown as Record<string, ScriptCall>)[`qgate_${name}`];
    return call.call(this.client, ...keys, ...args);
  }
}
