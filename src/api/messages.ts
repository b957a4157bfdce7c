// Message operations: post, list, get (one or by ids), delete (one, by ids, pop).

import { NotFound } from '../core/errors';
import type { JsonValue, QueueMetadata, QueueScope } from '../core/types';
import {
  validateMessageDeletion,
  validateMessageIds,
  validateMessageListLimit,
  validateMessageMarker,
  validateMessagePost,
  validateMessagePostSize,
} from '../core/validation';
import { authorize, queueScope, type RequestContext } from './context';
import type { ApiDeps } from './deps';
import { ageSeconds, type WireMessage, wireMessage } from './wire';

/** Parameters of a message listing, typed by the transport. */
export interface MessageListParams {
  marker?: string;
  limit?: number;
  echo?: boolean;
  includeClaimed?: boolean;
  includeDelayed?: boolean;
}

/** A page of messages and the marker of the next page. */
export interface MessageListResult {
  messages: WireMessage[];
  /** Marker to continue after the last message; undefined when the page is empty. */
  marker?: string;
}

/** A popped message (it no longer has an href). */
export interface PoppedMessage {
  id: string;
  ttl: number;
  age: number;
  body: JsonValue;
}

export class MessageOperations {
  constructor(private readonly deps: ApiDeps) {}

  /** POST: stores the batch (creating the queue on first post) and returns the new ids in order. */
  async post(ctx: RequestContext, queue: string, document: unknown, bodyBytes: number): Promise<string[]> {
    authorize(this.deps, ctx, 'messages:create');
    const { driver, limits } = this.deps;
    const scope = queueScope(ctx, queue);
    const meta = await this.metadataOrEmpty(scope);
    validateMessagePostSize(bodyBytes, meta._max_messages_post_size, limits);
    const messages = validateMessagePost(document, meta, limits);
    return driver.postMessages(scope, messages, ctx.clientId);
  }

  /** GET: a page of messages; the caller's own are hidden unless echo. */
  async list(ctx: RequestContext, queue: string, params: MessageListParams): Promise<MessageListResult> {
    authorize(this.deps, ctx, 'messages:get_all');
    const scope = queueScope(ctx, queue);
    const limit = validateMessageListLimit(params.limit, this.deps.limits);
    const marker = validateMessageMarker(params.marker);
    const page = await this.deps.driver.listMessages(scope, {
      marker,
      limit,
      echo: params.echo === true,
      includeClaimed: params.includeClaimed === true,
      includeDelayed: params.includeDelayed === true,
      clientId: ctx.clientId,
    });
    const now = this.deps.clock();
    return {
      messages: page.messages.map((m) => wireMessage(queue, m, now)),
      marker: page.nextMarker === undefined ? undefined : String(page.nextMarker),
    };
  }

  /** GET ?ids=: the listed messages that exist; 404 when none does. */
  async getMany(ctx: RequestContext, queue: string, ids: string[]): Promise<WireMessage[]> {
    authorize(this.deps, ctx, 'messages:get');
    const scope = queueScope(ctx, queue);
    const clean = validateMessageIds(ids, this.deps.limits);
    const found = await this.deps.driver.getMessages(scope, clean);
    if (found.length === 0) {
      const list = `[${clean.map((id) => `'${id}'`).join(', ')}]`;
      throw new NotFound(`No messages with IDs: ${list} found in the queue ${queue} for project ${ctx.projectId}.`);
    }
    const now = this.deps.clock();
    return found.map((m) => wireMessage(queue, m, now));
  }

  /** GET one message. */
  async get(ctx: RequestContext, queue: string, id: string): Promise<WireMessage> {
    authorize(this.deps, ctx, 'messages:get');
    const message = await this.deps.driver.getMessage(queueScope(ctx, queue), id);
    return wireMessage(queue, message, this.deps.clock());
  }

  /** DELETE one message, under its claim when claimed. */
  async delete(ctx: RequestContext, queue: string, id: string, claimId?: string): Promise<void> {
    authorize(this.deps, ctx, 'messages:delete');
    await this.deps.driver.deleteMessage(queueScope(ctx, queue), id, claimId);
  }

  /** DELETE ?ids= (returns null) or ?pop=N (returns the popped messages). */
  async deleteMany(
    ctx: RequestContext,
    queue: string,
    ids: string[] | undefined,
    pop: number | undefined,
  ): Promise<PoppedMessage[] | null> {
    authorize(this.deps, ctx, 'messages:delete_all');
    const scope = queueScope(ctx, queue);
    const what = validateMessageDeletion(ids, pop, this.deps.limits);
    if ('ids' in what) {
      await this.deps.driver.deleteMessages(scope, what.ids);
      return null;
    }
    const popped = await this.deps.driver.popMessages(scope, what.pop);
    const now = this.deps.clock();
    return popped.map((m) => ({ id: m.id, ttl: m.ttl, age: ageSeconds(now, m.created), body: m.body }));
  }

  private metadataOrEmpty(scope: QueueScope): Promise<QueueMetadata> {
    const cache = this.deps.metadataCache;
    return cache ? cache.get(scope, () => this.readMetadata(scope)) : this.readMetadata(scope);
  }

  private async readMetadata(scope: QueueScope): Promise<QueueMetadata> {
    try {
      return await this.deps.driver.getQueueMetadata(scope);
    } catch (err) {
      if (err instanceof NotFound) return {};
      throw err;
    }
  }
}
