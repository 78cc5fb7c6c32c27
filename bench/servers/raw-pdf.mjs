// The baseline for eVisa PDF rendering: the application's pdfkit renderer alone, in a loop, on one
// core — no database, queue or storage — rendering the same document (data and seal, read from the
// file given as argv[2]) as the worker did. Prints one JSON line: renders, wall and CPU seconds, and
// the sha256 of the PDF, which must equal the worker's.
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import v8 from 'node:v8';
import { EvisaPdfRenderer } from '../../dist/libs/documents/src/index.js';
import { Messages } from '../../dist/libs/platform/src/index.js';

const { data, seal, seconds } = v8.deserialize(fs.readFileSync(process.argv[2]));
const renderer = new EvisaPdfRenderer(new Messages());
await renderer.render(data, seal); // warm-up: fonts and code paths loaded once, as in a running worker
const cpu = process.cpuUsage();
const started = performance.now();
let renders = 0;
let pdf;
while (performance.now() - started < seconds * 1000) {
  pdf = await renderer.render(data, seal);
  renders++;
}
const wall = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    renders,
    seconds: wall,
    cpuSeconds: (used.user + used.system) / 1e6,
    sha256: createHash('sha256').update(pdf).digest('hex'),
  }),
);
