import { Controller, Get, Query } from '@nestjs/common';
import { CrmError, ErrorCode } from '@crm/common';
import { IdentityService } from '@crm/access';

export const USER_SEARCH_MAX = 64;
const LIMIT_DEFAULT = 20;
const LIMIT_MAX = 50;

const invalid = (path: string, message: string) =>
  new CrmError(ErrorCode.QueryInvalid, `${path} ${message}`, [{ path, message }]);

/**
 * Colleagues by name, for the pickers of approval actions (delegate, transfer, add signer, CC):
 * login and display name only, for any signed-in user. /api/admin/users (everything about a user)
 * stays with the admins.
 */
@Controller('api/users')
export class UsersController {
  constructor(private readonly identity: IdentityService) {}

  // a parameter given twice never gets here (query-string.ts refuses it): both are strings
  @Get()
  async search(@Query('search') search?: string, @Query('limit') limit?: string) {
    const text = (search ?? '').trim();
    if (text.length > USER_SEARCH_MAX)
      throw invalid('search', `is longer than ${USER_SEARCH_MAX} characters`);
    let n = LIMIT_DEFAULT;
    if (limit !== undefined) {
      if (!/^\d{1,3}$/.test(limit))
        throw invalid('limit', `must be an integer from 1 to ${LIMIT_MAX}`);
      n = Number(limit);
      if (n < 1 || n > LIMIT_MAX)
        throw invalid('limit', `must be an integer from 1 to ${LIMIT_MAX}`);
    }
    return { data: await this.identity.searchUsers(text, n) };
  }
}
