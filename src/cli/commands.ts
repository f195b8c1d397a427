/**
 * The `leibniz` commands: for each, its usage, help, the options it accepts, how many
 * arguments follow the expression, and what it prints. Handlers get a parsed expression
 * and validated options and return the text to print; they never guess at a word they do
 * not understand (a `UsageError` instead).
 */
import {
  derivation,
  diff,
  type Expr,
  emitModule,
  evaluate,
  expand,
  format,
  freeSymbols,
  grad,
  hessian,
  type ModuleFunction,
  num,
  ParseError,
  parse,
  RULE_SETS,
  type RuleSetName,
  type SimplifyOptions,
  simplify,
  substitute,
  toLatex,
} from '../index.js';
import { type OptionName, type OptionValues, UsageError } from './options.js';

/** What a handler gets: the expression, the words after it, and the options. */
export interface CommandInput {
  readonly expr: Expr;
  readonly rest: readonly string[];
  readonly options: OptionValues;
}

/** What a handler returns: the text for standard output and the exit status. */
export interface CommandOutput {
  readonly stdout: string;
  /** Printed to standard error (after the output). */
  readonly stderr?: string;
  readonly code: number;
}

export interface Command {
  readonly name: string;
  /** Arguments after the command name, as in `diff EXPR [VAR...]`. */
  readonly args: string;
  readonly summary: string;
  /** Paragraphs after the usage line in `leibniz help COMMAND`. */
  readonly description: string;
  readonly examples: readonly string[];
  readonly options: readonly OptionName[];
  /** Help lines that differ from the shared ones in options.ts. */
  readonly optionHelp?: Partial<Record<OptionName, string>>;
  /** How many words may follow the expression. */
  readonly maxRest: number;
  readonly run: (input: CommandInput) => CommandOutput;
}

const SIMPLIFYING: readonly OptionName[] = ['simplify', 'use', 'assume'];
const PRINTING: readonly OptionName[] = ['latex', 'json'];

const ok = (stdout: string): CommandOutput => ({ stdout, code: 0 });
const json = (value: object): string => JSON.stringify(value, null, 2);
const names = (symbols: readonly Expr[]): string[] => symbols.map((s) => format(s));

/** A variable name given on the command line, as a symbol. */
function variable(word: string, what = 'variable'): Expr {
  let e: Expr;
  try {
    e = parse(word);
  } catch (err) {
    if (err instanceof ParseError) throw new UsageError(`'${word}' is not a ${what} name`);
    throw err;
  }
  if (e.op === 'const') throw new UsageError(`'${word}' is a constant, not a ${what}`);
  // The word must spell the name itself: `--json` after `--`, `+x` or `(x)` parse to a
  // symbol too, and taking them for one would answer a question nobody asked.
  const spelled = word.trim();
  if (e.op !== 'sym' || (spelled !== format(e) && spelled !== `\`${e.name}\``)) {
    throw new UsageError(`'${word}' is not a ${what} name`);
  }
  return e;
}

/** A comma-separated list of variable names (`--wrt a,b`). */
function variableList(text: string, option: string): Expr[] {
  const words = text.split(',').map((w) => w.trim());
  if (words.some((w) => w === '')) {
    throw new UsageError(`--${option} needs comma-separated names, got '${text}'`);
  }
  const vars = words.map((w) => variable(w));
  const seen = new Set<Expr>();
  for (const v of vars) {
    if (seen.has(v)) throw new UsageError(`--${option} names '${format(v)}' twice`);
    seen.add(v);
  }
  return vars;
}

/** The only free symbol, for commands whose variable may be left out. */
function onlyVariable(expr: Expr, command: string): Expr | undefined {
  const free = freeSymbols(expr);
  if (free.length <= 1) return free[0];
  throw new UsageError(
    `name the variable: the expression has ${free.length} free symbols (${names(free).join(', ')}); e.g. leibniz ${command} EXPR ${format(free[0])}`,
  );
}

function simplifyOptions(options: OptionValues): SimplifyOptions {
  const use: RuleSetName[] = [];
  if (options.use !== undefined) {
    for (const word of options.use.split(',').map((w) => w.trim())) {
      if (!Object.hasOwn(RULE_SETS, word)) {
        throw new UsageError(
          `unknown rule set '${word}' in --use (known: ${Object.keys(RULE_SETS).join(', ')})`,
        );
      }
      use.push(word as RuleSetName);
    }
  }
  const positive: string[] = [];
  const nonnegative: string[] = [];
  for (const item of options.assume ?? []) {
    const m = /^(positive|nonnegative):(.*)$/.exec(item);
    if (m === null) {
      throw new UsageError(
        `--assume takes positive:NAMES or nonnegative:NAMES (e.g. positive:x,y), got '${item}'`,
      );
    }
    const list = m[1] === 'positive' ? positive : nonnegative;
    for (const v of variableList(m[2], 'assume')) list.push(v.name!);
  }
  return { use, assume: { positive, nonnegative } };
}

/** Simplifies (with the command line's rule sets and assumptions) unless --no-simplify. */
function finish(exprs: readonly Expr[], options: OptionValues): Expr[] {
  const settings = simplifyOptions(options);
  return options.simplify === false ? [...exprs] : simplify(exprs, settings);
}

/** `label: value` lines, text or LaTeX. */
function labelled(labels: readonly string[], exprs: readonly Expr[], latex: boolean): string {
  return exprs.map((e, i) => `${labels[i]}: ${latex ? toLatex(e) : format(e)}`).join('\n');
}

const diffCommand: Command = {
  name: 'diff',
  args: 'EXPR [VAR...]',
  summary: 'the derivative; several variables give the mixed partial, in order',
  description: `Differentiates EXPR by VAR. With several variables, by each in turn (diff EXPR x y
is the mixed partial d/dy d/dx); a variable may repeat (diff EXPR x x). Without a
variable, by the only free symbol (an expression without free symbols has derivative 0).
--order N differentiates N times by one variable.`,
  examples: [
    'leibniz diff "sin(x^2)"',
    'leibniz diff "x^2*y^3" x y',
    'leibniz diff "x^5" --order 3',
  ],
  options: ['order', ...SIMPLIFYING, ...PRINTING],
  maxRest: Number.POSITIVE_INFINITY,
  run({ expr, rest, options }) {
    const vars = rest.map((w) => variable(w));
    let order = 1;
    if (options.order !== undefined) {
      if (!/^\d+$/.test(options.order) || !Number.isSafeInteger(Number(options.order))) {
        throw new UsageError(
          `--order needs a whole number (0, 1, 2, ... up to 2^53 - 1), got '${options.order}'`,
        );
      }
      if (vars.length > 1) {
        throw new UsageError(
          '--order takes one variable; for a mixed partial list the variables (diff EXPR x x y)',
        );
      }
      order = Number(options.order);
    }
    if (vars.length === 0) {
      const only = onlyVariable(expr, 'diff');
      if (only !== undefined) vars.push(only);
    }
    let d = expr;
    if (vars.length === 0) d = order === 0 ? expr : num(0);
    else if (vars.length === 1) d = diff(expr, vars[0], order);
    else for (const v of vars) d = diff(d, v);
    const [result] = finish([d], options);
    const free = new Set(freeSymbols(expr));
    const absent = vars.filter((v) => !free.has(v));
    const stderr =
      absent.length > 0
        ? `leibniz diff: note: ${names(absent).join(', ')} does not occur in the expression`
        : undefined;
    if (options.json) {
      return {
        stdout: json({
          command: 'diff',
          input: format(expr),
          variables: names(vars),
          order,
          result: format(result),
          latex: toLatex(result),
        }),
        stderr,
        code: 0,
      };
    }
    return { stdout: options.latex ? toLatex(result) : format(result), stderr, code: 0 };
  },
};

const gradCommand: Command = {
  name: 'grad',
  args: 'EXPR',
  summary: 'all first partials, in one reverse sweep',
  description: `Prints one line per variable, "x: dEXPR/dx", in the order of --wrt (default: the
free symbols in natural order, x2 before x10).`,
  examples: ['leibniz grad "x^2*y"', 'leibniz grad "(tanh(w2*tanh(w1*x)) - y)^2" --wrt w1,w2'],
  options: ['wrt', ...SIMPLIFYING, ...PRINTING],
  maxRest: 0,
  run({ expr, options }) {
    const vars = options.wrt === undefined ? freeSymbols(expr) : variableList(options.wrt, 'wrt');
    const partials = finish(grad(expr, vars), options);
    const labels = names(vars);
    if (options.json) {
      return ok(
        json({
          command: 'grad',
          input: format(expr),
          variables: labels,
          result: partials.map(format),
          latex: partials.map((p) => toLatex(p)),
        }),
      );
    }
    return ok(labelled(labels, partials, options.latex === true));
  },
};

const hessianCommand: Command = {
  name: 'hessian',
  args: 'EXPR',
  summary: 'the matrix of second partials',
  description: `Prints the upper triangle, one line per pair of variables "x,y: d2EXPR/dxdy" (the
matrix is symmetric); --json gives the full matrix.`,
  examples: ['leibniz hessian "x^2*y"', 'leibniz hessian "x^3 + x*y*z" --wrt x,y --latex'],
  options: ['wrt', ...SIMPLIFYING, ...PRINTING],
  maxRest: 0,
  run({ expr, options }) {
    const vars = options.wrt === undefined ? freeSymbols(expr) : variableList(options.wrt, 'wrt');
    const n = vars.length;
    const h = hessian(expr, vars);
    const upper: Expr[] = [];
    const labels: string[] = [];
    const varNames = names(vars);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        upper.push(h[i][j]);
        labels.push(`${varNames[i]},${varNames[j]}`);
      }
    }
    const done = finish(upper, options);
    if (options.json) {
      const matrix: Expr[][] = Array.from({ length: n }, () => new Array<Expr>(n));
      let k = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          matrix[i][j] = done[k];
          matrix[j][i] = done[k++];
        }
      }
      return ok(
        json({
          command: 'hessian',
          input: format(expr),
          variables: varNames,
          result: matrix.map((row) => row.map(format)),
          latex: matrix.map((row) => row.map((e) => toLatex(e))),
        }),
      );
    }
    return ok(labelled(labels, done, options.latex === true));
  },
};

const deriveCommand: Command = {
  name: 'derive',
  args: 'EXPR [VAR]',
  summary: 'the step-by-step chain-rule derivation',
  description: `Prints how the derivative by VAR (default: the only free symbol) comes about: the
chain of the lecture when VAR enters through one path, else each rule from the inside
out; then, unless --no-simplify, the simplified result when it is shorter. --name L
calls the expression L in the printout (default: the expression itself).`,
  examples: ['leibniz derive "sin(x^2)"', 'leibniz derive "(f2(w2*f1(w1*x)) - y)^2" w1 --name L'],
  options: ['name', ...SIMPLIFYING, ...PRINTING],
  optionHelp: { name: 'what to call the expression in the printout (default: the expression)' },
  maxRest: 1,
  run({ expr, rest, options }) {
    const v = rest.length > 0 ? variable(rest[0]) : (onlyVariable(expr, 'derive') ?? parse('x'));
    if (options.name !== undefined && (options.name.trim() === '' || /[\n\r]/.test(options.name))) {
      throw new UsageError(`--name needs a name on one line, got '${options.name}'`);
    }
    const d = derivation(expr, v, options.name === undefined ? {} : { name: options.name });
    const [result] = finish([d.result], options);
    const shorter = result !== d.result;
    if (options.json) {
      return ok(
        json({
          command: 'derive',
          input: format(expr),
          variables: [format(v)],
          result: format(result),
          latex: toLatex(result),
          derivation: d.toString(),
          derivationLatex: d.toLatex(),
        }),
      );
    }
    if (options.latex) {
      const tex = d.toLatex();
      const end = '\n\\end{aligned}';
      if (!shorter || !tex.endsWith(end)) return ok(tex);
      return ok(`${tex.slice(0, -end.length)} \\\\\n &= ${toLatex(result)}${end}`);
    }
    const text = d.toString();
    return ok(shorter ? `${text}\n    = ${format(result)}    (simplified)` : text);
  },
};

const simplifyCommand: Command = {
  name: 'simplify',
  args: 'EXPR',
  summary: 'the simplest form found (never larger than the input)',
  description: `Simplifies EXPR with the default rule sets, plus those named by --use; --assume
enables rules that hold only for positive or nonnegative symbols.`,
  examples: [
    'leibniz simplify "sin(x)^2 + cos(x)^2 + x^2/x"',
    'leibniz simplify "exp(log(x))" --assume positive:x',
    'leibniz simplify "1/(1 + exp(-x))" --use sigmoid',
  ],
  options: ['use', 'assume', ...PRINTING],
  maxRest: 0,
  run({ expr, options }) {
    const [result] = simplify([expr], simplifyOptions(options));
    return printed('simplify', expr, result, options);
  },
};

const expandCommand: Command = {
  name: 'expand',
  args: 'EXPR',
  summary: 'products and integer powers of sums multiplied out',
  description: `Distributes products over sums and expands positive integer powers of sums. A power
with an exponent above 64, or an expansion of more than 10000 terms, is left as it is
and named in a note on standard error.`,
  examples: ['leibniz expand "(a + b)^3"'],
  options: [...PRINTING],
  maxRest: 0,
  run({ expr, options }) {
    const result = expand(expr);
    const left = unexpanded(result);
    const note =
      left.length > 0
        ? `leibniz expand: note: not expanded (an exponent above 64, or more than 10000 terms): ${left
            .slice(0, 3)
            .map((e) => shortened(format(e)))
            .join(', ')}${left.length > 3 ? `, and ${left.length - 3} more` : ''}`
        : undefined;
    return { ...printed('expand', expr, result, options), stderr: note };
  },
};

/** At most 80 characters of `text`, for a note. */
function shortened(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}

/** The powers and products of sums that `expand` left as they are (outermost only). */
function unexpanded(e: Expr): Expr[] {
  const isSum = (a: Expr): boolean => a.op === 'add';
  const positiveInteger = (a: Expr): boolean =>
    a.op === 'num' && a.value!.den === 1n && a.value!.num > 1n;
  const left: Expr[] = [];
  const seen = new Set<Expr>();
  const stack = [e];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (
      (n.op === 'pow' && isSum(n.args[0]) && positiveInteger(n.args[1])) ||
      (n.op === 'mul' && n.args.some(isSum))
    ) {
      left.push(n);
    } else {
      for (let k = n.args.length - 1; k >= 0; k--) stack.push(n.args[k]);
    }
  }
  return left;
}

const latexCommand: Command = {
  name: 'latex',
  args: 'EXPR',
  summary: 'the expression as LaTeX (KaTeX-ready)',
  description: 'Prints EXPR (in canonical form) as LaTeX.',
  examples: ['leibniz latex "w1*theta/sqrt(x)"'],
  options: ['json'],
  maxRest: 0,
  run({ expr, options }) {
    return printed('latex', expr, expr, { ...options, latex: true });
  },
};

/** Text, LaTeX or JSON of one result. */
function printed(command: string, expr: Expr, result: Expr, options: OptionValues): CommandOutput {
  if (options.json) {
    return ok(
      json({
        command,
        input: format(expr),
        variables: names(freeSymbols(expr)),
        result: format(result),
        latex: toLatex(result),
      }),
    );
  }
  return ok(options.latex ? toLatex(result) : format(result));
}

/** Shortest text that reads back as the same float64; -0 keeps its sign. */
export function formatNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

const evalCommand: Command = {
  name: 'eval',
  args: 'EXPR [NAME=VALUE...]',
  summary: 'the value in float64',
  description: `Evaluates EXPR with each NAME bound to VALUE, which may be any expression without
free symbols (x=1/2, x=pi, x=sqrt(2)). Values are substituted exactly and the result is
computed in float64, as evaluate() does; it prints as the shortest decimal that reads back
as the same float64. A result that is not a finite number (NaN: outside the domain, such
as log(-1); Infinity: a pole or an overflow) is printed, but the exit status is 1.`,
  examples: ['leibniz eval "x^2 + y" x=3 y=0.5', 'leibniz eval "sin(x)/x" x=pi/2'],
  options: ['json'],
  optionHelp: { json: 'print one JSON object: the input, the bindings and the value' },
  maxRest: Number.POSITIVE_INFINITY,
  run({ expr, rest, options }) {
    const bindings = new Map<Expr, Expr>();
    const given: Record<string, string> = {};
    for (const word of rest) {
      const eq = word.indexOf('=');
      if (eq < 0) throw new UsageError(`'${word}' is not a binding: write NAME=VALUE, e.g. x=1/2`);
      const name = variable(word.slice(0, eq).trim());
      if (bindings.has(name)) throw new UsageError(`'${format(name)}' is bound twice`);
      let value: Expr;
      try {
        value = parse(word.slice(eq + 1));
      } catch (err) {
        if (err instanceof ParseError) {
          throw new UsageError(
            `the value of '${format(name)}' is not an expression: ${err.reason}`,
          );
        }
        throw err;
      }
      const free = freeSymbols(value);
      if (free.length > 0) {
        throw new UsageError(
          `the value of '${format(name)}' must be a number or a constant expression, not '${format(value)}'`,
        );
      }
      bindings.set(name, value);
      given[format(name)] = format(value);
    }
    const bound = substitute(expr, bindings);
    const missing = freeSymbols(bound);
    if (missing.length > 0) {
      throw new UsageError(
        `no value for ${names(missing).join(', ')}: give ${missing.length === 1 ? 'it' : 'them'} as ${names(
          missing,
        )
          .map((m) => `${m}=VALUE`)
          .join(' ')}`,
      );
    }
    const value = evaluate(bound);
    const text = formatNumber(value);
    const finite = Number.isFinite(value);
    const stderr = finite
      ? undefined
      : `leibniz eval: the value is not a finite number (${
          Number.isNaN(value)
            ? 'NaN: outside the domain, e.g. log or sqrt of a negative number, or an intermediate overflow'
            : 'a pole, or beyond the float64 range'
        })`;
    const stdout = options.json
      ? json({
          command: 'eval',
          input: format(expr),
          variables: names(freeSymbols(expr)),
          bindings: given,
          result: finite ? value : null,
          text,
        })
      : text;
    return { stdout, stderr, code: finite ? 0 : 1 };
  },
};

const KINDS = ['value', 'gradient', 'hessian', 'batch'] as const;
const REDUCTIONS = ['sum', 'mean', 'none'] as const;

const compileCommand: Command = {
  name: 'compile',
  args: 'EXPR',
  summary: 'a standalone JavaScript module (no imports) computing EXPR or its derivatives',
  description: `Prints an ES module that exports one function (named by --name, default the kind):
  value     (a0, a1, ...) => number, the arguments in the order --wrt then --data
  gradient  (x, gradOut?) => number; x = [...wrt, ...data]; writes d/dwrt into gradOut
  hessian   (x, out?) => Float64Array, n x n row-major (no --data)
  batch     (columns, params, gradOut?) => number over Float64Array columns, one per
            --data name in order; params in the order of --wrt; --reduce sum|mean|none
--wrt defaults to the free symbols that are not --data, in natural order. --ts prints
the matching TypeScript declarations instead. The expression is compiled as written
(it is not simplified).`,
  examples: [
    'leibniz compile "(w*x - y)^2" --wrt w --data x,y > loss.mjs',
    'leibniz compile "(w*x - y)^2" --wrt w --data x,y --ts > loss.d.mts',
  ],
  options: ['wrt', 'data', 'kind', 'reduce', 'name', 'ts', 'json'],
  optionHelp: {
    name: 'the name of the exported function (default: the kind)',
    json: 'print one JSON object: the input, the variables, the module and its declarations',
  },
  maxRest: 0,
  run({ expr, options }) {
    const kind = options.kind ?? 'gradient';
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--kind is one of ${KINDS.join(', ')}, got '${kind}'`);
    }
    const data = options.data === undefined ? [] : variableList(options.data, 'data');
    const dataSet = new Set(data);
    const vars =
      options.wrt === undefined
        ? freeSymbols(expr).filter((s) => !dataSet.has(s))
        : variableList(options.wrt, 'wrt');
    for (const v of vars) {
      if (dataSet.has(v)) throw new UsageError(`'${format(v)}' is in both --wrt and --data`);
    }
    if (options.reduce !== undefined && kind !== 'batch') {
      throw new UsageError('--reduce applies to --kind batch only');
    }
    const name = options.name ?? kind;
    let spec: ModuleFunction;
    if (kind === 'value') {
      spec = { name, kind: 'value', expr, variables: [...vars, ...data] };
    } else if (kind === 'gradient') {
      spec = { name, kind: 'gradient', expr, variables: vars, data };
    } else if (kind === 'hessian') {
      if (data.length > 0) throw new UsageError('--kind hessian takes no --data');
      spec = { name, kind: 'hessian', expr, variables: vars };
    } else {
      const reduce = options.reduce ?? 'sum';
      if (!(REDUCTIONS as readonly string[]).includes(reduce)) {
        throw new UsageError(`--reduce is one of ${REDUCTIONS.join(', ')}, got '${reduce}'`);
      }
      if (data.length === 0) throw new UsageError('--kind batch needs --data (the columns)');
      spec = {
        name,
        kind: 'batch',
        expr,
        options: { data, params: vars, reduce: reduce as (typeof REDUCTIONS)[number] },
      };
    }
    const module = emitModule([spec]);
    if (options.json) {
      return ok(
        json({
          command: 'compile',
          input: format(expr),
          variables: names(vars),
          data: names(data),
          kind,
          name,
          js: module.js,
          dts: module.dts,
        }),
      );
    }
    return ok((options.ts ? module.dts : module.js).replace(/\n$/, ''));
  },
};

/** Every command, in the order `leibniz help` lists them. */
export const COMMANDS: readonly Command[] = [
  diffCommand,
  gradCommand,
  hessianCommand,
  deriveCommand,
  simplifyCommand,
  expandCommand,
  latexCommand,
  evalCommand,
  compileCommand,
];
