// Claim operations: claim messages, read, renew and release a claim.

import { claimHref } from '../core/hrefs';
import { validateClaimBody, validateClaimCreation } from '../core/validation';
import { authorize, queueScope, type RequestContext } from './context';
import type { ApiDeps } from './deps';
import { ageSeconds, type WireMessage, wireMessage } from './wire';

/** A new claim and the messages it took. */
export interface CreatedClaim {
  id: string;
  href: string;
  messages: WireMessage[];
}

/** A claim as GET returns it. */
export interface WireClaim {
  age: number;
  ttl: number;
  messages: WireMessage[];
  href: string;
}

export class ClaimOperations {
  constructor(private readonly deps: ApiDeps) {}

  /** POST: claims up to `limit` free messages; null when there was nothing to claim. */
  async create(
    ctx: RequestContext,
    queue: string,
    document: unknown,
    limit: number | undefined,
  ): Promise<CreatedClaim | null> {
    authorize(this.deps, ctx, 'claims:create');
    const options = validateClaimCreation(document, limit, this.deps.limits);
    const claim = await this.deps.driver.createClaim(queueScope(ctx, queue), options);
    if (!claim || claim.messages.length === 0) return null;
    const now = this.deps.clock();
    return {
      id: claim.id,
      href: claimHref(queue, claim.id),
      messages: claim.messages.map((m) => wireMessage(queue, m, now)),
    };
  }

  /** GET: the claim's age, TTL and messages. */
  async get(ctx: RequestContext, queue: string, claimId: string): Promise<WireClaim> {
    authorize(this.deps, ctx, 'claims:get');
    const claim = await this.deps.driver.getClaim(queueScope(ctx, queue), claimId);
    const now = this.deps.clock();
    return {
      age: ageSeconds(now, claim.updated),
      ttl: claim.ttl,
      messages: claim.messages.map((m) => wireMessage(queue, m, now)),
      href: claimHref(queue, claimId),
    };
  }

  /** PATCH: renews the claim from now with a new TTL and grace. */
  async update(ctx: RequestContext, queue: string, claimId: string, document: unknown): Promise<void> {
    authorize(this.deps, ctx, 'claims:update');
    const { ttl, grace } = validateClaimBody(document, this.deps.limits);
    await this.deps.driver.updateClaim(queueScope(ctx, queue), claimId, ttl, grace);
  }

  /** DELETE: releases the claim; its messages become free again. */
  async delete(ctx: RequestContext, queue: string, claimId: string): Promise<void> {
    authorize(this.deps, ctx, 'claims:delete');
    await this.deps.driver.deleteClaim(queueScope(ctx, queue), claimId);
  }
}
