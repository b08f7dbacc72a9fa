#!/usr/bin/env node
// Builds the web app (designer/) into designer/dist when its sources changed since the last
// build: a hash of the sources is kept in designer/dist/.source-hash. `npm start` runs this, so a
// fresh clone or an edited source gets a new bundle, and an unchanged one starts at once.
'use strict';
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'designer');
const out = path.join(root, 'dist');
const stamp = path.join(out, '.source-hash');
const inputs = [
  'src',
  'build',
  'public',
  'index.html',
  'vite.config.ts',
  'package.json',
  'tsconfig.json',
];

function files(p) {
  if (!fs.existsSync(p)) return [];
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs
    .readdirSync(p)
    .sort()
    .flatMap((n) => files(path.join(p, n)));
}

function sourceHash() {
  const h = createHash('sha256');
  for (const f of inputs.flatMap((i) => files(path.join(root, i)))) {
    h.update(path.relative(root, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

const hash = sourceHash();
const force = process.argv.includes('--force');
if (!force && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash) {
  process.stdout.write('web app: up to date (designer/dist)\n');
  process.exit(0);
}
process.stdout.write('web app: building designer/ (sources changed)\n');
execFileSync(
  process.execPath,
  [
    path.join(__dirname, '..', 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--logLevel',
    'warn',
  ],
  // jest sets NODE_ENV=test, which would make Vite bundle React's development build
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
);
fs.writeFileSync(stamp, `${hash}\n`);
