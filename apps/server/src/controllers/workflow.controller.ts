import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import { CrmError, ErrorCode } from '@crm/common';
import { DeploymentsService, EngineService } from '@crm/workflow';
import { actorOf } from '../http/request-context';
import { parseId, parseOptionalInt } from '../http/params';

@Controller('api/workflow')
export class WorkflowController {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly engine: EngineService,
  ) {}

  @Post('instances')
  start(
    @Body()
    body: { processKey?: unknown; version?: unknown; variables?: unknown; businessKey?: unknown },
    @Req() req: Request,
  ) {
    if (typeof body?.processKey !== 'string') {
      throw new CrmError(ErrorCode.BadRequest, 'processKey is required', [
        { path: '/processKey', message: 'is required' },
      ]);
    }
    if (
      body.variables !== undefined &&
      (typeof body.variables !== 'object' ||
        body.variables === null ||
        Array.isArray(body.variables))
    ) {
      throw new CrmError(ErrorCode.BadRequest, 'variables must be an object', [
        { path: '/variables', message: 'must be an object' },
      ]);
    }
    return this.engine.start(
      {
        processKey: body.processKey,
        version: typeof body.version === 'number' ? body.version : undefined,
        variables: body.variables as Record<string, unknown> | undefined,
        businessKey: typeof body.businessKey === 'string' ? body.businessKey : undefined,
      },
      actorOf(req).id,
    );
  }

  @Get('instances/:id')
  instance(@Param('id') id: string) {
    return this.engine.instance(parseId(id));
  }

  @Get('instances/:id/history')
  async history(@Param('id') id: string) {
    return { data: await this.engine.instanceHistory(parseId(id)) };
  }

  /** BPMN XML as the body (application/xml, text/xml) or a multipart upload named `file`. */
  @Post('deployments')
  @UseInterceptors(FileInterceptor('file'))
  async deploy(
    @Body() body: unknown,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
  ) {
    const xml = file ? file.buffer.toString('utf8') : typeof body === 'string' ? body : undefined;
    if (!xml || !xml.trim()) {
      throw new CrmError(
        ErrorCode.BadRequest,
        'send BPMN XML as the body (Content-Type: application/xml) or as multipart field "file"',
        [{ path: 'body', message: 'no BPMN XML' }],
      );
    }
    return {
      data: await this.deployments.deploy(xml, actorOf(req).id, file?.originalname ?? null),
    };
  }

  @Get('definitions')
  async definitions() {
    return { data: await this.deployments.list() };
  }

  @Get('definitions/:key/xml')
  @Header('content-type', 'application/xml; charset=utf-8')
  xml(@Param('key') key: string, @Query('version') version?: string) {
    return this.deployments.xml(key, parseOptionalInt(version, 'version'));
  }
}

@Controller('api/tasks')
export class TasksController {
  constructor(private readonly engine: EngineService) {}

  @Get()
  async list(@Query() q: Record<string, string>) {
    return {
      data: await this.engine.tasks({
        assignee: q.assignee,
        candidateGroup: q.candidateGroup,
        state: q.state,
        processKey: q.processKey,
      }),
    };
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.engine.task(parseId(id));
  }

  @Post(':id/complete')
  @HttpCode(200)
  complete(
    @Param('id') id: string,
    @Body() body: { variables?: unknown; version?: unknown },
    @Req() req: Request,
  ) {
    if (
      body?.variables !== undefined &&
      (typeof body.variables !== 'object' ||
        body.variables === null ||
        Array.isArray(body.variables))
    ) {
      throw new CrmError(ErrorCode.BadRequest, 'variables must be an object', [
        { path: '/variables', message: 'must be an object' },
      ]);
    }
    return this.engine.completeTask(
      parseId(id),
      {
        variables: body?.variables as Record<string, unknown> | undefined,
        version: typeof body?.version === 'number' ? body.version : undefined,
      },
      actorOf(req).id,
    );
  }
}
