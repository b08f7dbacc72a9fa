import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { MetaService } from '@crm/metadata';
import { InboxService, TimelineService, parseInboxQuery } from '@crm/workflow';
import { inboxViewer } from '../http/inbox-viewer';
import { parseId } from '../http/params';
import { QueryParams } from '../http/query-params';
import { actorOf } from '../http/request-context';

/**
 * The approval inbox: one request per inbox page (the counts of every box, a page of one box,
 * each item with its record's summary). Any signed-in user asks about their own work only.
 */
@Controller('api/inbox')
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly meta: MetaService,
  ) {}

  @Get()
  @QueryParams('box', 'processKey', 'entity', 'due', 'q', 'sort', 'limit', 'cursor')
  async page(@Query() query: Record<string, string | undefined>, @Req() req: Request) {
    const parsed = parseInboxQuery(query, this.inbox.entityNames());
    return this.inbox.inbox(await inboxViewer(actorOf(req).principal, this.meta.model), parsed);
  }
}

/** An instance's timeline: every action with who, when, comment and attachments; where it waits. */
@Controller('api/workflow/instances')
export class TimelineController {
  constructor(
    private readonly timelines: TimelineService,
    private readonly meta: MetaService,
  ) {}

  @Get(':id/timeline')
  async timeline(@Param('id') id: string, @Req() req: Request) {
    const instanceId = parseId(id);
    return this.timelines.timeline(
      instanceId,
      await inboxViewer(actorOf(req).principal, this.meta.model),
    );
  }
}
