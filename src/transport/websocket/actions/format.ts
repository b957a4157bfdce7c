// Messages as Zaqar's websocket API formats them: {id, claim_id, ttl, age, body}, without hrefs.

import type { WireMessage } from '../../../api/wire';
import type { JsonValue } from '../../../core/types';

/** A message in a websocket reply (Zaqar's api_utils.format_message). */
export interface SocketMessage {
  id: string;
  /** The claim the reply is about (claim_create, claim_get); null elsewhere, as in Zaqar. */
  claim_id: string | null;
  ttl: number;
  age: number;
  body: JsonValue;
}

/** Formats a message of an operation's result. */
export function socketMessage(message: WireMessage, claimId: string | null = null): SocketMessage {
  return { id: message.id, claim_id: claimId, ttl: message.ttl, age: message.age, body: message.body };
}
