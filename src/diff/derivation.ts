/**
 * Step-by-step derivations: a trace recorded beside `differentiate` (the trace only
 * observes, so `.result` is exactly what `diff` returns), replayed by printers into text or
 * LaTeX. When the variable enters through a single path, the derivation shows the chain
 * rule the way the lecture writes it: ∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2·f1) · … · ∂(w1·x)/∂w1,
 * then each factor, then the product.
 */
import { format } from '../expr/format.js';
import {
  describe,
  type Expr,
  type ExprInput,
  IDENTIFIER,
  InvalidArgumentError,
  postorder,
  substitute,
  sym,
  toExpression,
  toSymbol,
  type Variable,
} from '../expr/index.js';
import { textTex, toLatex } from '../expr/latex.js';
import { type ChainStep, differentiate } from './diff.js';

/** The rule a derivation step applied, by the kind of node differentiated. */
export type DerivationRule =
  | 'sum'
  | 'constant-multiple'
  | 'product'
  | 'power'
  | 'exponential'
  | 'general-power'
  | 'chain';

/** One step of a derivation: a node, the rule used, and the node's derivative. */
export interface DerivationStep {
  readonly rule: DerivationRule;
  /** The node differentiated. */
  readonly expr: Expr;
  /** Its derivative by the variable. */
  readonly derivative: Expr;
  /** The outer function for `chain` steps (`sin`, or an unknown function's name). */
  readonly function?: string;
}

/** One factor ∂upper/∂lower of the lecture-style chain. */
export interface ChainFactor {
  readonly upper: Expr;
  readonly lower: Expr;
  /** ∂upper/∂lower, evaluated (expressed in the original variables). */
  readonly value: Expr;
}

/** Options of `derivation`. */
export interface DerivationOptions {
  /** What to call the differentiated expression in the printout (e.g. `'L'`). Default: the expression itself. */
  readonly name?: string;
}

/**
 * A recorded derivation of `expr` by `variable`. `result` is identical to
 * `diff(expr, variable)`; `steps` are the chain-rule steps in evaluation order (inner
 * first); `chain` is the lecture's factorisation when the variable enters through a single
 * path (undefined otherwise).
 */
export class Derivation {
  constructor(
    readonly expr: Expr,
    readonly variable: Expr,
    readonly result: Expr,
    readonly steps: readonly DerivationStep[],
    readonly chain: readonly ChainFactor[] | undefined,
    private readonly name: string | undefined,
  ) {}

  /** Plain-text derivation (one equation a line). */
  toString(): string {
    return this.#render(TEXT).join('\n');
  }

  /** A KaTeX-compatible `aligned` environment, one equation a row. */
  toLatex(): string {
    return `\\begin{aligned}\n${this.#render(LATEX).join(' \\\\\n')}\n\\end{aligned}`;
  }

  #render(p: Printer): string[] {
    const label = (e: Expr): string =>
      e === this.expr && this.name !== undefined ? p.name(this.name) : p.label(e);
    // The variable keeps its own name even when it is the whole expression (∂L/∂s, not ∂L/∂L).
    const variable = p.label(this.variable);
    const lhs = p.partial(label(this.expr), variable);
    const lines: string[] = [];
    if (this.chain !== undefined && this.chain.length > 1) {
      const factors = this.chain.map((f) => p.partial(label(f.upper), label(f.lower)));
      lines.push(p.equation(lhs, factors.join(p.times)));
      this.chain.forEach((f, i) => {
        lines.push(p.equation(factors[i], p.expr(f.value)));
      });
      const product = this.chain.map((f) => p.factor(f.value)).join(p.times);
      lines.push(p.equation(lhs, product));
      const result = p.expr(this.result);
      if (result !== product) lines.push(p.equation('', result));
      return lines;
    }
    for (const s of this.steps) {
      const what =
        s.rule === 'chain' ? `chain rule (${s.function})` : `${s.rule.replace('-', ' ')} rule`;
      lines.push(p.equation(p.derivativeOf(p.expr(s.expr), variable), p.expr(s.derivative), what));
    }
    lines.push(p.equation(lhs, p.expr(this.result)));
    return lines;
  }
}

interface Printer {
  name(n: string): string;
  label(e: Expr): string;
  expr(e: Expr): string;
  factor(e: Expr): string;
  partial(upper: string, lower: string): string;
  derivativeOf(e: string, v: string): string;
  equation(lhs: string, rhs: string, note?: string): string;
  times: string;
}

// Labels abbreviate unknown function applications to their names, as the lecture does:
// w2*f1(w1*x) → w2*f1. Done on the printed text (outermost calls first) so the factors keep
// their printed order.
function abbreviated(e: Expr, print: (e: Expr) => string): string {
  let text = print(e);
  const calls = postorder(e)
    .filter((n) => n.op === 'call' && n.partials!.length === 0)
    .sort((a, b) => b.height - a.height);
  for (const c of calls) text = text.split(print(c)).join(print(sym(c.name!)));
  return text;
}

const isAtomText = (s: string): boolean => IDENTIFIER.test(s);
const isAtom = (e: Expr): boolean =>
  e.args.length === 0 || e.op === 'call' || (e.op !== 'add' && e.op !== 'mul' && e.op !== 'pow');

const TEXT: Printer = {
  name: (n) => n,
  label: (e) => abbreviated(e, format),
  expr: (e) => format(e),
  factor: (e) => (e.op === 'add' ? `(${format(e)})` : format(e)),
  partial: (u, l) => `∂${isAtomText(u) ? u : `(${u})`}/∂${isAtomText(l) ? l : `(${l})`}`,
  derivativeOf: (e, v) => `d/d${v} [${e}]`,
  equation: (lhs, rhs, note) =>
    `${lhs === '' ? '   ' : lhs} = ${rhs}${note ? `    (${note})` : ''}`,
  times: ' · ',
};

const LATEX: Printer = {
  name: (n) => toLatex(sym(n)),
  label: (e) => {
    const text = abbreviated(e, toLatex);
    return isAtom(e) ? text : `\\left(${text}\\right)`;
  },
  expr: (e) => toLatex(e),
  factor: (e) => (e.op === 'add' ? `\\left(${toLatex(e)}\\right)` : toLatex(e)),
  partial: (u, l) => `\\frac{\\partial ${u}}{\\partial ${l}}`,
  derivativeOf: (e, v) => `\\frac{d}{d${v}}\\left[${e}\\right]`,
  // The note names the function (`chain rule (f_1)`): text mode, escaped, so any name renders.
  equation: (lhs, rhs, note) => `${lhs} &= ${rhs}${note ? ` && ${textTex(note)}` : ''}`,
  times: ' \\cdot ',
};

function classify(step: ChainStep): Pick<DerivationStep, 'rule' | 'function'> {
  const { node, terms } = step;
  switch (node.op) {
    case 'add':
      return { rule: 'sum' };
    case 'mul':
      return { rule: terms.length === 1 ? 'constant-multiple' : 'product' };
    case 'pow':
      if (terms.length === 2) return { rule: 'general-power' };
      return { rule: terms[0].index === 0 ? 'power' : 'exponential' };
    case 'call': {
      const primes = "'".repeat(node.partials!.length);
      return { rule: 'chain', function: `${node.name}${primes}` };
    }
    default:
      return { rule: 'chain', function: node.op };
  }
}

/**
 * The nodes through which `v` enters `expr`, root first, if there is exactly one path
 * (every node on it has exactly one argument depending on `v`); else undefined.
 */
function singlePath(expr: Expr, v: Expr): Expr[] | undefined {
  const depends = new Set<number>();
  for (const node of postorder(expr)) {
    if (node === v || node.args.some((a) => depends.has(a.id))) depends.add(node.id);
  }
  if (!depends.has(expr.id)) return undefined;
  const path = [expr];
  let node = expr;
  while (node !== v) {
    const next = node.args.filter((a) => depends.has(a.id));
    if (next.length !== 1) return undefined;
    node = next[0];
    path.push(node);
  }
  return path;
}

const isApplication = (e: Expr): boolean =>
  e.args.length > 0 && e.op !== 'add' && e.op !== 'mul' && e.op !== 'pow';

/** ∂upper/∂lower where `lower` occurs once in `upper`: differentiate by a stand-in symbol. */
function partialThrough(upper: Expr, lower: Expr): Expr {
  const t = sym('\u0000∂');
  const d = differentiate(substitute(upper, new Map([[lower, t]])), t);
  return substitute(d, new Map([[t, lower]]));
}

/**
 * Differentiates `expr` by `variable`, recording the steps. For the two-layer loss
 * L = (f2(w2·f1(w1·x)) − y)² by w1 the printout starts with the lecture's form
 * ∂L/∂w1 = ∂L/∂f2 · ∂f2/∂(w2*f1) · ∂(w2*f1)/∂f1 · ∂f1/∂(w1*x) · ∂(w1*x)/∂w1, then each
 * factor evaluated, then the product.
 *
 * @example
 * ```ts
 * const d = derivation(parse('(f2(w2*f1(w1*x)) - y)^2'), 'w1', { name: 'L' });
 * console.log(d.toString());
 * d.result === diff(parse('(f2(w2*f1(w1*x)) - y)^2'), 'w1'); // true
 * ```
 */
export function derivation(
  expr: ExprInput,
  variable: Variable,
  options: DerivationOptions = {},
): Derivation {
  const v = toSymbol(variable, 'derivation');
  expr = toExpression(expr, 'derivation');
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(
      `derivation: options must be an object, got ${describe(options)}`,
    );
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new InvalidArgumentError(
      `derivation: the name must be a string, got ${describe(options.name)}`,
    );
  }
  const steps: DerivationStep[] = [];
  const result = differentiate(expr, v, (s) =>
    steps.push({ ...classify(s), expr: s.node, derivative: s.derivative }),
  );
  const path = singlePath(expr, v);
  let chain: ChainFactor[] | undefined;
  if (path !== undefined) {
    // Links: the root, every function application on the path and its argument, the variable.
    const links = path.filter(
      (n, i) => i === 0 || n === v || isApplication(n) || (i > 0 && isApplication(path[i - 1])),
    );
    chain = [];
    for (let i = 0; i + 1 < links.length; i++) {
      chain.push({
        upper: links[i],
        lower: links[i + 1],
        value: partialThrough(links[i], links[i + 1]),
      });
    }
  }
  return new Derivation(expr, v, result, steps, chain, options.name);
}
