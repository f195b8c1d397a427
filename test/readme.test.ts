// The README's examples, run: what it promises a user must stay true.
import { describe, expect, it } from 'vitest';
import { derivation, diff, format, grad, parse, simplify, toLatex } from '../src/index.js';

describe('README examples', () => {
  it('differentiates sin(x^2) and prints text and LaTeX', () => {
    const f = parse('sin(x^2)');
    expect(format(diff(f, 'x'))).toBe('2*x*cos(x^2)');
    expect(toLatex(diff(f, 'x'))).toBe('2 x \\cos\\left(x^{2}\\right)');
    expect(format(simplify(parse('sin(x)^2 + cos(x)^2 + x^2/x')))).toBe('x + 1');
  });

  it("prints the two-layer loss's derivation in the lecture's form", () => {
    const L = parse('(f2(w2*f1(w1*x)) - y)^2');
    expect(derivation(L, 'w1', { name: 'L' }).toString().split('\n')[0]).toBe(
      '∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2*f1) · ∂(w2*f1)/∂f1 · ∂f1/∂(w1*x) · ∂(w1*x)/∂w1',
    );
    expect(grad(parse('(tanh(w2*tanh(w1*x)) - y)^2'), ['w1', 'w2'])).toHaveLength(2);
  });
});

describe('README compiled-gradient example', () => {
  it('returns the loss and writes the gradient, per point and over a batch', async () => {
    const { compileBatch, compileGradient, evaluate } = await import('../src/index.js');
    const loss = parse('(tanh(w2*tanh(w1*x)) - y)^2');
    const step = compileGradient(loss, ['w1', 'w2'], { data: ['x', 'y'] });
    const g = new Float64Array(2);
    const at = { w1: 0.5, w2: -0.3, x: 1.2, y: 0.1 };
    expect(step([0.5, -0.3, 1.2, 0.1], g)).toBeCloseTo(evaluate(loss, at), 14);
    expect(g[0]).toBeCloseTo(evaluate(grad(loss, ['w1'])[0], at), 14);
    const batch = compileBatch(loss, { data: ['x', 'y'], params: ['w1', 'w2'], reduce: 'mean' });
    const mean = batch(
      { x: new Float64Array([1.2, 1.2]), y: new Float64Array([0.1, 0.1]) },
      [0.5, -0.3],
      g,
    );
    expect(mean).toBeCloseTo(evaluate(loss, at), 14);
  });
});
