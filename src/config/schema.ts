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
  workers: {
    doc:
      'Gateway processes sharing the port (node:cluster); 0 (the default): one per core; 1: no cluster. ' +
      'The embedded memory: store (or a memory: catalog) is per process, so with it qgate runs one process.',
    format: intRange(0, 256),
    default: 0,
    env: 'QGATE_WORKERS',
  },
  admin_mode: {
    doc: 'Serve the admin API (pools, flavors) to noauth callers, as Zaqar admin_mode.',
    format: Boolean,
    default: false,
    env: 'QGATE_ADMIN_MODE',
  },
  auth_strategy: {
    doc: 'How callers are identified: noauth trusts X-Project-ID (development only); keystone validates X-Auth-Token.',
    format: ['noauth', 'keystone'],
    default: 'noauth',
    env: 'QGATE_AUTH_STRATEGY',
  },
  keystone: {
    url: {
      doc: 'Keystone v3 URL the tokens are validated against, e.g. http://127.0.0.1:5000/v3.',
      format: String,
      default: '',
      env: 'QGATE_KEYSTONE_URL',
    },
    username: { doc: "The gateway's service user.", format: String, default: '', env: 'QGATE_KEYSTONE_USERNAME' },
    password: {
      doc: "The service user's password.",
      format: String,
      default: '',
      env: 'QGATE_KEYSTONE_PASSWORD',
      sensitive: true,
    },
    project: { doc: "The service user's project.", format: String, default: '', env: 'QGATE_KEYSTONE_PROJECT' },
    user_domain: {
      doc: "The service user's domain name.",
      format: String,
      default: 'Default',
      env: 'QGATE_KEYSTONE_USER_DOMAIN',
    },
    project_domain: {
      doc: "The service project's domain name.",
      format: String,
      default: 'Default',
      env: 'QGATE_KEYSTONE_PROJECT_DOMAIN',
    },
    token_cache_seconds: limit(
      'Longest a validated token is trusted without asking Keystone again (a revoked token is refused at most this late).',
      300,
      'QGATE_KEYSTONE_TOKEN_CACHE_SECONDS',
    ),
    token_cache_size: limit('Most validated tokens cached.', 10000, 'QGATE_KEYSTONE_TOKEN_CACHE_SIZE', 1),
    timeout_ms: limit('How long one call to Keystone may take, in ms.', 3000, 'QGATE_KEYSTONE_TIMEOUT_MS', 1),
  },
  policy: {
    file: {
      doc: 'RBAC policy file (rules by Zaqar operation name); empty: the shipped etc/policy.json.',
      format: String,
      default: '',
      env: 'QGATE_POLICY_FILE',
    },
  },
  signed_url: {
    secret_key: {
      doc: 'Key of the HMAC-SHA256 pre-signed URLs (POST /v2/queues/{name}/share); empty disables them.',
      format: String,
      default: '',
      env: 'QGATE_SIGNED_URL_SECRET_KEY',
      sensitive: true,
    },
  },
  notification: {
    require_confirmation: {
      doc: 'Whether http(s) and mailto subscribers must confirm (signed confirm URL) before they get notifications.',
      format: Boolean,
      default: false,
      env: 'QGATE_NOTIFICATION_REQUIRE_CONFIRMATION',
    },
    external_confirmation_url: {
      doc: 'The page a confirmation email links to (the signature and paths are added as query parameters).',
      format: String,
      default: '',
      env: 'QGATE_NOTIFICATION_EXTERNAL_CONFIRMATION_URL',
    },
    public_url: {
      doc: 'The public base URL of the API, used in confirmation requests (WSGISubscribeURL); empty: none.',
      format: String,
      default: '',
      env: 'QGATE_NOTIFICATION_PUBLIC_URL',
    },
    subscriber_types: {
      doc: 'Comma-separated subscriber URI schemes accepted (Zaqar subscriber_types).',
      format: String,
      default: 'http,https,mailto',
      env: 'QGATE_NOTIFICATION_SUBSCRIBER_TYPES',
    },
    default_subscription_ttl: limit(
      'Subscription TTL when none is given, in seconds.',
      3600,
      'QGATE_DEFAULT_SUBSCRIPTION_TTL',
      60,
    ),
    max_subscriptions_per_page: limit(
      'Most subscriptions one listing returns.',
      20,
      'QGATE_MAX_SUBSCRIPTIONS_PER_PAGE',
      1,
    ),
    poll_interval_ms: limit(
      'How often each process looks for due deliveries, in ms (0 disables delivery in this process).',
      250,
      'QGATE_NOTIFICATION_POLL_INTERVAL_MS',
    ),
    batch_size: limit('Most deliveries one process takes per poll.', 100, 'QGATE_NOTIFICATION_BATCH_SIZE', 1),
    lease_ms: limit(
      'How long a taken delivery is held by its process; if it dies, another takes it after this, in ms.',
      30000,
      'QGATE_NOTIFICATION_LEASE_MS',
      1000,
    ),
    concurrency: limit('Most deliveries in flight per process.', 32, 'QGATE_NOTIFICATION_CONCURRENCY', 1),
    per_subscriber_concurrency: limit(
      'Most deliveries in flight to one subscriber per process (a slow one cannot take all the slots).',
      4,
      'QGATE_NOTIFICATION_PER_SUBSCRIBER_CONCURRENCY',
      1,
    ),
    webhook_timeout_ms: limit('How long one webhook call may take, in ms.', 5000, 'QGATE_WEBHOOK_TIMEOUT_MS', 1),
    deny_networks: {
      doc: "Comma-separated CIDRs webhooks may not reach (link-local and metadata by default); the gateway's own API port is always denied.",
      format: String,
      default: '169.254.0.0/16,fe80::/10,0.0.0.0/32,100.100.100.200/32,fd00:ec2::254/128',
      env: 'QGATE_NOTIFICATION_DENY_NETWORKS',
    },
    allow_networks: {
      doc: 'Comma-separated CIDRs allowed even when a deny entry covers them (the operator override).',
      format: String,
      default: '',
      env: 'QGATE_NOTIFICATION_ALLOW_NETWORKS',
    },
    smtp: {
      host: {
        doc: 'SMTP server for mailto: subscribers.',
        format: String,
        default: '127.0.0.1',
        env: 'QGATE_SMTP_HOST',
      },
      port: { doc: 'SMTP port.', format: 'port', default: 25, env: 'QGATE_SMTP_PORT' },
      secure: {
        doc: 'SMTP over TLS from the start (port 465 style).',
        format: Boolean,
        default: false,
        env: 'QGATE_SMTP_SECURE',
      },
      user: { doc: 'SMTP user (empty: no login).', format: String, default: '', env: 'QGATE_SMTP_USER' },
      password: { doc: 'SMTP password.', format: String, default: '', env: 'QGATE_SMTP_PASSWORD', sensitive: true },
      sender: {
        doc: 'From: of confirmation mails (notifications use the subscription option "from").',
        format: String,
        default: 'Zaqar Notifications <no-reply@openstack.org>',
        env: 'QGATE_SMTP_SENDER',
      },
    },
  },
  cors: {
    allowed_origins: {
      doc: 'Comma-separated origins browsers may call the API from ("*": any); empty: no CORS headers.',
      format: String,
      default: '',
      env: 'QGATE_CORS_ALLOWED_ORIGINS',
    },
  },
  catalog: {
    file: {
      doc: 'A declarative catalog (pools and flavors, see catalog/*.json) applied at start; empty: none.',
      format: String,
      default: '',
      env: 'QGATE_CATALOG_FILE',
    },
    management_store_uri: {
      doc: 'Where the catalog (pools, flavors, queue placements) is kept: memory:, redis://… or mongodb://…; empty: the store.uri.',
      format: String,
      default: '',
      env: 'QGATE_MANAGEMENT_STORE_URI',
    },
    cache_size: limit('Most queue placements each process caches.', 100000, 'QGATE_CATALOG_CACHE_SIZE', 1),
    cache_ttl_ms: limit(
      'How long a process trusts a cached placement or pool URI (bounded staleness across processes), in ms.',
      10000,
      'QGATE_CATALOG_CACHE_TTL_MS',
      1,
    ),
  },
  store: {
    uri: {
      doc:
        'The default store: "memory:" is the embedded in-process store (nothing survives a restart); ' +
        'redis://[:password@]host:port[/db], rediss://… (TLS), redis:///path/to/redis.sock or ' +
        'redis://host1:26379,host2:26379?master=name (Sentinel) is a Redis deployment.',
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
    metadata_cache_ms: {
      doc:
        "How long a process reuses a queue's metadata for the checks and defaults of message posts, in ms " +
        '(0: read it on every post). Changes made through this gateway (any of its workers) apply at once; ' +
        'changes made through another gateway apply to posts here at most this late.',
      format: intRange(0, 60000),
      default: 1000,
      env: 'QGATE_STORE_METADATA_CACHE_MS',
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
  websocket: {
    port: {
      doc: 'Port of the Zaqar websocket API (Zaqar: 9000); 0 disables the websocket API.',
      format: 'port',
      default: 9000,
      env: 'QGATE_WS_PORT',
    },
    host: {
      doc: 'Address the websocket API listens on; empty means the same address as the HTTP API (`host`).',
      format: String,
      default: '',
      env: 'QGATE_WS_HOST',
    },
    max_frame_bytes: limit(
      'Largest websocket frame a client may send, in bytes; a larger one closes the connection (1009). ' +
        'Keep it above limits.max_messages_post_size plus the request envelope.',
      1048576,
      'QGATE_WS_MAX_FRAME_BYTES',
      1024,
    ),
    idle_timeout_ms: limit(
      'Close a websocket connection that sent no request for this long (0: never); sessions with push ' +
        'subscriptions are exempt.',
      600000,
      'QGATE_WS_IDLE_TIMEOUT_MS',
    ),
    ping_interval_ms: limit(
      'How often the server pings each websocket client; one that has not answered the previous ping is ' +
        'dropped (0: no keepalive).',
      30000,
      'QGATE_WS_PING_INTERVAL_MS',
    ),
    max_connections: limit(
      'Most open websocket connections per process; one more is closed at once with code 1013 (try again later).',
      10000,
      'QGATE_WS_MAX_CONNECTIONS',
      1,
    ),
    max_buffered_bytes: limit(
      'Most bytes of responses a websocket may have waiting for a slow reader: past it the server stops ' +
        'reading that socket until it drains, and drops it if a push would exceed it.',
      4194304,
      'QGATE_WS_MAX_BUFFERED_BYTES',
      1024,
    ),
    max_pending_requests: limit(
      'Most requests of one websocket connection queued for processing (they run in order); past it the ' +
        'server stops reading that socket until the queue shrinks.',
      32,
      'QGATE_WS_MAX_PENDING_REQUESTS',
      1,
    ),
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
    max_pools_per_page: limit('Most pools one listing returns.', 20, 'QGATE_MAX_POOLS_PER_PAGE', 1),
    max_flavors_per_page: limit('Most flavors one listing returns.', 20, 'QGATE_MAX_FLAVORS_PER_PAGE', 1),
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
