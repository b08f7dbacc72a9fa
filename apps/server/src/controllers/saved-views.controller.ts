import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CrmError, ErrorCode } from '@crm/common';
import { MetaService } from '@crm/metadata';
import { parseId } from '../http/params';
import { actorOf } from '../http/request-context';
import { SavedViewsService } from '../saved-views';

/** The caller's own saved list views of an entity they may read (the web app's "my views"). */
@Controller('api/views')
export class SavedViewsController {
  constructor(
    private readonly views: SavedViewsService,
    private readonly meta: MetaService,
  ) {}

  private caller(req: Request, entity: string): string {
    if (!this.meta.model.entities.has(entity))
      throw new CrmError(ErrorCode.EntityNotFound, `unknown entity "${entity}"`, [
        { path: 'entity', message: 'not found' },
      ]);
    const a = actorOf(req);
    a.principal.assert('read', entity);
    return a.id;
  }

  @Get(':entity')
  async list(@Param('entity') entity: string, @Req() req: Request) {
    return { data: await this.views.list(this.caller(req, entity), entity) };
  }

  @Post(':entity')
  create(@Param('entity') entity: string, @Body() body: unknown, @Req() req: Request) {
    return this.views.create(this.caller(req, entity), entity, body);
  }

  @Put(':entity/:id')
  update(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    return this.views.update(this.caller(req, entity), entity, parseId(id), body);
  }

  @Delete(':entity/:id')
  @HttpCode(204)
  async remove(@Param('entity') entity: string, @Param('id') id: string, @Req() req: Request) {
    await this.views.remove(this.caller(req, entity), entity, parseId(id));
  }
}
