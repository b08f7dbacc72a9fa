import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { DIALECTS, type TestServer, startServer } from './support/harness';

/**
 * FILE_STORAGE=s3: the bytes of uploaded files go to an S3-compatible bucket, so every node of a
 * cluster serves every file. Tested with the real AWS S3 client against s3rver, an S3-protocol
 * server started on loopback by the test (MinIO, Aliyun OSS and Tencent COS speak the same).
 */
const DEAL = `
kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  contract: { type: file, label: { zh-CN: 合同, en: Contract } }
`;

describe.each(DIALECTS)('files on S3-compatible storage (%s)', (dialect) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-s3-'));
  let s3rver: S3rver;
  let endpoint = '';
  let a: TestServer;
  let b: TestServer;
  let client: S3Client;

  beforeAll(async () => {
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'crm-files', configs: [] }],
    });
    const { port } = await s3rver.run();
    endpoint = `http://127.0.0.1:${port}`;
    const env = {
      FILE_STORAGE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: 'crm-files',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    };
    a = await startServer(dialect, { 'deal.yaml': DEAL }, env);
    // a second node: its own DATA_DIR, the same database and bucket
    b = await startServer(dialect, {}, env, a);
    client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await b?.close();
    await a?.close();
    await s3rver?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores an upload in the bucket, not on the node, and every node serves it', async () => {
    const bytes = Buffer.from(`%PDF-1.4 合同 ${'x'.repeat(100_000)}`);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), '合同.pdf');
    const up = await fetch(`${a.url}/api/files`, { method: 'POST', body: form });
    expect(up.status).toBe(201);
    const file = (await up.json()) as { id: string; size: number };
    expect(file.size).toBe(bytes.length);

    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'crm-files' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([`files/${file.id}`]);
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'crm-files', Key: `files/${file.id}` }),
    );
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    expect(fs.existsSync(path.join(a.config.dataDir, 'files'))).toBe(false);

    for (const node of [a, b]) {
      const got = await fetch(`${node.url}/api/files/${file.id}`);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('a file whose object is gone answers 404 FILE_NOT_FOUND, not 500', async () => {
    const form = new FormData();
    form.append('file', new Blob(['gone']), 'gone.txt');
    const file = (await (
      await fetch(`${a.url}/api/files`, { method: 'POST', body: form })
    ).json()) as {
      id: string;
    };
    await client.send(new DeleteObjectCommand({ Bucket: 'crm-files', Key: `files/${file.id}` }));
    const got = await fetch(`${b.url}/api/files/${file.id}`);
    expect(got.status).toBe(404);
    expect(((await got.json()) as { code: string }).code).toBe('FILE_NOT_FOUND');
  });
});
