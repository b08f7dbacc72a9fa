import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig, CrmError, ErrorCode } from '@crm/common';
import { type ImportPayload, RecordTransferService, XLSX_TYPE } from '@crm/records';
import { QueryParams } from '../http/query-params';
import { actorOf } from '../http/request-context';
import { parseJsonParam, parseList } from '../http/params';
import { HeavyRequest } from '../http/heavy-requests';
import { assertJsonDepth } from '../http/json-depth';
import { Upload, isMultipart, readBody } from '../http/uploads';

/**
 * `GET /api/records/:entity/export` and `POST /api/records/:entity/import`. Registered before
 * RecordsController: its `GET :id` would otherwise take "export" for a record id.
 */
@Controller('api/records/:entity')
export class RecordTransferController {
  private readonly log = new Logger('export');

  constructor(
    private readonly transfer: RecordTransferService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('export')
  @UseInterceptors(HeavyRequest)
  @QueryParams('format', 'headers', 'filter', 'sort', 'fields')
  async export(
    @Param('entity') entity: string,
    @Query() query: Record<string, string>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // throws (→ the error filter's JSON answer) before a byte of the file is sent
    const actor = actorOf(req);
    const file = await this.transfer.export(
      entity,
      {
        format: query.format || undefined,
        headers: query.headers || undefined,
        locale: actor.locale,
        filter: parseJsonParam(query.filter, 'filter'),
        sort: query.sort,
        fields: parseList(query.fields),
      },
      actor.access,
    );
    res.status(200);
    res.setHeader('content-type', file.contentType);
    res.setHeader(
      'content-disposition',
      `attachment; filename="${file.filename}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    );
    // an export holds personal data: no shared cache keeps a copy
    res.setHeader('cache-control', 'no-store');
    try {
      // pipeline waits for the client to drain each page and stops reading when it goes away
      // (one page read ahead at most, so memory stays at a page or two however large the export)
      await pipeline(Readable.from(file.chunks, { highWaterMark: 1 }), res);
    } catch (err) {
      // the status line is gone: the only honest signal left is a cut-off response
      if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        this.log.error(`export of ${entity} failed mid-stream: ${(err as Error).stack ?? err}`);
    }
  }

  /**
   * The file as the body (`text/csv`, or a JSON array) or as multipart field `file` (`.json` or
   * `application/json` is JSON, anything else CSV). `?dryRun=true` checks everything, writes nothing.
   */
  @Post('import')
  @HttpCode(200)
  @Upload((req) => {
    // refused before the file is read: import and create on the entity (row conditions later)
    const p = actorOf(req).principal;
    const entity = String(req.params.entity);
    for (const action of ['import', 'create'])
      if (!p.ability.can(action, entity))
        throw p.deny(action, entity, `no rule allows ${action} on ${entity}`);
  })
  @UseInterceptors(FileInterceptor('file'))
  async import(
    @Param('entity') entity: string,
    @Query('dryRun') dryRun: string | undefined,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
  ) {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false')
      throw new CrmError(ErrorCode.QueryInvalid, 'dryRun must be true or false', [
        { path: 'dryRun', message: `"${dryRun}" is not true or false` },
      ]);
    const payload = file
      ? payloadOfFile(file)
      : payloadOfBody(
          req,
          isMultipart(req) ? undefined : await readBody(req, this.config.maxFileBytes),
        );
    return this.transfer.import(entity, payload, actorOf(req), {
      dryRun: dryRun === 'true',
    });
  }
}

function parseJson(bytes: Buffer, path: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new CrmError(ErrorCode.BadRequest, `the ${path} is not valid JSON`, [
      { path, message: 'not valid JSON' },
    ]);
  }
  assertJsonDepth(value, path);
  return value;
}

const isXlsx = (type: string, name = '') => type === XLSX_TYPE || /\.xlsx$/i.test(name);

function payloadOfFile(file: Express.Multer.File): ImportPayload {
  if (isXlsx(file.mimetype, file.originalname)) return { kind: 'xlsx', bytes: file.buffer };
  const json = file.mimetype === 'application/json' || /\.json$/i.test(file.originalname);
  if (!json) return { kind: 'csv', bytes: file.buffer };
  return { kind: 'json', items: parseJson(file.buffer, 'file') };
}

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

function payloadOfBody(req: Request, body: Buffer | undefined): ImportPayload {
  const type = (req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (body?.length && CSV_TYPES.includes(type)) return { kind: 'csv', bytes: body };
  if (body?.length && isXlsx(type)) return { kind: 'xlsx', bytes: body };
  if (body?.length && (type === 'application/json' || type.endsWith('+json'))) {
    const items = parseJson(body, 'body');
    if (Array.isArray(items)) return { kind: 'json', items };
  }
  throw new CrmError(
    ErrorCode.BadRequest,
    'send the file as the body (Content-Type: text/csv, an .xlsx workbook, or a JSON array) or as multipart field "file"',
    [{ path: 'body', message: 'no CSV, Excel workbook or JSON array' }],
  );
}
