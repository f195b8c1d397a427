// emitModule: the emitted ES module, written to a temporary file and imported, computes
// exactly what the in-process compilers do; its .d.ts declares every export; export names
// are validated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compile,
  compileBatch,
  compileGradient,
  compileHessian,
  compileHessianVector,
  emitModule,
  type ModuleFunction,
} from '../../src/codegen/index.js';
import {
  add,
  erf,
  InvalidArgumentError,
  log,
  mul,
  pow,
  sigmoid,
  sin,
  softplus,
  sub,
  sym,
  tanh,
} from '../../src/expr/index.js';
import { BACKWARD_BATCH } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'leibniz-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
async function load(js: string): Promise<Record<string, (...args: unknown[]) => unknown>> {
  const file = join(dir, `m${counter++}.mjs`);
  writeFileSync(file, js);
  return import(pathToFileURL(file).href);
}

const [w, b, x, y] = ['w', 'b', 'x', 'y'].map(sym);
const loss = add(
  pow(sub(sigmoid(add(mul(w, x), b)), y), 2),
  mul(0.01, softplus(w)),
  mul(erf(b), 0.1),
);
const VARS = ['w', 'b', 'x', 'y'];

describe('emitModule', () => {
  const specs: ModuleFunction[] = [
    { name: 'value', kind: 'value', expr: loss, variables: VARS },
    {
      name: 'values',
      kind: 'value',
      expr: [loss, sin(mul(x, y))],
      variables: VARS,
      input: 'vector',
    },
    { name: 'lossGrad', kind: 'gradient', expr: loss, variables: VARS },
    { name: 'hess', kind: 'hessian', expr: loss, variables: VARS },
    { name: 'hvp', kind: 'hessianVector', expr: loss, variables: VARS },
    {
      name: 'step',
      kind: 'batch',
      expr: loss,
      options: { data: ['x', 'y'], params: ['w', 'b'], reduce: 'mean' },
    },
    {
      name: 'perPoint',
      kind: 'batch',
      expr: loss,
      options: { data: ['x', 'y'], params: ['w', 'b'], reduce: 'none' },
    },
    { name: 'backward', kind: 'batch', expr: loss, options: BACKWARD_BATCH },
  ];
  const { js, dts } = emitModule(specs);

  it('is standalone and declares every export', () => {
    expect(js).not.toMatch(/\bimport\b|\brequire\(/);
    for (const s of specs) expect(dts).toContain(`export declare const ${s.name}:`);
    expect(dts).toContain(
      'export declare const lossGrad: (x: ArrayLike<number>, gradOut?: Float64Array) => number;',
    );
    expect(dts).toContain(
      'export declare const value: (a0: number, a1: number, a2: number, a3: number) => number;',
    );
  });

  it('computes what the in-process compilers compute', async () => {
    const m = await load(js);
    const value = compile(loss, VARS);
    const values = compile([loss, sin(mul(x, y))], VARS, { input: 'vector' });
    const lossGrad = compileGradient(loss, VARS);
    const hess = compileHessian(loss, VARS);
    const hvp = compileHessianVector(loss, VARS);
    const step = compileBatch(loss, { data: ['x', 'y'], params: ['w', 'b'], reduce: 'mean' });
    const perPoint = compileBatch(loss, { data: ['x', 'y'], params: ['w', 'b'], reduce: 'none' });
    const backward = compileBatch(loss, BACKWARD_BATCH);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (r) => {
          const p = r.slice(0, 4);
          expect(m.value(p[0], p[1], p[2], p[3])).toBe(value(p[0], p[1], p[2], p[3]));
          expect(m.values(p)).toEqual(values(p));
          const g1 = new Float64Array(4);
          const g2 = new Float64Array(4);
          expect(m.lossGrad(p, g1)).toBe(lossGrad(p, g2));
          expect(g1).toEqual(g2);
          expect(m.hess(p)).toEqual(hess(p));
          expect(m.hvp(p, r.slice(4))).toEqual(hvp(p, r.slice(4)));
          const xs = Float64Array.from(r);
          const ys = Float64Array.from(r, (v) => Math.cos(v));
          const s1 = new Float64Array(2);
          const s2 = new Float64Array(2);
          expect(m.step([xs, ys], [p[0], p[1]], s1)).toBe(step({ x: xs, y: ys }, [p[0], p[1]], s2));
          expect(s1).toEqual(s2);
          const o1 = new Float64Array(8);
          const o2 = new Float64Array(8);
          m.perPoint([xs, ys], [p[0], p[1]], o1);
          perPoint({ x: xs, y: ys }, [p[0], p[1]], o2);
          expect(o1).toEqual(o2);
          const [a1, a2] = [Float64Array.of(1), Float64Array.of(1)];
          const [d1, d2] = [new Float64Array(8).fill(2), new Float64Array(8).fill(2)];
          expect(m.backward([xs, ys], [p[0], p[1]], a1, d1)).toBe(
            backward({ x: xs, y: ys }, [p[0], p[1]], a2, d2),
          );
          expect([a1, d1]).toEqual([a2, d2]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('checks arguments in the module too (RangeError)', async () => {
    const m = await load(js);
    expect(() => m.lossGrad([1, 2], new Float64Array(4))).toThrow(RangeError);
    expect(() => m.step([new Float64Array(2)], [1, 2])).toThrow(/2 data columns/);
    expect(() => m.step([new Float64Array(2), new Float64Array(3)], [1, 2])).toThrow(
      /differs in length/,
    );
    const cols = [new Float64Array(2), new Float64Array(2)];
    expect(() => m.backward(cols, [1, 2], new Float64Array(1), new Float64Array(1))).toThrow(
      /dataGradOut must be a Float64Array with one entry per point/,
    );
  });

  it('rejects unsafe or duplicate export names', () => {
    const spec = (name: string): ModuleFunction => ({
      name,
      kind: 'gradient',
      expr: tanh(x),
      variables: ['x'],
    });
    for (const bad of [
      'x);globalThis.pwned=1;(',
      'default',
      'a b',
      '1a',
      '',
      'café',
      'await',
      'eval',
      // Globals the generated code uses (or a user would), and a thenable namespace.
      'Math',
      'RangeError',
      'Float64Array',
      'Array',
      'then',
      'globalThis',
    ]) {
      expect(() => emitModule([spec(bad)])).toThrow(InvalidArgumentError);
    }
    expect(() => emitModule([spec('f'), spec('f')])).toThrow(/twice/);
    expect(() => emitModule([])).toThrow(InvalidArgumentError);
    expect(emitModule([spec('$f_1')]).js).toContain('export const $f_1 =');
  });

  it('is deterministic', () => {
    const again = emitModule([
      { name: 'lossGrad', kind: 'gradient', expr: log(add(1, mul(w, w))), variables: ['w'] },
    ]);
    const once = emitModule([
      { name: 'lossGrad', kind: 'gradient', expr: log(add(1, mul(w, w))), variables: ['w'] },
    ]);
    expect(again).toEqual(once);
  });
});
