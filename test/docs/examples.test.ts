// Every code example of README.md and docs/**/*.md, read from the Markdown itself and run:
// ts/js blocks as modules (ts ones also typechecked against the built package's types),
// console blocks as shell sessions against the built `leibniz` command. The conventions
// are in docs/CONTRIBUTING.md and test/docs/markdown.ts.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect, isDeepStrictEqual, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../cli/run-cli.js';
import {
  addAssertions,
  consoleSteps,
  type Example,
  normaliseOutput,
  pointImportsAt,
  readExamples,
  shownTolerance,
} from './markdown.js';

const run = promisify(execFile);
const examples = readExamples(ROOT);
const modules = examples.filter((e) => e.kind === 'module' && !e.skipped);
const sessions = examples.filter((e) => e.kind === 'console' && !e.skipped);
const work = mkdtempSync(join(tmpdir(), 'leibniz-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const slug = (e: Example): string => `${e.file.replace(/[^\w]+/g, '_')}_L${e.line}`;

// What the rewritten examples call (test/docs/markdown.ts: addAssertions).
let current: Example | undefined;
const where = (line: number): string =>
  current ? `${current.file}:${current.line + line}` : `line ${line}`;
const quiet = { ...console, log: () => {}, info: () => {}, table: () => {} };

function equalAsShown(actual: unknown, expected: unknown, text: string): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isNaN(expected)) return Number.isNaN(actual);
    return actual === expected || Math.abs(actual - expected) <= shownTolerance(text);
  }
  if (Array.isArray(expected) && (ArrayBuffer.isView(actual) || Array.isArray(actual))) {
    const items = Array.from(actual as ArrayLike<unknown>);
    // A flat array of numbers: each as shown (its own digits), e.g. [0.1297, -0.2719].
    const shown = text.match(/-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/gi) ?? [];
    if (expected.every((v) => typeof v === 'number') && shown.length === expected.length) {
      return (
        items.length === expected.length &&
        items.every((v, i) => equalAsShown(v, expected[i], shown[i]))
      );
    }
    return isDeepStrictEqual(items, expected);
  }
  return isDeepStrictEqual(actual, expected);
}

Object.assign(globalThis, {
  __docsConsole: quiet,
  __docsCheck(actual: unknown, expected: unknown, text: string, line: number): unknown {
    if (!equalAsShown(actual, expected, text)) {
      const hint =
        typeof actual === 'object' &&
        actual !== null &&
        'op' in actual &&
        typeof expected === 'string'
          ? ' (the value is an Expr: compare its format())'
          : '';
      throw new Error(
        `${where(line)}: the example says ${text}, the code gives ${inspect(actual)}${hint}`,
      );
    }
    return actual;
  },
  __docsThrows(f: () => unknown, name: string, text: string, line: number): void {
    try {
      f();
    } catch (err) {
      const e = err as Error;
      if (e.name !== name || !e.message.includes(text)) {
        throw new Error(`${where(line)}: expected ${name}: ${text}, got ${e.name}: ${e.message}`);
      }
      return;
    }
    throw new Error(`${where(line)}: expected ${name} to be thrown, nothing was`);
  },
});

describe('docs examples: the conventions hold', () => {
  it('finds the examples of every Markdown file', () => {
    expect(new Set(examples.map((e) => e.file))).toContain('README.md');
    expect(modules.length).toBeGreaterThanOrEqual(10);
    expect(sessions.length).toBeGreaterThan(3);
  });

  it('the CLI reference shows every command in a console example', async () => {
    const { COMMANDS } = await import('../../src/cli/commands.js');
    const shown = new Set(
      sessions
        .filter((s) => s.file === 'docs/cli.md')
        .flatMap((s) => consoleSteps(s).map((step) => /^leibniz (\w+)/.exec(step.command)?.[1])),
    );
    for (const c of [...COMMANDS.map((k) => k.name), 'help']) expect(shown).toContain(c);
  });
});

describe('docs examples: an assertion that does not hold fails', () => {
  it('a wrong literal and a missing exception are reported with their Markdown line', async () => {
    const example: Example = {
      file: 'docs/fake.md',
      line: 10,
      lang: 'ts',
      kind: 'module',
      code: 'const two = 1 + 1;\ntwo; // 3\n',
      skipped: false,
    };
    const path = join(work, 'wrong.ts');
    writeFileSync(path, addAssertions(example.code).code);
    current = example;
    await expect(import(path)).rejects.toThrow(
      'docs/fake.md:12: the example says 3, the code gives 2',
    );
    const quietPath = join(work, 'no-throw.ts');
    writeFileSync(quietPath, addAssertions("JSON.parse('1'); // throws SyntaxError").code);
    await expect(import(quietPath)).rejects.toThrow('expected SyntaxError to be thrown');
    current = undefined;
  });
});

describe('docs examples: ts and js blocks run', () => {
  // Examples write their files under tmpdir(): here, this run's folder, removed after it.
  const savedTmp = process.env.TMPDIR;
  beforeAll(() => {
    process.env.TMPDIR = work;
  });
  afterAll(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  });
  const target = join(ROOT, 'src', 'index.ts');
  // Examples run from a temporary folder: packages resolve from the repository.
  const requireFromRoot = createRequire(join(ROOT, 'package.json'));
  const resolve = (specifier: string): string =>
    pathToFileURL(requireFromRoot.resolve(specifier)).href;
  it.each(modules.map((e) => [`${e.file}:${e.line}`, e] as const))('%s', async (_, example) => {
    const { code } = addAssertions(pointImportsAt(example.code, target, resolve));
    const path = join(work, `${slug(example)}.${example.lang.startsWith('t') ? 'ts' : 'mjs'}`);
    // Prefixed on the first line, so the example's line numbers stay its own.
    writeFileSync(path, `const console = globalThis.__docsConsole; ${code}\n`);
    current = example;
    try {
      await import(path);
    } finally {
      current = undefined;
    }
  });
});

describe('docs examples: ts blocks typecheck against the built package', () => {
  it('tsc reports no error', async () => {
    // Inside the repository, so that packages (and @types/node) resolve as in a project.
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'leibniz-docs-types-'));
    const blocks = modules.filter((e) => e.lang === 'ts' || e.lang === 'typescript');
    const files = blocks.map((e) => {
      const name = `${slug(e)}.ts`;
      writeFileSync(join(dir, name), pointImportsAt(e.code, join(ROOT, 'dist', 'index.js')));
      return name;
    });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files,
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false']).catch(
      (err: { stdout: string }) => ({ stdout: err.stdout }),
    );
    // Map "file.ts(3,5): error ..." back to the Markdown line.
    const errors = result.stdout
      .split('\n')
      .filter((l) => l.includes('error'))
      .map((l) => {
        const m = /(\w+)\.ts\((\d+),(\d+)\): (.*)$/.exec(l);
        const block = m && blocks.find((e) => slug(e) === m[1]);
        return block && m ? `${block.file}:${block.line + Number(m[2])}: ${m[4]}` : l;
      });
    rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });
});

describe('docs examples: console sessions run against the built command', () => {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'leibniz'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'leibniz'), 0o755);
  const PATH = [bin, dirname(process.execPath), process.env.PATH].join(delimiter);

  it.concurrent.each(sessions.map((e) => [`${e.file}:${e.line}`, e] as const))(
    '%s',
    async (_, example) => {
      const steps = consoleSteps(example);
      const marker = (k: number): string => `@@leibniz-docs-step-${k}@@`;
      // One shell per block, so `$?` and files carry from one command to the next.
      const script = [
        'exec 2>&1',
        ...steps.flatMap((s, k) => [`__s=$?; echo '${marker(k)}'; (exit $__s)`, s.command]),
      ].join('\n');
      const cwd = mkdtempSync(join(work, 'session-'));
      const { stdout } = await run('bash', ['-c', script], {
        cwd,
        env: { ...process.env, PATH, NO_COLOR: '1' },
      }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
      steps.forEach((step, k) => {
        const after = stdout.split(`${marker(k)}\n`)[1] ?? '';
        const output = k + 1 < steps.length ? after.split(`${marker(k + 1)}\n`)[0] : after;
        expect(normaliseOutput(output), `${example.file}:${step.line}: $ ${step.command}`).toBe(
          step.expected,
        );
      });
    },
  );
});
