/**
 * `emitModule`: compiled functions as a standalone ES module (and its `.d.ts`), to save
 * gradients to a file and run them without Leibniz. The module holds exactly the code the
 * in-process compilers run; export names are the only text a caller chooses, and they are
 * checked to be plain identifiers before they reach the output.
 */
import { type Expr, InvalidArgumentError, type Variable } from '../expr/index.js';
import type { BatchOptions } from './batch.js';
import type { CompileOptions } from './function.js';
import {
  batchProgram,
  factoryBody,
  type Generated,
  gradientProgram,
  hessianProgram,
  hessianVectorProgram,
  symbolsOf,
  valueProgram,
} from './programs.js';

/** One exported function of an emitted module. */
export type ModuleFunction =
  | {
      /** Export name: a plain ASCII identifier, not a reserved word. */
      readonly name: string;
      /** `compile`: the value of one expression, or of several into an output array. */
      readonly kind: 'value';
      readonly expr: Expr | readonly Expr[];
      readonly variables: readonly Variable[];
      readonly input?: CompileOptions['input'];
    }
  | {
      readonly name: string;
      /** `compileGradient` (with `data`: inputs after the variables, not differentiated). */
      readonly kind: 'gradient';
      readonly expr: Expr;
      readonly variables: readonly Variable[];
      readonly data?: readonly Variable[];
    }
  | {
      readonly name: string;
      /** `compileHessian` or `compileHessianVector`. */
      readonly kind: 'hessian' | 'hessianVector';
      readonly expr: Expr;
      readonly variables: readonly Variable[];
    }
  | {
      readonly name: string;
      /**
       * `compileBatch`, except that the data columns are passed as an array in the order of
       * `options.data` (the module carries no variable names): `(columns, params, gradOut?)`,
       * or `(columns, params, out, gradOut?)` for `reduce: 'none'`.
       */
      readonly kind: 'batch';
      readonly expr: Expr;
      readonly options: BatchOptions;
    };

/** The text of an emitted module and of its type declarations. */
export interface EmittedModule {
  /** ES module source; no imports. Write it to a `.js` or `.mjs` file. */
  readonly js: string;
  /** TypeScript declarations for it; write beside the module as `.d.ts` / `.d.mts`. */
  readonly dts: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if implements import in instanceof interface let new null package ' +
    'private protected public return static super switch this throw true try typeof var void while ' +
    'with yield arguments eval undefined NaN Infinity'
  ).split(' '),
);

function checkName(name: unknown, seen: Set<string>): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new InvalidArgumentError(
      `emitModule: export name ${JSON.stringify(name)} must be a plain identifier (letters, digits, _ or $), not a reserved word`,
    );
  }
  if (seen.has(name))
    throw new InvalidArgumentError(`emitModule: export name '${name}' is used twice`);
  seen.add(name);
  return name;
}

function generate(spec: ModuleFunction): { generated: Generated; type: string } {
  switch (spec.kind) {
    case 'value': {
      const multi = Array.isArray(spec.expr);
      const exprs: readonly Expr[] = multi ? (spec.expr as readonly Expr[]) : [spec.expr as Expr];
      const vars = symbolsOf(spec.variables, 'emitModule');
      const input = spec.input ?? 'positional';
      const args =
        input === 'vector'
          ? 'x: ArrayLike<number>'
          : vars.map((_, k) => `a${k}: number`).join(', ');
      const type = multi
        ? `(${args}${args ? ', ' : ''}out?: Float64Array) => Float64Array`
        : `(${args}) => number`;
      return { generated: valueProgram(exprs, vars, input, multi), type };
    }
    case 'gradient': {
      const all = symbolsOf([...spec.variables, ...(spec.data ?? [])], 'emitModule');
      const n = spec.variables.length;
      return {
        generated: gradientProgram(spec.expr, all.slice(0, n), undefined, all.slice(n)),
        type: '(x: ArrayLike<number>, gradOut?: Float64Array) => number',
      };
    }
    case 'hessian':
      return {
        generated: hessianProgram(spec.expr, symbolsOf(spec.variables, 'emitModule')),
        type: '(x: ArrayLike<number>, out?: Float64Array) => Float64Array',
      };
    case 'hessianVector':
      return {
        generated: hessianVectorProgram(spec.expr, symbolsOf(spec.variables, 'emitModule')),
        type: '(x: ArrayLike<number>, v: ArrayLike<number>, out?: Float64Array) => Float64Array',
      };
    case 'batch': {
      const { reduce = 'sum', gradient = true } = spec.options;
      const data = symbolsOf(spec.options.data, 'emitModule (data)');
      const params = symbolsOf(spec.options.params, 'emitModule (params)');
      if (data.length === 0)
        throw new InvalidArgumentError('emitModule: a batch kernel needs a data variable');
      const cols = 'columns: readonly Float64Array[], params: ArrayLike<number>';
      const type =
        reduce === 'none'
          ? `(${cols}, out: Float64Array${gradient ? ', gradOut?: Float64Array' : ''}) => void`
          : `(${cols}${gradient ? ', gradOut?: Float64Array' : ''}) => number`;
      return { generated: batchProgram(spec.expr, data, params, reduce, gradient), type };
    }
    default:
      throw new InvalidArgumentError(
        `emitModule: unknown kind ${JSON.stringify((spec as { kind: unknown }).kind)}`,
      );
  }
}

/**
 * Emits compiled functions as one standalone ES module: each export is the function the
 * matching `compile*` call returns (argument checks throw `RangeError` instead of
 * `InvalidArgumentError`). The module imports nothing and contains no user text.
 *
 * @example
 * ```ts
 * const { js, dts } = emitModule([
 *   { name: 'lossGrad', kind: 'gradient', expr: parse('(w*x - y)^2'), variables: ['w', 'x', 'y'] },
 * ]);
 * writeFileSync('loss.mjs', js); writeFileSync('loss.d.mts', dts);
 * // elsewhere: import { lossGrad } from './loss.mjs';
 * ```
 */
export function emitModule(functions: readonly ModuleFunction[]): EmittedModule {
  if (!Array.isArray(functions) || functions.length === 0) {
    throw new InvalidArgumentError('emitModule: expected a non-empty array of functions');
  }
  const seen = new Set<string>();
  const js: string[] = ['// Generated by Leibniz: standalone, no imports. Do not edit.'];
  const dts: string[] = ['// Generated by Leibniz. Do not edit.'];
  for (const spec of functions) {
    const name = checkName(spec.name, seen);
    const { generated, type } = generate(spec);
    js.push(`export const ${name} = (function (E) {\n${factoryBody(generated)}\n})(RangeError);`);
    dts.push(`export declare const ${name}: ${type};`);
  }
  return { js: `${js.join('\n')}\n`, dts: `${dts.join('\n')}\n` };
}
