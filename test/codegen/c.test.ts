// The C back end: emitted C99 is compiled with the machine's `cc` (strict warnings as errors)
// together with a generated driver, run, and compared with the JavaScript functions on the
// same points — random expressions, every function of the table, the stable forms, integer
// powers, rerolled loops, chunked programs, Hessians and batch kernels. Same program, same
// order of operations: arithmetic agrees bit for bit; libm functions to rounding.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cNumber, emitCModule } from '../../src/codegen/emit/c.js';
import {
  compile,
  compileBatch,
  compileGradient,
  compileHessian,
  compileHessianVector,
  emitModule,
  type ModuleFunction,
} from '../../src/codegen/index.js';
import { type BatchSpec, batchProgram } from '../../src/codegen/programs/batch.js';
import { gradientProgram } from '../../src/codegen/programs/gradient.js';
import { valueProgram } from '../../src/codegen/programs/value.js';
import { grad } from '../../src/diff/diff.js';
import {
  add,
  call,
  div,
  type Expr,
  erf,
  exp,
  FUNCTION_NAMES,
  functionInfo,
  InvalidArgumentError,
  log,
  mul,
  num,
  parse,
  pow,
  sigmoid,
  sin,
  softplus,
  sqrt,
  sub,
  sym,
  tanh,
  toExpression,
} from '../../src/expr/index.js';
import {
  agrees,
  arbNumericExpr,
  arbValuePoint,
  BACKWARD_BATCH,
  chainRuleSingular,
  close,
  reverseMagnitude,
} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'leibniz-c-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CFLAGS = ['-std=c99', '-O2', '-pedantic', '-Wall', '-Wextra', '-Werror'];

let counter = 0;
/** Compiles `module` with `driver` (a C file including "m.h") and returns its output lines. */
function runC(module: { c: string; h: string }, driver: string): string[] {
  const k = counter++;
  const base = join(dir, `m${k}`);
  writeFileSync(`${base}.c`, module.c);
  writeFileSync(join(dir, 'm.h'), module.h);
  writeFileSync(`${base}-main.c`, driver);
  execFileSync('cc', [...CFLAGS, '-o', base, `${base}.c`, `${base}-main.c`, '-lm'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return execFileSync(base, { maxBuffer: 1 << 26 })
    .toString()
    .trim()
    .split('\n');
}

const parseC = (s: string): number => {
  const t = s.trim();
  if (/^-?nan/.test(t)) return Number.NaN;
  if (t === 'inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(t);
};

const driverOf = (calls: readonly string[]): string =>
  [
    '#include <stdio.h>',
    '#include <math.h>',
    '#include "m.h"',
    '#define P(v) printf("%.17g\\n", (double)(v))',
    'int main(void) {',
    ...calls.map((c) => `  { ${c} }`),
    '  return 0;',
    '}',
    '',
  ].join('\n');

const doubles = (xs: readonly number[]): string =>
  `{${xs.length === 0 ? '0.0' : xs.map(cNumber).join(', ')}}`;

/** One function under test: its module entry, the C statements printing its outputs at a
 * point, and the JavaScript outputs there. */
interface Case {
  readonly spec: ModuleFunction;
  readonly points: readonly (readonly number[])[];
  readonly c: (name: string, p: readonly number[]) => string;
  readonly js: (p: readonly number[]) => number[];
  readonly compare: (got: readonly number[], want: readonly number[], p: readonly number[]) => void;
}

/** Emits all cases as one module, runs them in C and hands each its outputs. */
function runCases(cases: readonly Case[], budget?: number): void {
  const module =
    budget === undefined
      ? emitModule(
          cases.map((c) => c.spec),
          { language: 'c' },
        )
      : emitCModule(
          cases.map((c, k) => ({ name: c.spec.name, program: programOf(c.spec, k) })),
          budget,
        );
  const calls = cases.flatMap((c) => c.points.map((p) => c.c(c.spec.name, p)));
  const lines = runC(module, driverOf(calls)).map(parseC);
  let at = 0;
  for (const c of cases) {
    for (const p of c.points) {
      const want = c.js(p);
      const got = lines.slice(at, at + want.length);
      at += want.length;
      c.compare(got, want, p);
    }
  }
  expect(at).toBe(lines.length);
}

/** The program of a value or gradient spec (for chunking with a tiny budget). */
function programOf(spec: ModuleFunction, k: number) {
  if (spec.kind === 'value') {
    const exprs = (Array.isArray(spec.expr) ? spec.expr : [spec.expr]).map((e) => toExpression(e));
    return valueProgram(
      exprs,
      spec.variables.map((v) => (typeof v === 'string' ? sym(v) : v)),
      spec.input ?? 'positional',
      Array.isArray(spec.expr),
    );
  }
  if (spec.kind === 'gradient') {
    return gradientProgram(
      toExpression(spec.expr),
      spec.variables.map((v) => (typeof v === 'string' ? sym(v) : v)),
    );
  }
  throw new Error(`case ${k}: only value and gradient cases are chunked here`);
}

const VARS = ['x', 'y', 'z'];
const same = (a: number, b: number): boolean =>
  Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Value (positional) and gradient cases of `e` over x, y, z at `points`. */
function valueAndGradient(
  name: string,
  e: Expr,
  points: readonly (readonly number[])[],
  exact: boolean,
): Case[] {
  const f = compile(e, VARS);
  const fg = compileGradient(e, VARS);
  const env = (p: readonly number[]) => ({ x: p[0], y: p[1], z: p[2] });
  const gradient = grad(e, VARS);
  return [
    {
      spec: { name: `${name}_v`, kind: 'value', expr: e, variables: VARS },
      points,
      c: (nm, p) => `P(${nm}(${p.map(cNumber).join(', ')}));`,
      js: (p) => [f(p[0], p[1], p[2])],
      compare: ([got], [want], p) => {
        const ok = exact ? same(got, want) : agrees(got, want, e, env(p));
        expect(ok, `${name}(${p}) = ${got} in C, ${want} in JS: ${String(e)}`).toBe(true);
      },
    },
    {
      spec: { name: `${name}_g`, kind: 'gradient', expr: e, variables: VARS },
      points,
      c: (nm, p) =>
        `double x[] = ${doubles(p)}; double g[3]; P(${nm}(x, g)); P(g[0]); P(g[1]); P(g[2]); P(${nm}(x, NULL));`,
      js: (p) => {
        const g = new Float64Array(3);
        const v = fg(p, g);
        return [v, ...g, fg(p)];
      },
      compare: (got, want, p) => {
        const at = env(p);
        for (const k of [0, 4]) {
          const ok = exact ? same(got[k], want[k]) : agrees(got[k], want[k], e, at);
          expect(ok, `${name} value at ${p}: ${got[k]} ≠ ${want[k]}`).toBe(true);
        }
        if (exact) {
          expect(
            got.every((v, k) => same(v, want[k])),
            `${name} at ${p}`,
          ).toBe(true);
          return;
        }
        if (!Number.isFinite(want[0]) || chainRuleSingular(e, at)) return;
        const scale = reverseMagnitude(e, VARS, at);
        for (let i = 0; i < 3; i++) {
          const [c, j] = [got[i + 1], want[i + 1]];
          const ok =
            Math.abs(c - j) <= 1e-12 * scale[i] ||
            agrees(c, j, gradient[i], at) ||
            close(c, j, 1e-11);
          expect(ok, `∂${name}/∂${VARS[i]} at ${p}: C ${c}, JS ${j} (${String(e)})`).toBe(true);
        }
      },
    },
  ];
}

const POINTS: readonly (readonly number[])[] = [
  [0.5, -1.25, 2],
  [-0.3, 0.7, 0.1],
  [1.5, 2.5, -3],
  [0, -0, 1e-9],
  [30, -40, 700],
  [-2, 3, 0.25],
];

it('cc is installed (CI has it; these tests never skip)', () => {
  const version = execFileSync('cc', ['--version']).toString();
  expect(version.length).toBeGreaterThan(0);
});

describe('C ≡ JavaScript', () => {
  it('every function of the table, the stable forms and integer powers', () => {
    const [x, y, z] = VARS.map(sym);
    const u = add(mul(x, y), z, num(1n, 3n));
    const named: [string, Expr][] = FUNCTION_NAMES.map((f) => [
      `fn_${f}`,
      functionInfo(f).arity === 1 ? call(f, u) : call(f, u, sub(x, z)),
    ]);
    named.push(
      ['sigmoid_big', add(sigmoid(mul(300, x)), sigmoid(mul(-300, y)))],
      ['softplus_big', add(softplus(mul(800, x)), softplus(mul(-800, y)))],
      ['written_sigmoid', div(1, add(1, exp(mul(-1, x, y))))],
      ['written_softplus', log(add(1, exp(mul(50, x))))],
      ['log1p_form', log(add(1, mul(1e-10, x)))],
      ['expm1_form', sub(exp(mul(1e-9, y)), 1)],
      ['one_minus_exp', sub(1, exp(x))],
      ['erf_tail', add(erf(mul(4, x)), erf(y))],
      ['erfc_form', add(sub(1, erf(mul(4, x))), sub(erf(y), 1))],
      ['powers', add(pow(x, 2), pow(y, 5), pow(x, -3), pow(z, 16), pow(y, 17), pow(x, -16))],
      ['roots', add(sqrt(add(mul(x, x), 1)), pow(add(mul(y, y), 2), num(-1n, 2n)))],
      ['real_power', pow(add(mul(x, x), 1), z)],
      ['two_layer', pow(sub(tanh(mul(y, tanh(mul(x, z)))), 0.1), 2)],
      ['kinks', parse('abs(x) + sign(y) + heaviside(z) + relu(x - y) + min(x, z) + max(y, -z)')],
    );
    runCases(named.flatMap(([name, e]) => valueAndGradient(name, e, POINTS, false)));
  });

  it('every primitive at NaN, ±0, ±∞ and other edges: same special values, finite within ulps', () => {
    const [x, y] = [sym('x'), sym('y')];
    const exprs: [string, Expr][] = FUNCTION_NAMES.map((f) => [
      `edge_${f}`,
      functionInfo(f).arity === 1 ? call(f, x) : call(f, x, y),
    ]);
    exprs.push(
      ['edge_pow', pow(x, y)],
      ['edge_sqrt', sqrt(x)],
      ['edge_log1p', log(add(1, x))],
      ['edge_expm1', sub(exp(x), 1)],
      ['edge_sigmoid_form', div(1, add(1, exp(mul(-1, x))))],
    );
    const edges = [
      Number.NaN,
      0,
      -0,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1,
      -1,
      0.5,
      -2.5,
      1e-300,
      -1e-310,
      710,
      -745,
      40,
      1e300,
    ];
    const grid = edges.flatMap((a) =>
      [0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, 2.5, -40].map((b) => [a, b]),
    );
    const cases: Case[] = exprs.map(([name, e]) => {
      const f = compile(e, ['x', 'y']);
      return {
        spec: { name, kind: 'value', expr: e, variables: ['x', 'y'] },
        points: grid,
        c: (nm, p) => `P(${nm}(${p.map(cNumber).join(', ')}));`,
        js: (p) => [f(p[0], p[1])],
        compare: ([got], [want], p) => {
          const ok =
            same(got, want) ||
            (Number.isFinite(got) && Number.isFinite(want) && close(got, want, 4 * Number.EPSILON));
          expect(ok, `${name}(${p}): C ${got}, JS ${want}`).toBe(true);
        },
      };
    });
    runCases(cases);
  });

  it('arithmetic, integer powers and square roots agree bit for bit', () => {
    const [x, y, z] = VARS.map(sym);
    const exprs = [
      parse('(x*y - z)^2 / (1 + x^2) + 3*x*y*z - y^-2'),
      parse('x^7 - 2*x^3*y + z^16 / (x - y)'),
      add(sqrt(add(mul(x, x), mul(y, y))), div(z, sqrt(add(1, mul(z, z))))),
      parse('((x + y)*(x - y))^3 / (x*y*z)'),
    ];
    runCases(exprs.flatMap((e, k) => valueAndGradient(`exact${k}`, e, POINTS, true)));
    void [x, y, z];
  });

  it('random expressions', () => {
    const exprs = fc.sample(arbNumericExpr(4), { seed: 20261201, numRuns: 100 });
    const points = fc
      .sample(arbValuePoint(VARS), { seed: 7, numRuns: 5 })
      .map((p) => [p.x, p.y, p.z]);
    runCases(exprs.flatMap((e, k) => valueAndGradient(`r${k}`, e, points, false)));
  });

  it('chunked into tiny functions: bit for bit what the unchunked C computes', () => {
    const exprs = fc.sample(arbNumericExpr(4), { seed: 99, numRuns: 40 });
    const points = fc
      .sample(arbValuePoint(VARS), { seed: 3, numRuns: 3 })
      .map((p) => [p.x, p.y, p.z]);
    const cases = exprs.flatMap((e, k) => valueAndGradient(`k${k}`, e, points, true));
    const whole = emitModule(
      cases.map((c) => c.spec),
      { language: 'c' },
    );
    const calls = cases.flatMap((c) => c.points.map((p) => c.c(c.spec.name, p)));
    const expected = runC(whole, driverOf(calls)).map(parseC);
    for (const budget of [1, 6]) {
      const split = emitCModule(
        cases.map((c, k) => ({ name: c.spec.name, program: programOf(c.spec, k) })),
        budget,
      );
      expect(split.c).toMatch(/static void lz\d+_gradient_c\d+\(/);
      const got = runC(split, driverOf(calls)).map(parseC);
      expect(got.length).toBe(expected.length);
      expect(got.every((v, k) => same(v, expected[k]))).toBe(true);
    }
  });

  it('batch kernels chunked and run in blocks: bit for bit the unchunked C', () => {
    const [a, b, x, y] = ['a', 'b', 'x', 'y'].map(sym);
    // Every expression reads both columns (C warns about a column bound and never read).
    const exprs = fc
      .sample(arbNumericExpr(4, ['a', 'b', 'x', 'y']), { seed: 7, numRuns: 25 })
      .map((e) => add(e, mul(0.001, x, y)));
    const spec = (reduce: 'sum' | 'none'): BatchSpec => ({
      data: [x, y],
      params: [a],
      constants: [b],
      reduce,
      gradient: true,
      dataGradient: [y],
      accumulate: false,
      valueOnly: false,
    });
    const exports = (budget?: number, gain?: number) =>
      emitCModule(
        exprs.flatMap((e, k) => [
          { name: `s${k}`, program: batchProgram(e, spec('sum')) },
          { name: `p${k}`, program: batchProgram(e, spec('none')) },
        ]),
        budget,
        gain,
      );
    const n = 37; // one full block and a partial one, at the smallest block sizes too
    const xs = Array.from({ length: n }, (_, i) => Math.sin(i) * 2);
    const ys = Array.from({ length: n }, (_, i) => Math.cos(3 * i));
    const calls = exprs.map(
      (_, k) =>
        `double cx[] = ${doubles(xs)}; double cy[] = ${doubles(ys)}; const double *cols[] = {cx, cy}; double q[] = {0.7, -0.3}; double g[1]; double dg[${n}]; double o[${n}]; double go[${n}]; double pdg[${n}]; P(s${k}(cols, ${n}, q, g, dg)); P(g[0]); for (int i = 0; i < ${n}; i++) P(dg[i]); p${k}(cols, ${n}, q, o, go, pdg); for (int i = 0; i < ${n}; i++) { P(o[i]); P(go[i]); P(pdg[i]); }`,
    );
    const expected = runC(exports(), driverOf(calls)).map(parseC);
    const blocked = exports(6, 0);
    expect(blocked.c).toMatch(/for \(ptrdiff_t i_from = 0; i_from < n; i_from \+= \d+\)/);
    const got = runC(blocked, driverOf(calls)).map(parseC);
    expect(got.length).toBe(expected.length);
    expect(got.every((v, k) => same(v, expected[k]))).toBe(true);
  });

  it('a program large enough to chunk at the default budget', () => {
    const x = sym('x');
    const n = 400;
    const ws = Array.from({ length: n }, (_, k) => sym(`w${k}`));
    const e = add(...ws.map((w, k) => mul(k + 1, sin(mul(w, x)), w)));
    const variables = [x, ...ws];
    const { c, h } = emitModule([{ name: 'wide', kind: 'gradient', expr: e, variables }], {
      language: 'c',
    });
    expect(c).toContain('lz0_gradient_c1(');
    const p = Array.from({ length: n + 1 }, (_, k) => Math.cos(k));
    const lines = runC(
      { c, h },
      driverOf([
        `double x[] = ${doubles(p)}; double g[${n + 1}]; P(wide(x, g)); for (int k = 0; k < ${n + 1}; k++) P(g[k]);`,
      ]),
    ).map(parseC);
    const g = new Float64Array(n + 1);
    const want = [compileGradient(e, variables)(p, g), ...g];
    expect(lines.length).toBe(want.length);
    lines.forEach((v, k) => {
      expect(close(v, want[k], 1e-12, 1e-12 * n * n), `entry ${k}: ${v} ≠ ${want[k]}`).toBe(true);
    });
  });

  it('rerolled loops: Rosenbrock (assigning), with an extra term (adding), strides and shares', () => {
    const xs = (n: number): Expr[] => Array.from({ length: n }, (_, i) => sym(`x${i}`));
    const rosenbrock = (x: readonly Expr[]): Expr =>
      add(
        ...x
          .slice(0, -1)
          .flatMap((xi, i) => [mul(100, pow(sub(x[i + 1], pow(xi, 2)), 2)), pow(sub(1, xi), 2)]),
      );
    const x40 = xs(40);
    const w = sym('w');
    const cases: [string, Expr, Expr[]][] = [
      ['rosen', rosenbrock(x40), x40],
      ['rosen_plus', add(rosenbrock(x40), mul(3, x40[0], x40[39])), x40],
      [
        'strided',
        add(
          ...Array.from({ length: 10 }, (_, j) =>
            mul(sin(mul(x40[2 * j], x40[2 * j + 4])), x40[39 - j], w),
          ),
        ),
        [...x40, w],
      ],
      [
        'far',
        add(...Array.from({ length: 12 }, (_, j) => mul(x40[j], x40[j + 20], tanh(x40[j + 10])))),
        x40,
      ],
    ];
    const point = Array.from({ length: 41 }, (_, k) => Math.sin(k) * 1.5);
    const specs: ModuleFunction[] = cases.flatMap(([name, e, vars]) => [
      { name: `${name}_g`, kind: 'gradient', expr: e, variables: vars },
      { name: `${name}_v`, kind: 'value', expr: e, variables: vars, input: 'vector' },
    ]);
    const module = emitModule(specs, { language: 'c' });
    expect(module.c).toMatch(/for \(ptrdiff_t i = 0; i < 39; i\+\+\)/);
    expect(module.c).toMatch(/P\d+_1 = /);
    const calls = cases.map(([name, , vars]) => {
      const n = vars.length;
      return `double x[] = ${doubles(point.slice(0, n))}; double g[${n}]; P(${name}_g(x, g)); for (int k = 0; k < ${n}; k++) P(g[k]); P(${name}_v(x));`;
    });
    const lines = runC(module, driverOf(calls)).map(parseC);
    let at = 0;
    for (const [name, e, vars] of cases) {
      const n = vars.length;
      const g = new Float64Array(n);
      const want = [
        compileGradient(e, vars)(point.slice(0, n), g),
        ...g,
        compile(e, vars, { input: 'vector' })(point.slice(0, n)),
      ];
      const got = lines.slice(at, at + want.length);
      at += want.length;
      got.forEach((v, k) => {
        expect(close(v, want[k], 1e-13, 1e-13), `${name}[${k}]: ${v} ≠ ${want[k]}`).toBe(true);
      });
    }
  });

  it('Hessians, Hessian-vector products and batch kernels', () => {
    const loss = parse('(sigmoid(w*x + b) - y)^2 + 0.01*softplus(w) + 0.1*erf(b)*x');
    const vars = ['w', 'b', 'x', 'y'];
    const p = [0.7, -0.2, 1.3, 0.4];
    const v = [0.5, -1, 0.25, 2];
    const xs = [0.5, -1.25, 2, 0.125, -3, 1];
    const ys = [1, 0.25, -0.75, 3, 0.5, -1];
    const batch = (reduce: 'sum' | 'mean' | 'none') =>
      ({
        kind: 'batch',
        expr: loss,
        options: { data: ['x', 'y'], params: ['w', 'b'], reduce },
      }) as const;
    const module = emitModule(
      [
        { name: 'hess', kind: 'hessian', expr: loss, variables: vars },
        { name: 'hvp', kind: 'hessianVector', expr: loss, variables: vars },
        {
          name: 'multi',
          kind: 'value',
          expr: [loss, sin(mul(sym('x'), sym('y')))],
          variables: vars,
          input: 'vector',
        },
        { name: 'total', ...batch('sum') },
        { name: 'average', ...batch('mean') },
        { name: 'pointwise', ...batch('none') },
        { name: 'backward', kind: 'batch', expr: loss, options: BACKWARD_BATCH },
      ],
      { language: 'c' },
    );
    const cols = `double cx[] = ${doubles(xs)}; double cy[] = ${doubles(ys)}; const double *cols[] = {cx, cy}; double q[] = {0.7, -0.2};`;
    const lines = runC(
      module,
      driverOf([
        `double x[] = ${doubles(p)}; double o[16]; hess(x, o); for (int k = 0; k < 16; k++) P(o[k]);`,
        `double x[] = ${doubles(p)}; double w[] = ${doubles(v)}; double o[4]; hvp(x, w, o); for (int k = 0; k < 4; k++) P(o[k]);`,
        `double x[] = ${doubles(p)}; double o[2]; multi(x, o); P(o[0]); P(o[1]);`,
        `${cols} double g[2]; P(total(cols, 6, q, g)); P(g[0]); P(g[1]); P(total(cols, 6, q, NULL));`,
        `${cols} double g[2]; P(average(cols, 6, q, g)); P(g[0]); P(g[1]); P(average(cols, 0, q, g));`,
        `${cols} double o[6]; double go[12]; pointwise(cols, 6, q, o, go); for (int k = 0; k < 6; k++) P(o[k]); for (int k = 0; k < 12; k++) P(go[k]); pointwise(cols, 6, q, o, NULL); P(o[5]);`,
        `${cols} double g[1] = {1.0}; double dg[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}; P(backward(cols, 6, q, g, dg)); P(g[0]); for (int k = 0; k < 6; k++) P(dg[k]);`,
      ]),
    ).map(parseC);
    const data = { x: Float64Array.from(xs), y: Float64Array.from(ys) };
    const q = [0.7, -0.2];
    const g1 = new Float64Array(2);
    const g2 = new Float64Array(2);
    const o = new Float64Array(6);
    const go = new Float64Array(12);
    const pointwise = compileBatch(loss, { data: ['x', 'y'], params: ['w', 'b'], reduce: 'none' });
    pointwise(data, q, o, go);
    const total = compileBatch(loss, { data: ['x', 'y'], params: ['w', 'b'] });
    const average = compileBatch(loss, { data: ['x', 'y'], params: ['w', 'b'], reduce: 'mean' });
    const backward = compileBatch(loss, BACKWARD_BATCH);
    const g3 = Float64Array.of(1);
    const dg = new Float64Array(6).fill(0.5);
    const backwardValue = backward(data, q, g3, dg);
    const want = [
      ...compileHessian(loss, vars)(p),
      ...compileHessianVector(loss, vars)(p, v),
      ...compile([loss, sin(mul(sym('x'), sym('y')))], vars, { input: 'vector' })(p),
      total(data, q, g1),
      ...g1,
      total(data, q),
      average(data, q, g2),
      ...g2,
      Number.NaN,
      ...o,
      ...go,
      o[5],
      backwardValue,
      ...g3,
      ...dg,
    ];
    expect(lines.length).toBe(want.length);
    lines.forEach((c, k) => {
      expect(close(c, want[k], 1e-13, 1e-15), `output ${k}: C ${c}, JS ${want[k]}`).toBe(true);
    });
  });
});

describe('C module text', () => {
  it('compiles cleanly as strict C99 and the header from C++', () => {
    const { c, h } = emitModule(
      [
        {
          name: 'f',
          kind: 'gradient',
          expr: parse('sigmoid(x*y) + erf(x)'),
          variables: ['x', 'y'],
        },
      ],
      { language: 'c' },
    );
    expect(c).toContain('#include <math.h>');
    expect(c).not.toMatch(/malloc|calloc|static double [a-z_0-9]+\[/);
    writeFileSync(join(dir, 'lib.c'), c);
    writeFileSync(join(dir, 'lib.h'), h);
    execFileSync('cc', [...CFLAGS, '-Wmissing-prototypes', '-c', 'lib.c', '-o', 'lib.o'], {
      cwd: dir,
    });
    writeFileSync(
      join(dir, 'use.cpp'),
      '#include "lib.h"\nint main() { double x[2] = {1, 2}; return f(x, 0) > 0 ? 0 : 1; }\n',
    );
    execFileSync('c++', ['-std=c++11', '-Wall', '-Werror', '-fsyntax-only', 'use.cpp'], {
      cwd: dir,
    });
  });

  it('never contains user text: hostile symbol names give the text of plain names', () => {
    const model = (s: Expr): Expr => add(pow(sub(tanh(mul(s, 3)), 1), 2), sigmoid(sin(s)));
    const text = (name: string) => {
      const s = sym(name);
      return emitModule([{ name: 'f', kind: 'gradient', expr: model(s), variables: [s] }], {
        language: 'c',
      });
    };
    const plain = text('w');
    for (const hostile of [
      'x);*/ system("rm -rf /"); /*',
      '\n#include <stdlib.h>\n',
      '??/',
      'lz0_value',
    ]) {
      expect(text(hostile)).toEqual(plain);
    }
  });

  it('accepts C identifiers that are Leibniz locals, rejects reserved and unsafe names', () => {
    const spec = (name: string): ModuleFunction => ({
      name,
      kind: 'gradient',
      expr: parse('x*y + tanh(x)'),
      variables: ['x', 'y'],
    });
    const names = ['x', 'g', 't0', 'n', 'i', 'cols', 'value', 'gradient', 'gradient_S', 'E', 'A0'];
    const module = emitModule(names.map(spec), { language: 'c' });
    const lines = runC(
      module,
      driverOf(
        names.map(
          (nm) => `double in_[] = {0.5, 2}; double out_[2]; P(${nm}(in_, out_)); P(out_[0]);`,
        ),
      ),
    ).map(parseC);
    const g = new Float64Array(2);
    const v = compileGradient(parse('x*y + tanh(x)'), ['x', 'y'])([0.5, 2], g);
    for (let k = 0; k < names.length; k++) {
      expect(lines[2 * k]).toBe(v);
      expect(lines[2 * k + 1]).toBe(g[0]);
    }
    for (const bad of [
      'sin',
      'erf',
      'main',
      'int',
      'class',
      'double_t',
      'M_PI',
      'lz0_value',
      'lz_sigmoid',
      '_f',
      '$f',
      'café',
      'a b',
      'sinf',
      'NAN',
      'printf',
    ]) {
      expect(() => emitModule([spec(bad)], { language: 'c' }), bad).toThrow(InvalidArgumentError);
    }
    expect(() => emitModule([spec('f')], { language: 'fortran' as 'c' })).toThrow(/language/);
  });

  it('is deterministic', () => {
    const make = () =>
      emitModule(
        [
          {
            name: 'a',
            kind: 'gradient',
            expr: parse('log(1 + x^2) * softplus(y)'),
            variables: ['x', 'y'],
          },
          { name: 'b', kind: 'value', expr: parse('x^3 - y'), variables: ['x', 'y'] },
        ],
        { language: 'c' },
      );
    expect(make()).toEqual(make());
  });
});
