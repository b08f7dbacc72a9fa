import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { MetaService } from '@crm/metadata';
import { EngineService, type WorkflowViewer } from '@crm/workflow';
import { actorOf } from '../http/request-context';
import { parseId } from '../http/params';
import { workflowViewer } from '../http/workflow-viewer';

/**
 * Approval actions on tasks: `POST /api/tasks/:id/actions` (approve, reject, return, delegate,
 * transfer, addSigner, cc, comment, resubmit) and the bulk form `POST /api/tasks/actions`.
 */
@Controller('api/tasks')
export class ApprovalTasksController {
  constructor(
    private readonly engine: EngineService,
    private readonly meta: MetaService,
  ) {}

  private viewer(req: Request): Promise<WorkflowViewer> {
    return workflowViewer(actorOf(req).principal, this.meta.model);
  }

  @Post('actions')
  @HttpCode(200)
  async bulk(@Body() body: unknown, @Req() req: Request) {
    return this.engine.bulkAct(body, actorOf(req).id, await this.viewer(req));
  }

  @Post(':id/actions')
  @HttpCode(200)
  async act(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.engine.act(parseId(id), body, actorOf(req).id, await this.viewer(req));
  }
}

/** What the initiator and operators do to a whole approval; the record as its CC'd see it. */
@Controller('api/workflow/instances')
export class ApprovalInstancesController {
  constructor(
    private readonly engine: EngineService,
    private readonly meta: MetaService,
  ) {}

  private viewer(req: Request): Promise<WorkflowViewer> {
    return workflowViewer(actorOf(req).principal, this.meta.model);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  async withdraw(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.engine.withdraw(
      parseId(id),
      (body ?? {}) as { comment?: unknown },
      actorOf(req).id,
      await this.viewer(req),
    );
  }

  @Post(':id/remind')
  @HttpCode(200)
  async remind(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.engine.remind(
      parseId(id),
      (body ?? {}) as { comment?: unknown },
      actorOf(req).id,
      await this.viewer(req),
    );
  }

  @Post(':id/modify')
  @HttpCode(200)
  async modify(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.engine.modify(parseId(id), body, actorOf(req).id, await this.viewer(req));
  }

  @Get(':id/record')
  async record(@Param('id') id: string, @Req() req: Request) {
    return this.engine.instanceRecord(parseId(id), await this.viewer(req));
  }
}
