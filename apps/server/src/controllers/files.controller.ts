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
import { FilesService } from '@crm/records';
import { actorOf } from '../http/request-context';

@Controller('api/files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

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
  meta(@Param('id') id: string) {
    return this.files.meta(id);
  }

  @Get(':id')
  async download(@Param('id') id: string, @Res() res: Response) {
    const { meta, bytes } = await this.files.read(id);
    res.setHeader('content-type', meta.mime);
    res.setHeader(
      'content-disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(meta.name)}`,
    );
    res.send(bytes);
  }
}
