import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig, CrmError, ErrorCode } from '@crm/common';
import { MetaService } from '@crm/metadata';
import { RecordsService } from '@crm/records';
import {
  DeploymentsService,
  EngineService,
  type WorkflowViewer,
  parseDueFilter,
} from '@crm/workflow';
import { QueryParams } from '../http/query-params';
import { actorOf } from '../http/request-context';
import { workflowViewer } from '../http/workflow-viewer';
import { Upload, isMultipart, readBody } from '../http/uploads';
import { parseId, parseOptionalInt } from '../http/params';

type Body_ = Record<string, unknown> | undefined;

const bad = (path: string, message: string) =>
  new CrmError(ErrorCode.BadRequest, message, [{ path, message }]);

/** The request's `variables`: absent, or a JSON object. */
function variablesOf(body: Body_): Record<string, unknown> | undefined {
  const v = body?.variables;
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw bad('/variables', 'variables must be an object');
  return v as Record<string, unknown>;
}

function str(body: Body_, name: string, required: true): string;
function str(body: Body_, name: string, required?: false): string | undefined;
function str(body: Body_, name: string, required = false): string | undefined {
  const v = body?.[name];
  if (v === undefined || v === null) {
    if (required) throw bad(`/${name}`, `${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || !v.trim())
    throw bad(`/${name}`, `${name} must be a non-empty string`);
  // keys and names are stored in indexed columns of 191 characters
  if (v.length > 191 && name !== 'errorMessage')
    throw bad(`/${name}`, `${name} is at most 191 characters`);
  return v;
}

/** The request's `record`: absent, or `{ entity, id }`. */
function recordOf(body: Body_): { entity: string; id: number } | undefined {
  const record = body?.record as { entity?: unknown; id?: unknown } | undefined;
  if (record === undefined) return undefined;
  if (
    typeof record !== 'object' ||
    record === null ||
    typeof record.entity !== 'string' ||
    !Number.isInteger(record.id)
  )
    throw bad('/record', 'record is { entity, id }');
  return record as { entity: string; id: number };
}

function int(body: Body_, name: string): number | undefined {
  const v = body?.[name];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) < 0)
    throw bad(`/${name}`, `${name} must be a non-negative integer`);
  return v as number;
}

/** What POST external-jobs/fetch-and-lock reads (Zeebe's activate-jobs names `fetchVariable`). */
const FETCH_AND_LOCK_FIELDS = ['workerId', 'types', 'maxJobs', 'lockMs', 'fetchVariable'];

/** Throws FORBIDDEN (logged and audited) unless the user's roles allow `action` on Workflow. */
const allow = (req: Request, action: string): string => {
  const a = actorOf(req);
  a.principal.assert(action, 'Workflow');
  return a.id;
};

@Controller('api/workflow')
export class WorkflowController {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly engine: EngineService,
    private readonly meta: MetaService,
    private readonly records: RecordsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private viewer(req: Request): Promise<WorkflowViewer> {
    return workflowViewer(actorOf(req).principal, this.meta.model);
  }

  /**
   * Starting a process about a record needs `start` on that record (within the rule's
   * conditions, e.g. own quotes); any other start needs `start` on Workflow. Either way the rule
   * must allow this process key when it names keys (`conditions: { processKey: ... }`).
   */
  @Post('instances')
  async start(@Body() body: Body_, @Req() req: Request) {
    const record = recordOf(body);
    const actor = actorOf(req);
    const processKey = str(body, 'processKey', true);
    // users start the process as it is now; an older version (its rules since fixed) is for
    // operators who know why they want it
    if (int(body, 'version') !== undefined && !actor.principal.ability.can('operate', 'Workflow'))
      throw actor.principal.deny(
        'start',
        'Workflow',
        'only the latest version of a process may be started; a chosen version needs operate on Workflow',
      );
    await this.assertMayStart(req, processKey, record);
    return this.engine.start(
      {
        processKey,
        version: int(body, 'version'),
        variables: variablesOf(body),
        businessKey: str(body, 'businessKey'),
        record,
      },
      actor.id,
    );
  }

  /** `start` on the record, or on Workflow, by a rule that allows this process key. */
  private async assertMayStart(
    req: Request,
    processKey: string,
    record: { entity: string; id: number } | undefined,
  ): Promise<void> {
    const actor = actorOf(req);
    // a start rule may name the processes it allows (`processKey`): check with those rules only
    const starter = actor.principal.forProcess(processKey);
    const on = record ? record.entity : 'Workflow';
    if (actor.principal.ability.can('start', on) && !starter.ability.can('start', on))
      throw actor.principal.deny(
        'start',
        on,
        `no role of ${actor.id} allows starting ${processKey}${record ? ` on ${on}` : ''}`,
      );
    if (record) await this.records.assertMay(record.entity, record.id, 'start', starter);
    else starter.assert('start', 'Workflow');
  }

  /**
   * "Who will approve this?": the approval nodes and approvers the data would route to, starting
   * nothing. Allowed to whoever may start the process on that record (or, without one, on
   * Workflow) — it shows what a start would show them.
   */
  @Post('preview')
  @HttpCode(200)
  async preview(@Body() body: Body_, @Req() req: Request) {
    const record = recordOf(body);
    const values = body?.values;
    if (
      values !== undefined &&
      (typeof values !== 'object' || values === null || Array.isArray(values))
    )
      throw bad('/values', 'values must be an object of field → value');
    if (record && values !== undefined)
      throw bad('/values', 'send either record (a stored record) or values (an unsaved one)');
    const processKey = str(body, 'processKey', true);
    await this.assertMayStart(req, processKey, record);
    return this.engine.preview(
      {
        processKey,
        record,
        values: values as Record<string, unknown> | undefined,
        variables: variablesOf(body),
      },
      actorOf(req).id,
    );
  }

  /** The instances the user may see (all of them with `read` on Workflow). */
  @Get('instances')
  @QueryParams('state', 'processKey', 'record', 'businessKey', 'limit')
  async instances(@Query() q: Record<string, string>, @Req() req: Request) {
    return {
      data: await this.engine.instances(
        {
          state: q.state,
          processKey: q.processKey,
          record: q.record,
          businessKey: q.businessKey,
          limit: parseOptionalInt(q.limit, 'limit'),
        },
        await this.viewer(req),
      ),
    };
  }

  @Get('instances/:id')
  async instance(@Param('id') id: string, @Req() req: Request) {
    return this.engine.instance(parseId(id), await this.viewer(req));
  }

  @Get('instances/:id/history')
  async history(@Param('id') id: string, @Req() req: Request) {
    return { data: await this.engine.instanceHistory(parseId(id), await this.viewer(req)) };
  }

  @Post('instances/:id/cancel')
  @HttpCode(200)
  async cancel(@Param('id') id: string, @Req() req: Request) {
    return this.engine.cancel(parseId(id), actorOf(req).id, await this.viewer(req));
  }

  @Post('messages')
  @HttpCode(200)
  message(@Body() body: Body_, @Req() req: Request) {
    const key = body?.correlationKey;
    if (key !== undefined && key !== null && typeof key !== 'string' && typeof key !== 'number')
      throw bad('/correlationKey', 'correlationKey must be a string');
    if (key !== undefined && key !== null && String(key).length > 191)
      throw bad('/correlationKey', 'correlationKey is at most 191 characters');
    const ttl = body?.timeToLive;
    // Zeebe's REST API: timeToLive in milliseconds (at most a year here)
    if (
      ttl !== undefined &&
      ttl !== null &&
      (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > 31_536_000_000)
    )
      throw bad(
        '/timeToLive',
        'timeToLive is a whole number of milliseconds from 0 to 31536000000',
      );
    const messageId = body?.messageId;
    if (
      messageId !== undefined &&
      messageId !== null &&
      (typeof messageId !== 'string' || !messageId || messageId.length > 191)
    )
      throw bad('/messageId', 'messageId is a string of 1 to 191 characters');
    const actor = allow(req, 'message');
    return this.engine.correlate(
      {
        name: str(body, 'name', true),
        correlationKey: key === undefined || key === null ? null : String(key),
        variables: variablesOf(body),
        timeToLive: typeof ttl === 'number' ? ttl : 0,
        messageId: typeof messageId === 'string' ? messageId : null,
      },
      actor,
    );
  }

  /** Broadcasts a signal (Camunda 8: `signalName`); needs `message` on Workflow. */
  @Post('signals')
  @HttpCode(200)
  signal(@Body() body: Body_, @Req() req: Request) {
    const name = body?.signalName;
    if (typeof name !== 'string' || !name.trim() || name.length > 191)
      throw bad('/signalName', 'signalName is a string of 1 to 191 characters');
    const actor = allow(req, 'message');
    return this.engine.signal({ name, variables: variablesOf(body) }, actor);
  }

  /** External job workers (integrations) need `work` on Workflow. */
  @Post('external-jobs/fetch-and-lock')
  @HttpCode(200)
  async fetchAndLock(@Body() body: Body_, @Req() req: Request) {
    allow(req, 'work');
    // a field a worker sends expecting an effect (Zeebe's `timeout`, `tenantIds`...) is refused
    // by name: ignoring it would hand the worker something other than what it asked for
    const unknown = Object.keys(body ?? {}).filter((k) => !FETCH_AND_LOCK_FIELDS.includes(k));
    if (unknown.length)
      throw new CrmError(
        ErrorCode.BadRequest,
        `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: fetch-and-lock takes ${FETCH_AND_LOCK_FIELDS.join(', ')}`,
        unknown.map((k) => ({ path: `/${k}`, message: 'unknown field' })),
      );
    const fetchVariable = body?.fetchVariable;
    if (
      fetchVariable !== undefined &&
      (!Array.isArray(fetchVariable) ||
        fetchVariable.some((v) => typeof v !== 'string' || !v.trim()))
    )
      throw bad('/fetchVariable', 'fetchVariable must be a list of variable names');
    const types = body?.types;
    if (!Array.isArray(types) || !types.length || types.some((t) => typeof t !== 'string'))
      throw bad('/types', 'types must be a non-empty list of job types');
    const maxJobs = int(body, 'maxJobs');
    if (maxJobs !== undefined && (maxJobs < 1 || maxJobs > 100))
      throw bad('/maxJobs', 'maxJobs is 1 to 100');
    const lockMs = int(body, 'lockMs');
    if (lockMs !== undefined && lockMs < 1) throw bad('/lockMs', 'lockMs must be positive');
    return {
      data: await this.engine.fetchAndLock({
        workerId: str(body, 'workerId', true),
        types: types as string[],
        maxJobs,
        lockMs,
        fetchVariable: fetchVariable as string[] | undefined,
      }),
    };
  }

  @Post('external-jobs/:id/complete')
  @HttpCode(204)
  async completeJob(@Param('id') id: string, @Body() body: Body_, @Req() req: Request) {
    const actor = allow(req, 'work');
    await this.engine.completeJob(
      parseId(id),
      {
        workerId: str(body, 'workerId', true),
        variables: variablesOf(body),
        // a user task listener's denial / corrections: checked by the engine (400 with pointers)
        result: body?.result,
      },
      actor,
    );
  }

  @Post('external-jobs/:id/fail')
  @HttpCode(204)
  async failJob(@Param('id') id: string, @Body() body: Body_, @Req() req: Request) {
    const actor = allow(req, 'work');
    await this.engine.failJob(
      parseId(id),
      {
        workerId: str(body, 'workerId', true),
        retries: int(body, 'retries'),
        errorMessage: str(body, 'errorMessage'),
        retryBackoffMs: int(body, 'retryBackoffMs'),
      },
      actor,
    );
  }

  @Post('external-jobs/:id/bpmn-error')
  @HttpCode(204)
  async bpmnError(@Param('id') id: string, @Body() body: Body_, @Req() req: Request) {
    const actor = allow(req, 'work');
    await this.engine.bpmnError(
      parseId(id),
      {
        workerId: str(body, 'workerId', true),
        errorCode: str(body, 'errorCode', true),
        errorMessage: str(body, 'errorMessage'),
        variables: variablesOf(body),
      },
      actor,
    );
  }

  @Get('incidents')
  @QueryParams('state', 'instanceId')
  async incidents(@Query() q: Record<string, string>, @Req() req: Request) {
    allow(req, 'read');
    if (q.state && !['open', 'resolved'].includes(q.state))
      throw bad('state', 'state is open or resolved');
    return {
      data: await this.engine.incidents({
        state: q.state,
        instanceId: parseOptionalInt(q.instanceId, 'instanceId'),
      }),
    };
  }

  @Post('incidents/:id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string, @Body() body: Body_, @Req() req: Request) {
    return this.engine.retryIncident(
      parseId(id),
      { retries: int(body, 'retries'), variables: variablesOf(body) },
      allow(req, 'operate'),
    );
  }

  /**
   * BPMN or DMN XML (told apart by the root element) as the body (application/xml, text/xml) or a
   * multipart upload named `file`.
   */
  @Post('deployments')
  @Upload((req) => void allow(req, 'deploy'))
  @UseInterceptors(FileInterceptor('file'))
  async deploy(@UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request) {
    const actor = allow(req, 'deploy');
    const xml = file
      ? file.buffer.toString('utf8')
      : isMultipart(req)
        ? undefined
        : (await readBody(req, this.config.maxFileBytes)).toString('utf8');
    if (!xml || !xml.trim()) {
      throw new CrmError(
        ErrorCode.BadRequest,
        'send BPMN or DMN XML as the body (Content-Type: application/xml) or as multipart field "file"',
        [{ path: 'body', message: 'no BPMN or DMN XML' }],
      );
    }
    return {
      data: await this.deployments.deploy(xml, actor, file?.originalname ?? null),
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

  /** Deployed DMN decisions by decision id, each with its versions (newest first). */
  @Get('decisions')
  async decisions() {
    return { data: await this.deployments.decisions() };
  }

  @Get('decisions/:decisionId/xml')
  @Header('content-type', 'application/xml; charset=utf-8')
  decisionXml(@Param('decisionId') decisionId: string, @Query('version') version?: string) {
    return this.deployments.decisionXml(decisionId, parseOptionalInt(version, 'version'));
  }
}

/**
 * The task inbox. A user sees and works the tasks assigned to them or offered to them as a
 * candidate (by login or by one of their role names); `read` on Workflow shows every task,
 * `operate` lets an administrator work any of them.
 */
@Controller('api/tasks')
export class TasksController {
  constructor(
    private readonly engine: EngineService,
    private readonly meta: MetaService,
  ) {}

  private viewer(req: Request): Promise<WorkflowViewer> {
    return workflowViewer(actorOf(req).principal, this.meta.model);
  }

  @Get()
  @QueryParams(
    'assignee',
    'candidateGroup',
    'candidateUser',
    'state',
    'processKey',
    'instanceId',
    'mine',
    'due',
  )
  async list(@Query() q: Record<string, string>, @Req() req: Request) {
    return {
      data: await this.engine.tasks(
        {
          assignee: q.assignee,
          candidateGroup: q.candidateGroup,
          candidateUser: q.candidateUser,
          state: q.state,
          processKey: q.processKey,
          instanceId: parseOptionalInt(q.instanceId, 'instanceId'),
          mine: q.mine === 'true',
          due: parseDueFilter(q.due),
        },
        await this.viewer(req),
      ),
    };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Req() req: Request) {
    return this.engine.task(parseId(id), await this.viewer(req));
  }

  @Post(':id/claim')
  @HttpCode(200)
  async claim(@Param('id') id: string, @Req() req: Request) {
    return this.engine.claim(parseId(id), actorOf(req).id, await this.viewer(req));
  }

  @Post(':id/complete')
  @HttpCode(200)
  async complete(@Param('id') id: string, @Body() body: Body_, @Req() req: Request) {
    return this.engine.completeTask(
      parseId(id),
      { variables: variablesOf(body), version: int(body, 'version') },
      actorOf(req).id,
      await this.viewer(req),
    );
  }
}

@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly engine: EngineService) {}

  /** The caller's in-app notifications (written by crm:notify service tasks). */
  @Get()
  async list(@Req() req: Request) {
    return { data: await this.engine.notifications(actorOf(req).id) };
  }
}
