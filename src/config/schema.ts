// The convict schema: every option qgate has, with its doc, default and environment variable.

import convict from 'convict';

/** Validates a whole number within [min, max]. */
function intRange(min: number, max: number) {
  return (value: unknown): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`must be an integer between ${min} and ${max}`);
    }
  };
}

/** Declares an integer limit option. */
function limit(doc: string, def: number, env: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return { doc, format: intRange(min, max), default: def, env, arg: undefined as never };
}

/** The full schema; `loadConfig` builds a validated config from it. */
export const configSchema = {
  host: {
    doc: 'Address the HTTP API listens on.',
    format: String,
    default: '127.0.0.1',
    env: 'QGATE_HOST',
  },
  port: {
    doc: 'Port the HTTP API listens on (0 picks a free port).',
    format: 'port',
    default: 8888,
    env: 'QGATE_PORT',
  },
  admin_mode: {
    doc: 'Serve the admin API (pools, flavors) to noauth callers, as Zaqar admin_mode.',
    format: Boolean,
    default: false,
    env: 'QGATE_ADMIN_MODE',
  },
  auth_strategy: {
    doc: 'How callers are identified: noauth trusts X-Project-ID (development only).',
    format: ['noauth'],
    default: 'noauth',
    env: 'QGATE_AUTH_STRATEGY',
  },
  store: {
    uri: {
      doc: 'The default store: "memory:" is the embedded in-process store (nothing survives a restart); redis://… later.',
      format: String,
      default: 'memory:',
      env: 'QGATE_STORE_URI',
    },
    timeout_ms: {
      doc: 'How long a store call may take before the request fails with 503.',
      format: intRange(1, 600000),
      default: 2000,
      env: 'QGATE_STORE_TIMEOUT_MS',
    },
    gc_interval_ms: {
      doc: 'How often expired messages and claims are collected in the background (0 disables).',
      format: intRange(0, 3600000),
      default: 5000,
      env: 'QGATE_STORE_GC_INTERVAL_MS',
    },
  },
  log: {
    level: {
      doc: 'Log level: fatal, error, warn, info, debug, trace or silent.',
      format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      env: 'QGATE_LOG_LEVEL',
    },
    access: {
      doc: 'Log one line per HTTP request (at info).',
      format: Boolean,
      default: true,
      env: 'QGATE_LOG_ACCESS',
    },
  },
  limits: {
    max_queues_per_page: limit('Most queues one listing returns.', 20, 'QGATE_MAX_QUEUES_PER_PAGE', 1),
    max_messages_per_page: limit(
      'Most messages one listing, get-by-ids or delete-by-ids handles.',
      20,
      'QGATE_MAX_MESSAGES_PER_PAGE',
      1,
    ),
    max_messages_per_claim_or_pop: limit(
      'Most messages one claim or pop takes.',
      20,
      'QGATE_MAX_MESSAGES_PER_CLAIM_OR_POP',
      1,
    ),
    max_queue_metadata: limit('Largest queue metadata document, in bytes.', 65536, 'QGATE_MAX_QUEUE_METADATA', 1),
    max_messages_post_size: limit('Largest message post body, in bytes.', 262144, 'QGATE_MAX_MESSAGES_POST_SIZE', 1),
    min_message_ttl: limit('Shortest message TTL, in seconds (Zaqar: 60).', 60, 'QGATE_MIN_MESSAGE_TTL', 1),
    max_message_ttl: limit('Longest message TTL, in seconds.', 1209600, 'QGATE_MAX_MESSAGE_TTL', 1),
    max_message_delay: limit('Longest message delay, in seconds.', 900, 'QGATE_MAX_MESSAGE_DELAY'),
    min_claim_ttl: limit('Shortest claim TTL, in seconds (Zaqar: 60).', 60, 'QGATE_MIN_CLAIM_TTL', 1),
    max_claim_ttl: limit('Longest claim TTL, in seconds.', 43200, 'QGATE_MAX_CLAIM_TTL', 1),
    min_claim_grace: limit('Shortest claim grace, in seconds (Zaqar: 60).', 60, 'QGATE_MIN_CLAIM_GRACE'),
    max_claim_grace: limit('Longest claim grace, in seconds.', 43200, 'QGATE_MAX_CLAIM_GRACE'),
  },
  defaults: {
    message_ttl: limit(
      'Message TTL when neither the message nor the queue sets one.',
      3600,
      'QGATE_DEFAULT_MESSAGE_TTL',
      1,
    ),
    message_delay: limit(
      'Message delay when neither the message nor the queue sets one.',
      0,
      'QGATE_DEFAULT_MESSAGE_DELAY',
    ),
    claim_ttl: limit('Claim TTL when the request sets none.', 300, 'QGATE_DEFAULT_CLAIM_TTL', 1),
    claim_grace: limit('Claim grace when the request sets none.', 60, 'QGATE_DEFAULT_CLAIM_GRACE'),
  },
  client_id: {
    uuid_safe: {
      doc: 'strict: Client-ID must be a UUID; off: any string within the length bounds (Zaqar client_id_uuid_safe).',
      format: ['strict', 'off'],
      default: 'strict',
      env: 'QGATE_CLIENT_ID_UUID_SAFE',
    },
    min_length: limit('Shortest Client-ID when uuid_safe is off.', 10, 'QGATE_CLIENT_ID_MIN_LENGTH', 1),
    max_length: limit('Longest Client-ID when uuid_safe is off.', 36, 'QGATE_CLIENT_ID_MAX_LENGTH', 1),
  },
};

/** Builds an unvalidated convict config over the schema; environment variables are applied by loadConfig. */
export function newConfig() {
  return convict(configSchema, { env: {}, args: [] });
}

/** The validated configuration as plain data. */
export type QgateConfig = ReturnType<ReturnType<typeof newConfig>['getProperties']>;
