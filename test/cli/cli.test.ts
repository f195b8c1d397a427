// The `leibniz` command, built and run as a subprocess: results, usage errors (exit 64),
// invalid expressions (exit 2), input from arguments, standard input and files, JSON,
// LaTeX, and compiled modules that run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  diff,
  evaluate,
  format,
  grad,
  hessian,
  parse,
  simplify,
  toLatex,
} from '../../src/index.js';
import { CLI, leibniz, ROOT } from './run-cli.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const scratch = mkdtempSync(join(tmpdir(), 'leibniz-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Expects a usage error: exit 64, nothing on stdout, the word and a usage line on stderr. */
async function expectUsageError(argv: string[], word: string): Promise<string> {
  const r = await leibniz(argv);
  expect(r.code, r.stderr).toBe(64);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(word);
  expect(r.stderr).toMatch(/^usage: leibniz/m);
  return r.stderr;
}

describe.concurrent('leibniz: results', () => {
  it('differentiates by the only free symbol, simplified', async () => {
    expect(await leibniz(['diff', 'sin(x^2)'])).toEqual({
      code: 0,
      stdout: '2*x*cos(x^2)\n',
      stderr: '',
    });
    const product = await leibniz(['diff', 'x^2*sin(x)']);
    expect(product.stdout).toBe(`${format(simplify(diff(parse('x^2*sin(x)'), 'x')))}\n`);
    const raw = await leibniz(['diff', 'x^2*sin(x)', '--no-simplify']);
    expect(raw.stdout).toBe(`${format(diff(parse('x^2*sin(x)'), 'x'))}\n`);
    expect(raw.stdout).not.toBe(product.stdout);
  });

  it('several variables give the mixed partial, in order; variables may repeat', async () => {
    const e = parse('x^2*y^3');
    const xy = await leibniz(['diff', 'x^2*y^3', 'x', 'y']);
    expect(xy.stdout.trim()).toBe(format(simplify(diff(diff(e, 'x'), 'y'))));
    expect(xy.stdout.trim()).toBe('6*x*y^2');
    expect((await leibniz(['diff', 'x^2*y^3', 'y', 'x'])).stdout).toBe(xy.stdout);
    expect((await leibniz(['diff', 'x^2*y^3', 'x', 'x', 'y'])).stdout).toBe('6*y^2\n');
  });

  it('--order N and --order=N', async () => {
    expect((await leibniz(['diff', 'x^5', '--order', '3'])).stdout).toBe('60*x^2\n');
    expect((await leibniz(['diff', 'x^5', '--order=3'])).stdout).toBe('60*x^2\n');
    expect((await leibniz(['diff', 'x^5', 'x', '--order=2'])).stdout).toBe('20*x^3\n');
    expect((await leibniz(['diff', 'x^5', '--order', '0'])).stdout).toBe('x^5\n');
  });

  it('an expression without free symbols has derivative 0', async () => {
    expect(await leibniz(['diff', '5'])).toEqual({ code: 0, stdout: '0\n', stderr: '' });
    expect((await leibniz(['diff', 'pi^2 + 1', '--order', '2'])).stdout).toBe('0\n');
    expect(await leibniz(['grad', '5'])).toEqual({ code: 0, stdout: '', stderr: '' });
    const other = await leibniz(['diff', 'x^2', 'z']);
    expect(other.stdout).toBe('0\n');
    expect(other.code).toBe(0);
    expect(other.stderr).toContain('z does not occur');
  });

  it('grad and hessian, in the order of --wrt', async () => {
    expect((await leibniz(['grad', 'x^2*y'])).stdout).toBe('x: 2*x*y\ny: x^2\n');
    expect((await leibniz(['grad', 'x^2*y', '--wrt', 'y,x'])).stdout).toBe('y: x^2\nx: 2*x*y\n');
    const loss = '(tanh(w2*tanh(w1*x)) - y)^2';
    const g = simplify(grad(parse(loss), ['w1', 'w2']));
    expect((await leibniz(['grad', loss, '--wrt=w1,w2'])).stdout).toBe(
      `w1: ${format(g[0])}\nw2: ${format(g[1])}\n`,
    );
    expect((await leibniz(['hessian', 'x^2*y'])).stdout).toBe('x,x: 2*y\nx,y: 2*x\ny,y: 0\n');
    const h = hessian(parse('x^3 + x*y*z'), ['x', 'z']);
    const json = JSON.parse(
      (await leibniz(['hessian', 'x^3 + x*y*z', '--wrt', 'x,z', '--json'])).stdout,
    );
    expect(json.variables).toEqual(['x', 'z']);
    expect(json.result).toEqual(h.map((row) => row.map((e) => format(simplify(e)))));
  });

  it('derive prints the derivation, then the simplified result when shorter', async () => {
    const r = await leibniz(['derive', '(f2(w2*f1(w1*x)) - y)^2', 'w1', '--name', 'L']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      '∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2*f1) · ∂(w2*f1)/∂f1 · ∂f1/∂(w1*x) · ∂(w1*x)/∂w1',
    );
    const p = await leibniz(['derive', 'x^2*sin(x)']);
    expect(p.stdout).toContain('(product rule)');
    expect(p.stdout.trim().split('\n').at(-1)).toBe(
      `    = ${format(simplify(diff(parse('x^2*sin(x)'), 'x')))}    (simplified)`,
    );
    const tex = await leibniz(['derive', 'x^2*sin(x)', 'x', '--latex']);
    expect(tex.stdout).toMatch(/^\\begin\{aligned\}[\s\S]*&= x \\left\([\s\S]*\\end\{aligned\}\n$/);
    const j = JSON.parse((await leibniz(['derive', 'sin(x^2)', '--json'])).stdout);
    expect(j).toMatchObject({ command: 'derive', variables: ['x'], result: '2*x*cos(x^2)' });
    expect(j.derivation).toContain('∂(x^2)/∂x = 2*x');
  });

  it('simplify with rule sets and assumptions; expand; latex', async () => {
    expect((await leibniz(['simplify', 'sin(x)^2 + cos(x)^2 + x^2/x'])).stdout).toBe('x + 1\n');
    expect((await leibniz(['simplify', 'exp(log(x))'])).stdout).toBe('exp(log(x))\n');
    expect((await leibniz(['simplify', 'exp(log(x))', '--assume', 'positive:x'])).stdout).toBe(
      'x\n',
    );
    expect(
      (
        await leibniz([
          'simplify',
          'abs(x)*exp(log(y))',
          '--assume=positive:y',
          '--assume',
          'nonnegative:x',
        ])
      ).stdout,
    ).toBe('x*y\n');
    expect((await leibniz(['simplify', '1/(1 + exp(-x))', '--use', 'sigmoid'])).stdout).toBe(
      'sigmoid(x)\n',
    );
    expect((await leibniz(['expand', '(a + b)^2'])).stdout).toBe('a^2 + 2*a*b + b^2\n');
    expect((await leibniz(['latex', 'w1*theta'])).stdout).toBe('\\theta w_{1}\n');
    expect((await leibniz(['diff', 'sin(x^2)', '--latex'])).stdout).toBe(
      `${toLatex(diff(parse('sin(x^2)'), 'x'))}\n`,
    );
  });

  it('--json: the input, the variables, the result and its LaTeX in one object', async () => {
    const j = JSON.parse((await leibniz(['diff', 'x^2*y^3', 'x', 'y', '--json'])).stdout);
    expect(j).toEqual({
      command: 'diff',
      input: 'x^2*y^3',
      variables: ['x', 'y'],
      order: 1,
      result: '6*x*y^2',
      latex: '6 x y^{2}',
    });
    const g = JSON.parse((await leibniz(['grad', 'x^2*y', '--json'])).stdout);
    expect(g).toEqual({
      command: 'grad',
      input: 'x^2*y',
      variables: ['x', 'y'],
      result: ['2*x*y', 'x^2'],
      latex: ['2 x y', 'x^{2}'],
    });
    const s = JSON.parse((await leibniz(['simplify', 'sin(x)^2 + cos(x)^2 + y', '--json'])).stdout);
    expect(s).toMatchObject({ result: 'y + 1', latex: 'y + 1', variables: ['x', 'y'] });
  });
});

describe.concurrent('leibniz eval', () => {
  it('binds names to numbers or constant expressions, substituted exactly', async () => {
    expect((await leibniz(['eval', 'x^2 + y', 'x=3', 'y=0.5'])).stdout).toBe('9.5\n');
    expect((await leibniz(['eval', 'x^2', 'x=1/2'])).stdout).toBe('0.25\n');
    expect((await leibniz(['eval', 'x - 0.1 - 0.2', 'x=0.3'])).stdout).toBe('0\n');
    expect((await leibniz(['eval', 'x*y', 'x=1/3', 'y=3'])).stdout).toBe('1\n');
    const r = await leibniz(['eval', 'sin(x)/x', 'x=pi/2']);
    expect(r.stdout).toBe(`${String(evaluate(parse('sin(pi/2)/(pi/2)')))}\n`);
  });

  it('prints the shortest text that reads back as the same float64', async () => {
    for (const [expr, value] of [
      ['sin(1)', Math.sin(1)],
      ['exp(1)', Math.E],
      ['1/3', 1 / 3],
      ['2^60', 2 ** 60],
      ['10^-30', 1e-30],
    ] as const) {
      const out = (await leibniz(['eval', expr])).stdout.trim();
      expect(Number(out)).toBe(value);
      expect(out).toBe(String(value));
    }
    expect((await leibniz(['eval', '--', '-exp(-800)'])).stdout).toBe('-0\n');
  });

  it('NaN and infinities are printed, with exit status 1 and a reason', async () => {
    for (const [expr, binding, text] of [
      ['log(-1)', 'x=1', 'NaN'],
      ['sqrt(x)', 'x=-1', 'NaN'],
      ['1/x', 'x=0', 'Infinity'],
      ['x*exp(1000)', 'x=-1', '-Infinity'],
    ] as const) {
      const r = await leibniz(['eval', expr, binding]);
      expect(r.code, expr).toBe(1);
      expect(r.stdout).toBe(`${text}\n`);
      expect(r.stderr).toContain('not a finite number');
    }
    const j = await leibniz(['eval', 'log(x)', 'x=-2', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({
      result: null,
      text: 'NaN',
      bindings: { x: '-2' },
    });
    expect(JSON.parse((await leibniz(['eval', 'x/4', 'x=1', '--json'])).stdout).result).toBe(0.25);
  });

  it('rejects missing, malformed, duplicate and non-constant bindings', async () => {
    await expectUsageError(['eval', 'x + y', 'x=1'], 'no value for y');
    await expectUsageError(['eval', 'x', 'x'], "'x' is not a binding");
    await expectUsageError(['eval', 'x', 'x=1', 'x=2'], 'bound twice');
    await expectUsageError(['eval', 'x', 'x=y'], 'constant expression');
    await expectUsageError(['eval', 'x', 'x=1+'], "the value of 'x'");
    await expectUsageError(['eval', 'x', '2=1'], "'2' is not a variable name");
    await expectUsageError(['eval', 'x', 'pi=3'], 'constant');
    const f = await leibniz(['eval', 'f(2)']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain("unknown function 'f'");
  });
});

describe.concurrent('leibniz: usage errors are never answers', () => {
  it('unknown options and surplus arguments: exit 64 with the word and the usage line', async () => {
    await expectUsageError(['diff', 'x^2', '--frobnicate'], "'--frobnicate'");
    await expectUsageError(['diff', 'x^2', '-z'], "'-z'");
    await expectUsageError(['grad', 'x*y', 'x'], "unexpected argument 'x'");
    await expectUsageError(['derive', 'x*y', 'x', 'y'], "unexpected argument 'y'");
    await expectUsageError(['latex', 'x', 'y'], "unexpected argument 'y'");
    await expectUsageError(['latex', 'x', '--no-simplify'], "'--no-simplify'");
    await expectUsageError(['diff', 'x', '--no-latex'], "'--no-latex'");
    await expectUsageError(['expand', 'x', '--order', '2'], "'--order'");
    await expectUsageError(['diff', 'x^2', '--order'], '--order');
    await expectUsageError(['diff', 'x^2', '--latex=yes'], '--latex');
    await expectUsageError(['diff', 'x^2', '--order', '2', '--order=3'], 'given twice');
    await expectUsageError(['diff', 'x^2', '--latex', '--json'], 'exclude each other');
  });

  it('bad option values', async () => {
    for (const bad of ['-1', '1.5']) {
      await expectUsageError(['diff', 'x^2', `--order=${bad}`], '--order');
    }
    await expectUsageError(['diff', 'x*y', 'x', 'y', '--order', '2'], 'one variable');
    await expectUsageError(['diff', 'x*y'], 'name the variable');
    await expectUsageError(['diff', 'x', 'x+y'], "'x+y' is not a variable name");
    await expectUsageError(['diff', 'x', 'pi'], 'constant');
    await expectUsageError(['grad', 'x*y', '--wrt', 'x,,y'], '--wrt');
    await expectUsageError(['grad', 'x*y', '--wrt', 'x,x'], 'twice');
    await expectUsageError(['simplify', 'x', '--use', 'trig,nope'], "unknown rule set 'nope'");
    await expectUsageError(['simplify', 'x', '--assume', 'big:x'], '--assume');
  });

  it('an expression starting with "-" goes after "--"', async () => {
    const r = await expectUsageError(['diff', '-x^2'], "'-x^2'");
    expect(r).toContain('--');
    expect((await leibniz(['diff', '--', '-x^2'])).stdout).toBe('-2*x\n');
  });

  it('unknown or missing commands', async () => {
    const none = await leibniz([]);
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/^usage: leibniz/m);
    await expectUsageError(['frobnicate', 'x'], "unknown command 'frobnicate'");
    await expectUsageError(['--json', 'diff', 'x'], "'--json'");
    await expectUsageError(['help', 'frobnicate'], "unknown command 'frobnicate'");
    await expectUsageError(['help', 'diff', 'grad'], "'grad'");
    await expectUsageError(['--version', 'x'], "'x'");
  });

  it('a missing or empty expression is a usage error', async () => {
    await expectUsageError(['diff'], 'missing expression (standard input is empty)');
    await expectUsageError(['diff', '  '], 'missing expression');
  });
});

describe.concurrent('leibniz: help and version', () => {
  it('help, --help and -h agree; every command has --help', async () => {
    const help = await leibniz(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Leibniz: /);
    expect((await leibniz(['--help'])).stdout).toBe(help.stdout);
    expect((await leibniz(['-h'])).stdout).toBe(help.stdout);
    expect((await leibniz(['diff', '-h'])).stdout).toMatch(/^usage: leibniz diff /);
    const section = help.stdout.split('commands:\n')[1].split('\n\n')[0];
    const commands = [...section.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]);
    expect(commands).toEqual([
      'diff',
      'grad',
      'hessian',
      'derive',
      'simplify',
      'expand',
      'latex',
      'eval',
      'compile',
      'help',
    ]);
    for (const c of commands.filter((n) => n !== 'help')) {
      const [a, b] = await Promise.all([leibniz(['help', c]), leibniz([c, 'x', '--help'])]);
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(new RegExp(`^usage: leibniz ${c} `));
      expect(a.stdout).toContain('examples:');
      expect(b).toEqual(a);
    }
  });

  it('--version prints the package version', async () => {
    expect(await leibniz(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe.concurrent('leibniz: invalid expressions', () => {
  /** The column of the caret equals the column of `char` in the excerpt line above it. */
  function caretUnder(stderr: string, char: string): void {
    const lines = stderr.split('\n');
    const caret = lines.findIndex((l) => /^ *\^$/.test(l));
    expect(caret, stderr).toBeGreaterThan(0);
    const excerpt = Array.from(lines[caret - 1]);
    expect(excerpt[lines[caret].indexOf('^')]).toBe(char);
  }

  it('print the reason and the input with a caret under the right column, exit 2', async () => {
    const r = await leibniz(['diff', 'sin(x^)']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unexpected ')' at column 7");
    caretUnder(r.stderr, ')');
    const wide = await leibniz(['diff', 'θ·x + (y ** ) - 1']);
    expect(wide.code).toBe(2);
    caretUnder(wide.stderr, ')');
    const long = await leibniz(['diff', `${'x + '.repeat(100)}(y*]`]);
    expect(long.code).toBe(2);
    caretUnder(long.stderr, ']');
  });

  it('in multi-line input, name the line', async () => {
    const r = await leibniz(['grad', '-'], { input: 'x^2 +\n  sin(y\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at line 2, column 6/);
    caretUnder(r.stderr, '(');
  });
});

describe.concurrent('leibniz: input from standard input and files', () => {
  it('"-" or no expression with a pipe reads standard input', async () => {
    expect((await leibniz(['diff'], { input: 'x^3\n' })).stdout).toBe('3*x^2\n');
    expect((await leibniz(['diff', '-', 'y'], { input: 'x*y^2' })).stdout).toBe('2*x*y\n');
    expect((await leibniz(['latex', '--file', '-'], { input: 'x/2' })).stdout).toBe(
      '\\frac{x}{2}\n',
    );
  });

  it('--file reads any size (20,000 terms), and a missing file is exit 66', async () => {
    const n = 20_000;
    const terms = Array.from({ length: n }, (_, k) => `sin(${k + 1}*x)*y${k % 7}`);
    const path = join(scratch, 'big.txt');
    writeFileSync(path, terms.join(' + '));
    const r = await leibniz(['diff', '--file', path, 'x', '--no-simplify']);
    expect(r.code).toBe(0);
    const expected = format(diff(parse(terms.join(' + ')), 'x'));
    expect(r.stdout).toBe(`${expected}\n`);
    const viaPipe = await leibniz(['diff', '-', 'x', '--no-simplify'], {
      input: terms.join(' + '),
    });
    expect(viaPipe.stdout).toBe(r.stdout);
    const missing = await leibniz(['diff', '--file', join(scratch, 'nope.txt')]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('nope.txt');
    await expectUsageError(['latex', '--file', path, 'x'], "unexpected argument 'x'");
  });

  it('a reader that goes away early is not an error', () => {
    const path = join(scratch, 'wide.txt');
    writeFileSync(path, Array.from({ length: 3000 }, (_, k) => `x${k}^2`).join(' + '));
    const out = execFileSync(
      'bash',
      ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" grad --file "${path}" | head -1`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('x0: 2*x0\n');
  });
});

describe.concurrent('leibniz compile', () => {
  const loss = '(tanh(w*x) - y)^2';
  const point = { w: 0.7, x: -1.3, y: 0.2 };

  async function load(argv: string[], file: string): Promise<Record<string, unknown>> {
    const r = await leibniz(['compile', loss, ...argv]);
    expect(r.code, r.stderr).toBe(0);
    const path = join(scratch, file);
    writeFileSync(path, r.stdout);
    return import(pathToFileURL(path).href);
  }

  it('emits a standalone gradient module that agrees with the library', async () => {
    const m = await load(['--wrt', 'w', '--data', 'x,y'], 'gradient.mjs');
    const g = new Float64Array(1);
    const f = m.gradient as (x: number[], g: Float64Array) => number;
    expect(f([point.w, point.x, point.y], g)).toBeCloseTo(evaluate(parse(loss), point), 14);
    expect(g[0]).toBeCloseTo(evaluate(diff(parse(loss), 'w'), point), 14);
    const dts = await leibniz(['compile', loss, '--wrt', 'w', '--data', 'x,y', '--ts']);
    expect(dts.stdout).toContain('export declare const gradient:');
  });

  it('value, hessian and batch kernels, named with --name', async () => {
    const v = await load(
      ['--kind', 'value', '--wrt', 'w', '--data', 'x,y', '--name', 'f'],
      'v.mjs',
    );
    expect((v.f as (...a: number[]) => number)(point.w, point.x, point.y)).toBeCloseTo(
      evaluate(parse(loss), point),
      14,
    );
    const h = await load(['--kind', 'hessian', '--wrt', 'w,x,y'], 'h.mjs');
    const H = (h.hessian as (x: number[]) => Float64Array)([point.w, point.x, point.y]);
    expect(H[1]).toBeCloseTo(evaluate(diff(diff(parse(loss), 'w'), 'x'), point), 12);
    const b = await load(
      ['--kind=batch', '--wrt', 'w', '--data', 'x,y', '--reduce', 'mean'],
      'b.mjs',
    );
    const kernel = b.batch as (cols: Float64Array[], p: number[], g: Float64Array) => number;
    const g = new Float64Array(1);
    const mean = kernel(
      [new Float64Array([point.x, point.x]), new Float64Array([point.y, point.y])],
      [point.w],
      g,
    );
    expect(mean).toBeCloseTo(evaluate(parse(loss), point), 14);
  });

  it('rejects what it cannot honour', async () => {
    await expectUsageError(['compile', loss, '--kind', 'fast'], "'fast'");
    await expectUsageError(['compile', loss, '--kind', 'hessian', '--data', 'x'], 'no --data');
    await expectUsageError(['compile', loss, '--kind', 'batch'], 'needs --data');
    await expectUsageError(['compile', loss, '--reduce', 'mean'], '--kind batch');
    await expectUsageError(['compile', loss, '--wrt', 'w', '--data', 'w'], 'both');
    const unbound = await leibniz(['compile', loss, '--wrt', 'w']);
    expect(unbound.code).toBe(2);
    expect(unbound.stderr).toMatch(/'x'|'y'/);
  });
});
