/**
 * Rollup benchmark (a script, not a test): on MySQL, create BENCH_LINES order lines into an entity
 * whose header has a sum rollup over them (rb_line → rb_order.total) and into the same entities
 * without it (pb_line → pb_order), requests alternated so noise hits both. Goal: the write with
 * the rollup takes at most 1.3× the time of the one without.
 *
 *   npm run bench:rollup          (BENCH_LINES=2000 BENCH_ORDERS=20)
 */
import * as path from 'node:path';
import { ROOT, benchServer, pct, sideBySide } from '../support';

const LINES = Number(process.env.BENCH_LINES ?? 2000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 20);
const DB = 'crm_bench_rollup';
const PORT = '3913';
const ADMIN_PASSWORD = 'bench-admin-password-1';

async function main() {
  const { api, admin, stop } = await benchServer({
    db: DB,
    port: PORT,
    metadataDir: path.join(ROOT, 'tests/bench/rollup/metadata'),
    adminPassword: ADMIN_PASSWORD,
  });
  try {
    const orders = { rb: [] as number[], pb: [] as number[] };
    for (let i = 0; i < ORDERS; i++)
      for (const k of ['rb', 'pb'] as const)
        orders[k].push(
          (await api<{ id: number }>('POST', `/api/records/${k}_order`, admin, { title: `O${i}` }))
            .id,
        );
    let n = 0;
    let expected = 0;
    const create = (k: 'rb' | 'pb') => async () => {
      const i = n++;
      if (k === 'rb') expected += 10 + (i % 13);
      await api('POST', `/api/records/${k}_line`, admin, {
        name: `L${i}`,
        order: orders[k][i % ORDERS],
        quantity: 1 + (i % 7),
        amount: { amount: 10 + (i % 13), currency: 'CNY' },
      });
    };
    const { a, b } = await sideBySide(create('rb'), create('pb'), LINES);
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    // the rollup must be right, or the time means nothing
    let got = 0;
    for (const id of orders.rb)
      got += (await api<{ total: { amount: number } }>('GET', `/api/records/rb_order/${id}`, admin))
        .total.amount;
    if (Math.abs(got - expected) > 1e-6)
      throw new Error(`rollup is wrong: sum of totals ${got}, sum of line amounts ${expected}`);
    const ratio = sum(a) / sum(b);
    console.log(
      JSON.stringify(
        {
          lines: LINES,
          orders: ORDERS,
          withRollup: { totalMs: Math.round(sum(a)), p50: pct(a, 50), p99: pct(a, 99) },
          withoutRollup: { totalMs: Math.round(sum(b)), p50: pct(b, 50), p99: pct(b, 99) },
          sumOfTotals: got,
          sumOfLineAmounts: expected,
          ratio: Number(ratio.toFixed(3)),
          goal: '≤ 1.3',
        },
        null,
        2,
      ),
    );
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
