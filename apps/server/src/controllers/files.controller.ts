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
import type { Principal } from '@crm/access';
import { type MetadataModel, MetaService } from '@crm/metadata';
import { actorOf } from '../http/request-context';
import { Upload } from '../http/uploads';

/** An upload is only useful to put into a file field; who may write none has no business sending one. */
export function mayWriteSomeFileField(p: Principal, model: MetadataModel): boolean {
  for (const e of model.entities.values())
    for (const [name, f] of Object.entries(e.fields))
      if (
        f.type === 'file' &&
        (p.ability.can('create', e.name, name) || p.ability.can('update', e.name, name))
      )
        return true;
  return false;
}

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

  /**
   * multipart/form-data with a `file` part; the returned id goes into a record's file field. Only
   * a user who may write some file field uploads: the check runs before a byte of the body is
   * read, and multer stops at MAX_FILE_BYTES (413).
   */
  @Post()
  @Upload((req, refs) => {
    const p = actorOf(req).principal;
    if (!mayWriteSomeFileField(p, refs.get(MetaService, { strict: false }).model))
      throw p.deny('upload', 'file', 'no role lets you write a file field of any entity');
  })
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
