// The MongoDB management store: pools, flavors and queue placements kept in one MongoDB deployment.
//
// Collections (in the URI's database, default "qgate"; named apart from a pool's, so one database can hold both):
//   catalog_pools       {_id: pool name, uri, weight, flavor, o: options JSON}
//   catalog_flavors     {_id: flavor name, k: capabilities JSON}
//   catalog_placements  {_id: JSON [project, queue], p: project, pool, flavor}; indexes (p) and (pool)
// A placement is registered insert-if-absent by one upsert on its _id ($setOnInsert): the first one holds and every
// caller gets it back. There is no per-pool counter to keep in step: countQueuesInPool and countPlacements count the
// placements themselves (countDocuments on an index), so they are right whatever crashed when.
// Options and capabilities are JSON text, so any JSON document round-trips ($-prefixed or dotted keys too).

import { type Collection, MongoClient, MongoError } from 'mongodb';
import { BadRequest, ServiceUnavailable } from '../core/errors';
import { isDuplicateKey, isUnavailable } from '../drivers/mongo/errors';
import { clientOptions, parseMongoUri } from '../drivers/mongo/uri';
import type { JsonObject } from '../core/types';
import type { CatalogPage, CatalogStore, FlavorRecord, Placement, PoolRecord } from './types';

interface PoolDoc {
  _id: string;
  uri: string;
  weight: number;
  flavor: string | null;
  o: string;
}

interface FlavorDoc {
  _id: string;
  k: string;
}

interface PlacementDoc {
  _id: string;
  p: string;
  pool: string;
  flavor: string | null;
}

/** The collection names of the catalog. */
export const CATALOG_COLLECTIONS = {
  pools: 'catalog_pools',
  flavors: 'catalog_flavors',
  placements: 'catalog_placements',
} as const;

const toPool = (d: PoolDoc): PoolRecord => ({
  name: d._id,
  uri: d.uri,
  weight: d.weight,
  flavor: d.flavor,
  options: JSON.parse(d.o) as JsonObject,
});
const toFlavor = (d: FlavorDoc): FlavorRecord => ({ name: d._id, capabilities: JSON.parse(d.k) as JsonObject });
const placementKey = (project: string, queue: string) => JSON.stringify([project, queue]);

/** The catalog in a MongoDB deployment (mongodb:// or mongodb+srv://; writes {w: majority, j: true} by default). */
export class MongoCatalogStore implements CatalogStore {
  readonly kind = 'mongodb';
  private readonly client: MongoClient;
  private readonly pools: Collection<PoolDoc>;
  private readonly flavors: Collection<FlavorDoc>;
  private readonly placements: Collection<PlacementDoc>;
  private preparing?: Promise<void>;

  /** Connects lazily: a deployment that is down fails calls with 503 until it answers. A bad URI is a BadRequest. */
  constructor(uri: string, options: { timeoutMs: number }) {
    try {
      const target = parseMongoUri(uri);
      this.client = new MongoClient(uri, clientOptions(target, options.timeoutMs));
      const db = this.client.db(target.database);
      this.pools = db.collection<PoolDoc>(CATALOG_COLLECTIONS.pools);
      this.flavors = db.collection<FlavorDoc>(CATALOG_COLLECTIONS.flavors);
      this.placements = db.collection<PlacementDoc>(CATALOG_COLLECTIONS.placements);
    } catch (err) {
      throw new BadRequest(`The MongoDB URI is not valid: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async getPool(name: string): Promise<PoolRecord | undefined> {
    const doc = await this.run(() => this.pools.findOne({ _id: name }));
    return doc ? toPool(doc) : undefined;
  }

  async listPools({ marker, limit }: CatalogPage): Promise<PoolRecord[]> {
    if (limit <= 0) return [];
    const filter = marker === undefined ? {} : { _id: { $gt: marker } };
    const docs = await this.run(() => this.pools.find(filter).sort({ _id: 1 }).limit(limit).toArray());
    return docs.map(toPool);
  }

  async allPools(): Promise<PoolRecord[]> {
    return (await this.run(() => this.pools.find().sort({ _id: 1 }).toArray())).map(toPool);
  }

  async putPool(pool: PoolRecord): Promise<void> {
    const doc = { uri: pool.uri, weight: pool.weight, flavor: pool.flavor, o: JSON.stringify(pool.options) };
    await this.run(() => this.pools.replaceOne({ _id: pool.name }, doc, { upsert: true }));
  }

  async deletePool(name: string): Promise<void> {
    await this.run(() => this.pools.deleteOne({ _id: name }));
  }

  async getFlavor(name: string): Promise<FlavorRecord | undefined> {
    const doc = await this.run(() => this.flavors.findOne({ _id: name }));
    return doc ? toFlavor(doc) : undefined;
  }

  async listFlavors({ marker, limit }: CatalogPage): Promise<FlavorRecord[]> {
    if (limit <= 0) return [];
    const filter = marker === undefined ? {} : { _id: { $gt: marker } };
    const docs = await this.run(() => this.flavors.find(filter).sort({ _id: 1 }).limit(limit).toArray());
    return docs.map(toFlavor);
  }

  async putFlavor(flavor: FlavorRecord): Promise<void> {
    const doc = { k: JSON.stringify(flavor.capabilities) };
    await this.run(() => this.flavors.replaceOne({ _id: flavor.name }, doc, { upsert: true }));
  }

  async deleteFlavor(name: string): Promise<void> {
    await this.run(() => this.flavors.deleteOne({ _id: name }));
  }

  async getPlacement(project: string, queue: string): Promise<Placement | undefined> {
    const doc = await this.run(() => this.placements.findOne({ _id: placementKey(project, queue) }));
    return doc ? { pool: doc.pool, flavor: doc.flavor } : undefined;
  }

  /** One upsert that writes only on insert, returning the document that holds afterwards (the first one's). */
  async insertPlacement(project: string, queue: string, placement: Placement): Promise<Placement> {
    const _id = placementKey(project, queue);
    const insert = () =>
      this.placements.findOneAndUpdate(
        { _id },
        { $setOnInsert: { p: project, pool: placement.pool, flavor: placement.flavor } },
        { upsert: true, returnDocument: 'after' },
      );
    const doc = await this.run(async () => {
      try {
        return await insert();
      } catch (err) {
        // Two upserts raced on one new _id and this one lost the insert: the winner's document exists now.
        if (!isDuplicateKey(err)) throw err;
        return insert();
      }
    });
    return doc ? { pool: doc.pool, flavor: doc.flavor } : { ...placement };
  }

  async deletePlacement(project: string, queue: string): Promise<void> {
    await this.run(() => this.placements.deleteOne({ _id: placementKey(project, queue) }));
  }

  async countPlacements(project: string): Promise<number> {
    return this.run(() => this.placements.countDocuments({ p: project }));
  }

  async countQueuesInPool(pool: string): Promise<number> {
    return this.run(() => this.placements.countDocuments({ pool }));
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  /** Connects and creates the indexes once (again after a failure: a failed first connect closes the client's topology). */
  private ready(): Promise<void> {
    if (!this.preparing) {
      this.preparing = (async () => {
        await this.client.connect();
        await this.placements.createIndexes([
          { key: { p: 1 }, name: 'project' },
          { key: { pool: 1 }, name: 'pool' },
        ]);
      })();
      this.preparing.catch(() => {
        this.preparing = undefined;
      });
    }
    return this.preparing;
  }

  /**
   * One store call. A deployment that cannot be reached or refuses the call (down, failing over, bad credentials)
   * is a 503 whose description names no address: error bodies never say where stores live.
   */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.ready();
      return await fn();
    } catch (err) {
      if (err instanceof MongoError || isUnavailable(err)) {
        throw new ServiceUnavailable("The catalog's management store is unreachable.");
      }
      throw err;
    }
  }
}
