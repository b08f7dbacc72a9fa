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
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
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
 * Drafts, plans and revisions show pending role edits, actors and DDL: reading them needs `read
 * Metadata`, changing them `manage Metadata`. What a form needs — an entity's compiled schema —
 * stays readable by whoever may read that entity. Every change lands in the audit trail: roles
 * are documents, so this is where permissions change.
 */
function reader(req: Request): void {
  actorOf(req).principal.assert('read', 'Metadata');
}

function editor(req: Request): string {
  const a = actorOf(req);
  a.principal.assert('manage', 'Metadata');
  return a.id;
}

/** The version an editor read, from `If-Match` (an entity tag, quoted or not; weak tags too). */
function ifMatch(req: Request): string | undefined {
  const h = req.headers['if-match'];
  if (typeof h !== 'string' || h.trim() === '' || h.trim() === '*') return undefined;
  return h
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

const etag = (version: string): string => `"${version}"`;

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
  async list(@Req() req: Request, @Query('kind') kind?: string) {
    reader(req);
    return { data: await this.meta.listDocuments(kind) };
  }

  @Get('documents/:kind/:name')
  async get(
    @Param('kind') kind: string,
    @Param('name') name: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    reader(req);
    const { document, version } = await this.meta.getVersioned(kind, name);
    res.setHeader('ETag', etag(version));
    return document;
  }

  @Put('documents/:kind/:name')
  async put(
    @Param('kind') kind: string,
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const actor = editor(req);
    const saved = await this.meta.putDocument(kind, name, body, actor, ifMatch(req));
    await this.note(actor, 'put', `${kind}/${name}`, { version: saved.version });
    res.setHeader('ETag', etag(saved.version));
    return saved.document;
  }

  @Delete('documents/:kind/:name')
  @HttpCode(204)
  async remove(@Param('kind') kind: string, @Param('name') name: string, @Req() req: Request) {
    const actor = editor(req);
    await this.meta.deleteDocument(kind, name, actor, ifMatch(req));
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
    return {
      revision,
      hash: plan.hash,
      changes: plan.changes,
      documentChanges: plan.documentChanges,
    };
  }

  @Get('revisions')
  async revisions(@Req() req: Request) {
    reader(req);
    return { data: await this.meta.listRevisions() };
  }

  @Get('revisions/:id')
  revision(@Param('id') id: string, @Req() req: Request) {
    reader(req);
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
  schema(@Param('name') name: string, @Req() req: Request) {
    const e = this.meta.model.entities.get(name);
    // an entity the user may not read is answered as one that does not exist
    if (!e || !actorOf(req).principal.ability.can('read', name))
      throw new CrmError(ErrorCode.EntityNotFound, `unknown entity "${name}"`, [
        { path: 'name', message: 'not found' },
      ]);
    return e.schema;
  }
}
