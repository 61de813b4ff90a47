// Draws the benchmark results as bench/results/chart.svg with Vega-Lite (compiled to Vega,
// rendered headless by vega's View.toSVG(): no browser, no canvas).
//
//   npx tsx bench/chart.ts [REPORT.json] [--scale=SCALE.json] [--out=FILE.svg]
//
// REPORT: what `npm run bench` writes, bench/results/latest.json (bench/compare.ts's report:
// one bar per ratio of our contenders against C and against Node, each target a tick), or a
// file holding run.ts's older JSON line (`{"bench":"berkeley-sockets",...}`: ours / Node per
// benchmark). Default: latest.json, else sample.json. SCALE: bench/scale.ts's
// bench/results/scale.json (default, when present): CPU per message at each connection
// count ÷ at the smallest, per server, with the 1.3× target as a rule.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { ScaleReport } from './scale.js';

const dir = fileURLToPath(new URL('./results/', import.meta.url));

interface Bar { bench: string; against: string; ratio: number }
interface Tick { bench: string; against: string; target: number; label: string }

/** Bars and target ticks from either report format. */
function fromReport(text: string): { bars: Bar[]; ticks: Tick[]; title: string } {
  // The older run.ts output: the JSON line among the table's lines.
  const line = text.split('\n').find((l) => l.startsWith('{"bench":"berkeley-sockets"'));
  const r = JSON.parse(line ?? text) as Record<string, unknown>;
  const bars: Bar[] = [];
  const ticks: Tick[] = [];
  const title = `${String(r.platform ?? '')}, ${String(r.cpus ?? '?')} CPUs, node ${String(r.node ?? '?')}`;
  if (Array.isArray(r.rows)) {
    type Row = { workload: string; contender: string; side: string; lowerIsBetter?: boolean; vsC: { against: string; ratio: number } | null;
      vsNode: { against: string; ratio: number } | null; targets?: { label: string; ratio: number }[] };
    for (const row of r.rows as Row[]) {
      if (row.side !== 'ours') continue;
      // Times (ns/pair) are drawn as speeds, like every other bar: C's time ÷ ours.
      const speed = (x: number): number => (row.lowerIsBetter ? +(1 / x).toFixed(3) : x);
      const bench = `${row.workload}: ${row.contender}${row.lowerIsBetter ? ' (speed)' : ''}`;
      if (row.vsC) bars.push({ bench, against: 'vs C', ratio: speed(row.vsC.ratio) });
      if (row.vsNode) bars.push({ bench, against: 'vs Node', ratio: speed(row.vsNode.ratio) });
      for (const t of row.targets ?? []) {
        const m = /([\d.]+)\s*x\s*(\w+)/i.exec(t.label);
        if (m) ticks.push({ bench, against: /^c$/i.test(m[2]!) ? 'vs C' : 'vs Node', target: speed(Number(m[1])), label: t.label });
      }
    }
  } else if (Array.isArray(r.results)) {
    type Res = { name: string; ratio: number; target: number | null; vs?: string };
    for (const x of r.results as Res[]) {
      const against = `vs ${x.vs ?? 'Node'}`;
      bars.push({ bench: x.name, against, ratio: x.ratio });
      if (x.target !== null) ticks.push({ bench: x.name, against, target: x.target, label: `>= ${x.target}x` });
    }
  } else {
    throw new Error('chart: neither a compare report (rows) nor a run.ts report (results)');
  }
  return { bars, ticks, title };
}

function ratioChart(bars: Bar[], ticks: Tick[]): unknown {
  const y = { field: 'bench', type: 'nominal', title: null, sort: null, axis: { labelLimit: 260 } } as const;
  const offset = { field: 'against', type: 'nominal' } as const;
  return {
    title: { text: 'Ours ÷ C and ÷ Node (rates; above 1: ours faster). Ticks: targets', anchor: 'start', fontSize: 13 },
    width: 520,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: {
          y, yOffset: offset,
          // From parity (1) to the ratio: a log scale has no zero for bars to start from.
          x: { field: 'ratio', type: 'quantitative', title: 'ratio', scale: { type: 'log', domain: [0.1, 10] } },
          x2: { datum: 1 },
          color: { field: 'against', type: 'nominal', title: null, scale: { domain: ['vs C', 'vs Node'], range: ['#4c78a8', '#f58518'] } },
          tooltip: [{ field: 'bench' }, { field: 'against' }, { field: 'ratio' }],
        },
      },
      {
        data: { values: bars },
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: { y, yOffset: offset, x: { field: 'ratio', type: 'quantitative' }, text: { field: 'ratio', type: 'quantitative', format: '.2f' } },
      },
      {
        data: { values: ticks },
        mark: { type: 'tick', color: 'black', thickness: 2 },
        encoding: { y, yOffset: offset, x: { field: 'target', type: 'quantitative' } },
      },
      { data: { values: [{ x: 1 }] }, mark: { type: 'rule', strokeDash: [3, 3], color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
}

function scaleChart(s: ScaleReport): unknown {
  const lo = Math.min(...s.settings.counts);
  const values = s.rows.map((r) => ({
    server: r.server === 'ours' ? 'ours (Promise API)' : r.server === 'node' ? 'Node net' : 'C epoll',
    conns: r.conns.toLocaleString('en-US'),
    growth: +(r.cpuUsPerMsg / s.rows.find((x) => x.server === r.server && x.conns === lo)!.cpuUsPerMsg).toFixed(2),
    us: r.cpuUsPerMsg,
  }));
  const order = s.settings.counts.map((c) => c.toLocaleString('en-US'));
  const x = { field: 'conns', type: 'ordinal', title: 'open connections', sort: order, axis: { labelAngle: 0 } } as const;
  const xOffset = { field: 'server', type: 'nominal' } as const;
  return {
    title: { text: `Echo server: CPU per 64 B message ÷ at ${lo} connections. Rule: target ${s.target}x`, anchor: 'start', fontSize: 13 },
    width: 520,
    height: 180,
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          x, xOffset,
          y: { field: 'growth', type: 'quantitative', title: `CPU/msg ÷ at ${lo}` },
          color: { field: 'server', type: 'nominal', title: null, scale: { domain: ['ours (Promise API)', 'Node net', 'C epoll'], range: ['#54a24b', '#e45756', '#4c78a8'] } },
          tooltip: [{ field: 'server' }, { field: 'conns' }, { field: 'us', title: 'CPU µs/msg' }],
        },
      },
      {
        data: { values },
        mark: { type: 'text', dy: -4, fontSize: 9 },
        encoding: { x, xOffset, y: { field: 'growth', type: 'quantitative' }, text: { field: 'us', type: 'quantitative', format: '.1f' } },
      },
      { data: { values: [{ y: s.target }] }, mark: { type: 'rule', color: 'black', strokeWidth: 2 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
  const input = args.find((a) => !a.startsWith('--')) ?? [`${dir}latest.json`, `${dir}sample.json`].find((f) => existsSync(f));
  const scalePath = opt('scale') ?? `${dir}scale.json`;
  const out = opt('out') ?? `${dir}chart.svg`;
  const panels: unknown[] = [];
  let title = '';
  if (input !== undefined) {
    const r = fromReport(readFileSync(input, 'utf8'));
    title = r.title;
    panels.push(ratioChart(r.bars, r.ticks));
  }
  if (existsSync(scalePath)) {
    const s = JSON.parse(readFileSync(scalePath, 'utf8')) as ScaleReport;
    title ||= `${s.platform}, ${s.cpus} CPUs, node ${s.node}`;
    panels.push(scaleChart(s));
  }
  if (panels.length === 0) throw new Error('chart: no results found (run `npm run bench` first)');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'berkeley-sockets benchmarks', subtitle: title, anchor: 'start' },
    vconcat: panels,
    resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' }, legend: { color: 'independent' } },
    config: { font: 'sans-serif', view: { stroke: null } },
  } as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  writeFileSync(out, svg);
  process.stderr.write(`wrote ${out} (${input ?? 'no report'}${existsSync(scalePath) ? ` + ${scalePath}` : ''})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`chart failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
