import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  Body,
  Controller,
  Get,
  HttpCode,
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
import { CrmError, ErrorCode } from '@crm/common';
import { type ImportPayload, RecordTransferService } from '@crm/records';
import { actorOf } from '../http/request-context';
import { parseJsonParam, parseList } from '../http/params';

/**
 * `GET /api/records/:entity/export` and `POST /api/records/:entity/import`. Registered before
 * RecordsController: its `GET :id` would otherwise take "export" for a record id.
 */
@Controller('api/records/:entity')
export class RecordTransferController {
  private readonly log = new Logger('export');

  constructor(private readonly transfer: RecordTransferService) {}

  @Get('export')
  async export(
    @Param('entity') entity: string,
    @Query() query: Record<string, string>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // throws (→ the error filter's JSON answer) before a byte of the file is sent
    const file = await this.transfer.export(
      entity,
      {
        format: query.format || undefined,
        filter: parseJsonParam(query.filter, 'filter'),
        sort: query.sort,
        fields: parseList(query.fields),
      },
      actorOf(req).access,
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
  @UseInterceptors(FileInterceptor('file'))
  import(
    @Param('entity') entity: string,
    @Query('dryRun') dryRun: string | undefined,
    @Body() body: unknown,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
  ) {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false')
      throw new CrmError(ErrorCode.QueryInvalid, 'dryRun must be true or false', [
        { path: 'dryRun', message: `"${dryRun}" is not true or false` },
      ]);
    return this.transfer.import(entity, payloadOf(body, file), actorOf(req), {
      dryRun: dryRun === 'true',
    });
  }
}

function payloadOf(body: unknown, file: Express.Multer.File | undefined): ImportPayload {
  if (file) {
    const json = file.mimetype === 'application/json' || /\.json$/i.test(file.originalname);
    if (!json) return { kind: 'csv', bytes: file.buffer };
    try {
      return { kind: 'json', items: JSON.parse(file.buffer.toString('utf8')) as unknown };
    } catch {
      throw new CrmError(ErrorCode.BadRequest, 'the uploaded file is not valid JSON', [
        { path: 'file', message: 'not valid JSON' },
      ]);
    }
  }
  if (Buffer.isBuffer(body) && body.length) return { kind: 'csv', bytes: body };
  if (Array.isArray(body)) return { kind: 'json', items: body };
  throw new CrmError(
    ErrorCode.BadRequest,
    'send the file as the body (Content-Type: text/csv, or a JSON array) or as multipart field "file"',
    [{ path: 'body', message: 'no CSV or JSON array' }],
  );
}
