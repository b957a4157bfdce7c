// MongoDB store URIs: which database, a label without credentials, and the client options qgate adds by default.

import type { MongoClientOptions } from 'mongodb';

/** The database used when the URI names none. */
export const DEFAULT_DATABASE = 'qgate';

/** What qgate reads out of a mongodb:// or mongodb+srv:// URI (the driver parses and validates the rest). */
export interface MongoTarget {
  /** The URI as given: hosts, credentials, TLS, replica set and options all reach the official driver unchanged. */
  uri: string;
  /** The database of the URI's path, or DEFAULT_DATABASE. */
  database: string;
  /** How errors and health name the store: hosts only, never credentials. */
  label: string;
  /** The URI's option names, lower-cased (options the URI sets are never overridden). */
  given: Set<string>;
}

/** Whether the URI names a MongoDB deployment. */
export function isMongoUri(uri: string): boolean {
  return /^mongodb(\+srv)?:\/\//i.test(uri);
}

/** Splits a URI into its scheme with hosts (credentials included), its database and its query string. */
export function splitMongoUri(uri: string): { prefix: string; database: string; query: string } {
  const scheme = uri.indexOf('://') + 3;
  const queryAt = uri.indexOf('?', scheme);
  const beforeQuery = queryAt < 0 ? uri : uri.slice(0, queryAt);
  const query = queryAt < 0 ? '' : uri.slice(queryAt + 1);
  const slash = beforeQuery.indexOf('/', scheme);
  const prefix = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const database = slash < 0 ? '' : decodeURIComponent(beforeQuery.slice(slash + 1));
  return { prefix, database, query };
}

/** Reads the database, a safe label and the given option names out of a MongoDB URI. */
export function parseMongoUri(uri: string): MongoTarget {
  const { prefix, database, query } = splitMongoUri(uri);
  const scheme = prefix.slice(0, prefix.indexOf('://'));
  const authority = prefix.slice(scheme.length + 3);
  const hosts = decodeURIComponent(authority.slice(authority.lastIndexOf('@') + 1));
  const given = new Set([...new URLSearchParams(query).keys()].map((k) => k.toLowerCase()));
  const label = scheme.toLowerCase() === 'mongodb+srv' ? `MongoDB cluster ${hosts} (SRV)` : `MongoDB at ${hosts}`;
  return { uri, database: database || DEFAULT_DATABASE, label, given };
}

/**
 * The options qgate passes next to the URI, each only when the URI does not set it:
 * - writeConcern {w: 'majority', journal: true}: an acknowledged post survives a primary failover. Zaqar runs
 *   with j:false; qgate chooses durability. Set `w`, `journal` or `wtimeoutMS` in the URI to choose otherwise
 *   (e.g. `?w=1&journal=false` for speed over durability).
 * - serverSelectionTimeoutMS and connectTimeoutMS = timeoutMs: an unreachable deployment fails a call within
 *   that bound (as 503) instead of the driver's 30 s.
 * - socketTimeoutMS = 5 × timeoutMs (at least 10 s): a server that accepts connections but stops answering
 *   still fails the call, while a legitimately long one (deleting a big queue) has room.
 * - appName 'qgate', so operators see who is connected.
 */
export function clientOptions(target: MongoTarget, timeoutMs: number): MongoClientOptions {
  const options: MongoClientOptions = {};
  const unset = (name: string) => !target.given.has(name.toLowerCase());
  if (unset('w') && unset('journal') && unset('wtimeoutMS')) options.writeConcern = { w: 'majority', journal: true };
  if (unset('serverSelectionTimeoutMS')) options.serverSelectionTimeoutMS = timeoutMs;
  if (unset('connectTimeoutMS')) options.connectTimeoutMS = timeoutMs;
  if (unset('socketTimeoutMS')) options.socketTimeoutMS = Math.max(timeoutMs * 5, 10_000);
  if (unset('appName')) options.appName = 'qgate';
  return options;
}
