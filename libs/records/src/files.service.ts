import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
  toDbTimestamp,
  fromDbTimestamp,
} from '@crm/common';
import { type FileStorage, fileStorageOf } from './file-storage';

export interface StoredFile {
  id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  createdAt: string | null;
  createdBy: string | null;
}

/**
 * Files of `file` fields: their metadata in crm_file, their bytes in the FileStorage the config
 * chooses (local disk under the data dir, or S3-compatible storage shared by every node).
 */
@Injectable()
export class FilesService {
  private readonly storage: FileStorage;

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.storage = fileStorageOf(config);
  }

  private checkId(id: string): void {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw this.notFound(id);
  }

  async store(name: string, mime: string, bytes: Buffer, actor: string): Promise<StoredFile> {
    if (bytes.length > this.config.maxFileBytes) {
      throw new CrmError(
        ErrorCode.FileTooLarge,
        `file is larger than ${this.config.maxFileBytes} bytes`,
        [{ path: 'file', message: 'too large' }],
      );
    }
    const id = randomUUID();
    // bytes first, then the row: a crash in between leaves an unreferenced object, never a row
    // pointing at nothing
    await this.storage.put(id, bytes, mime);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const at = toDbTimestamp(this.clock.now());
    const safeName = path.basename(name || 'file').slice(0, 255);
    await this.db.execute(
      'INSERT INTO crm_file (id, name, mime, size, sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, safeName, mime || 'application/octet-stream', bytes.length, sha256, actor, at],
    );
    return {
      id,
      name: safeName,
      mime,
      size: bytes.length,
      sha256,
      createdAt: fromDbTimestamp(at),
      createdBy: actor,
    };
  }

  async meta(id: string): Promise<StoredFile> {
    this.checkId(id);
    const [r] = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_file WHERE id = ?',
      [id],
    );
    if (!r) throw this.notFound(id);
    return {
      id: String(r.id),
      name: String(r.name),
      mime: String(r.mime),
      size: Number(r.size),
      sha256: String(r.sha256),
      createdAt: fromDbTimestamp(r.created_at),
      createdBy: (r.created_by as string) ?? null,
    };
  }

  async read(id: string): Promise<{ meta: StoredFile; bytes: Buffer }> {
    const meta = await this.meta(id);
    const bytes = await this.storage.get(id);
    if (!bytes) throw this.notFound(id);
    return { meta, bytes };
  }

  private notFound(id: string): CrmError {
    return new CrmError(ErrorCode.FileNotFound, `file ${id} not found`, [
      { path: 'id', message: 'not found' },
    ]);
  }
}
