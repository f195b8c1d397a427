// The package as a user installs it: a copy of the repository's files (what a clone has,
// no dist/) is packed with `npm pack` (its `prepare` builds dist/), the tarball is
// installed offline into fresh projects, and there it is imported (ESM), required
// (CommonJS), typechecked and run from TypeScript (ESM and CommonJS projects), and its
// `leibniz` bin is run. Source maps must resolve inside the installed package.
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const work = mkdtempSync(join(tmpdir(), 'leibniz-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const project = join(work, 'consumer');
const installed = join(project, 'node_modules', 'leibniz');
let packedFiles: string[] = [];

/** The files a clone of the working tree has: tracked and new, not ignored, not deleted. */
function repositoryFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return listed.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

async function node(args: string[], cwd: string): Promise<string> {
  return (await run(process.execPath, args, { cwd })).stdout;
}

/** Runs tsc in `dir`; returns its output (empty when the project typechecks). */
async function tsc(dir: string): Promise<string> {
  return run(process.execPath, [TSC, '-p', dir, '--pretty', 'false']).then(
    (r) => r.stdout,
    (err: { stdout: string }) => err.stdout,
  );
}

function writeProject(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  // The consumer's own node_modules: leibniz from the tarball, @types/node from ours.
  symlinkSync(join(project, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

const TS_SOURCE = `import { compileGradient, diff, format, type Expr, parse, ParseError } from 'leibniz';

const e: Expr = parse('sin(x^2)');
const text: string = format(diff(e, 'x'));
// @ts-expect-error format returns a string: the package's types are real, not any.
const wrong: number = format(e);
let caret = '';
try {
  parse('sin(x^)');
} catch (err) {
  if (err instanceof ParseError) caret = err.excerpt;
}
const g = new Float64Array(1);
const value = compileGradient(parse('x^3'), ['x'])([2], g);
console.log(JSON.stringify([text, caret, value, g[0], typeof wrong]));
`;
const TS_EXPECTED = `${JSON.stringify(['2*x*cos(x^2)', 'sin(x^)\n      ^', 8, 12, 'string'])}\n`;

function tsconfig(module: string, moduleResolution: string, types = ['node']): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      module,
      moduleResolution,
      strict: true,
      outDir: 'out',
      rootDir: 'src',
      types,
      typeRoots: [join(ROOT, 'node_modules', '@types')],
    },
    include: ['src'],
  });
}

describe('the packed package', () => {
  beforeAll(async () => {
    const clone = join(work, 'clone');
    for (const file of repositoryFiles()) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(ROOT, file), join(clone, file));
    }
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    // The clone's build tools are ours; `npm pack` runs `prepare`, which builds dist/.
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: clone,
    });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
    packedFiles = (info.files as { path: string }[]).map((f) => f.path);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true }\n');
    await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', join(work, info.filename)],
      { cwd: project },
    );
  }, 120_000);

  it('ships dist, the sources its maps point to, LICENSE, README and CHANGELOG only', () => {
    for (const f of [
      'package.json',
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'src/index.ts',
    ]) {
      expect(packedFiles).toContain(f);
    }
    const tops = new Set(packedFiles.map((f) => f.split('/')[0]));
    expect([...tops].sort()).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist',
      'package.json',
      'src',
    ]);
  });

  it('every source map and declaration map resolves to a shipped file', () => {
    const maps: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.map')) maps.push(path);
      }
    };
    walk(join(installed, 'dist'));
    expect(maps.length).toBeGreaterThan(40);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
      for (const source of sources)
        expect(existsSync(resolve(dirname(map), source)), map).toBe(true);
    }
  });

  it('imports as an ES module and requires from CommonJS, as one instance', async () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { diff, format, parse } from 'leibniz';
console.log(format(diff(parse('x^3'), 'x')));`,
    );
    expect(await node(['esm.mjs'], project)).toBe('3*x^2\n');
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { diff, format, parse } = require('leibniz');
const { version } = require('leibniz/package.json');
import('leibniz').then((esm) => {
  // One build: require and import give the same module, so interning is shared.
  console.log(format(diff(parse('x^3'), 'x')), version, esm.parse === parse, esm.parse('x') === parse('x'));
});`,
    );
    expect(await node(['cjs.cjs'], project)).toBe(`3*x^2 ${VERSION} true true\n`);
  });

  it('runs the installed leibniz bin', async () => {
    const bin = join(project, 'node_modules', '.bin', 'leibniz');
    expect((await run(bin, ['diff', 'sin(x^2)'], { cwd: project })).stdout).toBe('2*x*cos(x^2)\n');
    expect((await run(bin, ['--version'], { cwd: project })).stdout).toBe(`${VERSION}\n`);
    const usage = await run(bin, ['diff', 'x', '--bogus'], { cwd: project }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(usage).toMatchObject({ code: 64 });
  });

  it('typechecks and runs from a TypeScript ES module project', async () => {
    const dir = join(work, 'ts-esm');
    writeProject(dir, {
      'package.json': '{ "type": "module" }\n',
      'tsconfig.json': tsconfig('nodenext', 'nodenext'),
      'src/index.ts': TS_SOURCE,
    });
    expect(await tsc(dir)).toBe('');
    expect(await node(['out/index.js'], dir)).toBe(TS_EXPECTED);
  });

  it('typechecks in a project without @types/node (a browser app: lib ES2022, bundler)', async () => {
    // Session's [Symbol.dispose] must not need the consumer to know Symbol.dispose.
    const dir = join(work, 'ts-browser');
    writeProject(dir, {
      'package.json': '{ "type": "module" }\n',
      'tsconfig.json': tsconfig('esnext', 'bundler', []),
      'src/index.ts': `import { type Expr, parse, Session } from 'leibniz';\nexport const e: Expr = parse('x');\nexport type S = Session;\n`,
    });
    expect(await tsc(dir)).toBe('');
  });

  it('typechecks and runs from TypeScript CommonJS projects (nodenext, and commonjs + bundler)', async () => {
    for (const [name, module, resolution] of [
      ['ts-cjs-nodenext', 'nodenext', 'nodenext'],
      ['ts-cjs-bundler', 'commonjs', 'bundler'],
    ] as const) {
      const dir = join(work, name);
      writeProject(dir, {
        'package.json': '{ "type": "commonjs" }\n',
        'tsconfig.json': tsconfig(module, resolution),
        'src/index.ts': TS_SOURCE,
      });
      expect(await tsc(dir), name).toBe('');
      expect(readFileSync(join(dir, 'out', 'index.js'), 'utf8')).toContain('require("leibniz")');
      expect(await node(['out/index.js'], dir), name).toBe(TS_EXPECTED);
    }
  });
});
