// `npm run bench`: runs the benchmark suites against the built library (dist/) and writes
// bench/RESULTS.md with the date, the machine and every table. Peers are installed into
// bench/node_modules on first use so the library's own `npm ci` stays lean.
// Usage: node bench/run.mjs [suite ...]   (default: all suites)
import { execSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, 'node_modules'))) {
  console.error('installing benchmark peers (bench/node_modules)…');
  execSync('npm ci --no-audit --no-fund', { cwd: here, stdio: 'inherit' });
}

const { machineInfoLine } = await import('./lib/measure.mjs');
const ALL = ['swell', 'simplify', 'textbook', 'codegen', 'symbolic', 'graph'];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;

const sections = [];
for (const name of wanted) {
  const file = join(here, 'suites', `${name}.mjs`);
  if (!existsSync(file)) {
    console.error(`no suite ${name}`);
    process.exitCode = 1;
    continue;
  }
  console.error(`running ${name}…`);
  const t0 = Date.now();
  const { run } = await import(file);
  const section = await run();
  console.log(section);
  sections.push(`${section}\n_(${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)_\n`);
}

const header = [
  '# Benchmark results',
  '',
  `Measured ${machineInfoLine()}.`,
  'Ratios are measured side by side in one run; absolute times drift on shared machines.',
  `Suites: ${wanted.join(', ')}. Regenerate with \`npm run bench\` (or \`npm run bench -- <suite>\`).`,
  '',
].join('\n');
const out = join(
  here,
  wanted.length === ALL.length ? 'RESULTS.md' : `RESULTS-${wanted.join('-')}.md`,
);
writeFileSync(out, `${header}\n${sections.join('\n')}`);
console.error(`wrote ${out}`);
