// Canonical form, interning, evaluation and walks of the expression core.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  call,
  cos,
  div,
  E,
  evaluate,
  exp,
  freeSymbols,
  InvalidArgumentError,
  internTableSize,
  log,
  mul,
  neg,
  num,
  PI,
  pow,
  rebuild,
  sin,
  size,
  sqrt,
  sub,
  substitute,
  sym,
  treeSize,
  UnboundFunctionError,
  UnboundSymbolError,
} from '../../src/expr/index.js';

const x = sym('x');
const y = sym('y');

describe('hash-consing', () => {
  it('makes structurally equal expressions the same object', () => {
    expect(add(x, mul(2, y))).toBe(add(mul(y, 2), x));
    expect(sin(pow(x, 2))).toBe(sin(mul(x, x)));
    expect(num(0.5)).toBe(num(1n, 2n));
    expect(call('f', x)).toBe(call('f', x));
    expect(call('f', x)).not.toBe(call('g', x));
  });

  it('rebuilding a node from its operator and arguments returns the identical node', () => {
    for (const e of [
      add(x, y, 1),
      mul(3, x, pow(y, -1)),
      pow(x, y),
      sin(x),
      call('f', x, y),
      exp(x),
    ]) {
      expect(rebuild(e, e.args)).toBe(e);
    }
  });

  it('does not keep dropped expressions alive', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await new Promise((r) => setTimeout(r, 10));
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const before = internTableSize();
    (() => {
      for (let i = 0; i < 20000; i++) sin(add(sym(`tmp${i}`), i));
    })();
    expect(internTableSize()).toBeGreaterThan(before + 50000);
    // WeakRef targets stay alive until the job that created or dereferenced them ends, so
    // collect in a fresh job and only then look at the table.
    let remaining = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 10 && remaining > before + 1000; round++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
      await new Promise((r) => setTimeout(r, 10));
      remaining = internTableSize();
    }
    expect(remaining).toBeLessThan(before + 1000);
  });
});

describe('canonical form', () => {
  const cases: Array<[string, () => unknown, () => unknown]> = [
    ['x + 0 → x', () => add(x, 0), () => x],
    ['x·1 → x', () => mul(x, 1), () => x],
    ['x^1 → x', () => pow(x, 1), () => x],
    ['x^0 → 1', () => pow(x, 0), () => num(1)],
    ['0·x → 0', () => mul(0, x), () => num(0)],
    ['x + 2x → 3x', () => add(x, mul(2, x)), () => mul(3, x)],
    ['x − x → 0', () => sub(x, x), () => num(0)],
    ['x·x² → x³', () => mul(x, pow(x, 2)), () => pow(x, 3)],
    ['x/x → 1', () => div(x, x), () => num(1)],
    ['1/2 + 1/3 → 5/6', () => add(num(0.5), div(1, 3)), () => num(5n, 6n)],
    ['2^10 exact', () => pow(2, 10), () => num(1024)],
    ['4^(1/2) → 2', () => sqrt(4), () => num(2)],
    ['(x^2)^3 → x^6', () => pow(pow(x, 2), 3), () => pow(x, 6)],
    ['(xy)^2 → x²y²', () => pow(mul(x, y), 2), () => mul(pow(x, 2), pow(y, 2))],
    ['2(x+y) stays a product', () => mul(2, add(x, y)).op, () => 'mul'],
    [
      'z + 2(x+y) → z + 2x + 2y',
      () => add(sym('z'), mul(2, add(x, y))),
      () => add(sym('z'), mul(2, x), mul(2, y)),
    ],
    ['(x + y) − (x + y) → 0', () => sub(add(x, y), add(x, y)), () => num(0)],
    ['−(−x) → x', () => neg(neg(x)), () => x],
    ['e^x → exp(x)', () => pow(E, x), () => exp(x)],
    ['exp(x)^2 → exp(2x)', () => pow(exp(x), 2), () => exp(mul(2, x))],
    // |u|^(2k) is u^(2k) for every real u, so d²/dx² |x|² is 2 at 0 too (not 2·sign(0)² = 0).
    ['|x|^2 → x^2', () => pow(abs(x), 2), () => pow(x, 2)],
    ['|x|·|x| → x^2', () => mul(abs(x), abs(x)), () => pow(x, 2)],
    ['|x + y|^(−4) → (x + y)^(−4)', () => pow(abs(add(x, y)), -4), () => pow(add(x, y), -4)],
    ['|x|^3 stays', () => pow(abs(x), 3).args[0], () => abs(x)],
    ['|x|^(1/2) stays', () => pow(abs(x), num(0.5)).args[0], () => abs(x)],
    ['log(exp(x)) → x', () => log(exp(x)), () => x],
    ['sin(0) → 0', () => sin(0), () => num(0)],
    ['cos(0) → 1', () => cos(0), () => num(1)],
    ['log(x, 2) → log x / log 2', () => log(x, 2), () => div(log(x), log(2))],
    ['ln alias', () => call('ln', x), () => log(x)],
    ['sqrt lowered', () => call('sqrt', x), () => pow(x, num(0.5))],
  ];
  for (const [name, got, want] of cases) it(name, () => expect(got()).toBe(want()));

  it('orders terms independently of construction order', () => {
    const terms = [x, pow(x, 2), mul(3, y), sin(x), call('f', y), PI, num(7), pow(y, num(0.5))];
    const a = add(...terms);
    const b = add(...[...terms].reverse());
    const c = terms.reduce((s, t) => add(s, t));
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(mul(...terms.slice(0, 5))).toBe(mul(...terms.slice(0, 5).reverse()));
  });

  it('rejects non-finite numbers and empty names with a typed error', () => {
    expect(() => num(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => num(Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
    expect(() => sym('')).toThrow(InvalidArgumentError);
  });
});

describe('evaluate', () => {
  it('computes float values', () => {
    expect(evaluate(sin(pow(x, 2)), { x: 2 })).toBe(Math.sin(4));
    expect(evaluate(add(PI, E))).toBe(Math.PI + Math.E);
    expect(
      evaluate(
        div(x, y),
        new Map([
          ['x', 1],
          ['y', 4],
        ]),
      ),
    ).toBe(0.25);
    expect(evaluate(log(x), { x: -1 })).toBeNaN();
    expect(evaluate(div(1, x), { x: 0 })).toBe(Number.POSITIVE_INFINITY);
  });

  it('names an unbound symbol in a typed error', () => {
    expect(() => evaluate(add(x, y), { x: 1 })).toThrow(UnboundSymbolError);
    expect(() => evaluate(add(x, y), { x: 1 })).toThrow(/'y'/);
    expect(() => evaluate(call('f', x), { x: 1 })).toThrow(UnboundFunctionError);
  });
});

describe('walks', () => {
  it('freeSymbols sorts naturally', () => {
    const e = add(sym('w10'), sym('w2'), mul(sym('x'), sym('b')));
    expect(freeSymbols(e).map((s) => s.name)).toEqual(['b', 'w2', 'w10', 'x']);
  });

  it('substitute replaces simultaneously and re-canonicalises', () => {
    expect(substitute(add(pow(x, 2), y), { x: 3 })).toBe(add(9, y));
    expect(substitute(add(x, y), { x: y, y: x })).toBe(add(x, y));
    expect(substitute(sin(add(x, 1)), new Map([[add(x, 1), y]]))).toBe(sin(y));
  });

  it('size counts shared nodes once; treeSize counts every use', () => {
    let e = x;
    for (let i = 0; i < 200; i++) e = add(e, mul(e, y));
    expect(size(e)).toBeLessThan(1000);
    expect(treeSize(e) > 10n ** 50n).toBe(true);
    expect(size([sin(x), cos(x)])).toBe(3);
  });
});

describe('scale', () => {
  it('builds and evaluates a 10⁵-term sum and a 10⁵-deep nesting', () => {
    const n = 100_000;
    const terms = Array.from({ length: n }, (_, i) => mul(i + 1, sym(`x${i}`)));
    const s = add(...terms);
    expect(s.args.length).toBe(n);
    const env = Object.fromEntries(terms.map((_, i) => [`x${i}`, 1]));
    expect(evaluate(s, env)).toBe((n * (n + 1)) / 2);
    let deep = x;
    for (let i = 0; i < n; i++) deep = sin(deep);
    expect(size(deep)).toBe(n + 1);
    expect(treeSize(deep)).toBe(BigInt(n + 1));
    expect(evaluate(deep, { x: 1 })).toBeCloseTo(0.00547, 4);
    expect(freeSymbols(deep)).toEqual([x]);
  });
});
