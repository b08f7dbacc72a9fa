#!/usr/bin/env node
// Writes the OpenAPI document the server serves for the shipped metadata, and the web app's API
// types generated from it (designer/src/api/openapi.d.ts, not committed). `npm run check` runs
// this before type-checking designer/, so a server change that breaks the app fails the check.
// Needs the server built (`npm run build`).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.join(__dirname, '..');
const dist = path.join(repo, 'dist');
const { buildModel, loadMetadataDir } = require(path.join(dist, 'libs/metadata/src'));
const { buildOpenApi } = require(path.join(dist, 'apps/server/src/openapi/build-openapi'));

const loaded = loadMetadataDir(path.join(repo, 'metadata'), null);
if (loaded.errors.length) {
  process.stderr.write(`${JSON.stringify(loaded.errors, null, 2)}\n`);
  process.exit(1);
}
const doc = buildOpenApi(
  buildModel(
    loaded.documents.map((d) => d.doc),
    1,
  ),
  'shipped',
);
const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-openapi-')), 'openapi.json');
fs.writeFileSync(tmp, JSON.stringify(doc));
const out = path.join(repo, 'designer/src/api/openapi.d.ts');
execFileSync(
  process.execPath,
  [path.join(repo, 'node_modules/openapi-typescript/bin/cli.js'), tmp, '--output', out, '--silent'],
  { stdio: 'inherit' },
);
fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
