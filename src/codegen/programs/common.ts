/**
 * What the program builders share: checked variable lists, input bindings and the usual
 * parameters. A program builder says what to compute and where results go, as data
 * (program.ts); it never prints.
 */
import {
  type Expr,
  freeSymbols,
  InvalidArgumentError,
  toSymbol,
  UnboundSymbolError,
  type Variable,
} from '../../expr/index.js';
import type { IrNode } from '../ir.js';
import type { Binding, Lowering } from '../lower.js';
import {
  type ArrayParam,
  at,
  type InputLocation,
  type Program,
  type ProgramFunction,
  type Stmt,
  type Value,
} from '../program.js';

/** Symbol nodes of `variables`, checked: symbols only, none twice. */
export function symbolsOf(variables: readonly Variable[], what: string): Expr[] {
  if (!Array.isArray(variables)) {
    throw new InvalidArgumentError(`${what}: variables must be an array of symbols or names`);
  }
  const out = variables.map((v) => toSymbol(v));
  const seen = new Set<number>();
  for (const s of out) {
    if (seen.has(s.id))
      throw new InvalidArgumentError(`${what}: variable '${s.name}' is listed twice`);
    seen.add(s.id);
  }
  return out;
}

/** Throws `UnboundSymbolError` for the first free symbol of `exprs` not in `bound`. */
export function checkBound(exprs: readonly Expr[], bound: readonly Expr[]): void {
  const ids = new Set(bound.map((s) => s.id));
  for (const s of freeSymbols(exprs)) if (!ids.has(s.id)) throw new UnboundSymbolError(s.name!);
}

/** Binds `vars` to inputs 0, 1, … of `source`. */
export const bindAll = (vars: readonly Expr[], source: Binding['source']): Binding[] =>
  vars.map((symbol, index) => ({ symbol, source, index }));

/** Where each bound input is read: `locate(binding)`. */
export function inputsOf(
  low: Lowering,
  bindings: readonly Binding[],
  locate: (b: Binding) => InputLocation,
): Map<IrNode, InputLocation> {
  return new Map(bindings.map((b) => [low.ir.input(b.source, b.index), locate(b)]));
}

/** `array[k]` for a constant k. */
export const element = (array: string, k: number): InputLocation => ({
  kind: 'element',
  array,
  index: at(k),
});

/** Inputs `x` (and `v`) read from the point vector `x` (and direction `v`) by index. */
export const fromPoint = (b: Binding): InputLocation =>
  element(b.source === 'v' ? 'v' : 'x', b.index);

/** The point vector `x`, read, with at least `length` entries. */
export const pointParam = (length: number): ArrayParam => ({
  kind: 'array',
  name: 'x',
  label: 'x',
  access: 'read',
  length,
});

/** An output array, written. */
export const outParam = (
  name: string,
  label: string,
  length: ArrayParam['length'],
  missing?: ArrayParam['missing'],
): ArrayParam => ({
  kind: 'array',
  name,
  label,
  access: 'write',
  length,
  ...(missing !== undefined ? { missing } : {}),
});

export const ARGUMENTS: Stmt = { kind: 'arguments' };

/** `return value`. */
export const returns = (value: Value): Stmt => ({ kind: 'return', value });

/** A program of one function. */
export const single = (fn: ProgramFunction): Program => ({ functions: [fn], entry: fn.name });

/** `value(x)`: returns `value` at the point `x` of `length` entries. */
export const valueFunction = (
  value: Value,
  length: number,
  inputs: ReadonlyMap<IrNode, InputLocation>,
): ProgramFunction => ({
  name: 'value',
  params: [pointParam(length)],
  returns: 'number',
  scalars: [],
  inputs,
  body: [ARGUMENTS, returns(value)],
});
