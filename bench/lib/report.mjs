// Writes bench/RESULTS.md (the generated table between markers; the findings below stay as written),
// bench/results/latest.json with every raw figure, and one latency chart (SVG) per benchmark.
import fs from 'node:fs';
import path from 'node:path';

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const round = (v, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : '—');

/** Formats with the project's Prettier settings, so committed results pass `prettier --check`. */
async function formatted(text, filepath) {
  const prettier = await import('prettier');
  return prettier.format(text, { ...(await prettier.resolveConfig(filepath)), filepath });
}

export async function writeReport(benchDir, run) {
  const resultsDir = path.join(benchDir, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const latest = path.join(resultsDir, 'latest.json');
  fs.writeFileSync(latest, await formatted(JSON.stringify(run, null, 2), latest));
  for (const row of run.rows) {
    if (row.figure?.histogram) fs.writeFileSync(path.join(resultsDir, `${row.id}.svg`), latencyChart(row));
  }
  const lines = [
    START,
    `Run of ${run.startedAt} (${run.quick ? 'quick smoke run' : 'full run'}), ${run.durationSeconds} s in all.`,
    `Machine: ${run.machine.cores} cores, ${run.machine.memoryGiB} GiB, ${run.machine.cpu}, Node ${run.machine.node}. Command: \`${run.command}\`.`,
    '',
    '| benchmark | figure | baseline | ratio | goal | met | p50 / p95 / p99 ms | chart |',
    '|---|---|---|---|---|---|---|---|',
    ...run.rows.map((row) => {
      if (row.error) return `| ${row.title} | failed: ${row.error.replace(/\|/g, '/')} | | | ${goalText(row.goal)} | no | | |`;
      const f = row.figure;
      const b = row.baseline;
      return `| ${row.title} | ${round(f.value, 1)} ${f.label} | ${b ? `${round(b.value, 1)} ${b.label}` : 'none'} | ${round(row.ratio, 3)} | ${goalText(row.goal)} | ${row.met ? 'yes' : 'no'} | ${round(f.p50)} / ${round(f.p95)} / ${round(f.p99)} | ${f.histogram ? `[svg](results/${row.id}.svg)` : '—'} |`;
    }),
    '',
    '| process | peak RSS MiB |',
    '|---|---|',
    ...Object.entries(run.peakRss).map(([name, mib]) => `| ${name} | ${round(mib, 1)} |`),
    '',
    'Notes and exact command per benchmark:',
    '',
    ...run.rows.map(
      (row) =>
        `- ${row.title}: ${row.notes ? `${row.notes}. ` : ''}${row.seconds !== undefined ? `(${row.seconds} s) ` : ''}\`${row.command ?? 'n/a'}\``,
    ),
    END,
  ];
  const file = path.join(benchDir, 'RESULTS.md');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Benchmark results\n\n${START}\n${END}\n\n## Findings\n\n`;
  const updated = existing.includes(START)
    ? existing.slice(0, existing.indexOf(START)) + lines.join('\n') + existing.slice(existing.indexOf(END) + END.length)
    : `${existing}\n${lines.join('\n')}\n`;
  fs.writeFileSync(file, await formatted(updated, file));
}

function goalText(goal) {
  const parts = [];
  if (goal?.ratioAtLeast !== undefined) parts.push(`ratio ≥ ${goal.ratioAtLeast}`);
  if (goal?.ratioAtMost !== undefined) parts.push(`ratio ≤ ${goal.ratioAtMost}`);
  if (goal?.ratioAbove !== undefined) parts.push(`ratio > ${goal.ratioAbove}`);
  if (goal?.p95Below !== undefined) parts.push(`p95 < ${goal.p95Below} ms`);
  return parts.join(', ') || '—';
}

function latencyChart(row) {
  const buckets = row.figure.histogram;
  const base = row.baseline?.histogram ?? [];
  const width = 560;
  const height = 240;
  const pad = 40;
  const max = Math.max(1, ...buckets.map(([, v]) => v), ...base.map(([, v]) => v));
  const x = (i) => pad + (i * (width - 2 * pad)) / Math.max(1, buckets.length - 1);
  const y = (v) => height - pad - (v / max) * (height - 2 * pad);
  const line = (series, color) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${series.map(([, v], i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`;
  const labels = buckets
    .map(([name], i) => `<text x="${x(i).toFixed(1)}" y="${height - pad + 16}" font-size="10" text-anchor="middle">${name}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<title>${row.title}: latency by percentile (ms)</title>
<text x="${pad}" y="18" font-size="12">${row.title} — latency (ms) by percentile; max ${round(max, 1)} ms</text>
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#000"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#000"/>
${line(buckets, '#1d70b8')}${base.length ? line(base, '#d4351c') : ''}${labels}
<text x="${width - pad}" y="34" font-size="11" text-anchor="end" fill="#1d70b8">${row.figure.label}</text>
${base.length ? `<text x="${width - pad}" y="48" font-size="11" text-anchor="end" fill="#d4351c">${row.baseline.label}</text>` : ''}
</svg>
`;
}
