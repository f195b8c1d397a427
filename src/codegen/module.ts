/**
 * `emitModule`: compiled functions as standalone source to save and run without Leibniz —
 * an ES module and its `.d.ts` (the default), or C99 and its header. Each export is the
 * program the matching `compile*` call runs, printed by the language's back end (emit/js.ts,
 * emit/c.ts). Export names are the only text a caller chooses; they are checked against the
 * back end's identifier rules before they reach the output.
 */
import {
  type Expr,
  type ExprInput,
  InvalidArgumentError,
  toExpression,
  type Variable,
} from '../expr/index.js';
import { type BatchOptions, batchSpec } from './batch.js';
import { C_NAMES, emitCModule } from './emit/c.js';
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
      /** Export name: a plain ASCII identifier, not a reserved word, a standard global or `then` (see `emitModule`). */
      readonly name: string;
      /** `compile`: the value of one expression, or of several into an output array. */
      readonly kind: 'value';
      readonly expr: ExprInput | readonly ExprInput[];
      readonly variables: readonly Variable[];
      readonly input?: CompileOptions['input'];
    }
  | {
      readonly name: string;
      /** `compileGradient` (with `data`: inputs after the variables, not differentiated). */
      readonly kind: 'gradient';
      readonly expr: ExprInput;
      readonly variables: readonly Variable[];
      readonly data?: readonly Variable[];
    }
  | {
      readonly name: string;
      /** `compileHessian` or `compileHessianVector`. */
      readonly kind: 'hessian' | 'hessianVector';
      readonly expr: ExprInput;
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
      readonly expr: ExprInput;
      readonly options: BatchOptions;
    };

/** The languages `emitModule` writes. */
export type ModuleLanguage = 'js' | 'c';

/** Options of `emitModule`. */
export interface EmitModuleOptions {
  /** `'js'` (default): an ES module and its declarations; `'c'`: C99 source and header. */
  readonly language?: ModuleLanguage;
}

/** The text of an emitted ES module and of its type declarations. */
export interface EmittedModule {
  /** ES module source; no imports. Write it to a `.js` or `.mjs` file. */
  readonly js: string;
  /** TypeScript declarations for it; write beside the module as `.d.ts` / `.d.mts`. */
  readonly dts: string;
}

/** The text of an emitted C module. */
export interface EmittedCModule {
  /** C99 source defining every export; needs only math.h (link with `-lm`). */
  readonly c: string;
  /** The exports' prototypes (with `extern "C"` for C++); include it where they are called. */
  readonly h: string;
}

/** A back end: its rules for export names and how it prints a module. */
interface Backend<Out> {
  readonly names: {
    readonly pattern: RegExp;
    readonly reserved: (name: string) => boolean;
    readonly rule: string;
  };
  readonly emit: (exports: readonly { name: string; program: Program }[]) => Out;
}

const BACKENDS: { readonly js: Backend<EmittedModule>; readonly c: Backend<EmittedCModule> } = {
  js: { names: JS_NAMES, emit: emitJsModule },
  c: { names: C_NAMES, emit: emitCModule },
};

function checkName(name: unknown, seen: Set<string>, rules: Backend<unknown>['names']): string {
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
      const exprs: readonly Expr[] = (
        multi ? (spec.expr as readonly ExprInput[]) : [spec.expr as ExprInput]
      ).map((e) => toExpression(e, 'emitModule'));
      const input = spec.input ?? 'positional';
      if (input !== 'positional' && input !== 'vector') {
        throw new InvalidArgumentError(`emitModule: input must be 'positional' or 'vector'`);
      }
      return valueProgram(exprs, symbolsOf(spec.variables, 'emitModule'), input, multi);
    }
    case 'gradient': {
      const all = symbolsOf([...spec.variables, ...(spec.data ?? [])], 'emitModule');
      const n = spec.variables.length;
      return gradientProgram(toExpression(spec.expr, 'emitModule'), all.slice(0, n), all.slice(n));
    }
    case 'hessian':
      return hessianProgram(
        toExpression(spec.expr, 'emitModule'),
        symbolsOf(spec.variables, 'emitModule'),
      );
    case 'hessianVector':
      return hessianVectorProgram(
        toExpression(spec.expr, 'emitModule'),
        symbolsOf(spec.variables, 'emitModule'),
      );
    case 'batch':
      return batchProgram(
        toExpression(spec.expr, 'emitModule'),
        batchSpec(spec.options, 'emitModule'),
      );
    default:
      throw new InvalidArgumentError(
        `emitModule: unknown kind ${JSON.stringify((spec as { kind: unknown }).kind)}`,
      );
  }
}

/**
 * Emits compiled functions as one standalone module. JavaScript (the default): an ES
 * module whose exports are the functions the matching `compile*` calls return (argument
 * checks throw `RangeError` instead of `InvalidArgumentError`), and its `.d.ts`. C
 * (`language: 'c'`): C99 source and header with the same programs as C functions — arrays
 * as `const double *` (read) and `double *` (written), batch columns as
 * `const double *const *` plus the number of points, optional outputs as `NULL`; no
 * allocation, no argument checks (C cannot know array lengths; the header says them). The
 * output contains no user text but the export names, which must be plain identifiers of
 * the language (C: no keyword, no math.h or C library name, not starting with `lz`).
 *
 * @example
 * ```ts
 * const { js, dts } = emitModule([
 *   { name: 'lossGrad', kind: 'gradient', expr: parse('(w*x - y)^2'), variables: ['w', 'x', 'y'] },
 * ]);
 * writeFileSync('loss.mjs', js); writeFileSync('loss.d.mts', dts);
 * // elsewhere: import { lossGrad } from './loss.mjs';
 *
 * const native = emitModule(
 *   [{ name: 'loss_grad', kind: 'gradient', expr: parse('(w*x - y)^2'), variables: ['w', 'x', 'y'] }],
 *   { language: 'c' },
 * );
 * writeFileSync('loss.c', native.c); writeFileSync('loss.h', native.h); // cc -std=c99 -O2 -c loss.c
 * ```
 */
export function emitModule(
  functions: readonly ModuleFunction[],
  options?: EmitModuleOptions & { readonly language?: 'js' },
): EmittedModule;
export function emitModule(
  functions: readonly ModuleFunction[],
  options: EmitModuleOptions & { readonly language: 'c' },
): EmittedCModule;
export function emitModule(
  functions: readonly ModuleFunction[],
  options?: EmitModuleOptions,
): EmittedModule | EmittedCModule;
export function emitModule(
  functions: readonly ModuleFunction[],
  options: EmitModuleOptions = {},
): EmittedModule | EmittedCModule {
  if (!Array.isArray(functions) || functions.length === 0) {
    throw new InvalidArgumentError('emitModule: expected a non-empty array of functions');
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('emitModule: options must be an object');
  }
  const language = options.language ?? 'js';
  if (language !== 'js' && language !== 'c') {
    throw new InvalidArgumentError(
      `emitModule: language must be 'js' or 'c', not ${JSON.stringify(language)}`,
    );
  }
  const backend: Backend<EmittedModule | EmittedCModule> = BACKENDS[language];
  const seen = new Set<string>();
  const exports = functions.map((spec) => ({
    name: checkName(spec?.name, seen, backend.names),
    program: programOf(spec),
  }));
  return backend.emit(exports);
}
