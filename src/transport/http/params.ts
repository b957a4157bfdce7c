// Typed query parameters, parsed and refused the way Zaqar's web framework (falcon) does.

import type { RouteRequest } from './routes/table';
import { BadRequest } from '../../core/errors';

const TRUE = new Set(['true', 'True', 't', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'False', 'f', 'no', 'n', '0', 'off']);

/** The last value of a query parameter as a string, or undefined when absent or blank. */
export function stringParam(req: RouteRequest, name: string): string | undefined {
  const raw = req.query[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof value !== 'string' || value === '') return undefined;
  return value;
}

function invalid(name: string, why: string): BadRequest {
  return new BadRequest(`The "${name}" parameter is invalid. ${why}`, 'Invalid parameter');
}

/** An integer query parameter. */
export function intParam(req: RouteRequest, name: string): number | undefined {
  const value = stringParam(req, name);
  if (value === undefined) return undefined;
  if (!/^[-+]?\d{1,15}$/.test(value.trim())) throw invalid(name, 'The value must be an integer.');
  return Number(value);
}

/** A boolean query parameter. */
export function boolParam(req: RouteRequest, name: string): boolean | undefined {
  const value = stringParam(req, name);
  if (value === undefined) return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw invalid(name, 'The value of the parameter must be "true" or "false".');
}

/** A comma-separated (or repeated) list query parameter. */
export function listParam(req: RouteRequest, name: string): string[] | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  const items = values.flatMap((v) => v.split(',')).filter((v) => v !== '');
  return items.length > 0 ? items : undefined;
}

/** A query string of the given parameters, skipping undefined ones (for links.next). */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
