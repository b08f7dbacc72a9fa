import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
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

export interface StoredFile {
  id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  createdAt: string | null;
  createdBy: string | null;
}

/** Files of `file` fields: bytes on disk under the data dir, their metadata in crm_file. */
@Injectable()
export class FilesService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private pathOf(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw this.notFound(id);
    return path.join(this.config.dataDir, 'files', id.slice(0, 2), id);
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
    const file = this.pathOf(id);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Write to a temp name and rename: a crash never leaves a half file under a real id.
    fs.writeFileSync(`${file}.part`, bytes);
    fs.renameSync(`${file}.part`, file);
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
    this.pathOf(id);
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
    return { meta, bytes: fs.readFileSync(this.pathOf(id)) };
  }

  private notFound(id: string): CrmError {
    return new CrmError(ErrorCode.FileNotFound, `file ${id} not found`, [
      { path: 'id', message: 'not found' },
    ]);
  }
}
