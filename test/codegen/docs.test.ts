// The examples of docs/codegen.md and of the codegen TSDoc, run as written (with the
// builders standing in for `parse` where the parser is not needed).
import { describe, expect, it } from 'vitest';
import {
  checkGradient,
  compile,
  compileBatch,
  compileGradient,
  compileHessian,
  compileHessianVector,
} from '../../src/codegen/index.js';
import { parse } from '../../src/expr/parse.js';

describe('documented examples', () => {
  it('docs/codegen.md: the two-layer loss', () => {
    const loss = parse('(tanh(w2*tanh(w1*x)) - y)^2');
    const f = compileGradient(loss, ['w1', 'w2'], { data: ['x', 'y'] });
    const g = new Float64Array(2);
    const a = Math.tanh(0.5 * 1.2);
    const b = Math.tanh(-0.3 * a);
    expect(f([0.5, -0.3, 1.2, 0.1], g)).toBe((b - 0.1) ** 2);
    expect(g[1]).toBeCloseTo(2 * (b - 0.1) * (1 - b * b) * a, 15);
    // The generated code shown in the doc.
    expect(f.source).toContain('const t9 = 1 - t8;');
    expect(f.source).toContain('g[1] = t15;');
  });

  it('compile', () => {
    expect(compile(parse('sin(x^2) + y'), ['x', 'y'])(2, 1)).toBe(Math.sin(4) + 1);
    const g = compile([parse('x*y'), parse('x+y')], ['x', 'y'], { input: 'vector' });
    expect([...g([2, 3])]).toEqual([6, 5]);
  });

  it('Hessians', () => {
    expect([...compileHessian(parse('x^2*y'), ['x', 'y'])([3, 5])]).toEqual([10, 6, 6, 0]);
    expect([...compileHessianVector(parse('x^2*y'), ['x', 'y'])([3, 5], [1, 0])]).toEqual([10, 6]);
  });

  it('compileBatch and checkGradient', () => {
    const step = compileBatch(parse('(tanh(w2*tanh(w1*x)) - y)^2'), {
      data: ['x', 'y'],
      params: ['w1', 'w2'],
      reduce: 'mean',
    });
    const xs = new Float64Array([0.5, -1, 2]);
    const ys = new Float64Array([0.1, 0.2, -0.3]);
    const g = new Float64Array(2);
    expect(Number.isFinite(step({ x: xs, y: ys }, [0.5, -0.3], g))).toBe(true);
    const r = checkGradient(parse('sin(x*y)'), ['x', 'y'], [0.3, 2]);
    expect(r.ok).toBe(true);
    expect(r.maxRelError).toBeLessThan(1e-8);
  });
});
