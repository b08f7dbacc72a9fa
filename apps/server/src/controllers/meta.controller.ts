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
import { AuditService } from '@crm/access';
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

/** Names of the roles added, removed or changed between two models: who may do what moved. */
function changedRoles(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .filter((n) => JSON.stringify(before.get(n)) !== JSON.stringify(after.get(n)))
    .sort();
}

/**
 * Anyone signed in may read the metadata (forms need it); changing it needs `manage Metadata`.
 * Every change lands in the audit trail: roles are documents, so this is where permissions change.
 */
function editor(req: Request): string {
  const a = actorOf(req);
  a.principal.assert('manage', 'Metadata');
  return a.id;
}

@Controller('api/meta')
export class MetaController {
  constructor(
    private readonly meta: MetaService,
    private readonly audit: AuditService,
  ) {}

  private note(actor: string, action: string, subject: string, detail?: Record<string, unknown>) {
    return this.audit.record({
      actor,
      action: `metadata.${action}`,
      subject,
      outcome: 'ok',
      detail,
    });
  }

  @Get('documents')
  async list(@Query('kind') kind?: string) {
    return { data: await this.meta.listDocuments(kind) };
  }

  @Get('documents/:kind/:name')
  get(@Param('kind') kind: string, @Param('name') name: string) {
    return this.meta.getDocument(kind, name);
  }

  @Put('documents/:kind/:name')
  async put(
    @Param('kind') kind: string,
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() req: Request,
  ) {
    const actor = editor(req);
    const saved = await this.meta.putDocument(kind, name, body, actor);
    await this.note(actor, 'put', `${kind}/${name}`);
    return saved;
  }

  @Delete('documents/:kind/:name')
  @HttpCode(204)
  async remove(@Param('kind') kind: string, @Param('name') name: string, @Req() req: Request) {
    const actor = editor(req);
    await this.meta.deleteDocument(kind, name, actor);
    await this.note(actor, 'delete', `${kind}/${name}`);
  }

  @Delete('draft')
  @HttpCode(204)
  async discard(@Req() req: Request) {
    const actor = editor(req);
    await this.meta.discardDraft();
    await this.note(actor, 'discard', 'draft');
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
    const rolesBefore = this.meta.model.roles;
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
    await this.note(actor, 'apply', `revision/${revision}`, {
      changes: plan.changes.map((c) => c.id),
      roles: changedRoles(rolesBefore, this.meta.model.roles),
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
    const actor = editor(req);
    const rolesBefore = this.meta.model.roles;
    const { revision, plan } = await this.meta.rollback(parseId(id), actor);
    await this.note(actor, 'rollback', `revision/${revision}`, {
      to: parseId(id),
      changes: plan.changes.map((c) => c.id),
      roles: changedRoles(rolesBefore, this.meta.model.roles),
    });
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
