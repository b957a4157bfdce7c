// Builds a MongoDriver from a mongodb:// or mongodb+srv:// URI; it resolves even while the deployment is down.

import { MongoClient } from 'mongodb';
import { BadRequest } from '../../core/errors';
import { MongoDriver, type MongoDriverOptions } from './driver';
import { ensureIndexes } from './schema';
import { clientOptions, parseMongoUri } from './uri';

/**
 * Connects to the MongoDB deployment a URI names (hosts, replica set, TLS, credentials, database and options
 * as the official driver reads them; see uri.ts for the defaults qgate adds). A URI the driver cannot parse is
 * a BadRequest. An unreachable deployment is not: the driver is returned after at most `timeoutMs`, its calls
 * fail with 503 until the deployment answers, and it readies itself (topology, indexes) on the first call then.
 */
export async function createMongoDriver(uri: string, options: MongoDriverOptions): Promise<MongoDriver> {
  let client: MongoClient;
  let target: ReturnType<typeof parseMongoUri>;
  try {
    target = parseMongoUri(uri);
    client = new MongoClient(uri, clientOptions(target, options.timeoutMs));
  } catch (err) {
    throw new BadRequest(`The MongoDB URI is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
  const driver = new MongoDriver(client, target, options, prepareDeployment);
  await driver.ready().catch(() => undefined);
  return driver;
}

/**
 * Connects, asks the deployment what it is (transactions need a replica set or a sharded cluster; a standalone server
 * gets the conditional updates alone) and creates the indexes.
 */
async function prepareDeployment(driver: MongoDriver): Promise<void> {
  // A first connection that fails closes the client's topology for good; connect() opens a new one. Once
  // connected, the client's monitors reconnect by themselves.
  await driver.client.connect();
  const hello = await driver.client.db('admin').command({ hello: 1 });
  driver.transactions = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
  await ensureIndexes(driver.collections);
}
