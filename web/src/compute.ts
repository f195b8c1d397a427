/**
 * Everything the playground computes, as plain data: parse, derivative or gradient (raw and
 * simplified), Hessian, the lecture-style derivation, the generated module, and the plot
 * samples. Runs in the Web Worker (or, where workers are unavailable, on the page); never
 * throws: every failure becomes a message in the result.
 */
import {
  compileGradient,
  derivation,
  diff,
  type Expr,
  emitModule,
  evaluate,
  format,
  freeSymbols,
  grad,
  hessian,
  LeibnizError,
  type ModuleFunction,
  ParseError,
  parse,
  simplify,
  size,
  sym,
  toLatex,
  treeSize,
} from '../../src/index.js';
import { type Samples, sample } from './sample.js';
import type { PlaygroundState } from './state.js';

/** How plot values are computed: generated code (`new Function`) or the interpreter. */
export type Engine = 'compiled' | 'interpreted';

/** What the page asks for: its state plus the plot's resolution. */
export interface ComputeRequest {
  readonly state: PlaygroundState;
  /** Plot samples across the range (about one per canvas pixel column). */
  readonly samples: number;
  /**
   * Whether to record the step-by-step derivation (when its panel is open): its printout
   * grows with the square of the chain's length, so it is made only when wanted.
   */
  readonly steps: boolean;
}

/** A formula in both printed forms. */
export interface Formula {
  readonly latex: string;
  readonly text: string;
}

/** The simplified and the raw form of a result (the page toggles between them). */
export interface Forms {
  readonly simplified: Formula;
  readonly raw: Formula;
}

/** A part of the result that may fail on its own (e.g. no numeric value for `f(x)`). */
export type Part<T> =
  | ({ readonly ok: true } & T)
  | { readonly ok: false; readonly message: string };

export interface PlotResult {
  readonly variable: string;
  /** The values used for the other symbols. */
  readonly at: Readonly<Record<string, number>>;
  readonly from: number;
  readonly to: number;
  /** Channel 0: f; channel 1: ∂f/∂variable. */
  readonly samples: Samples;
  /** Plain-text labels of the channels (`f`, `∂f/∂x`). */
  readonly labels: readonly [string, string];
}

/** The step-by-step derivation by one variable. */
export interface Steps extends Formula {
  readonly variable: string;
}

export interface CodeResult {
  /** The gradient function alone, as a standalone module (what the page shows). */
  readonly gradient: string;
  /** Value, gradient (and Hessian when it applies) as one standalone module, and its types. */
  readonly module: string;
  readonly dts: string;
  /** Which input is which: `x = [w1, w2, x, y]`, the first `variables` differentiated. */
  readonly inputs: readonly string[];
  readonly variables: number;
  /** Why the module has no Hessian, when it has none. */
  readonly hessianNote?: string;
}

export interface ComputeSuccess {
  readonly ok: true;
  readonly expr: string;
  /** Free symbols of the expression, in the library's natural order. */
  readonly symbols: readonly string[];
  /** The variables differentiated by (the requested ones present, else a default). */
  readonly vars: readonly string[];
  readonly fn: Formula;
  readonly derivative: Forms;
  readonly hessian?: Part<Forms>;
  /** The derivation; absent unless the request asked for it. */
  readonly steps?: Part<Steps>;
  readonly code: Part<CodeResult>;
  readonly plot: Part<PlotResult>;
  readonly engine: Engine;
  /** Milliseconds spent: symbolic part, plot. */
  readonly timings: { readonly symbolic: number; readonly plot: number };
}

export interface ComputeFailure {
  readonly ok: false;
  readonly expr: string;
  /** The full message (for a parse error: reason, column, excerpt and caret). */
  readonly message: string;
  /** For a parse error: the reason, 1-based column and the excerpt with its caret line. */
  readonly parse?: { readonly reason: string; readonly column: number; readonly excerpt: string };
}

export type ComputeResult = ComputeSuccess | ComputeFailure;

/** Largest Hessian shown (n² simplifications; a wider matrix is unreadable anyway). */
export const MAX_HESSIAN_VARIABLES = 8;
/** Printed results (as a tree) are capped: sharing makes derivatives' trees explode. */
export const MAX_PRINTED_NODES = 50_000;
/** The step-by-step derivation is printed for expressions up to this size (as a tree). */
export const MAX_DERIVATION_NODES = 1_000;
/** Derivations longer than this (as text) are offered as text only: KaTeX would take seconds. */
const MAX_STEPS_TEXT_FOR_LATEX = 30_000;

interface Symbolic {
  readonly key: string;
  readonly expr: Expr;
  readonly result: Omit<ComputeSuccess, 'plot' | 'engine' | 'timings' | 'steps'>;
}

/**
 * A computer for one engine. It remembers the last symbolic result and the last plot
 * function, so moving the plot range or a slice value does not redo the algebra.
 */
export function createComputer(engine: Engine): (request: ComputeRequest) => ComputeResult {
  let lastSymbolic: Symbolic | undefined;
  let lastSteps: { key: string; steps: Part<Steps> } | undefined;
  let lastPlot: { key: string; evaluator: PlotEvaluator } | undefined;

  return (request) => {
    const { state } = request;
    const started = now();
    let expr: Expr;
    try {
      expr = parse(state.expr);
    } catch (e) {
      return failure(state.expr, e);
    }
    const key = JSON.stringify([state.expr, state.vars, state.name, state.hessian]);
    let symbolic = lastSymbolic;
    if (symbolic === undefined || symbolic.key !== key) {
      try {
        symbolic = { key, expr, result: computeSymbolic(expr, state) };
      } catch (e) {
        return failure(state.expr, e);
      }
      lastSymbolic = symbolic;
    }
    let steps: Part<Steps> | undefined;
    if (request.steps) {
      const variable = pick(state.steps, symbolic.result.vars, symbolic.result.vars[0]);
      const stepsKey = JSON.stringify([state.expr, variable, state.name]);
      if (lastSteps?.key !== stepsKey) {
        lastSteps = { key: stepsKey, steps: part(() => derive(expr, variable, state.name)) };
      }
      steps = lastSteps.steps;
    }
    const symbolicMs = now() - started;

    const plotStarted = now();
    let plot: Part<PlotResult>;
    try {
      const variable = pick(state.plot, symbolic.result.symbols, symbolic.result.vars[0]);
      const others = symbolic.result.symbols.filter((s) => s !== variable);
      const plotKey = JSON.stringify([state.expr, variable, others]);
      if (lastPlot === undefined || lastPlot.key !== plotKey) {
        lastPlot = { key: plotKey, evaluator: plotEvaluator(engine, expr, variable, others) };
      }
      plot = samplePlot(lastPlot.evaluator, state, variable, others, request.samples);
    } catch (e) {
      plot = { ok: false, message: messageOf(e) };
    }
    return {
      ...symbolic.result,
      steps,
      plot,
      engine,
      timings: { symbolic: symbolicMs, plot: now() - plotStarted },
    };
  };
}

function computeSymbolic(expr: Expr, state: PlaygroundState): Symbolic['result'] {
  const symbols = freeSymbols(expr).map((s) => s.name!);
  const requested = state.vars.filter((v) => symbols.includes(v));
  const vars =
    requested.length > 0 ? requested : [symbols.includes('x') ? 'x' : (symbols[0] ?? 'x')];
  const nameTex = toLatex(sym(state.name));
  const partial = (v: string) => `\\frac{\\partial ${nameTex}}{\\partial ${toLatex(sym(v))}}`;

  const raw = vars.length === 1 ? [diff(expr, sym(vars[0]))] : grad(expr, vars.map(sym));
  const simplified = simplify(raw);
  const derivativeForms = (exprs: readonly Expr[]): Formula =>
    tooLargeToPrint(exprs) ?? {
      latex:
        exprs.length === 1
          ? `${partial(vars[0])} = ${toLatex(exprs[0])}`
          : aligned(exprs.map((e, i) => `${partial(vars[i])} &= ${toLatex(e)}`)),
      text: exprs.map((e, i) => `∂${state.name}/∂${vars[i]} = ${format(e)}`).join('\n'),
    };

  return {
    ok: true,
    expr: state.expr,
    symbols,
    vars,
    fn: { latex: `${nameTex} = ${toLatex(expr)}`, text: `${state.name} = ${format(expr)}` },
    derivative: { simplified: derivativeForms(simplified), raw: derivativeForms(raw) },
    hessian: state.hessian ? part(() => hessianForms(expr, vars, state.name)) : undefined,
    code: part(() => code(expr, vars, symbols)),
  };
}

function derive(expr: Expr, variable: string, name: string): Steps {
  // The printout repeats the expression once per link of the chain: quadratic in its size.
  const nodes = treeSize(expr);
  if (nodes > MAX_DERIVATION_NODES) {
    throw new LeibnizError(
      `the steps are printed for expressions of at most ${MAX_DERIVATION_NODES} nodes (this one has ${nodes})`,
    );
  }
  const d = derivation(expr, sym(variable), { name });
  const text = d.toString();
  const latex = text.length <= MAX_STEPS_TEXT_FOR_LATEX ? d.toLatex() : '';
  return { variable, latex, text };
}

/** Undefined if `exprs` can be printed; else a note saying why not, in place of the formula. */
function tooLargeToPrint(exprs: readonly Expr[]): Formula | undefined {
  const nodes = treeSize(exprs);
  if (nodes <= BigInt(MAX_PRINTED_NODES)) return undefined;
  const note = `too large to print: ${nodes} nodes written out (${size(exprs)} distinct); the generated code computes it`;
  return { latex: '', text: note };
}

function hessianForms(expr: Expr, vars: readonly string[], name: string): Forms {
  if (vars.length > MAX_HESSIAN_VARIABLES) {
    throw new LeibnizError(
      `the Hessian is shown for at most ${MAX_HESSIAN_VARIABLES} variables (${vars.length} chosen)`,
    );
  }
  const raw = hessian(expr, vars.map(sym));
  const simplified = raw.map((row) => simplify(row));
  const nameTex = toLatex(sym(name));
  const forms = (h: readonly (readonly Expr[])[]): Formula => {
    const tooLarge = tooLargeToPrint(h.flat());
    if (tooLarge !== undefined) return tooLarge;
    const cells = h.map((row) => row.map((e) => toLatex(e)));
    const text = h.map((row) => row.map((e) => format(e)).join(',  ')).join('\n');
    if (vars.length <= 4 && cells.every((row) => row.every((c) => c.length <= 60))) {
      const body = cells.map((row) => row.join(' & ')).join(' \\\\ ');
      return { latex: `\\nabla^2 ${nameTex} = \\begin{pmatrix} ${body} \\end{pmatrix}`, text };
    }
    // Wide entries: one line per entry of the upper triangle (the matrix is symmetric).
    const lines: string[] = [];
    vars.forEach((vi, i) => {
      for (let j = i; j < vars.length; j++) {
        const vj = vars[j];
        const by =
          i === j
            ? `\\partial ${toLatex(sym(vi))}^{2}`
            : `\\partial ${toLatex(sym(vi))}\\,\\partial ${toLatex(sym(vj))}`;
        lines.push(`\\frac{\\partial^{2} ${nameTex}}{${by}} &= ${cells[i][j]}`);
      }
    });
    return { latex: aligned(lines), text };
  };
  return { simplified: forms(simplified), raw: forms(raw) };
}

function code(expr: Expr, vars: readonly string[], symbols: readonly string[]): CodeResult {
  const data = symbols.filter((s) => !vars.includes(s));
  const gradient: ModuleFunction = {
    name: 'gradient',
    kind: 'gradient',
    expr,
    variables: vars.map(sym),
    data: data.map(sym),
  };
  const inputs = [...vars, ...data];
  const functions: ModuleFunction[] = [
    { name: 'value', kind: 'value', expr, variables: inputs.map(sym), input: 'vector' },
    gradient,
  ];
  let hessianNote: string | undefined;
  if (data.length > 0) {
    hessianNote = `no Hessian in the module: it is generated only when every symbol is differentiated (${data.join(', ')} ${data.length === 1 ? 'is' : 'are'} data here)`;
  } else if (vars.length > MAX_HESSIAN_VARIABLES) {
    hessianNote = `no Hessian in the module: more than ${MAX_HESSIAN_VARIABLES} variables`;
  } else {
    functions.push({ name: 'hessian', kind: 'hessian', expr, variables: vars.map(sym) });
  }
  const module = emitModule(functions);
  return {
    gradient: emitModule([gradient]).js,
    module: module.js,
    dts: module.dts,
    inputs,
    variables: vars.length,
    hessianNote,
  };
}

type PlotEvaluator = (t: number, at: Float64Array, out: Float64Array) => void;

/**
 * f and ∂f/∂variable at variable = t, the other symbols at `at` (in the order of `others`).
 * Compiled: one fused value-and-gradient call. Interpreted: `evaluate` on f and on f′.
 */
function plotEvaluator(
  engine: Engine,
  expr: Expr,
  variable: string,
  others: readonly string[],
): PlotEvaluator {
  if (engine === 'compiled') {
    const fg = compileGradient(expr, [sym(variable)], { data: others.map(sym) });
    const x = new Float64Array(1 + others.length);
    const g = new Float64Array(1);
    return (t, at, out) => {
      x[0] = t;
      x.set(at, 1);
      out[0] = fg(x, g);
      out[1] = g[0];
    };
  }
  const derivative = diff(expr, sym(variable));
  const env = new Map<string, number>();
  // Fail now, with the library's message, if f has no numeric value (e.g. unknown f(x)).
  for (const s of others) env.set(s, 1);
  env.set(variable, 0.5);
  evaluate(expr, env);
  return (t, at, out) => {
    others.forEach((s, i) => {
      env.set(s, at[i]);
    });
    env.set(variable, t);
    out[0] = evaluate(expr, env);
    out[1] = evaluate(derivative, env);
  };
}

/** Default value of a symbol the slice does not fix. */
export const DEFAULT_SLICE_VALUE = 1;

function samplePlot(
  evaluator: PlotEvaluator,
  state: PlaygroundState,
  variable: string,
  others: readonly string[],
  count: number,
): Part<PlotResult> {
  const { from, to } = state;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) {
    return { ok: false, message: 'the plot range needs from < to (finite numbers)' };
  }
  const at: Record<string, number> = {};
  const values = new Float64Array(others.length);
  others.forEach((s, i) => {
    const v = state.at[s];
    values[i] = Number.isFinite(v) ? v : DEFAULT_SLICE_VALUE;
    at[s] = values[i];
  });
  const samples = sample(
    (t, out) => evaluator(t, values, out),
    2,
    from,
    to,
    Math.min(4000, Math.max(50, Math.round(count))),
  );
  return {
    ok: true,
    variable,
    at,
    from,
    to,
    samples,
    labels: [state.name, `∂${state.name}/∂${variable}`],
  };
}

function part<T>(f: () => T): Part<T> {
  try {
    return { ok: true, ...f() };
  } catch (e) {
    return { ok: false, message: messageOf(e) };
  }
}

function failure(expr: string, e: unknown): ComputeFailure {
  if (e instanceof ParseError) {
    return {
      ok: false,
      expr,
      message: e.message,
      parse: { reason: e.reason, column: e.column, excerpt: e.excerpt },
    };
  }
  return { ok: false, expr, message: messageOf(e) };
}

/** A user-facing message: the library's own for its typed errors, else what went wrong. */
export function messageOf(e: unknown): string {
  if (e instanceof LeibnizError) return e.message;
  if (e instanceof RangeError) return `too large to compute here (${e.message})`;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function pick(wanted: string, among: readonly string[], fallback: string): string {
  return among.includes(wanted) ? wanted : fallback;
}

const aligned = (lines: readonly string[]) =>
  `\\begin{aligned}\n${lines.join(' \\\\\n')}\n\\end{aligned}`;

const now = () => performance.now();
