// Who a request acts for, and the strategy that finds out: the seam between transports and identity.

/** The caller as the auth layer established it. Never built from client headers under keystone. */
export interface Identity {
  /** The project (tenant) the request acts on. */
  projectId: string;
  /** Role names (from the token; ["admin"] under noauth admin_mode). */
  roles: string[];
  /** The user, when known. */
  userId?: string;
  /** How it was established. */
  via: 'noauth' | 'keystone' | 'signed-url';
  /** For a pre-signed URL: exactly what it allows. */
  signed?: { methods: string[]; paths: string[] };
}

/** The parts of a request authentication reads (HTTP and websocket both provide them). */
export interface AuthRequest {
  /** A header value by case-insensitive name. */
  header(name: string): string | undefined;
  method: string;
  /** The request path, e.g. /v2/queues/q/messages. */
  path: string;
}

/** An auth strategy: noauth or keystone. */
export interface Authenticator {
  readonly strategy: string;
  /** The identity of the request; Unauthorized (401) or BadRequest (400) when there is none. */
  authenticate(request: AuthRequest): Promise<Identity>;
}

/** Whether the identity holds the admin role. */
export function isAdminIdentity(identity: Identity): boolean {
  return identity.roles.some((r) => r.toLowerCase() === 'admin');
}
