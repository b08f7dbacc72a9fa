import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AppConfig } from '@crm/common';

/**
 * Where the bytes of uploaded files live; their metadata stays in crm_file. Local disk suits one
 * node (or a shared DATA_DIR); a cluster of nodes uses S3-compatible storage (AWS S3, MinIO,
 * Aliyun OSS, Tencent COS), so a file uploaded on one node is there on every other.
 */
export interface FileStorage {
  /** Stores the bytes under `id`, all or nothing. */
  put(id: string, bytes: Buffer, mime: string): Promise<void>;
  /** The bytes stored under `id`, or null when there are none. */
  get(id: string): Promise<Buffer | null>;
}

export class LocalFileStorage implements FileStorage {
  constructor(private readonly dir: string) {}

  private pathOf(id: string): string {
    return path.join(this.dir, id.slice(0, 2), id);
  }

  async put(id: string, bytes: Buffer): Promise<void> {
    const file = this.pathOf(id);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    // Write to a temp name and rename: a crash never leaves a half file under a real id.
    await fs.promises.writeFile(`${file}.part`, bytes);
    await fs.promises.rename(`${file}.part`, file);
  }

  async get(id: string): Promise<Buffer | null> {
    try {
      return await fs.promises.readFile(this.pathOf(id));
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    }
  }
}

export interface S3Settings {
  bucket: string;
  prefix: string;
  endpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

/** Any S3-compatible service through the AWS SDK's S3 client; one object per file. */
export class S3FileStorage implements FileStorage {
  private readonly client: S3Client;

  constructor(private readonly s3: S3Settings) {
    this.client = new S3Client({
      region: s3.region,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      forcePathStyle: s3.forcePathStyle,
      ...(s3.accessKeyId && s3.secretAccessKey
        ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
        : {}),
      // checksums only where S3 requires them: S3-compatible services (MinIO, OSS, COS, older
      // gateways) do not all speak the SDK's newer default trailing checksums
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(id: string): string {
    return `${this.s3.prefix}${id}`;
  }

  async put(id: string, bytes: Buffer, mime: string): Promise<void> {
    // one PUT is atomic: the object appears whole or not at all
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.s3.bucket,
        Key: this.key(id),
        Body: bytes,
        ContentType: mime || 'application/octet-stream',
        ContentLength: bytes.length,
      }),
    );
  }

  async get(id: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.s3.bucket, Key: this.key(id) }),
      );
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

export function fileStorageOf(config: AppConfig): FileStorage {
  return config.s3
    ? new S3FileStorage(config.s3)
    : new LocalFileStorage(path.join(config.dataDir, 'files'));
}
