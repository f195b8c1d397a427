// What the playground computes, checked in Node against the library and against itself:
// compiled and interpreted plots agree, f′ matches central differences of f, the downloadable
// module runs, and every failure is a message, never an exception.
import { describe, expect, it } from 'vitest';
import { diff, format, parse, simplify, toLatex } from '../../src/index.js';
import {
  type ComputeResult,
  type ComputeSuccess,
  createComputer,
  type Engine,
  MAX_HESSIAN_VARIABLES,
  type Steps,
} from '../../web/src/compute.js';
import { DEFAULT_STATE, type PlaygroundState, PRESETS } from '../../web/src/state.js';
import { partialByDifferences } from '../fd.js';

const run = (state: Partial<PlaygroundState>, engine: Engine = 'compiled', samples = 200) =>
  createComputer(engine)({ state: { ...DEFAULT_STATE, ...state }, samples, steps: true });

function ok(result: ComputeResult): ComputeSuccess {
  if (!result.ok) throw new Error(`expected a result, got: ${result.message}`);
  return result;
}

function stepsOf(result: ComputeSuccess): Steps {
  if (result.steps === undefined) throw new Error('no derivation');
  if (!result.steps.ok) throw new Error(result.steps.message);
  return result.steps;
}

describe('playground computation', () => {
  it('differentiates sin(x^2) as the library does, simplified and raw', () => {
    const r = ok(run({ expr: 'sin(x^2)' }));
    expect(r.symbols).toEqual(['x']);
    expect(r.vars).toEqual(['x']);
    expect(r.fn.latex).toBe('f = \\sin\\left(x^{2}\\right)');
    expect(r.derivative.simplified.latex).toBe(
      '\\frac{\\partial f}{\\partial x} = 2 x \\cos\\left(x^{2}\\right)',
    );
    expect(r.derivative.simplified.text).toBe('∂f/∂x = 2*x*cos(x^2)');
    const raw = ok(run({ expr: '(x^2 - 1)/(x - 1)' }));
    expect(raw.derivative.simplified.text).toBe('∂f/∂x = 1');
    const d = diff(parse('(x^2 - 1)/(x - 1)'), 'x');
    expect(format(d)).not.toBe('1');
    expect(raw.derivative.raw.text).toBe(`∂f/∂x = ${format(d)}`);
    expect(raw.derivative.raw.latex).toContain(toLatex(d));
  });

  it('shows the lecture-form derivation with the chosen name and variable', () => {
    const two = PRESETS.find((p) => p.id === 'two-layer')!.state;
    const r = ok(run({ ...two, steps: 'w2' }));
    expect(r.vars).toEqual(['w1', 'w2']);
    const steps = stepsOf(r);
    expect(steps.variable).toBe('w2');
    expect(steps.text.split('\n')[0]).toMatch(/^∂L\/∂w2 = ∂L\/∂/);
    expect(steps.latex).toMatch(/^\\begin\{aligned\}/);
    expect(r.derivative.simplified.latex).toContain('\\frac{\\partial L}{\\partial w_{2}} &=');
  });

  it("writes the lecture's chain for the loss with abstract f1, f2 (and plots nothing)", () => {
    const r = ok(run(PRESETS.find((p) => p.id === 'lecture')!.state));
    expect(stepsOf(r).text.split('\n')[0]).toBe(
      '∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2*f1) · ∂(w2*f1)/∂f1 · ∂f1/∂(w1*x) · ∂(w1*x)/∂w1',
    );
    expect(r.plot).toEqual({
      ok: false,
      message: expect.stringMatching(/unknown function 'f[12]'/),
    });
  });

  it('offers a derivation too long to typeset as text only', () => {
    const deep = `${'tanh('.repeat(120)}x${')'.repeat(120)}`;
    const steps = stepsOf(ok(run({ expr: deep })));
    expect(steps.latex).toBe('');
    expect(steps.text.length).toBeGreaterThan(30_000);
  });

  it('gives the Rosenbrock Hessian as a matrix, simplified', () => {
    const r = ok(run(PRESETS.find((p) => p.id === 'rosenbrock')!.state));
    if (!r.hessian?.ok) throw new Error('no Hessian');
    expect(r.hessian.simplified.latex).toMatch(/^\\nabla\^2 f = \\begin\{pmatrix\}/);
    const rows = r.hessian.simplified.text.split('\n').map((row) => row.split(',  '));
    const expected = [
      ['1200*x^2 - 400*y + 2', '-400*x'],
      ['-400*x', '200'],
    ];
    expect(rows.map((row) => row.map((c) => format(simplify(parse(c)))))).toEqual(
      expected.map((row) => row.map((c) => format(simplify(parse(c))))),
    );
  });

  it('reports a too-wide Hessian as a message', () => {
    const vars = Array.from({ length: MAX_HESSIAN_VARIABLES + 1 }, (_, i) => `x${i}`);
    const r = ok(run({ expr: vars.join('*'), vars, hessian: true }));
    expect(r.hessian).toEqual({ ok: false, message: expect.stringMatching(/at most 8/) });
  });

  it('reports a parse error with its caret', () => {
    const r = run({ expr: 'sin(x^' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.parse).toEqual({
      reason: 'unexpected end of input',
      column: 7,
      excerpt: 'sin(x^\n      ^',
    });
    const arity = run({ expr: 'sin(x, y)' });
    expect(arity.ok === false && arity.parse?.reason).toMatch(/sin takes 1 argument/);
  });

  it('picks a variable when none of the requested ones occurs', () => {
    expect(ok(run({ expr: 'y^2 + z', vars: ['w'] })).vars).toEqual(['y']);
    expect(ok(run({ expr: 'x*y', vars: [] })).vars).toEqual(['x']);
    const constant = ok(run({ expr: '3 + pi' }));
    expect(constant.vars).toEqual(['x']);
    expect(constant.derivative.simplified.text).toBe('∂f/∂x = 0');
    expect(constant.plot.ok).toBe(true);
  });

  it('plots f and ∂f/∂t: compiled ≡ interpreted, and f′ agrees with differences of f', () => {
    for (const preset of PRESETS.filter((p) => p.id !== 'lecture')) {
      const compiled = ok(run(preset.state, 'compiled'));
      const interpreted = ok(run(preset.state, 'interpreted'));
      expect(compiled.engine).toBe('compiled');
      expect(interpreted.engine).toBe('interpreted');
      if (!compiled.plot.ok || !interpreted.plot.ok) throw new Error('no plot');
      const a = compiled.plot.samples;
      const b = interpreted.plot.samples;
      expect([...a.t]).toEqual([...b.t]);
      for (let c = 0; c < 2; c++) {
        a.values[c].forEach((v, i) => {
          expect(v).toBeCloseTo(b.values[c][i], 9);
        });
      }
      const { variable, at } = compiled.plot;
      const f = parse(preset.state.expr);
      for (const i of [17, 101, 163]) {
        const numeric = partialByDifferences(f, variable, { ...at, [variable]: a.t[i] });
        expect(a.values[1][i]).toBeCloseTo(numeric, 5);
      }
      expect(variable).toBe(preset.state.plot || preset.state.vars[0]);
    }
  });

  it('fills the slice with the given values, else 1', () => {
    const r = ok(run({ expr: 'x*y + z', plot: 'x', at: { y: 2 } }));
    if (!r.plot.ok) throw new Error(r.plot.message);
    expect(r.plot.at).toEqual({ y: 2, z: 1 });
    expect(r.plot.labels).toEqual(['f', '∂f/∂x']);
    expect(r.plot.samples.values[1].every((v) => v === 2)).toBe(true);
  });

  it('says why there is no plot, without failing the rest', () => {
    const unknown = ok(run({ expr: 'g(x)^2' }));
    expect(unknown.derivative.simplified.text).toBe("∂f/∂x = 2*g(x)*g'(x)");
    expect(unknown.plot).toEqual({ ok: false, message: expect.stringMatching(/'g'/) });
    expect(unknown.code.ok).toBe(false);
    const interpreted = ok(run({ expr: 'g(x)^2' }, 'interpreted'));
    expect(interpreted.plot).toEqual({ ok: false, message: expect.stringMatching(/'g'/) });
    const badRange = ok(run({ expr: 'x', from: 2, to: 1 }));
    expect(badRange.plot).toEqual({ ok: false, message: expect.stringMatching(/from < to/) });
  });

  it('generates a standalone module whose gradient matches the plot', async () => {
    const state = PRESETS.find((p) => p.id === 'two-layer')!.state;
    const r = ok(run(state));
    if (!r.code.ok || !r.plot.ok) throw new Error('no code');
    expect(r.code.inputs).toEqual(['w1', 'w2', 'x', 'y']);
    expect(r.code.gradient).toMatch(/^\/\/ Generated by Leibniz/);
    expect(r.code.gradient).toContain('export const gradient');
    expect(r.code.hessianNote).toMatch(/x, y are data/);
    const mod = (await import(
      `data:text/javascript,${encodeURIComponent(r.code.module)}`
    )) as Record<string, (x: number[], g?: Float64Array) => number>;
    const i = 77;
    const point = [r.plot.samples.t[i], 1.5, 1.2, 0.5];
    const g = new Float64Array(2);
    expect(mod.gradient(point, g)).toBeCloseTo(r.plot.samples.values[0][i], 12);
    expect(g[0]).toBeCloseTo(r.plot.samples.values[1][i], 12);
    expect(mod.value(point)).toBeCloseTo(r.plot.samples.values[0][i], 12);
    expect(r.code.dts).toContain('export declare const gradient');

    const rosenbrock = ok(run(PRESETS.find((p) => p.id === 'rosenbrock')!.state));
    if (!rosenbrock.code.ok) throw new Error('no code');
    expect(rosenbrock.code.hessianNote).toBeUndefined();
    expect(rosenbrock.code.module).toContain('export const hessian');
  });

  it('keeps hostile symbol names out of the generated code', () => {
    const name = 'x);globalThis.pwned=1;(';
    const r = ok(run({ expr: `\`${name}\`^2 + y`, vars: [name] }));
    if (!r.code.ok) throw new Error(r.code.message);
    expect(r.vars).toEqual([name]);
    expect(r.code.module).not.toContain('pwned');
    expect(r.code.inputs).toEqual([name, 'y']);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });

  it('reuses the algebra when only the plot changes', () => {
    const compute = createComputer('compiled');
    const state = { ...DEFAULT_STATE, expr: '(tanh(w2*tanh(w1*x)) - y)^2', vars: ['w1', 'w2'] };
    const first = ok(compute({ state, samples: 100, steps: false }));
    expect(first.steps).toBeUndefined();
    const second = ok(compute({ state: { ...state, from: -1, to: 1 }, samples: 100, steps: true }));
    expect(second.derivative).toBe(first.derivative);
    expect(second.plot.ok && second.plot.from).toBe(-1);
    expect(stepsOf(second).variable).toBe('w1');
    const third = ok(compute({ state: { ...state, from: -2, to: 1 }, samples: 100, steps: true }));
    expect(third.steps).toBe(second.steps);
  });
});
