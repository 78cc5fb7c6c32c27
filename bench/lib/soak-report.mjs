// Writes the soak run's section of bench/RESULTS.md, between its own markers (the benchmark table
// has other markers and is never touched), formatted as the repository's Prettier would format it, and
// its raw figures to bench/results/soak.json.
import fs from 'node:fs';
import path from 'node:path';

const START = '<!-- soak:start -->';
const END = '<!-- soak:end -->';

const round = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : '—');
const percent = (part, whole) => (whole ? `${round((100 * part) / whole, 3)} %` : '—');

export async function writeSoakReport(file, run) {
  const lines = [
    START,
    `Soak run of ${run.startedAt}: ${run.minutes} min at ${round(run.rate, 0)} req/s, half the ${round(run.peak.rps, 0)} req/s peak of the same mix measured just before (${run.peak.seconds} s unthrottled, ${run.peak.connections} connections)${run.rateGiven ? '; rate given with --rate' : ''}.`,
    `Machine: ${run.machine.cores} cores, ${run.machine.memoryGiB} GiB, ${run.machine.cpu}, Node ${run.machine.node}. Load average at start ${run.loadAverage.start.join(' / ')}, at end ${run.loadAverage.end.join(' / ')} (shared machine: other work may have run at the same time). Command: \`${run.command}\`.`,
    '',
    `Requests: ${run.total}, errors (non-2xx or failed): ${run.failed} (${percent(run.failed, run.total)}); latency p50 / p95 / p99 ${round(run.latency.p50)} / ${round(run.latency.p95)} / ${round(run.latency.p99)} ms.`,
    '',
    '| request | share | sent | non-2xx | statuses |',
    '|---|---|---|---|---|',
    ...run.kinds.map(
      (kind) =>
        `| ${kind.label} | ${kind.share} | ${kind.sent} | ${kind.non2xx} | ${Object.entries(kind.statuses)
          .map(([status, n]) => `${status}: ${n}`)
          .join(', ')} |`,
    ),
    '',
    '| process | RSS at start MiB | RSS at end MiB | highest sample MiB | peak (VmHWM) MiB |',
    '|---|---|---|---|---|',
    ...Object.entries(run.rss).map(
      ([name, r]) =>
        `| ${name} | ${round(r.start)} | ${round(r.end)} | ${round(Math.max(...r.samples.map((s) => s.mib)))} | ${round(r.peak)} |`,
    ),
    END,
  ];
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  // Only this section is formatted: the rest of the file is left exactly as it was.
  const section = (await formatted(lines.join('\n'), file)).trimEnd();
  const updated = existing.includes(START)
    ? existing.slice(0, existing.indexOf(START)) + section + existing.slice(existing.indexOf(END) + END.length)
    : `${existing.trimEnd()}${existing ? '\n\n' : ''}## Soak\n\n\`npm run soak\` writes the section below (between its markers).\n\n${section}\n`;
  fs.writeFileSync(file, updated);
  const raw = path.join(path.dirname(file), 'results', 'soak.json');
  if (fs.existsSync(path.dirname(raw))) fs.writeFileSync(raw, await formatted(JSON.stringify(run, null, 2), raw));
}

/** As `prettier --check .` expects it (Markdown or JSON, by the file's name), so a recorded run passes the lint. */
async function formatted(text, file) {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}
