#!/usr/bin/env node
/**
 * `npm run fuzz`: the fuzz suite (test/fuzz) at a larger size, before a release. Prints what
 * each part tried and how it was decided, and every failure with its fast-check seed and
 * path (to replay: FC_SEED=<seed> FUZZ_SCALE=<scale> npx vitest run test/fuzz, or the
 * `seed`/`path` options of fc.assert).
 *
 *   npm run fuzz                       # 50× the default size, fixed seed
 *   npm run fuzz -- --scale 200        # larger still
 *   npm run fuzz -- --seed random      # fresh inputs (the seeds are printed)
 *   npm run fuzz -- --repeat 5         # five runs, each with a fresh seed
 *   npm run fuzz -- --known            # also the known failures of other areas (known.ts)
 *   npm run fuzz -- text               # only files matching a filter (vitest's)
 *
 * FUZZ_SCALE and FC_SEED in the environment work too. Exit status 1 when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const USAGE =
  'usage: npm run fuzz -- [--scale N] [--seed N|random] [--repeat K] [--known] [filter ...]';

function parseArgs(argv) {
  const options = {
    scale: process.env.FUZZ_SCALE ?? '50',
    seed: process.env.FC_SEED,
    repeat: 1,
    known: false,
    filters: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--scale') options.scale = value();
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--repeat') options.repeat = Number(value());
    else if (arg === '--known') options.known = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else options.filters.push(arg);
  }
  if (!(Number(options.scale) > 0)) fail(`--scale must be a positive number, not ${options.scale}`);
  if (!Number.isInteger(options.repeat) || options.repeat < 1) fail('--repeat must be ≥ 1');
  if (options.seed !== undefined && options.seed !== 'random' && !/^-?\d+$/.test(options.seed)) {
    fail(`--seed must be an integer or 'random', not ${options.seed}`);
  }
  // Several runs of one fixed seed would repeat each other.
  if (options.repeat > 1 && options.seed === undefined) options.seed = 'random';
  return options;
}

function fail(message) {
  console.error(`fuzz: ${message}\n${USAGE}`);
  process.exit(64);
}

/** One run of vitest over test/fuzz; returns the report lines and the failed tests. */
function runOnce(options, dir, index) {
  const report = join(dir, `report-${index}.jsonl`);
  const results = join(dir, `results-${index}.json`);
  const files =
    options.filters.length > 0 ? options.filters.map((f) => `test/fuzz/${f}`) : ['test/fuzz'];
  const env = {
    ...process.env,
    FUZZ_SCALE: options.scale,
    FUZZ_REPORT: report,
    ...(options.seed === undefined ? {} : { FC_SEED: options.seed }),
    ...(options.known ? { FUZZ_KNOWN: '1' } : {}),
  };
  const started = Date.now();
  // vitest's own output goes to a log, shown only when it produced no results.
  const run = spawnSync(
    'npx',
    ['vitest', 'run', ...files, '--testTimeout=0', '--reporter=json', `--outputFile=${results}`],
    { env, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const seconds = (Date.now() - started) / 1000;
  const log = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  let lines = [];
  try {
    lines = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    // No report: nothing ran (a filter that matched no file, or vitest failed to start).
  }
  let failed = [];
  try {
    const json = JSON.parse(readFileSync(results, 'utf8'));
    for (const file of json.testResults ?? []) {
      for (const t of file.assertionResults ?? []) {
        if (t.status === 'failed') failed.push({ name: t.fullName, messages: t.failureMessages });
      }
      if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') {
        failed.push({ name: file.name, messages: [file.message ?? 'the file failed to run'] });
      }
    }
  } catch {
    failed = [{ name: 'vitest', messages: [`no results; its output ends:\n${log.slice(-3000)}`] }];
  }
  return { lines, failed, seconds };
}

const strip = (s) => stripVTControlCharacters(String(s));

/** The fast-check replay data and the first lines of a failure message. */
function summarise(message) {
  const text = strip(message);
  const seed = /seed: (-?\d+), path: "([^"]*)"/.exec(text);
  const counterexample = /Counterexample: (.*)/.exec(text);
  const first = text.split('\n').find((l) => /Error|expected/.test(l)) ?? text.split('\n')[0];
  return [
    seed ? `seed ${seed[1]}, path "${seed[2]}"` : undefined,
    counterexample ? `counterexample ${counterexample[1].slice(0, 300)}` : undefined,
    first.trim().slice(0, 300),
  ].filter(Boolean);
}

function printCounts(lines) {
  const byCategory = new Map();
  for (const l of lines) {
    const entry = byCategory.get(l.category) ?? {
      ms: 0,
      counts: {},
      measures: {},
      seeds: new Set(),
    };
    entry.ms += l.ms;
    for (const [k, v] of Object.entries(l.measures ?? {})) {
      entry.measures[k] = Math.max(entry.measures[k] ?? Number.NEGATIVE_INFINITY, v);
    }
    if (l.seed !== undefined) entry.seeds.add(l.seed);
    for (const [k, v] of Object.entries(l.counts)) entry.counts[k] = (entry.counts[k] ?? 0) + v;
    byCategory.set(l.category, entry);
  }
  const groups = new Map();
  for (const [category, entry] of byCategory) {
    const group = category.split(':')[0];
    const g = groups.get(group) ?? { ms: 0, tests: 0, counts: {}, measures: {} };
    g.ms += entry.ms;
    g.tests += 1;
    for (const [k, v] of Object.entries(entry.measures)) {
      g.measures[k] = Math.max(g.measures[k] ?? Number.NEGATIVE_INFINITY, v);
    }
    for (const [k, v] of Object.entries(entry.counts)) g.counts[k] = (g.counts[k] ?? 0) + v;
    groups.set(group, g);
  }
  for (const [group, g] of groups) {
    console.log(`\n${group} — ${g.tests} tests, ${(g.ms / 1000).toFixed(1)} s`);
    for (const [k, v] of Object.entries(g.counts).sort((a, b) => b[1] - a[1])) {
      console.log(`  ${String(v).padStart(9)}  ${k}`);
    }
    for (const [k, v] of Object.entries(g.measures)) console.log(`  largest ${k}: ${v.toFixed(1)}`);
  }
}

const options = parseArgs(process.argv.slice(2));
const dir = mkdtempSync(join(tmpdir(), 'leibniz-fuzz-'));
let anyFailed = false;
try {
  for (let run = 1; run <= options.repeat; run++) {
    console.log(
      `\nfuzz run ${run}/${options.repeat}: scale ${options.scale}, seed ${options.seed ?? 'fixed (test/seed.setup.ts)'}${options.known ? ', known failures included' : ''}`,
    );
    console.log('running test/fuzz …');
    const { lines, failed, seconds } = runOnce(options, dir, run);
    printCounts(lines);
    const seeds = [...new Set(lines.map((l) => l.seed).filter((s) => s !== undefined))];
    console.log(`\nseeds: ${seeds.join(', ') || 'none reported'}; ${seconds.toFixed(0)} s`);
    const noted = lines.filter((l) => l.failures);
    if (failed.length > 0 || noted.length > 0) {
      anyFailed = true;
      console.log(`\n${failed.length} failed test(s):`);
      for (const f of failed) {
        console.log(`\n✗ ${f.name}`);
        for (const m of f.messages.slice(0, 1))
          for (const l of summarise(m)) console.log(`    ${l}`);
      }
      for (const l of noted) {
        console.log(`\n  ${l.category} (seed ${l.seed}):`);
        for (const f of l.failures) console.log(`    ${f.slice(0, 300)}`);
      }
    } else {
      console.log('no failures');
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(anyFailed ? 1 : 0);
