// Generated code contains only text Leibniz made: hostile symbol names never reach the
// source (it is the same source as with plain names) and never run.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compile,
  compileBatch,
  compileGradient,
  compileHessian,
  compileHessianVector,
  emitModule,
} from '../../src/codegen/index.js';
import {
  add,
  cos,
  type Expr,
  exp,
  log,
  mul,
  pow,
  sigmoid,
  sin,
  sub,
  sym,
  tanh,
} from '../../src/expr/index.js';
import { arbHostileName, HOSTILE_NAMES } from '../arbitrary.js';

const PAYLOAD = 'x);globalThis.pwned=1;(';
const PAYLOADS = [
  PAYLOAD,
  "'); globalThis.pwned = 1; ('",
  // A template-literal breakout, assembled so the linter does not take it for a mistake.
  ['`$', '{globalThis.pwned = 1}`'].join(''),
  '*/globalThis.pwned=1;/*',
  '\n}globalThis.pwned=1;{\n',
  '\u2028globalThis.pwned=1',
  'constructor',
  '__proto__',
  'Math',
  't0',
  'x',
  'g',
  'E',
];

declare global {
  // eslint-disable-next-line no-var
  var pwned: unknown;
}

afterEach(() => {
  expect(globalThis.pwned).toBeUndefined();
});

/** Every kind of compiled function for a one-variable expression over symbol `s`. */
function sources(make: (s: Expr) => Expr, name: string, data = 'd'): string[] {
  const s = sym(name);
  const e = make(s);
  const out: string[] = [];
  const f = compile(e, [s]);
  f(0.5);
  out.push(f.source);
  const fg = compileGradient(e, [s]);
  fg([0.5], new Float64Array(1));
  out.push(fg.source);
  out.push(compileHessian(e, [s]).source, compileHessianVector(e, [s]).source);
  const k = compileBatch(mul(e, sym(data)), { data: [sym(data)], params: [s] });
  k({ [data]: new Float64Array([1, 2]) }, [0.5], new Float64Array(1));
  out.push(k.source);
  return out;
}

const model = (s: Expr): Expr =>
  add(pow(sub(tanh(mul(s, 3)), 1), 2), sigmoid(sin(s)), log(add(1, exp(cos(s)))));

describe('hostile symbol names', () => {
  it.each(PAYLOADS)('never reach the source: %j', (name) => {
    const plain = sources(model, 'w');
    const hostile = sources(model, name, `${name}!`);
    // The text is independent of the names, so it is exactly the plain names' text.
    expect(hostile).toEqual(plain);
    if (name.includes('pwned')) for (const src of hostile) expect(src).not.toContain(name);
  });

  it('the documented payload, as data and parameter names', () => {
    const [p, d] = [sym(PAYLOAD), sym(`${PAYLOAD}2`)];
    const k = compileBatch(pow(sub(mul(p, d), 1), 2), { data: [d], params: [p] });
    const g = new Float64Array(1);
    expect(k({ [`${PAYLOAD}2`]: new Float64Array([1, 2, 3]) }, [2], g)).toBe(1 + 9 + 25);
    expect(g[0]).toBe(2 * (1 * 1 + 3 * 2 + 5 * 3));
    expect(k.source).not.toContain('pwned');
    const { js, dts } = emitModule([
      { name: 'f', kind: 'gradient', expr: mul(p, p), variables: [p] },
    ]);
    expect(js + dts).not.toContain('pwned');
  });

  it('any name from the hostile generators', () => {
    const plain = sources(model, 'w');
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...HOSTILE_NAMES), arbHostileName()), (name) => {
        expect(sources(model, name, `${name}\u0000data`)).toEqual(plain);
      }),
      { numRuns: 60 },
    );
  });
});
