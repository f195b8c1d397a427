// Loop rerolling: root sums of many same-shape terms with affinely indexed symbols compile to
// loops. The loops must compute what the sum means (≡ grad + evaluate), whatever the
// template, with rest terms, scaled sums, data inputs and shapes that must not be rerolled.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, compileGradient, emitModule } from '../../src/codegen/index.js';
import { grad } from '../../src/diff/diff.js';
import {
  add,
  type Expr,
  evaluate,
  mul,
  num,
  pow,
  sin,
  sub,
  substitute,
  sym,
} from '../../src/expr/index.js';
import { agrees, arbNumericExpr, chainRuleSingular, reverseMagnitude } from './helpers.js';

const xs = (n: number): Expr[] => Array.from({ length: n }, (_, i) => sym(`x${i + 1}`));

function rosenbrock(n: number): Expr {
  const x = xs(n);
  const terms: Expr[] = [];
  for (let i = 0; i + 1 < n; i++)
    terms.push(mul(100, pow(sub(x[i + 1], pow(x[i], 2)), 2)), pow(sub(1, x[i]), 2));
  return add(...terms);
}

/** Compiled value and gradient against the interpreter and the symbolic gradient. */
function check(
  e: Expr,
  vars: readonly Expr[],
  point: readonly number[],
  data: readonly Expr[] = [],
): void {
  const names = [...vars, ...data].map((s) => s.name!);
  const at = Object.fromEntries(names.map((nm, k) => [nm, point[k]]));
  const f = compileGradient(e, vars, { data });
  const g = new Float64Array(vars.length);
  const value = f(point, g);
  const want = evaluate(e, at);
  expect(agrees(value, want, e, at), `value ${value} ≠ ${want}`).toBe(true);
  expect(agrees(compile(e, [...vars, ...data], { input: 'vector' })(point), want, e, at)).toBe(
    true,
  );
  if (!Number.isFinite(want) || chainRuleSingular(e, at)) return;
  const scale = reverseMagnitude(
    e,
    vars.map((v) => v.name!),
    at,
  );
  grad(e, vars).forEach((d, k) => {
    const expected = evaluate(d, at);
    const ok = Math.abs(g[k] - expected) <= 1e-12 * scale[k] || agrees(g[k], expected, d, at);
    expect(ok, `∂/∂${vars[k].name}: ${g[k]} ≠ ${expected}`).toBe(true);
  });
}

describe('rerolled sums', () => {
  it('Rosenbrock compiles to one loop and matches the textbook gradient', () => {
    for (const n of [2, 9, 10, 57]) {
      const e = rosenbrock(n);
      const f = compileGradient(e, xs(n));
      if (n >= 9)
        expect(f.source).toMatch(
          /function gradient_r1\(x, g\)[\s\S]*for \(i = 0; i < \d+; i\+\+\)/,
        );
      const p = Array.from({ length: n }, (_, i) => Math.sin(i) * 1.5);
      const g = new Float64Array(n);
      let value = 0;
      const want = new Float64Array(n);
      for (let i = 0; i + 1 < n; i++) {
        const t = p[i + 1] - p[i] * p[i];
        value += 100 * t * t + (1 - p[i]) ** 2;
        want[i] += -400 * t * p[i] - 2 * (1 - p[i]);
        want[i + 1] += 200 * t;
      }
      expect(f(p, g)).toBeCloseTo(value, 10);
      for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(want[i], 10);
      check(e, xs(n), p);
    }
  });

  it('random templates over x_j, x_{j+1}, a shared y, with rest terms', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(sym);
    fc.assert(
      fc.property(
        arbNumericExpr(3, ['a', 'b', 'c']),
        arbNumericExpr(2, ['x1', 'x3', 'y']),
        fc.integer({ min: 8, max: 14 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 16, maxLength: 16 }),
        (template, extra, m, p) => {
          const x = xs(m + 1);
          const y = sym('y');
          const terms = Array.from({ length: m }, (_, j) =>
            substitute(
              template,
              new Map([
                [a, x[j]],
                [b, x[j + 1]],
                [c, y],
              ]),
            ),
          );
          const e = add(...terms, extra);
          const vars = [...x, y];
          check(e, vars, p.slice(0, vars.length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('strided, reversed and shared indices (carries, accumulators)', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(sym);
    const x = xs(40);
    const w = sym('w');
    fc.assert(
      fc.property(
        arbNumericExpr(2, ['a', 'b', 'c', 'd']),
        fc.integer({ min: 8, max: 11 }),
        fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 41, maxLength: 41 }),
        (template, m, p) => {
          // a = x_{2j}, b = x_{2j+4}, c = x_{39−j} (stride −1), d = w (stride 0).
          const subst = (j: number) =>
            new Map([
              [a, x[2 * j]],
              [b, x[2 * j + 4]],
              [c, x[39 - j]],
              [d, w],
            ]);
          const e = add(
            ...Array.from({ length: m }, (_, j) => substitute(template, subst(j))),
            mul(template, 0),
          );
          check(e, [...x, w], p);
        },
      ),
      { numRuns: 200 },
    );
    const e = add(
      ...Array.from({ length: 10 }, (_, j) => mul(sin(mul(x[2 * j], x[2 * j + 4])), x[39 - j], w)),
    );
    expect(compileGradient(e, [...x, w]).source).toMatch(/P\d+_1 = /);
    check(
      e,
      [...x, w],
      Array.from({ length: 41 }, (_, k) => Math.cos(k)),
    );
  });

  it('a number times a sum, and data inputs', () => {
    const w = sym('w');
    const n = 12;
    const dx = Array.from({ length: n }, (_, j) => sym(`u${j}`));
    const dy = Array.from({ length: n }, (_, j) => sym(`v${j}`));
    // Half the mean squared error of a line through the origin, data interleaved (u0, v0, u1, …).
    const data = dx.flatMap((u, j) => [u, dy[j]]);
    const e = mul(num(1n, 2n * BigInt(n)), add(...dx.map((u, j) => pow(sub(mul(w, u), dy[j]), 2))));
    const f = compileGradient(e, [w], { data });
    expect(f.source).toContain('gradient_r1');
    const point = [0.7, ...data.map((_, k) => Math.cos(k))];
    check(e, [w], point, data);
    const g = new Float64Array(1);
    const value = f(point, g);
    let v = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const r = 0.7 * point[1 + 2 * j] - point[2 + 2 * j];
      v += r * r;
      d += 2 * r * point[1 + 2 * j];
    }
    expect(value).toBeCloseTo(v / (2 * n), 14);
    expect(g[0]).toBeCloseTo(d / (2 * n), 14);
  });

  it('leaves alone what is not affine or mixes variables with data', () => {
    const x = xs(20);
    // Squares of x1, x2, x4, x7, … (gaps grow): same shape, positions not affine.
    const gaps = [0, 1, 3, 6, 10, 15, 19, 2, 5];
    const e1 = add(...gaps.map((k) => pow(sin(x[k]), 2)));
    expect(compileGradient(e1, x).source).not.toContain('_r1');
    check(
      e1,
      x,
      x.map((_, k) => k / 7 - 1),
    );
    // x1..x10 are variables, x11..x20 data: the group would straddle both.
    const e2 = add(...x.map((s) => pow(sin(s), 2)));
    expect(compileGradient(e2, x.slice(0, 10), { data: x.slice(10) }).source).not.toContain('_r1');
    check(
      e2,
      x.slice(0, 10),
      x.map((_, k) => k / 7 - 1),
      x.slice(10),
    );
    expect(compileGradient(e2, x).source).toContain('_r1');
  });

  it('in emitted modules too', () => {
    const { js } = emitModule([
      { name: 'f', kind: 'gradient', expr: rosenbrock(30), variables: xs(30) },
    ]);
    expect(js).toContain('for (i = 0; i < 29; i++)');
  });
});

describe('a loop that is the only writer of the gradient', () => {
  it('assigns each entry once (no read-modify-write), and stays correct', () => {
    const vars = xs(40);
    const e = rosenbrock(40);
    const f = compileGradient(e, vars);
    expect(f.source).toMatch(/g\[i\] = /);
    expect(f.source).not.toMatch(/g\[[^\]]*\] \+=/);
    const point = vars.map((_, i) => Math.sin(i) * 1.5);
    check(e, vars, point);
    // A gradOut full of garbage must not leak into the result.
    const g = new Float64Array(40).fill(Number.NaN);
    f(point, g);
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('adds when another part of the program writes the gradient too', () => {
    const vars = xs(40);
    const e = add(rosenbrock(40), mul(3, vars[0], vars[39]));
    const f = compileGradient(e, vars);
    expect(f.source).toMatch(/g\[[^\]]*\] \+=/);
    check(
      e,
      vars,
      vars.map((_, i) => Math.cos(i)),
    );
  });
});
