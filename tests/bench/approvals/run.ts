/**
 * Approvals benchmark (a script, not a test), on MySQL at TEST_MYSQL_URL:
 *   (b) the approval inbox among 200,000 instances: an approver's pending box against the admin's
 *       (inbox.ts; goal: p50 ≤ 1.5× the admin's).
 *
 *   npm run bench:approvals     (BENCH_INSTANCES=200000 BENCH_REQUESTS=200; BENCH_KEEP=1 keeps
 *                                the databases afterwards, to EXPLAIN the queries)
 *
 * The tables go to stdout and to tests/bench/approvals/RESULTS.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../support';
import { benchInbox } from './inbox';

async function main() {
  const inbox = await benchInbox();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const text = [
    '# Approvals benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on the development machine (${os.cpus().length} cores, ${cpu}, Node ${process.version}). Command: \`npm run bench:approvals\`.`,
    '',
    '## (b) The approval inbox',
    '',
    'tests/bench/approvals/inbox.ts: the built server on a fresh MySQL database, the data inserted directly (as the engine writes it), `GET /api/inbox` over HTTP as an approver whose role reads only deals owned in their department and as the admin (reads everything), alternated request by request. Both take the same share of the work (see the script), so the ratio is the cost of the row rules.',
    '',
    ...inbox.lines,
    '',
  ].join('\n');
  process.stdout.write(`\n${text}\n`);
  fs.writeFileSync(path.join(ROOT, 'tests/bench/approvals/RESULTS.md'), text);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
