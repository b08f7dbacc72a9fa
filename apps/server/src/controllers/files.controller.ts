import {
  Controller,
  Get,
  Param,
  Post,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { CrmError, ErrorCode } from '@crm/common';
import { FilesService, RecordsService } from '@crm/records';
import { actorOf } from '../http/request-context';

@Controller('api/files')
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly records: RecordsService,
  ) {}

  /** A file the user may not read answers exactly like a missing one. */
  private async readable(id: string, req: Request) {
    const meta = await this.files.meta(id);
    if (!(await this.records.canReadFile(id, meta.createdBy, actorOf(req))))
      throw new CrmError(ErrorCode.FileNotFound, `file ${id} not found`, [
        { path: 'id', message: 'not found' },
      ]);
    return meta;
  }

  /** multipart/form-data with a `file` part; the returned id goes into a record's file field. */
  @Post()
  @UseInterceptors(FileInterceptor('file'))
  upload(@UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request) {
    if (!file)
      throw new CrmError(
        ErrorCode.BadRequest,
        'send the file as multipart/form-data field "file"',
        [{ path: 'file', message: 'missing' }],
      );
    return this.files.store(
      Buffer.from(file.originalname, 'latin1').toString('utf8'),
      file.mimetype,
      file.buffer,
      actorOf(req).id,
    );
  }

  @Get(':id/meta')
  meta(@Param('id') id: string, @Req() req: Request) {
    return this.readable(id, req);
  }

  @Get(':id')
  async download(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    await this.readable(id, req);
    const { meta, bytes } = await this.files.read(id);
    res.setHeader('content-type', meta.mime);
    res.setHeader(
      'content-disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(meta.name)}`,
    );
    res.send(bytes);
  }
}
