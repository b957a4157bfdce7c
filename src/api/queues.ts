// Queue operations: create, read, patch, delete, list, stats and purge.

import { createSignedUrl, type SignedUrl } from '../auth/signed-url';
import { BadRequest, BadRequestBody } from '../core/errors';
import { queueHref } from '../core/hrefs';
import { applyMetadataPatch, parseMetadataPatch, withReservedDefaults } from '../core/queue-metadata';
import type { JsonValue, QueueMetadata } from '../core/types';
import {
  isJsonObject,
  validatePurge,
  validateQueueListLimit,
  validateQueueMetadata,
  validateQueueName,
  validateShare,
} from '../core/validation';
import { supportsNotifications } from '../drivers/types';
import { authorize, type RequestContext } from './context';
import type { ApiDeps } from './deps';
import { ageSeconds, isoSeconds } from './wire';

/** A queue in a listing. */
export interface WireQueue {
  name: string;
  href: string;
  metadata?: QueueMetadata;
}

/** Parameters of a queue listing, typed by the transport. */
export interface QueueListParams {
  marker?: string;
  limit?: number;
  detailed?: boolean;
  name?: string;
  withCount?: boolean;
  /** Metadata equality filters (Zaqar's extra query parameters). */
  filter?: Record<string, JsonValue>;
}

/** A page of queues and what a next-page link needs. */
export interface QueueListResult {
  queues: WireQueue[];
  /** Name of the last queue returned (the next page's marker), or the request's marker when empty. */
  marker?: string;
  /** Total queues of the project, when asked for. */
  count?: number;
}

/** Message statistics of a queue, as Zaqar's stats resource returns them. */
export interface WireQueueStats {
  messages: {
    claimed: number;
    free: number;
    total: number;
    oldest?: { href: string; age: number; created: string };
    newest?: { href: string; age: number; created: string };
  };
}

export class QueueOperations {
  constructor(private readonly deps: ApiDeps) {}

  /** PUT: creates the queue with the metadata (201) or leaves an existing one as it is (204). */
  async create(ctx: RequestContext, name: string, metadata: unknown, bodyBytes: number): Promise<{ created: boolean }> {
    authorize(this.deps, ctx, 'queues:create');
    const { driver, limits } = this.deps;
    validateQueueName(name);
    this.checkMetadataSize(bodyBytes);
    const meta = metadata === undefined ? {} : metadata;
    if (!isJsonObject(meta)) throw new BadRequestBody('Document type not supported.');
    validateQueueMetadata(meta, limits);
    const scope = { project: ctx.projectId, queue: name };
    try {
      return { created: await driver.createQueue(scope, meta) };
    } finally {
      await this.deps.metadataCache?.changed(scope);
    }
  }

  /** GET: the queue's metadata with reserved defaults filled in. */
  async get(ctx: RequestContext, name: string): Promise<QueueMetadata> {
    authorize(this.deps, ctx, 'queues:get');
    validateQueueName(name);
    const meta = await this.deps.driver.getQueueMetadata({ project: ctx.projectId, queue: name });
    return withReservedDefaults(meta, this.deps.limits);
  }

  /** PATCH: applies JSON-patch changes under /metadata; returns the new metadata with defaults. */
  async update(ctx: RequestContext, name: string, document: unknown, bodyBytes: number): Promise<QueueMetadata> {
    authorize(this.deps, ctx, 'queues:update');
    const { driver, limits } = this.deps;
    validateQueueName(name);
    if (bodyBytes > limits.maxQueueMetadata) {
      throw new BadRequestBody(`Queue metadata is too large. Max size: ${limits.maxQueueMetadata}`);
    }
    if (document === undefined) throw new BadRequestBody('PATCH body could not be empty for update.');
    const changes = parseMetadataPatch(document);
    const scope = { project: ctx.projectId, queue: name };
    const current = await driver.getQueueMetadata(scope);
    const next = applyMetadataPatch(current, changes, limits);
    try {
      validateQueueMetadata(next, limits);
    } catch (err) {
      if (err instanceof BadRequest) throw new BadRequestBody(err.description);
      throw err;
    }
    if (Buffer.byteLength(JSON.stringify(next)) > limits.maxQueueMetadata) {
      throw new BadRequestBody(`Queue metadata is too large. Max size: ${limits.maxQueueMetadata}`);
    }
    try {
      await driver.setQueueMetadata(scope, next);
    } finally {
      await this.deps.metadataCache?.changed(scope);
    }
    return withReservedDefaults(next, limits);
  }

  /** DELETE: removes the queue with its messages and claims; a missing queue is fine. */
  async delete(ctx: RequestContext, name: string): Promise<void> {
    authorize(this.deps, ctx, 'queues:delete');
    validateQueueName(name);
    const scope = { project: ctx.projectId, queue: name };
    try {
      await this.deps.driver.deleteQueue(scope);
    } finally {
      await this.deps.metadataCache?.changed(scope);
    }
  }

  /** GET /queues: a page of the project's queues. */
  async list(ctx: RequestContext, params: QueueListParams): Promise<QueueListResult> {
    authorize(this.deps, ctx, 'queues:get_all');
    const { driver, limits } = this.deps;
    const limit = validateQueueListLimit(params.limit, limits);
    const detailed = params.detailed === true;
    const summaries = await driver.listQueues(ctx.projectId, {
      marker: params.marker,
      limit,
      detailed,
      name: params.name,
      metadataFilter: params.filter,
    });
    const queues = summaries.map((q): WireQueue => {
      const wire: WireQueue = { name: q.name, href: queueHref(q.name) };
      if (detailed) wire.metadata = withReservedDefaults(q.metadata ?? {}, limits);
      return wire;
    });
    const result: QueueListResult = {
      queues,
      marker: queues.length > 0 ? queues[queues.length - 1].name : params.marker,
    };
    if (params.withCount) result.count = await driver.countQueues(ctx.projectId);
    return result;
  }

  /** GET stats: claimed/free/total with the oldest and newest messages. */
  async stats(ctx: RequestContext, name: string): Promise<WireQueueStats> {
    authorize(this.deps, ctx, 'queues:stats');
    validateQueueName(name);
    const stats = await this.deps.driver.queueStats({ project: ctx.projectId, queue: name });
    const now = this.deps.clock();
    const out: WireQueueStats = { messages: { claimed: stats.claimed, free: stats.free, total: stats.total } };
    if (stats.total > 0 && stats.oldest && stats.newest) {
      const point = (m: typeof stats.oldest) => ({
        href: `${queueHref(name)}/messages/${m.id}`,
        age: ageSeconds(now, m.created),
        created: isoSeconds(m.created),
      });
      out.messages.oldest = point(stats.oldest);
      out.messages.newest = point(stats.newest);
    }
    return out;
  }

  /** POST purge: removes the named resource types (messages, subscriptions) and keeps the queue. */
  async purge(ctx: RequestContext, name: string, document: unknown): Promise<void> {
    authorize(this.deps, ctx, 'queues:purge');
    validateQueueName(name);
    const types = validatePurge(document);
    if (types.includes('messages')) {
      await this.deps.driver.purgeMessages({ project: ctx.projectId, queue: name });
    }
    if (types.includes('subscriptions')) {
      const driver = this.deps.driver;
      if (supportsNotifications(driver)) await driver.purgeSubscriptions({ project: ctx.projectId, queue: name });
    }
  }

  /** POST share: a pre-signed URL for methods on paths of this queue (default: GET on its messages). */
  async share(ctx: RequestContext, name: string, document: unknown): Promise<SignedUrl> {
    authorize(this.deps, ctx, 'queues:share');
    validateQueueName(name);
    const { paths, methods, expires } = validateShare(document);
    if (!this.deps.signedUrlKey) {
      throw new BadRequest('Pre-signed URLs are not enabled on this gateway (signed_url.secret_key is empty).');
    }
    return createSignedUrl(this.deps.signedUrlKey, {
      paths: (paths ?? ['messages']).map((p) => `${queueHref(name)}/${p}`),
      methods,
      expires,
      project: ctx.projectId,
      now: this.deps.clock(),
    });
  }

  private checkMetadataSize(bytes: number): void {
    if (bytes > this.deps.limits.maxQueueMetadata) {
      throw new BadRequest(`Queue metadata is too large. Max size: ${this.deps.limits.maxQueueMetadata}`);
    }
  }
}
