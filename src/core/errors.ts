// Typed errors with an HTTP status: handlers throw these, one middleware renders them as Zaqar does.

/** Base class of every error qgate renders to a client as `{"title", "description"}`. */
export class QgateError extends Error {
  /** HTTP status code the transport answers with. */
  readonly status: number;
  /** Short title, as Zaqar's (falcon's) error titles. */
  readonly title: string;
  /** Extra response headers (e.g. Accept-Patch on 415). */
  readonly headers: Record<string, string>;

  constructor(status: number, title: string, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.name = new.target.name;
    this.status = status;
    this.title = title;
    this.headers = headers;
  }

  /** The description a person can act on. */
  get description(): string {
    return this.message;
  }
}

/** 400: the request is malformed or out of the configured limits. */
export class BadRequest extends QgateError {
  constructor(description: string, title = 'Invalid API request') {
    super(400, title, description);
  }
}

/** 400 for an unusable request body, titled as Zaqar's HTTPBadRequestBody. */
export class BadRequestBody extends BadRequest {
  constructor(description: string) {
    super(description, 'Invalid request body');
  }
}

/** 401: missing or invalid credentials. */
export class Unauthorized extends QgateError {
  constructor(
    description = 'This server could not verify that you are authorized to access the document you requested.',
    headers: Record<string, string> = {},
  ) {
    super(401, 'Authentication required', description, headers);
  }
}

/** 403: the caller may not do this. */
export class Forbidden extends QgateError {
  constructor(description = 'You are not authorized to complete this action.', title = 'Not authorized') {
    super(403, title, description);
  }
}

/** 404: the thing does not exist (or belongs to another project). */
export class NotFound extends QgateError {
  constructor(description: string) {
    super(404, 'Not found', description);
  }
}

/** 405: the route exists but not with this method. */
export class MethodNotAllowed extends QgateError {
  constructor(allowed: string[]) {
    super(405, 'Method not allowed', `Allowed methods: ${allowed.join(', ')}.`, { Allow: allowed.join(', ') });
  }
}

/** 406: the client does not accept JSON. */
export class NotAcceptable extends QgateError {
  constructor() {
    super(
      406,
      'Media type not acceptable',
      'Endpoint only serves `application/json`; specify client-side media type support with the "Accept" header.',
    );
  }
}

/** 409: the request conflicts with the current state. */
export class Conflict extends QgateError {
  constructor(description: string) {
    super(409, 'Resource conflict', description);
  }
}

/** 413: the body is larger than any route accepts. */
export class PayloadTooLarge extends QgateError {
  constructor(description: string) {
    super(413, 'Request body too large', description);
  }
}

/** 415: a body of a media type the route does not take. */
export class UnsupportedMediaType extends QgateError {
  constructor(description: string, headers: Record<string, string> = {}) {
    super(415, 'Unsupported media type', description, headers);
  }
}

/** 503: the store behind the request cannot be reached; nothing was changed or acknowledged. */
export class ServiceUnavailable extends QgateError {
  constructor(description: string) {
    super(503, 'Service temporarily unavailable', `${description} Please try again in a few seconds.`);
  }
}
