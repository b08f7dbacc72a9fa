import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuthService, packForClient } from '@crm/access';
import { Public } from '../http/auth.guard';
import { actorOf } from '../http/request-context';

@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: unknown, @Req() req: Request) {
    return this.auth.login(body, req.ip ?? req.socket.remoteAddress ?? 'unknown');
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: unknown) {
    return this.auth.refresh(body);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: unknown, @Req() req: Request) {
    await this.auth.logout(body, actorOf(req).principal);
  }

  @Post('password')
  @HttpCode(204)
  async password(@Body() body: unknown, @Req() req: Request) {
    await this.auth.changePassword(body, actorOf(req).principal);
  }

  /**
   * The user, their roles and their CASL rules packed for the browser (`unpackRules` +
   * @casl/react hide what is forbidden); placeholders stay symbolic and `context` says what they
   * stand for. The server stays the authority.
   */
  @Get('me')
  async me(@Req() req: Request) {
    const p = actorOf(req).principal;
    const ctx = await p.context();
    return {
      user: p.user,
      roles: p.user.roles,
      rules: packForClient(p.rules),
      context: {
        login: ctx.login,
        departmentId: ctx.departmentId,
        departmentTree: ctx.departmentTree,
        subordinates: ctx.subordinates,
      },
    };
  }
}
