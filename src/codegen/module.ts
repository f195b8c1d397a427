/**
 * `emitModule`: compiled functions as a standalone ES module (and its `.d.ts`), to save
 * gradients to a file and run them without Leibniz. Each export is the program the matching
 * `compile*` call runs, printed by the JavaScript back end (emit/js.ts). Export names are the
 * only text a caller chooses; they are checked to be plain identifiers before they reach the
 * output.
 */
import { type Expr, InvalidArgumentError, type Variable } from '../expr/index.js';
import type { BatchOptions } from './batch.js';
import { emitJsModule, JS_NAMES } from './emit/js.js';
import type { CompileOptions } from './function.js';
import type { Program } from './program.js';
import { batchProgram } from './programs/batch.js';
import { symbolsOf } from './programs/common.js';
import { gradientProgram } from './programs/gradient.js';
import { hessianProgram, hessianVectorProgram } from './programs/hessian.js';
import { valueProgram } from './programs/value.js';

/** One exported function of an emitted module. */
export type ModuleFunction =
  | {
      /** Export name: a plain ASCII identifier, not a reserved word (see `emitModule`). */
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

/** The text of an emitted ES module and of its type declarations. */
export interface EmittedModule {
  /** ES module source; no imports. Write it to a `.js` or `.mjs` file. */
  readonly js: string;
  /** TypeScript declarations for it; write beside the module as `.d.ts` / `.d.mts`. */
  readonly dts: string;
}

const NAMES = JS_NAMES;

function checkName(name: unknown, seen: Set<string>, rules: typeof NAMES): string {
  if (typeof name !== 'string' || !rules.pattern.test(name) || rules.reserved(name)) {
    throw new InvalidArgumentError(
      `emitModule: export name ${JSON.stringify(name)} must be ${rules.rule}`,
    );
  }
  if (seen.has(name))
    throw new InvalidArgumentError(`emitModule: export name '${name}' is used twice`);
  seen.add(name);
  return name;
}

function programOf(spec: ModuleFunction): Program {
  switch (spec.kind) {
    case 'value': {
      const multi = Array.isArray(spec.expr);
      const exprs: readonly Expr[] = multi ? (spec.expr as readonly Expr[]) : [spec.expr as Expr];
      const input = spec.input ?? 'positional';
      if (input !== 'positional' && input !== 'vector') {
        throw new InvalidArgumentError(`emitModule: input must be 'positional' or 'vector'`);
      }
      return valueProgram(exprs, symbolsOf(spec.variables, 'emitModule'), input, multi);
    }
    case 'gradient': {
      const all = symbolsOf([...spec.variables, ...(spec.data ?? [])], 'emitModule');
      const n = spec.variables.length;
      return gradientProgram(spec.expr, all.slice(0, n), all.slice(n));
    }
    case 'hessian':
      return hessianProgram(spec.expr, symbolsOf(spec.variables, 'emitModule'));
    case 'hessianVector':
      return hessianVectorProgram(spec.expr, symbolsOf(spec.variables, 'emitModule'));
    case 'batch': {
      const { reduce = 'sum', gradient = true } = spec.options;
      if (reduce !== 'sum' && reduce !== 'mean' && reduce !== 'none') {
        throw new InvalidArgumentError(`emitModule: reduce must be 'sum', 'mean' or 'none'`);
      }
      const data = symbolsOf(spec.options.data, 'emitModule (data)');
      const params = symbolsOf(spec.options.params, 'emitModule (params)');
      if (data.length === 0)
        throw new InvalidArgumentError('emitModule: a batch kernel needs a data variable');
      return batchProgram(spec.expr, data, params, reduce, gradient);
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
  return emitJsModule(
    functions.map((spec) => ({
      name: checkName(spec?.name, seen, NAMES),
      program: programOf(spec),
    })),
  );
}
