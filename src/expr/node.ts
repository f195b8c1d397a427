/**
 * The one node shape of every expression, and the intern table that makes structurally
 * equal expressions the same object. Invariant: nodes are immutable and only the builders
 * (build.ts) create them; the table holds nodes weakly, so dropped expressions are collected.
 */
import { InvalidArgumentError } from './errors.js';
import { format } from './format.js';
import type { Op } from './ops.js';
import type { Rational } from './rational.js';
import type { ExprShape } from './shape.js';

let nextId = 0;

/**
 * An immutable, hash-consed expression node. Structurally equal expressions are the same
 * object, so `a === b` is structural equality. Build nodes with the builders (`num`, `sym`,
 * `add`, `mul`, `pow`, `sin`, `call`, ...) or `parse`; never with `new`.
 *
 * Fields by `op`:
 * - `num`: `value` (exact rational);
 * - `const`: `name` (`pi` or `e`);
 * - `sym`: `name`;
 * - `add`, `mul`: two or more `args`, in canonical order; `pow`: `args = [base, exponent]`;
 * - a known function (`sin`, `atan2`, ...): its `args`;
 * - `call` (unknown function `f(x)` or its derivative `f'(x)`): `name`, `args` and
 *   `partials`, the argument indices (0-based, sorted) differentiated so far.
 *
 * @example
 * ```ts
 * const e = add(sym('x'), num(1));
 * e === parse('1 + x'); // true
 * ```
 */
export class Expr implements ExprShape {
  /** Unique per live node; memo tables may key on it. */
  readonly id: number;
  readonly op: Op;
  readonly args: readonly Expr[];
  /** The exact value of a `num` node. */
  readonly value: Rational | undefined;
  /** The name of a `sym`, `const` or `call` node. */
  readonly name: string | undefined;
  /** For `call` nodes: argument indices differentiated (empty for `f` itself). */
  readonly partials: readonly number[] | undefined;
  /** Longest path to a leaf (leaves are 0): lets the canonical order skip deep comparisons. */
  readonly height: number;

  /** @internal Use the builders. */
  constructor(
    op: Op,
    args: readonly Expr[],
    value?: Rational,
    name?: string,
    partials?: readonly number[],
  ) {
    // Only the builders call this; the check turns a stray `new Expr(...)` into a typed error.
    if (!Array.isArray(args) || !args.every((a) => a instanceof Expr)) {
      throw new InvalidArgumentError('new Expr: build expressions with the builders or parse');
    }
    this.id = nextId++;
    this.op = op;
    this.args = args;
    this.value = value;
    this.name = name;
    this.partials = partials;
    let h = 0;
    for (const a of args) if (a.height >= h) h = a.height + 1;
    this.height = h;
  }

  /** Conventional infix text, as `format` prints it; `parse(e.toString()) === e`. */
  toString(): string {
    return format(this);
  }

  /** `JSON.stringify` writes the text, which `parse` reads back to this node. */
  toJSON(): string {
    return format(this);
  }

  /** `console.log(expr)` shows `Expr<text>` (long texts cut in the middle). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const text = format(this);
    const shown =
      text.length <= MAX_INSPECTED
        ? text
        : `${text.slice(0, MAX_INSPECTED / 2)} … ${text.slice(-MAX_INSPECTED / 4)}`;
    return `Expr<${shown}>`;
  }
}

/** Longest text `console.log` shows of an expression. */
const MAX_INSPECTED = 2000;

// The intern table: key → weak reference. Keys are built from the operator and the
// children's ids (O(arity)); a child id is unique while the child is alive, and a parent
// keeps its children alive, so a key never names a different structure while its node lives.
// Dead entries are swept whenever the table has doubled since the last sweep: amortised O(1)
// per node and the table stays within twice the live nodes (a FinalizationRegistry per node
// would cost as much as the node itself).
const table = new Map<string, WeakRef<Expr>>();
const MIN_SWEEP = 1 << 16;
let sweepAt = MIN_SWEEP;

function sweep(): void {
  for (const [key, ref] of table) if (ref.deref() === undefined) table.delete(key);
  sweepAt = Math.max(MIN_SWEEP, 2 * table.size);
}

/** @internal Returns the live node for `key`, or interns the one `make` builds. */
export function intern(key: string, make: () => Expr): Expr {
  const hit = table.get(key)?.deref();
  if (hit !== undefined) return hit;
  const node = make();
  table.set(key, new WeakRef(node));
  if (table.size >= sweepAt) sweep();
  return node;
}

/** Number of entries in the intern table after dropping collected nodes. For tests. */
export function internTableSize(): number {
  sweep();
  return table.size;
}

/** The interning key of a compound node. */
export function compoundKey(op: string, args: readonly Expr[]): string {
  let key = op;
  for (const a of args) key += `,${a.id}`;
  return key;
}
