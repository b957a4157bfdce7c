// Loading configuration: defaults, then the QGATE_CONFIG file, then environment variables; strict validation.

import { existsSync } from 'node:fs';
import { newConfig, type QgateConfig } from './schema';

/** A configuration problem, worded as one line naming the option. */
export class ConfigError extends Error {}

/**
 * Loads and validates the configuration.
 * @param env environment to read (QGATE_* variables and QGATE_CONFIG), default process.env
 * @param overrides values set last, for tests and the CLI
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): QgateConfig {
  const config = newConfig();
  const file = env.QGATE_CONFIG;
  try {
    if (file) {
      if (!existsSync(file)) throw new ConfigError(`QGATE_CONFIG: file ${file} does not exist`);
      config.loadFile(file);
    }
    const fromEnv = envValues(env);
    config.load(fromEnv);
    config.load(overrides);
    config.validate({ allowed: 'strict' });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`invalid configuration: ${firstLine((err as Error).message)}`);
  }
  return config.getProperties();
}

/** The configured values that come from QGATE_* environment variables, nested as the schema is. */
function envValues(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // convict's own env reading is off (see newConfig) so that env is injectable and wins over the file.
  const schema = newConfig().getSchema() as unknown as { _cvtProperties: Record<string, SchemaNode> };
  walk(schema._cvtProperties, [], (path, node) => {
    if (!node.env || env[node.env] === undefined) return;
    const raw = env[node.env] as string;
    setPath(out, path, coerce(raw, node.default));
  });
  return out;
}

interface SchemaNode {
  env?: string;
  default?: unknown;
  _cvtProperties?: Record<string, SchemaNode>;
}

function walk(props: Record<string, SchemaNode>, prefix: string[], visit: (path: string[], node: SchemaNode) => void) {
  for (const [key, node] of Object.entries(props)) {
    if (node._cvtProperties) walk(node._cvtProperties, [...prefix, key], visit);
    else visit([...prefix, key], node);
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] = (node[key] as Record<string, unknown>) ?? {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Env values are strings; turn them into the type of the option's default. */
function coerce(raw: string, def: unknown): unknown {
  if (typeof def === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (typeof def === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
