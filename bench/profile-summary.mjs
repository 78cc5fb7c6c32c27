#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): the functions with the most self
// time, and the packages or project folders where the time goes.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 30] [--filter text]
import fs from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 30] [--filter text]');
  process.exit(1);
}
const top = Number(rest[rest.indexOf('--top') + 1]) || 30;
const filter = rest.includes('--filter') ? rest[rest.indexOf('--filter') + 1] : null;
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const selfTime = new Map();
const intervals = profile.timeDeltas;
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (intervals[i] ?? 0)));
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);

const where = (url) => {
  if (!url) return '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const project = /\/(dist\/(?:apps|libs)\/[^/]+)/.exec(url);
  if (project) return project[1];
  return url.startsWith('node:') ? 'node' : url.split('/').slice(-2).join('/');
};
const name = (node) => `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

const selfByFunction = new Map();
const selfByPlace = new Map();
const inclusive = new Map();
for (const [id, us] of selfTime) {
  const node = byId.get(id);
  selfByFunction.set(name(node), (selfByFunction.get(name(node)) ?? 0) + us);
  const place = where(node.callFrame.url);
  selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + us);
  // Inclusive time per function, counted once per sample stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = name(byId.get(cur));
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title, map) => {
  console.log(`\n${title}`);
  [...map]
    .filter(([k]) => !filter || k.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([k, us]) => console.log(`${pct(us)}  ${k}`));
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
print('self time by package or project folder', selfByPlace);
print('self time by function', selfByFunction);
print('inclusive time by function', inclusive);
