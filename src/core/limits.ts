// The limits and defaults the api enforces, as plain data taken from the configuration.

/** Limits on input, Zaqar's by default, each configurable. Sizes in bytes, times in seconds. */
export interface Limits {
  maxQueuesPerPage: number;
  maxMessagesPerPage: number;
  maxMessagesPerClaimOrPop: number;
  maxQueueMetadata: number;
  maxMessagesPostSize: number;
  minMessageTtl: number;
  maxMessageTtl: number;
  maxMessageDelay: number;
  minClaimTtl: number;
  maxClaimTtl: number;
  minClaimGrace: number;
  maxClaimGrace: number;
  /** Most pools one admin listing returns. */
  maxPoolsPerPage: number;
  /** Most flavors one admin listing returns. */
  maxFlavorsPerPage: number;
  defaultMessageTtl: number;
  defaultMessageDelay: number;
  defaultClaimTtl: number;
  defaultClaimGrace: number;
  /** 'strict': Client-ID must be a UUID; 'off': any string within the length bounds. */
  clientIdUuidSafe: 'strict' | 'off';
  minClientIdLength: number;
  maxClientIdLength: number;
}

/** Zaqar's defaults. */
export const zaqarLimits: Limits = {
  maxQueuesPerPage: 20,
  maxMessagesPerPage: 20,
  maxMessagesPerClaimOrPop: 20,
  maxQueueMetadata: 64 * 1024,
  maxMessagesPostSize: 256 * 1024,
  minMessageTtl: 60,
  maxMessageTtl: 1209600,
  maxMessageDelay: 900,
  minClaimTtl: 60,
  maxClaimTtl: 43200,
  minClaimGrace: 60,
  maxClaimGrace: 43200,
  maxPoolsPerPage: 20,
  maxFlavorsPerPage: 20,
  defaultMessageTtl: 3600,
  defaultMessageDelay: 0,
  defaultClaimTtl: 300,
  defaultClaimGrace: 60,
  clientIdUuidSafe: 'strict',
  minClientIdLength: 10,
  maxClientIdLength: 36,
};

/** Items per page when a listing names no limit (Zaqar's storage defaults). */
export const DEFAULT_QUEUES_PER_PAGE = 10;
export const DEFAULT_MESSAGES_PER_PAGE = 10;
export const DEFAULT_MESSAGES_PER_CLAIM = 10;
