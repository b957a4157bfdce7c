// The noauth strategy: trusts X-Project-ID as sent (development only); admin_mode makes callers admins.

import { validateProjectId } from '../core/validation';
import type { AuthRequest, Authenticator, Identity } from './identity';

export class NoAuth implements Authenticator {
  readonly strategy = 'noauth';

  constructor(private readonly adminMode: boolean) {}

  async authenticate(request: AuthRequest): Promise<Identity> {
    return {
      projectId: validateProjectId(request.header('X-Project-ID')),
      roles: this.adminMode ? ['admin'] : [],
      via: 'noauth',
    };
  }
}
