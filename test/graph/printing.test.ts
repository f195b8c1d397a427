// What a graph prints: formulas of tensors and gradients, the lecture's derivation, DOT.
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { AdamOptimizer, Graph, GraphError } from '../../src/index.js';

function lecture() {
  const g = new Graph();
  const x = g.placeholder('x', [null]);
  const y = g.placeholder('y', [null]);
  const w1 = g.variable('w1', [], { init: 0.5 });
  const w2 = g.variable('w2', [], { init: -0.3 });
  const L = g.reduceMean(g.square(g.sub(g.tanh(g.mul(w2, g.tanh(g.mul(w1, x)))), y)));
  return { g, x, y, w1, w2, L };
}

describe('formulas', () => {
  it('print a batch loss as a batch sum of the per-sample term', () => {
    const { g, L } = lecture();
    expect(g.formula(L).toString()).toBe(
      'Mean = Σ1/`|x|`\nΣ1 = Σ over the batch of (tanh(w2*tanh(w1*x)) - y)^2',
    );
  });

  it("print gradients exactly: the batch sum of the lecture's chain", () => {
    const { g, L, w1, w2 } = lecture();
    const [d1, d2] = g.gradients(L, [w1, w2]);
    const f1 = g.formula(d1);
    expect(f1.batched).toBe(false);
    expect(f1.toString()).toBe(
      [
        'Gradient = Σ2/`|x|`',
        'Σ2 = Σ over the batch of 2*w2*x*(1 - tanh(w1*x)^2)*(tanh(w2*tanh(w1*x)) - y)*(1 - tanh(w2*tanh(w1*x))^2)',
      ].join('\n'),
    );
    expect(g.formula(d2).toString()).toContain('2*tanh(w1*x)*(tanh(w2*tanh(w1*x)) - y)');
    expect(g.formula(d1).toLatex()).toMatch(/^\\begin\{aligned\}\n\\mathrm\{Gradient\} &= /);
  });

  it('print per-sample tensors per sample', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null, 2]);
    const W = g.variable('W', [2, 1]);
    const f = g.formula(g.matmul(x, W));
    expect(f.batched).toBe(true);
    expect(f.shape).toEqual([null, 1]);
    expect(f.toString()).toBe('MatMul[sample][0] = `W[0,0]`*`x[0]` + `W[1,0]`*`x[1]`');
  });

  it('render as KaTeX, loop-kernel products included', () => {
    const { g, L, w1 } = lecture();
    const render = (tex: string) =>
      katex.renderToString(tex, { throwOnError: true, strict: 'error' });
    render(g.formula(g.gradients(L, w1)[0]).toLatex());
    render(g.derivation(L, w1, { name: 'L' }).toLatex());
    const x = g.placeholder('pixels', [null, 128]);
    const W = g.variable('W_1', [128, 32]);
    const f = g.formula(g.reduceMean(g.tanh(g.matmul(x, W))));
    expect(f.products).toHaveLength(1);
    const tex = f.toLatex();
    expect(tex).toContain(
      '\\mathrm{MatMul}_{\\text{sample}} &= \\mathrm{pixels} \\cdot \\mathrm{W\\_1}',
    );
    render(tex);
  });

  it('refuse graphs that do not separate per sample', () => {
    const g = new Graph();
    const x = g.placeholder('x', [null]);
    expect(() => g.formula(g.softmax(x, 0))).toThrow(GraphError);
  });
});

describe('derivation', () => {
  it("is the lecture's chain of partials for the per-sample loss", () => {
    const { g, L, w1, w2 } = lecture();
    const d = g.derivation(L, w1, { name: 'L' });
    expect(d.toString().split('\n')[0]).toBe(
      '∂L/∂w1 = ∂L/∂(tanh(w2*tanh(w1*x))) · ∂(tanh(w2*tanh(w1*x)))/∂(w2*tanh(w1*x)) · ∂(w2*tanh(w1*x))/∂(tanh(w1*x)) · ∂(tanh(w1*x))/∂(w1*x) · ∂(w1*x)/∂w1',
    );
    expect(g.derivation(L, w2, { name: 'L' }).chain).toHaveLength(3);
    expect(d.toLatex()).toContain('\\begin{aligned}');
    expect(() => g.derivation(L, w1, { index: 3 })).toThrow(/out of range/);
  });
});

describe('toDot', () => {
  it('tells constants, variables, placeholders, ops, gradients and train ops apart', () => {
    const { g, L } = lecture();
    g.add(L, g.constant(1));
    new AdamOptimizer().minimize(L);
    const dot = g.toDot();
    expect(dot.startsWith('digraph G {')).toBe(true);
    expect(dot.endsWith('}')).toBe(true);
    expect(dot).toMatch(
      /t\d+ \[label="x\\nPlaceholder \[null\]", shape=box, style="filled,rounded"/,
    );
    expect(dot).toMatch(
      /label="w1\\nVariable \[\]", shape=ellipse, style=filled, fillcolor="#c8e6c9"/,
    );
    expect(dot).toMatch(/label="Const\\n\[\]", shape=box/);
    expect(dot).toMatch(/label="Gradient\\n\[\]", shape=ellipse, style="filled,dashed"/);
    expect(dot).toMatch(/label="∂\/∂w1"/);
    expect(dot).toMatch(/op0 \[label="Adam\\nminimize Mean", shape=octagon/);
    expect(dot).toMatch(/op0 -> t\d+ \[style=dotted, label="update"/);
    expect(g.toDot()).toBe(dot); // deterministic
  });
});
