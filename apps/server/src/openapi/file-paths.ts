import { nullable, obj, operation, pathParam, ref, reply, str, timestamp } from './schemas';

const tags = ['Files'];
const HIDDEN = 'FILE_NOT_FOUND: no such file, or one the caller may not read (answered alike)';
const READABLE =
  'one who uploaded the file or may read a record holding it in a `file` field; others get 404';

/** The shape of a stored file (components/schemas). */
export const fileSchemas: Record<string, unknown> = {
  StoredFile: obj(
    {
      id: { type: 'string', format: 'uuid', description: "goes into a record's `file` field" },
      name: str,
      mime: str,
      size: { type: 'integer', description: 'bytes' },
      sha256: str,
      createdAt: timestamp,
      createdBy: nullable('string'),
    },
    ['id', 'name', 'mime', 'size', 'sha256'],
  ),
};

/** Upload and download of the files of `file` fields (FilesController). */
export function filePaths(): Record<string, unknown> {
  const id = pathParam('id', { type: 'string', format: 'uuid' });
  return {
    '/api/files': {
      post: operation({
        operationId: 'uploadFile',
        tags,
        summary: "Upload a file; put the returned id into a record's file field",
        permission:
          'create or update on some `file` field of some entity (checked before the body is read)',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: obj({ file: { type: 'string', format: 'binary' } }, ['file']),
            },
          },
        },
        status: '201',
        ok: reply('The stored file', ref('StoredFile')),
        errors: {
          '400': 'No multipart field "file"',
          '403': 'FORBIDDEN: no role lets the caller write a file field',
          '413': 'FILE_TOO_LARGE: over MAX_FILE_BYTES (refused as soon as the body passes it)',
        },
      }),
    },
    '/api/files/{id}/meta': {
      get: operation({
        operationId: 'getFileMeta',
        tags,
        summary: "A file's name, type, size and checksum",
        permission: READABLE,
        parameters: [id],
        ok: reply('The file', ref('StoredFile')),
        errors: { '404': HIDDEN },
      }),
    },
    '/api/files/{id}': {
      get: operation({
        operationId: 'downloadFile',
        tags,
        summary: 'Download a file (Content-Disposition: attachment, its name in UTF-8)',
        permission: READABLE,
        parameters: [id],
        ok: {
          description: 'The bytes, with the stored content type',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        errors: { '404': HIDDEN },
      }),
    },
  };
}
