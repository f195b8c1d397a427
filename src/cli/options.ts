/**
 * The options every `leibniz` command may accept, with their help text, and the
 * `UsageError` that every bad command line becomes (exit 64). A command lists the names it
 * accepts; anything else on its command line is an error, never a variable name.
 */

/** A bad command line: exit status 64 (EX_USAGE), a short message and the usage line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One option: its `parseArgs` type, the placeholder of its value and its help line. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help (`N`, `PATH`); string options only. */
  readonly value?: string;
  readonly help: string;
}

export const OPTIONS = {
  help: { type: 'boolean', short: 'h', help: 'show the help of the command' },
  file: {
    type: 'string',
    value: 'PATH',
    help: 'read the expression from a file (any size; "-" is standard input)',
  },
  latex: { type: 'boolean', help: 'print LaTeX instead of text' },
  json: {
    type: 'boolean',
    help: 'print one JSON object: the input, the variables, the result and its LaTeX',
  },
  simplify: {
    type: 'boolean',
    help: 'print the raw result (canonical form) instead of simplifying it',
  },
  use: {
    type: 'string',
    value: 'SETS',
    help: 'extra simplifier rule sets, comma-separated (sigmoid, hyperbolic, expand-log)',
  },
  assume: {
    type: 'string',
    multiple: true,
    value: 'KIND:NAMES',
    help: 'assume symbols positive or nonnegative: positive:x,y (repeatable)',
  },
  order: { type: 'string', value: 'N', help: 'differentiate N times (one variable; default 1)' },
  wrt: {
    type: 'string',
    value: 'NAMES',
    help: 'the variables, comma-separated (default: every free symbol, in natural order)',
  },
  name: {
    type: 'string',
    value: 'NAME',
    help: 'a name for the result',
  },
  data: {
    type: 'string',
    value: 'NAMES',
    help: 'inputs that come after the variables and are not differentiated',
  },
  kind: {
    type: 'string',
    value: 'KIND',
    help: 'value, gradient (default), hessian or batch',
  },
  reduce: {
    type: 'string',
    value: 'HOW',
    help: 'batch kernels: sum (default), mean or none',
  },
  ts: { type: 'boolean', help: 'print the TypeScript declarations (.d.ts) instead of the module' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** The values `parseArgs` gives for the options of `OPTIONS`. */
export interface OptionValues {
  help?: boolean;
  file?: string;
  latex?: boolean;
  json?: boolean;
  simplify?: boolean;
  use?: string;
  assume?: string[];
  order?: string;
  wrt?: string;
  name?: string;
  data?: string;
  kind?: string;
  reduce?: string;
  ts?: boolean;
}

/** `--opt VALUE` / `--flag` as printed in usage lines and help. */
export function optionSynopsis(name: OptionName): string {
  const spec: OptionSpec = OPTIONS[name];
  if (name === 'simplify') return '--no-simplify';
  const short = spec.short ? `-${spec.short}, ` : '';
  return `${short}--${name}${spec.value ? ` ${spec.value}` : ''}`;
}
