import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { AuditService, AuthService, BUILTIN_ADMIN, IdentityService } from '@crm/access';
import { MetaService } from '@crm/metadata';
import { MailSenderService } from '@crm/workflow';
import { actorOf } from '../http/request-context';
import { parseId, parseOptionalInt } from '../http/params';

/**
 * Users, departments, roles, API tokens and the audit trail. Needs `manage` on `User` (the admin
 * role has it); roles themselves are documents edited through /api/meta (draft → plan → apply).
 */
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly identity: IdentityService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly meta: MetaService,
    private readonly mail: MailSenderService,
  ) {}

  private admin(req: Request, subject = 'User'): string {
    const a = actorOf(req);
    a.principal.assert('manage', subject);
    return a.id;
  }

  @Get('users')
  async users(@Req() req: Request) {
    this.admin(req);
    return { data: await this.identity.listUsers() };
  }

  @Post('users')
  createUser(@Body() body: unknown, @Req() req: Request) {
    return this.identity.createUser(body, this.admin(req));
  }

  @Get('users/:id')
  user(@Param('id') id: string, @Req() req: Request) {
    this.admin(req);
    return this.identity.getUser(parseId(id));
  }

  @Patch('users/:id')
  updateUser(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.identity.updateUser(parseId(id), body, this.admin(req));
  }

  @Get('users/:id/api-tokens')
  async tokens(@Param('id') id: string, @Req() req: Request) {
    this.admin(req);
    return { data: await this.auth.listApiTokens(parseId(id)) };
  }

  @Post('users/:id/api-tokens')
  createToken(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.auth.createApiToken(parseId(id), body, this.admin(req));
  }

  @Delete('users/:id/api-tokens/:tokenId')
  @HttpCode(204)
  async revokeToken(
    @Param('id') id: string,
    @Param('tokenId') tokenId: string,
    @Req() req: Request,
  ) {
    await this.auth.revokeApiToken(parseId(id), parseId(tokenId, 'tokenId'), this.admin(req));
  }

  @Get('departments')
  async departments(@Req() req: Request) {
    this.admin(req);
    return { data: await this.identity.listDepartments() };
  }

  @Post('departments')
  createDepartment(@Body() body: unknown, @Req() req: Request) {
    return this.identity.createDepartment(body, this.admin(req));
  }

  @Patch('departments/:id')
  updateDepartment(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.identity.updateDepartment(parseId(id), body, this.admin(req));
  }

  /** The live roles (documents, plus the built-in admin when no document overrides it). */
  @Get('roles')
  roles(@Req() req: Request) {
    this.admin(req);
    const roles = new Map(this.meta.model.roles);
    if (!roles.has('admin')) roles.set('admin', BUILTIN_ADMIN);
    return { data: [...roles.values()] };
  }

  @Get('audit')
  async auditTrail(
    @Query('limit') limit: string | undefined,
    @Query('outcome') outcome: string | undefined,
    @Req() req: Request,
  ) {
    this.admin(req, 'Audit');
    return { data: await this.audit.list(parseOptionalInt(limit, 'limit') ?? 100, outcome) };
  }

  /** The mail outbox, newest first (`state=failed`: what did not go out, with the last error). */
  @Get('mail')
  async mailOutbox(
    @Query('state') state: string | undefined,
    @Query('limit') limit: string | undefined,
    @Req() req: Request,
  ) {
    this.admin(req, 'Mail');
    return {
      data: await this.mail.list(state || undefined, parseOptionalInt(limit, 'limit') ?? 100),
    };
  }

  /** Sends a failed mail once more (the next round of the mail job). */
  @Post('mail/:id/retry')
  @HttpCode(200)
  async retryMail(@Param('id') id: string, @Req() req: Request) {
    const actor = this.admin(req, 'Mail');
    const row = await this.mail.retry(parseId(id));
    await this.audit.record({
      actor,
      action: 'mail.retry',
      subject: `mail ${row.id}`,
      outcome: 'ok',
    });
    return row;
  }
}
