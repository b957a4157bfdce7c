// Validation of the admin documents: pool and flavor bodies and names, as Zaqar's JSON schemas check them.

import { BadRequest, BadRequestBody } from './errors';
import type { JsonObject } from './types';
import { isJsonObject } from './validation';

const NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
const MAX_WEIGHT = 2 ** 32 - 1;
const POOL_FIELDS = ['weight', 'uri', 'flavor', 'options'];

/** A pool as a PUT or PATCH body describes it (PATCH: any subset). */
export interface PoolDocument {
  uri?: string;
  weight?: number;
  /** null clears the flavor (PATCH with ""). */
  flavor?: string | null;
  options?: JsonObject;
}

/** A pool or flavor name: 1 to 64 of ASCII letters, digits, underscore, period and dash. */
export function validateCatalogName(kind: 'pool' | 'flavor', name: string): string {
  if (!NAME.test(name)) {
    throw new BadRequest(
      `The format of the submitted ${kind} name is not valid: ${kind} names are 1 to 64 ASCII letters, ` +
        'digits, underscores, periods and dashes.',
    );
  }
  return name;
}

function schemaError(why: string): BadRequestBody {
  return new BadRequestBody(`Schema validation failed: ${why}`);
}

/** Checks the fields a pool body has, all optional here. */
function poolFields(doc: JsonObject): PoolDocument {
  for (const key of Object.keys(doc)) {
    if (!POOL_FIELDS.includes(key)) throw schemaError(`additional property "${key}" is not allowed.`);
  }
  const out: PoolDocument = {};
  if (Object.hasOwn(doc, 'weight')) {
    const w = doc.weight;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > MAX_WEIGHT) {
      throw schemaError(`"weight" must be an integer between 0 and ${MAX_WEIGHT}.`);
    }
    out.weight = w;
  }
  if (Object.hasOwn(doc, 'uri')) {
    const uri = doc.uri;
    if (typeof uri !== 'string' || uri.length === 0 || uri.length > 255 || !/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
      throw schemaError('"uri" must be a URI of at most 255 characters, such as redis://host:6379.');
    }
    out.uri = uri;
  }
  if (Object.hasOwn(doc, 'flavor')) {
    const flavor = doc.flavor;
    if (flavor !== null && (typeof flavor !== 'string' || flavor.length > 255)) {
      throw schemaError('"flavor" must be a string of at most 255 characters.');
    }
    out.flavor = flavor === '' || flavor === null ? null : flavor;
  }
  if (Object.hasOwn(doc, 'options')) {
    if (!isJsonObject(doc.options)) throw schemaError('"options" must be an object.');
    out.options = doc.options;
  }
  return out;
}

/** A pool PUT body: uri and weight required; flavor and options optional. */
export function validatePoolCreate(document: unknown): Required<Pick<PoolDocument, 'uri' | 'weight'>> & PoolDocument {
  if (!isJsonObject(document)) throw new BadRequestBody('Document type not supported.');
  const fields = poolFields(document);
  for (const required of ['uri', 'weight'] as const) {
    if (fields[required] === undefined) throw schemaError(`"${required}" is a required property.`);
  }
  return fields as Required<Pick<PoolDocument, 'uri' | 'weight'>> & PoolDocument;
}

/** A pool PATCH body: at least one of uri, weight, flavor, options. */
export function validatePoolPatch(document: unknown): PoolDocument {
  if (!isJsonObject(document)) throw new BadRequestBody('Document type not supported.');
  if (!POOL_FIELDS.some((f) => Object.hasOwn(document, f))) {
    throw new BadRequestBody('One of `uri`, `weight`, `flavor`, or `options` needs to be specified');
  }
  return poolFields(document);
}

/** A flavor body: `pool_list` (a non-empty list of pool names; optional on PATCH only with capabilities). */
export function validateFlavorDocument(
  document: unknown,
  mode: 'create' | 'patch',
): { poolList: string[]; capabilities?: JsonObject } {
  if (!isJsonObject(document)) throw new BadRequestBody('Document type not supported.');
  for (const key of Object.keys(document)) {
    if (key !== 'pool_list' && key !== 'capabilities') {
      throw schemaError(`additional property "${key}" is not allowed.`);
    }
  }
  if (!Object.hasOwn(document, 'pool_list')) {
    throw mode === 'create'
      ? schemaError('"pool_list" is a required property.')
      : new BadRequestBody('`pool_list` needs to be specified');
  }
  const list = document.pool_list;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
    throw schemaError('"pool_list" must be an array of pool names.');
  }
  if (list.length === 0) throw new BadRequest('A flavor needs at least one pool in "pool_list".', 'Unable to create');
  const caps = document.capabilities;
  if (caps !== undefined && !isJsonObject(caps)) throw schemaError('"capabilities" must be an object.');
  return { poolList: [...new Set(list as string[])], capabilities: caps as JsonObject | undefined };
}
