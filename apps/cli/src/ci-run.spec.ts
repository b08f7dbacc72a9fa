import * as fs from 'node:fs';
import * as path from 'node:path';

/** CI (.ci/run) refuses what `npm run check` refuses: the checks run, and before the tests. */
describe('.ci/run', () => {
  const lines = fs
    .readFileSync(path.join(__dirname, '../../../.ci/run'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('runs npm run check (format, lint, types) before npm test, under set -e', () => {
    expect(lines).toContain('set -euo pipefail');
    const check = lines.indexOf('npm run check');
    const test = lines.indexOf('npm test');
    expect(check).toBeGreaterThan(-1);
    expect(test).toBeGreaterThan(check);
  });
});
