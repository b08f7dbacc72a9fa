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
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import { RecordsService } from '@crm/records';
import { RecordTriggers } from '@crm/workflow';
import { HeavyRequest } from '../http/heavy-requests';
import { QueryParams } from '../http/query-params';
import { actorOf } from '../http/request-context';
import { parseId, parseJsonParam, parseList, parseOptionalInt } from '../http/params';

@Controller('api/records/:entity')
export class RecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly triggers: RecordTriggers,
  ) {}

  @Get()
  @UseInterceptors(HeavyRequest)
  @QueryParams('filter', 'sort', 'limit', 'cursor', 'fields', 'include', 'count', 'deleted')
  list(
    @Param('entity') entity: string,
    @Query() query: Record<string, string>,
    @Req() req: Request,
  ) {
    return this.records.list(
      entity,
      {
        filter: parseJsonParam(query.filter, 'filter'),
        sort: query.sort,
        limit: parseOptionalInt(query.limit, 'limit'),
        cursor: query.cursor || undefined,
        fields: parseList(query.fields),
        include: parseList(query.include),
        count: query.count === 'true',
        deleted: query.deleted === 'only' ? 'only' : undefined,
      },
      actorOf(req).access,
    );
  }

  @Post()
  create(@Param('entity') entity: string, @Body() body: unknown, @Req() req: Request) {
    return this.records.create(entity, body, actorOf(req));
  }

  @Post('bulk')
  @HttpCode(200)
  bulk(@Param('entity') entity: string, @Body() body: unknown, @Req() req: Request) {
    return this.records.bulk(entity, body, actorOf(req));
  }

  @Get(':id')
  @QueryParams('fields', 'include')
  get(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Query() query: Record<string, string>,
    @Req() req: Request,
  ) {
    return this.records.get(entity, parseId(id), {
      fields: parseList(query.fields),
      include: parseList(query.include),
      access: actorOf(req).access,
    });
  }

  @Patch(':id')
  update(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    return this.records.update(entity, parseId(id), body, actorOf(req));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Query('version') version: string | undefined,
    @Req() req: Request,
  ) {
    await this.records.remove(
      entity,
      parseId(id),
      actorOf(req),
      parseOptionalInt(version, 'version'),
    );
  }

  @Post(':id/restore')
  @HttpCode(200)
  restore(@Param('entity') entity: string, @Param('id') id: string, @Req() req: Request) {
    return this.records.restore(entity, parseId(id), actorOf(req));
  }

  /** Who the record is shared with; needs read access to the record. */
  @Get(':id/shares')
  async shares(@Param('entity') entity: string, @Param('id') id: string, @Req() req: Request) {
    return { data: await this.records.shares.list(entity, parseId(id), actorOf(req).access) };
  }

  @Post(':id/shares')
  @HttpCode(204)
  async share(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Body() body: { login?: unknown },
    @Req() req: Request,
  ) {
    await this.records.shares.add(entity, parseId(id), body?.login, actorOf(req));
  }

  @Delete(':id/shares/:login')
  @HttpCode(204)
  async unshare(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Param('login') login: string,
    @Req() req: Request,
  ) {
    await this.records.shares.remove(entity, parseId(id), login, actorOf(req));
  }

  /**
   * Presses a button trigger: its process starts bound to the record, as the caller. They must be
   * able to read the record, and hold one of the trigger's roles — or, without roles, a start rule
   * that allows this process on this record (as POST /api/workflow/instances checks).
   */
  @Post(':id/buttons/:trigger')
  async press(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Param('trigger') name: string,
    @Req() req: Request,
  ) {
    const actor = actorOf(req);
    const recordId = parseId(id);
    const t = this.triggers.button(entity, name);
    await this.records.get(entity, recordId, { access: actor.access });
    if (t.roles) {
      if (!t.roles.some((r) => actor.roles.includes(r)))
        throw actor.principal.deny(
          'start',
          entity,
          `button ${t.name} is for ${t.roles.join(', ')}; ${actor.id} holds none of these roles`,
        );
    } else {
      await this.records.assertMay(
        entity,
        recordId,
        'start',
        actor.principal.forProcess(t.process),
      );
    }
    return this.triggers.press(t, recordId, actor.id);
  }

  @Get(':id/history')
  async history(@Param('entity') entity: string, @Param('id') id: string, @Req() req: Request) {
    return { data: await this.records.history(entity, parseId(id), actorOf(req).access) };
  }
}
