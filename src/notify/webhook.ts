// Webhook delivery: one POST of one JSON document to an http(s) subscriber, with a timeout and the guard.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { JsonObject } from '../core/types';
import { type AddressGuard, AddressRefused } from './address-guard';
import type { DeliveryResult } from './sender';

/** The body a subscription's options make of a document: post_data with "$zaqar_message$" replaced, or the JSON. */
export function webhookBody(payload: JsonObject, options: JsonObject): string {
  const json = JSON.stringify(payload);
  const template = options.post_data;
  if (typeof template === 'string') return template.split('"$zaqar_message$"').join(json);
  if (template && typeof template === 'object') {
    return JSON.stringify(template).split('"$zaqar_message$"').join(json);
  }
  return json;
}

/** Headers of the POST: JSON, plus the subscription's post_headers (string values only). */
function webhookHeaders(options: JsonObject, length: number): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Content-Length': String(length) };
  const extra = options.post_headers;
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [k, v] of Object.entries(extra)) {
      if (typeof v === 'string' && !/[\r\n]/.test(k + v) && k.toLowerCase() !== 'content-length') headers[k] = v;
    }
  }
  return headers;
}

/**
 * POSTs the document. 2xx and 3xx are delivered; 4xx is a permanent failure (the subscriber refused it;
 * Zaqar also never retries it); 5xx, a timeout and a refused connection are retried.
 */
export function sendWebhook(
  url: URL,
  payload: JsonObject,
  options: JsonObject,
  guard: AddressGuard,
  timeoutMs: number,
): Promise<DeliveryResult> {
  const body = webhookBody(payload, options);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  // Every address the socket is about to connect to passes the guard (no DNS rebinding past it).
  const lookup: LookupFunction = (host, opts, callback) => {
    dnsLookup(host, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      try {
        for (const a of list) guard.checkAddress(a.address, port);
      } catch (refused) {
        return callback(refused as Error, '', 4);
      }
      if ((opts as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: DeliveryResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    try {
      guard.checkAddress(url.hostname.replace(/^\[|\]$/g, ''), port);
    } catch (err) {
      if (err instanceof AddressRefused) return done({ outcome: 'failed', error: `refused: ${err.message}` });
    }
    const req = send(
      url,
      { method: 'POST', headers: webhookHeaders(options, Buffer.byteLength(body)), lookup, timeout: timeoutMs },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 400) done({ outcome: 'delivered' });
        else if (status >= 400 && status < 500) done({ outcome: 'failed', error: `HTTP ${status}` });
        else done({ outcome: 'retry', error: `HTTP ${status}` });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      done({ outcome: 'retry', error: `no answer within ${timeoutMs} ms` });
    });
    req.on('error', (err) => {
      if (err instanceof AddressRefused) done({ outcome: 'failed', error: `refused: ${err.message}` });
      else done({ outcome: 'retry', error: err.message });
    });
    req.end(body);
  });
}
