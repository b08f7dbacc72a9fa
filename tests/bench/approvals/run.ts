/**
 * Approvals benchmark (a script, not a test), on MySQL at TEST_MYSQL_URL:
 *   (a) countersign decisions per second: our engine's action API in-process against the same
 *       persisted writes hand-written with mysql2, 16 workers (decisions.ts; goal ≥ 0.5×);
 *   (b) the approval inbox among 200,000 instances: an approver's pending box against the
 *       admin's (inbox.ts; goal: p50 ≤ 1.5× the admin's).
 *
 *   npm run bench:approvals     (BENCH_ROUNDS=3 BENCH_DECIDE_INSTANCES=200 BENCH_CONCURRENCY=16
 *                                BENCH_INSTANCES=200000 BENCH_REQUESTS=200; BENCH_ONLY=a or b runs
 *                                one part; BENCH_KEEP=1 keeps the databases, to EXPLAIN)
 *
 * The tables go to stdout and to tests/bench/approvals/RESULTS.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../support';
import { benchDecisions } from './decisions';
import { benchInbox } from './inbox';

async function main() {
  const only = process.env.BENCH_ONLY;
  const a = only === 'b' ? null : await benchDecisions();
  const b = only === 'a' ? null : await benchInbox();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const text = [
    '# Approvals benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on the development machine (${os.cpus().length} cores, ${cpu}, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} at the end: the machine is shared). Command: \`npm run bench:approvals\`.`,
    '',
    ...(a
      ? [
          '## (a) Countersign decisions per second',
          '',
          'tests/bench/approvals/decisions.ts: start → a countersign node (parallel multi-instance over five approvers, `approvalMode: all`) → end. Per round and system, the instances are started untimed; then 16 workers decide them: a worker takes an instance, looks up its five open tasks and approves them one by one (the fifth completes the node and the instance). **ours**: the NestJS app in-process on a fresh MySQL database, `EngineService.tasks` and `EngineService.act` (the action API behind `POST /api/tasks/:id/actions`, without a viewer: no permission check), every step persisted with its history. **raw**: the same persisted effect hand-written with mysql2 on tables with the same columns and indexes — per approval one transaction: the task with its token, the multi-instance body and the instance locked in one SELECT … FOR UPDATE, the task closed by version, the token deleted, the body’s tally kept (on the fifth: body deleted, instance completed), the history in one multi-row INSERT, the instance’s version and variables written.',
          '',
          ...a.lines,
          '',
        ]
      : []),
    ...(b
      ? [
          '## (b) The approval inbox',
          '',
          'tests/bench/approvals/inbox.ts: the built server on a fresh MySQL database, the data inserted directly (as the engine writes it), `GET /api/inbox` over HTTP as an approver whose role reads only deals owned in their department and as the admin (reads everything), alternated request by request. Both take the same share of the work (see the script), so the ratio is the cost of the row rules.',
          '',
          ...b.lines,
          '',
        ]
      : []),
  ].join('\n');
  process.stdout.write(`\n${text}\n`);
  fs.writeFileSync(path.join(ROOT, 'tests/bench/approvals/RESULTS.md'), text);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
