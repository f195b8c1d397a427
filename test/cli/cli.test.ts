// The `leibniz` command, driven through `run` with captured output.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

function cli(...argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('leibniz command', () => {
  it('differentiates, by the only free symbol by default', () => {
    expect(cli('diff', 'sin(x^2)')).toEqual({ code: 0, out: '2*x*cos(x^2)', err: '' });
    expect(cli('diff', 'x^3', 'x', '--order', '2').out).toBe('6*x');
    expect(cli('diff', 'sin(x^2)', '--latex').out).toBe('2 x \\cos\\left(x^{2}\\right)');
  });

  it('prints gradients and derivations', () => {
    expect(cli('grad', 'x^2*y').out).toBe('x: 2*x*y\ny: x^2');
    const d = cli('derive', '(f2(w2*f1(w1*x)) - y)^2', 'w1', '--name', 'L');
    expect(d.out.split('\n')[0]).toBe(
      '∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2*f1) · ∂(w2*f1)/∂f1 · ∂f1/∂(w1*x) · ∂(w1*x)/∂w1',
    );
    expect(cli('derive', 'sin(x^2)', 'x', '--latex').out).toMatch(/^\\begin\{aligned\}/);
  });

  it('evaluates and prints LaTeX', () => {
    expect(cli('eval', 'x^2 + y', 'x=3', 'y=0.5').out).toBe('9.5');
    expect(cli('latex', 'w1*theta').out).toBe('\\theta w_{1}');
  });

  it('reports bad input as a typed error with exit code 1', () => {
    const r = cli('diff', 'sin(x^)');
    expect(r.code).toBe(1);
    expect(r.err).toContain("ParseError: unexpected ')' at 7");
    expect(cli('diff', 'x*y').err).toContain('name the variable');
    expect(cli('eval', 'x + 1').err).toContain("UnboundSymbolError: unbound symbol 'x'");
    expect(cli('eval', 'x', 'x=abc').code).toBe(1);
  });

  it('explains its usage', () => {
    expect(cli().code).toBe(2);
    expect(cli('--help').code).toBe(0);
    expect(cli('frobnicate', 'x').code).toBe(2);
    expect(cli('diff').code).toBe(2);
  });
});
