import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { CrmError, ErrorCode } from '@crm/common';
import { MetaService } from '@crm/metadata';
import { actorOf } from '../http/request-context';
import { parseId } from '../http/params';

interface ApplyBody {
  confirm?: unknown;
  planHash?: unknown;
  message?: unknown;
  skipDestructive?: unknown;
}

/** Anyone signed in may read the metadata (forms need it); changing it needs `manage Metadata`. */
function editor(req: Request): string {
  const a = actorOf(req);
  a.principal.assert('manage', 'Metadata');
  return a.id;
}

@Controller('api/meta')
export class MetaController {
  constructor(private readonly meta: MetaService) {}

  @Get('documents')
  async list(@Query('kind') kind?: string) {
    return { data: await this.meta.listDocuments(kind) };
  }

  @Get('documents/:kind/:name')
  get(@Param('kind') kind: string, @Param('name') name: string) {
    return this.meta.getDocument(kind, name);
  }

  @Put('documents/:kind/:name')
  put(
    @Param('kind') kind: string,
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    return this.meta.putDocument(kind, name, body, editor(req));
  }

  @Delete('documents/:kind/:name')
  @HttpCode(204)
  async remove(@Param('kind') kind: string, @Param('name') name: string, @Req() req: Request) {
    await this.meta.deleteDocument(kind, name, editor(req));
  }

  @Delete('draft')
  @HttpCode(204)
  async discard(@Req() req: Request) {
    editor(req);
    await this.meta.discardDraft();
  }

  @Post('plan')
  @HttpCode(200)
  plan(@Req() req: Request) {
    editor(req);
    return this.meta.planDraft();
  }

  @Post('apply')
  @HttpCode(200)
  async apply(@Body() body: ApplyBody, @Req() req: Request) {
    const actor = editor(req);
    const confirm = body?.confirm ?? [];
    if (!Array.isArray(confirm) || !confirm.every((c) => typeof c === 'string')) {
      throw new CrmError(ErrorCode.BadRequest, 'confirm must be a list of change ids', [
        { path: '/confirm', message: 'must be a list of strings' },
      ]);
    }
    const { revision, plan } = await this.meta.applyDraft({
      actor,
      source: 'api',
      confirm,
      planHash: typeof body?.planHash === 'string' ? body.planHash : undefined,
      message: typeof body?.message === 'string' ? body.message : undefined,
      nonDestructive: body?.skipDestructive === true,
    });
    return { revision, changes: plan.changes };
  }

  @Get('revisions')
  async revisions() {
    return { data: await this.meta.listRevisions() };
  }

  @Get('revisions/:id')
  revision(@Param('id') id: string) {
    return this.meta.getRevision(parseId(id));
  }

  @Post('revisions/:id/rollback')
  @HttpCode(200)
  async rollback(@Param('id') id: string, @Req() req: Request) {
    const { revision, plan } = await this.meta.rollback(parseId(id), editor(req));
    return { revision, changes: plan.changes };
  }

  @Get('entities/:name/schema')
  schema(@Param('name') name: string) {
    const e = this.meta.model.entities.get(name);
    if (!e)
      throw new CrmError(ErrorCode.EntityNotFound, `unknown entity "${name}"`, [
        { path: 'name', message: 'not found' },
      ]);
    return e.schema;
  }
}
