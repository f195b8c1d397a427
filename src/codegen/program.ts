/**
 * The statement IR: a generated program as data, in no target language. Values are
 * `IrNode`s (ir.ts); statements say where they go (store, accumulate), how arguments arrive,
 * and how control flows (loop, return, delegate). layout.ts schedules and places the values,
 * and one emitter per language (emit/js.ts, emit/c.ts) prints the result; nothing else
 * makes text. Names here (`x`, `g`, `A0`, `value_r1`) are identifiers Leibniz chose, never
 * user text.
 */
import { IrNode } from './ir.js';

/**
 * An integer index `offset + Σ coef·variable` over loop variables: affine, so loop nests
 * over arrays (a matrix product's `i·n + j`) fit too.
 */
export interface Index {
  readonly offset: number;
  readonly terms: readonly IndexTerm[];
}

/** One term `coef·variable` of an index. */
export interface IndexTerm {
  readonly coef: number;
  readonly variable: string;
}

/** A count of entries or iterations: a constant, or `per` per point of a runtime size. */
export type Extent = number | { readonly size: string; readonly per: number };

/** An argument of a generated function. */
export type Param =
  /** A number (the positional arguments `a0, a1, …` of `compile`). */
  | { readonly kind: 'number'; readonly name: string }
  | ArrayParam
  /**
   * Data columns of equal length (one array per data variable); `columns` names each
   * column's array and `size` the number of points. JavaScript receives an array of
   * Float64Arrays; C receives `const double *const *` and the size.
   */
  | {
      readonly kind: 'columns';
      readonly name: string;
      readonly label: string;
      readonly columns: readonly string[];
      readonly size: string;
    };

/** An array argument: read (inputs) or written (results), of at least `length` entries. */
export interface ArrayParam {
  readonly kind: 'array';
  readonly name: string;
  /** Its public name, in messages and declarations (`gradOut`, `out`, `params`). */
  readonly label: string;
  readonly access: 'read' | 'write';
  readonly length: Extent;
  /**
   * `optional`: may be absent (the body handles that with `ifMissing`); `allocate`: when
   * absent, a new zeroed array is made where the language can (JavaScript), and required
   * where it cannot (C). Default: required.
   */
  readonly missing?: 'optional' | 'allocate';
}

/** A value a statement uses. */
export type Value =
  /** A value of the program: layout decides where and when it is computed. */
  | IrNode
  /** A mutable scalar of the function (an accumulator, a carry) or a size (`n`). */
  | { readonly kind: 'scalar'; readonly name: string }
  /** The result of another function of the program, called with the caller's arguments. */
  | Call
  /** Arithmetic on values that are not IR (a sum's scale, a mean's division by n). */
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: Value;
      readonly right: Value;
    };

/** A call of another function of the same program. */
export interface Call {
  readonly kind: 'call';
  readonly fn: string;
  /** Names of the caller's parameters, in the callee's order. */
  readonly args: readonly string[];
}

/** `array[index] = value` (or `+=` with `add`). */
export interface StoreStatement<V> {
  readonly kind: 'store';
  readonly array: string;
  readonly index: Index;
  readonly value: V;
  readonly add: boolean;
}

/** `scalar = value` (or `+=` with `add`). */
export interface SetStatement<V> {
  readonly kind: 'set';
  readonly scalar: string;
  readonly value: V;
  readonly add: boolean;
}

/** `array[from..to) = value`. */
export interface FillStatement {
  readonly kind: 'fill';
  readonly array: string;
  readonly from: number;
  readonly to: number;
  readonly value: number;
}

/** `for variable in [0, count)`; values that depend on `data` inputs live inside. */
export interface LoopStatement<S> {
  readonly kind: 'loop';
  readonly variable: string;
  readonly count: Extent;
  readonly body: readonly S[];
}

/** Receive the arguments: check them where the language can, bind data columns. */
export interface ArgumentsStatement {
  readonly kind: 'arguments';
}

/** When the optional parameter `param` is absent, run `body` (which ends with a return). */
export interface IfMissingStatement<S> {
  readonly kind: 'ifMissing';
  readonly param: string;
  readonly body: readonly S[];
}

/** `return value`, `return array`, or plain `return`. */
export interface ReturnStatement<V> {
  readonly kind: 'return';
  readonly value?: V;
  readonly array?: string;
}

/**
 * The statements a program and a laid-out program (layout.ts) share, over values `V` and
 * nested statements `S`.
 */
export type CommonStatement<V, S> =
  | StoreStatement<V>
  | SetStatement<V>
  | FillStatement
  | LoopStatement<S>
  | ArgumentsStatement
  | IfMissingStatement<S>
  | ReturnStatement<V>;

/**
 * A statement of a program. Runs of `store`/`set` statements whose value is an `IrNode` are
 * *unordered*: their targets are distinct or they accumulate, so layout may run each right
 * after its value is computed. The first such run of a function (or of a loop body) is
 * where layout computes the values; statements before it use none.
 */
export type Stmt =
  | StoreStatement<Value>
  | SetStatement<Value>
  | FillStatement
  | LoopStatement<Stmt>
  | ArgumentsStatement
  | IfMissingStatement<Stmt>
  | ReturnStatement<Value>;

/** Where an input of the value IR is read. */
export type InputLocation =
  | { readonly kind: 'element'; readonly array: string; readonly index: Index }
  | { readonly kind: 'param'; readonly name: string };

/** One function of a program. */
export interface ProgramFunction {
  /** An identifier Leibniz chose; other functions call it by this name. */
  readonly name: string;
  readonly params: readonly Param[];
  readonly returns: 'number' | 'array' | 'void';
  /** Mutable scalars (accumulators, carries), each starting at 0. */
  readonly scalars: readonly string[];
  /** Where each input node of the IR is read. */
  readonly inputs: ReadonlyMap<IrNode, InputLocation>;
  readonly body: readonly Stmt[];
}

/** A program: its functions (callees before callers) and the one its users call. */
export interface Program {
  readonly functions: readonly ProgramFunction[];
  readonly entry: string;
}

/** The index `offset + Σ coef·variable`. */
export const index = (offset: number, ...terms: readonly IndexTerm[]): Index => ({
  offset,
  terms: terms.filter((t) => t.coef !== 0),
});

/** The constant index `k`. */
export const at = (k: number): Index => index(k);

/** `array[i] = value` (or `+=`). */
export const store = (array: string, i: Index, value: Value, add = false): Stmt => ({
  kind: 'store',
  array,
  index: i,
  value,
  add,
});

/** The scalar (or size) called `name`. */
export const scalar = (name: string): Value => ({ kind: 'scalar', name });

/** `left op right`. */
export const binary = (op: '+' | '-' | '*' | '/', left: Value, right: Value): Value => ({
  kind: 'binary',
  op,
  left,
  right,
});

/** A call of function `fn` with the caller's parameters `args`. */
export const call = (fn: string, ...args: readonly string[]): Call => ({ kind: 'call', fn, args });

/** The IR values `value` uses, left to right. */
export function* nodesOf(value: Value | undefined): Generator<IrNode> {
  if (value === undefined) return;
  if (value instanceof IrNode) yield value;
  else if (value.kind === 'binary') {
    yield* nodesOf(value.left);
    yield* nodesOf(value.right);
  }
}
