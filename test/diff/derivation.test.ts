// Derivations: the lecture's chain form for single-path variables, rule-by-rule steps
// otherwise, identical results to diff, and LaTeX that KaTeX renders.
import fc from 'fast-check';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { derivation } from '../../src/diff/derivation.js';
import { diff } from '../../src/diff/diff.js';
import { add, call, mul, sym } from '../../src/expr/build.js';
import { parse } from '../../src/expr/parse.js';
import { arbExpr } from '../arbitrary.js';

const renders = (latex: string): void => {
  expect(() =>
    katex.renderToString(latex, { throwOnError: true, displayMode: true }),
  ).not.toThrow();
};

describe('derivation', () => {
  it("shows the lecture's chain for the two-layer loss, then the factors, then the product", () => {
    const loss = parse('(f2(w2*f1(w1*x)) - y)^2');
    const d = derivation(loss, 'w1', { name: 'L' });
    const lines = d.toString().split('\n');
    expect(lines[0]).toBe(
      '∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2*f1) · ∂(w2*f1)/∂f1 · ∂f1/∂(w1*x) · ∂(w1*x)/∂w1',
    );
    expect(lines.slice(1, 6)).toEqual([
      '∂L/∂f2 = 2*(f2(w2*f1(w1*x)) - y)',
      "∂f2/∂(w2*f1) = f2'(w2*f1(w1*x))",
      '∂(w2*f1)/∂f1 = w2',
      "∂f1/∂(w1*x) = f1'(w1*x)",
      '∂(w1*x)/∂w1 = x',
    ]);
    expect(lines[6]).toMatch(/^∂L\/∂w1 = 2\*\(f2\(w2\*f1\(w1\*x\)\) - y\) · f2'/);
    expect(d.result).toBe(diff(loss, 'w1'));
    expect(d.chain).toHaveLength(5);
    renders(d.toLatex());
    expect(d.toLatex()).toContain('\\frac{\\partial L}{\\partial w_{1}}');
  });

  it('shows outer derivative, inner derivative and product for sin(x^2)', () => {
    const d = derivation(parse('sin(x^2)'), 'x');
    expect(d.chain?.map((c) => String(c.value))).toEqual(['cos(x^2)', '2*x']);
    expect(d.toString()).toContain('= 2*x*cos(x^2)');
    renders(d.toLatex());
  });

  it('lists rule applications when the variable occurs more than once', () => {
    const d = derivation(parse('x*sin(x) + exp(x)'), 'x');
    expect(d.chain).toBeUndefined();
    expect(d.steps.map((s) => s.rule).sort()).toEqual(['chain', 'chain', 'product', 'sum']);
    expect(d.result).toBe(diff(parse('x*sin(x) + exp(x)'), 'x'));
    renders(d.toLatex());
  });

  it('renders rule notes whatever the function is called (f_1, braces, %, &)', () => {
    for (const name of ['f_1', 'a{b}', '50%', 'p&q', 'x^y~$#\\', "g'"]) {
      const f = add(call(name, sym('x')), call(name, mul(2, sym('x'))));
      const d = derivation(f, 'x');
      expect(d.steps.some((s) => s.rule === 'chain')).toBe(true);
      renders(d.toLatex());
    }
    const d = derivation(parse('f_1(x)*x'), 'x');
    renders(d.toLatex());
    expect(d.toLatex()).toContain('\\text{chain rule (f\\_1)}');
  });

  it('never changes the result and always renders (random expressions)', () => {
    fc.assert(
      fc.property(arbExpr({ maxDepth: 3 }), fc.constantFrom('x', 'y'), (f, v) => {
        const d = derivation(f, v);
        expect(d.result).toBe(diff(f, v));
        renders(d.toLatex());
        expect(typeof d.toString()).toBe('string');
      }),
      { numRuns: 150 },
    );
  });

  it('names the variable by itself when it is the whole expression', () => {
    const d = derivation(parse('s'), 's', { name: 'L' });
    expect(d.toString()).toBe('∂L/∂s = 1');
    expect(d.result).toBe(parse('1'));
  });
});
