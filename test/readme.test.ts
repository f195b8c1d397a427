// The README's examples, run: what it promises a user must stay true.
import { describe, expect, it } from 'vitest';
import { derivation, diff, format, grad, parse, toLatex } from '../src/index.js';

describe('README examples', () => {
  it('differentiates sin(x^2) and prints text and LaTeX', () => {
    const f = parse('sin(x^2)');
    expect(format(diff(f, 'x'))).toBe('2*x*cos(x^2)');
    expect(toLatex(diff(f, 'x'))).toBe('2 x \\cos\\left(x^{2}\\right)');
  });

  it("prints the two-layer loss's derivation in the lecture's form", () => {
    const L = parse('(f2(w2*f1(w1*x)) - y)^2');
    expect(derivation(L, 'w1', { name: 'L' }).toString().split('\n')[0]).toBe(
      '∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2*f1) · ∂(w2*f1)/∂f1 · ∂f1/∂(w1*x) · ∂(w1*x)/∂w1',
    );
    expect(grad(parse('(tanh(w2*tanh(w1*x)) - y)^2'), ['w1', 'w2'])).toHaveLength(2);
  });
});
