import { Controller, Get, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { RecordsService } from '@crm/records';
import { RecordActionsService } from '@crm/workflow';
import { parseId } from '../http/params';
import { actorOf } from '../http/request-context';

/**
 * Record actions (`action` documents): the buttons of a record that create linked records, copy
 * its lines, write back onto it and start a process, as the caller and in one transaction. Who
 * may run one: a `run` rule on the entity that reaches this record, narrowed by `actionName`.
 */
@Controller('api/records/:entity/:id/actions')
export class RecordActionsController {
  constructor(
    private readonly records: RecordsService,
    private readonly actions: RecordActionsService,
  ) {}

  /** The actions the caller may run on this record, each enabled or not by its `when`. */
  @Get()
  async list(@Param('entity') entity: string, @Param('id') id: string, @Req() req: Request) {
    const actor = actorOf(req);
    const recordId = parseId(id);
    await this.records.get(entity, recordId, { access: actor.access });
    const data = await this.actions.offers(entity, recordId, actor, (a) =>
      actor.principal.forAction(a.name).ability.can('run', entity),
    );
    return { data };
  }

  @Post(':action')
  async run(
    @Param('entity') entity: string,
    @Param('id') id: string,
    @Param('action') name: string,
    @Req() req: Request,
  ) {
    const actor = actorOf(req);
    const recordId = parseId(id);
    const action = this.actions.find(entity, name);
    // 404 for a record the caller cannot read; 403 when no run rule for this action reaches it
    await this.records.assertMay(entity, recordId, 'run', actor.principal.forAction(action.name));
    return this.actions.run(action, recordId, actor);
  }
}
