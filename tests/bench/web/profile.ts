/**
 * BENCH_PROFILE=1 npm run bench:web — where the main thread's ms go in one load: a chromium trace
 * (CDP Tracing) from navigation until the rows are in, summed by what the renderer did (compiling
 * and evaluating each chunk, running JS, style, layout, paint, garbage collection), the long tasks
 * in order, and when each API answer was taken. Traced loads are slower than untraced ones; read
 * the shares, and compare the Workspace with the hand-written page traced the same way.
 */
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: Record<string, unknown>; fileName?: string };
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'v8',
  'blink.user_timing',
  'loading',
  'toplevel',
];

/** One traced load of `url` until `selector` is in the page: the trace's events. */
export async function traceLoad(
  context: BrowserContext,
  url: string,
  selector: string,
): Promise<TraceEvent[]> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const events: TraceEvent[] = [];
  // CDP types the events as string maps; they are trace events
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: CATEGORIES },
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(selector, { timeout: 60_000 });
  await page.evaluate(() => performance.mark('rows-ready'));
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  await done;
  await page.close();
  return events;
}

/** What a renderer event is, for the sums: a chunk's compile/evaluate, JS, style, layout... */
function kind(e: TraceEvent): string {
  const url = String(e.args?.data?.url ?? e.args?.fileName ?? '');
  const file = url ? path.basename(url.split('?')[0]) : '';
  if (/^v8\.compile/.test(e.name) || e.name === 'v8.evaluateModule' || e.name === 'EvaluateScript')
    return `script load ${file || '(inline)'}`;
  if (/GC|garbage/i.test(e.name)) return 'garbage collection';
  if (e.name === 'FunctionCall' || e.name === 'TimerFire' || e.name === 'v8.callFunction')
    return 'JS (React, antd, the app)';
  if (/recalcStyle|UpdateLayoutTree|parseStyleSheet|StyleElement/i.test(e.name)) return 'style';
  if (/Layout/.test(e.name)) return 'layout';
  if (/Paint|PrePaint|Commit|Composit/.test(e.name)) return 'paint';
  if (/HTML|ParseHTML/.test(e.name)) return 'HTML';
  return 'other (task and message overhead)';
}

/** The summary of a trace from traceLoad, as lines to print. */
export function breakdown(events: TraceEvent[], origin: string): string[] {
  const nav = events
    .filter((e) => e.name === 'navigationStart')
    .filter((e) => String(e.args?.data?.documentLoaderURL ?? '').startsWith(origin))
    .pop();
  const ready = events.find((e) => e.name === 'rows-ready');
  if (!nav || !ready) return ['(no navigation or rows in the trace)'];
  const [t0, t1] = [nav.ts, ready.ts];
  const ms = (us: number) => `${Math.round(us / 1000)} ms`;
  // the renderer's main thread, in the window, nested complete events: self time by kind
  const xs = events
    .filter((e) => e.pid === nav.pid && e.tid === nav.tid && e.ph === 'X' && e.dur !== undefined)
    .filter((e) => e.ts >= t0 && e.ts <= t1)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: Array<TraceEvent & { child: number }> = [];
  const tops: TraceEvent[] = [];
  const close = (e: TraceEvent & { child: number }) =>
    self.set(kind(e), (self.get(kind(e)) ?? 0) + Math.max(0, e.dur! - e.child));
  for (const e of xs) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur! <= e.ts)
      close(stack.pop()!);
    if (stack.length) stack[stack.length - 1].child += e.dur!;
    else tops.push(e);
    stack.push({ ...e, child: 0 });
  }
  while (stack.length) close(stack.pop()!);
  const busy = tops.reduce((n, e) => n + Math.min(e.dur!, t1 - e.ts), 0);
  const lines = [
    `rows at ${ms(t1 - t0)}: main thread busy ${ms(busy)}, idle ${ms(t1 - t0 - busy)}`,
    ...[...self.entries()]
      .filter(([, v]) => v >= 5000)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `  ${ms(v).padStart(7)}  ${k}`),
    'long tasks (from navigation):',
    ...tops
      .filter((e) => e.dur! >= 30_000)
      .map((e) => `  at ${ms(e.ts - t0).padStart(7)}: ${ms(e.dur!)}`),
    'API answers taken (request → finished, from navigation):',
  ];
  const finished = new Map(
    events.filter((e) => e.name === 'ResourceFinish').map((e) => [e.args?.data?.requestId, e.ts]),
  );
  for (const e of events.filter((x) => x.name === 'ResourceSendRequest')) {
    const url = String(e.args?.data?.url ?? '');
    if (!url.includes('/api/') || e.ts < t0 || e.ts > t1) continue;
    const end = finished.get(e.args?.data?.requestId);
    const shown = url.replace(origin, '');
    lines.push(
      `  ${ms(e.ts - t0).padStart(7)} → ${end ? ms(end - t0) : '?'}  ${shown.slice(0, 80)}`,
    );
  }
  return lines;
}
