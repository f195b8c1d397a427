/**
 * The code generator's value IR: float operations over numbered values, closer to machine
 * arithmetic than `Expr` (signed sums, products with a denominator, and the kernel
 * primitives of the function table: `sqrt`, `log1p`, `expm1`, `sigmoid`, …). A known
 * function is expanded into its `kernel` (ops.ts) when applied, so `sec(u)` is `1/cos(u)` and
 * no back end ever sees a function name. Invariant: nodes are immutable and hash-consed per
 * `IrBuilder`, so a computation that arises twice (in the forward pass and again in a
 * partial) is one node.
 */
import {
  FUNCTIONS,
  type FunctionName,
  InvalidArgumentError,
  KERNEL_PRIMITIVES,
  type Kernel,
  type KernelPrimitive,
} from '../expr/index.js';

/** Where an input value comes from; emit.ts decides how each source is read. */
export type InputSource =
  /** Entry of the point vector `x` (or the k-th positional argument). */
  | 'x'
  /** Entry of the direction vector of a Hessian-vector product. */
  | 'v'
  /** Entry of the parameter vector of a batch kernel (loop-invariant). */
  | 'param'
  /** The current element of a data column of a batch kernel (varies per point). */
  | 'data';

/** Operations of the value IR: inputs, literals, sums, products and the kernel primitives. */
export type IrOp = 'in' | 'lit' | 'sum' | 'prod' | KernelPrimitive;

/**
 * One value of a program. Build with `IrBuilder`; never mutate. Every node has every field
 * (a class, not object literals of varying shape) so the passes' property loads stay
 * monomorphic: on 10⁵-node programs that is most of the compile time.
 */
export class IrNode {
  constructor(
    /** Dense, in creation order: deterministic for a given input. */
    readonly id: number,
    readonly op: IrOp,
    readonly args: readonly IrNode[],
    /** `sum`: per argument, true when it is subtracted. */
    readonly neg: readonly boolean[],
    /** `prod`: the numeric coefficient. */
    readonly coef: number,
    /** `prod`: the last `den` arguments divide. */
    readonly den: number,
    /** `lit`: the number. */
    readonly value: number,
    /** `in`: the source and index of the input. */
    readonly source: InputSource | undefined,
    readonly index: number,
    /** True when the value depends on a `data` input (it must live inside a batch loop). */
    readonly varying: boolean,
  ) {}
}

const NONE: readonly boolean[] = [];

/** Longest sum or product emitted as one node; longer ones become a left-to-right chain. */
const MAX_ARITY = 32;
/** Products absorbed into a new product when their arity is at most this (bounded copying). */
const FLATTEN_ARITY = 4;

/** Creates hash-consed IR nodes and applies exact float identities (1·a = a, −(−a) = a). */
export class IrBuilder {
  private readonly table = new Map<string, IrNode>();
  private nextId = 0;

  private make(
    key: string,
    op: IrOp,
    args: readonly IrNode[],
    extra: {
      neg?: readonly boolean[];
      coef?: number;
      den?: number;
      value?: number;
      source?: InputSource;
      index?: number;
    } = {},
  ): IrNode {
    const hit = this.table.get(key);
    if (hit !== undefined) return hit;
    let varying = extra.source === 'data';
    for (const a of args) varying ||= a.varying;
    const made = new IrNode(
      this.nextId++,
      op,
      args,
      extra.neg ?? NONE,
      extra.coef ?? 1,
      extra.den ?? 0,
      extra.value ?? 0,
      extra.source,
      extra.index ?? 0,
      varying,
    );
    this.table.set(key, made);
    return made;
  }

  /** Number of nodes created (for tests and size heuristics). */
  get size(): number {
    return this.nextId;
  }

  input(source: InputSource, index: number): IrNode {
    return this.make(`i${source}${index}`, 'in', [], { source, index });
  }

  lit(value: number): IrNode {
    // Object.is distinguishes −0 from 0; String would not.
    const key = Object.is(value, -0) ? 'l-0' : `l${value}`;
    return this.make(key, 'lit', [], { value });
  }

  /**
   * A known function applied to `args`, as its kernel (the function table's `kernel`
   * column), or a kernel primitive such as `pow`, `sqrt`, `log1p` or `expm1` itself.
   */
  apply(op: FunctionName | KernelPrimitive, args: readonly IrNode[]): IrNode {
    const row: { readonly kernel: Kernel } | undefined = Object.hasOwn(FUNCTIONS, op)
      ? FUNCTIONS[op as FunctionName]
      : undefined;
    if (row !== undefined) return this.kernel(row.kernel, args);
    return this.primitive(op as KernelPrimitive, args);
  }

  private primitive(op: KernelPrimitive, args: readonly IrNode[]): IrNode {
    if (KERNEL_PRIMITIVES[op] !== args.length) {
      throw new InvalidArgumentError(`${op} takes ${KERNEL_PRIMITIVES[op]} argument(s)`);
    }
    let key: string = op;
    for (const a of args) key += `,${a.id}`;
    return this.make(key, op, args);
  }

  /** A kernel expression instantiated with `args` (bounded depth: kernels are table rows). */
  private kernel(k: Kernel, args: readonly IrNode[]): IrNode {
    if ('arg' in k) return args[k.arg];
    if ('num' in k) return this.lit(k.num);
    const a = k.args.map((x) => this.kernel(x, args));
    switch (k.op) {
      case 'add':
        return this.sum(a);
      case 'sub':
        return this.sum(a, [false, true]);
      case 'mul':
        return this.prod(1, a);
      case 'div':
        return this.prod(1, [a[0]], [a[1]]);
      case 'neg':
        return this.negate(a[0]);
      default:
        return this.primitive(k.op, a);
    }
  }

  /**
   * `Σ ±terms`, in order (the order of evaluation matches the interpreter's). Negations
   * (`−1·a`) become subtractions; long sums become a chain of sums of at most MAX_ARITY terms.
   */
  sum(terms: readonly IrNode[], negated?: readonly boolean[]): IrNode {
    const args: IrNode[] = [];
    const neg: boolean[] = [];
    terms.forEach((t, i) => {
      let n = negated?.[i] ?? false;
      if (isNegation(t)) {
        n = !n;
        t = t.args[0];
      }
      args.push(t);
      neg.push(n);
    });
    if (args.length === 0) return this.lit(0);
    if (args.length === 1) return neg[0] ? this.negate(args[0]) : args[0];
    // −a + b as b − a: the first addition commutes exactly, and a subtraction is one op.
    if (neg[0] && !neg[1]) {
      [args[0], args[1]] = [args[1], args[0]];
      [neg[0], neg[1]] = [neg[1], neg[0]];
    }
    let head = this.sumNode(args.slice(0, MAX_ARITY), neg.slice(0, MAX_ARITY));
    for (let i = MAX_ARITY; i < args.length; i += MAX_ARITY - 1) {
      const end = i + MAX_ARITY - 1;
      head = this.sumNode([head, ...args.slice(i, end)], [false, ...neg.slice(i, end)]);
    }
    return head;
  }

  private sumNode(args: readonly IrNode[], neg: readonly boolean[]): IrNode {
    if (args.length === 1) return neg[0] ? this.negate(args[0]) : args[0];
    let key = 's';
    args.forEach((a, i) => {
      key += `${neg[i] ? '-' : '+'}${a.id}`;
    });
    return this.make(key, 'sum', args, { neg });
  }

  /** `−a` (a product with coefficient −1); `−(−a)` is `a`. */
  negate(a: IrNode): IrNode {
    if (isNegation(a)) return a.args[0];
    if (a.op === 'lit') return this.lit(-a.value);
    return this.prodNode(-1, [a], []);
  }

  /**
   * `coef · Π num / Π den`. Literal factors fold into the coefficient; `1·a` is `a`.
   * Products are kept as written otherwise (reassociating is not exact).
   */
  prod(coef: number, num: readonly IrNode[], den: readonly IrNode[] = []): IrNode {
    const n: IrNode[] = [];
    for (let f of num) {
      // −a as a factor flips the coefficient's sign instead (exact).
      if (isNegation(f)) {
        coef = -coef;
        f = f.args[0];
      }
      if (f.op === 'lit') coef *= f.value;
      else n.push(f);
    }
    if (den.some(isNegation)) {
      den = den.map((d) => {
        if (!isNegation(d)) return d;
        coef = -coef;
        return d.args[0];
      });
    }
    if (coef === 0 && den.length === 0) return this.lit(0);
    if (n.length === 0 && den.length === 0) return this.lit(coef);
    // A step factor (or a gated product) gates the rest: 0 wins over ±∞ (kernel `gate`).
    const k = n.findIndex(isGating);
    if (k >= 0 && n.length + den.length > 1) {
      const step = n[k];
      const others = n.filter((_, i) => i !== k);
      if (step.op === 'gate') {
        return this.gate(step.args[0], this.prod(coef, [step.args[1], ...others], den));
      }
      return this.gate(step, this.prod(coef, others, den));
    }
    if (den.length === 0 && n.length === 1) {
      if (coef === 1) return n[0];
      if (coef === -1) return this.negate(n[0]);
    }
    if (n.length + den.length <= MAX_ARITY) return this.prodNode(coef, n, den);
    // Very long products: chain the numerator, then divide once by the chained denominator.
    const chain = (fs: readonly IrNode[]): IrNode => {
      let head = this.prodNode(1, fs.slice(0, MAX_ARITY), []);
      for (let i = MAX_ARITY; i < fs.length; i += MAX_ARITY - 1) {
        head = this.prodNode(1, [head, ...fs.slice(i, i + MAX_ARITY - 1)], []);
      }
      return head;
    };
    const top = n.length <= MAX_ARITY - 1 ? n : [chain(n)];
    const bottom = den.length <= MAX_ARITY - top.length ? den : [chain(den)];
    return this.prodNode(coef, top, bottom);
  }

  /** `step · a` where a step at 0 zeroes even an infinite `a` (the `gate` primitive). */
  private gate(step: IrNode, a: IrNode): IrNode {
    if (a.op === 'lit' && Number.isFinite(a.value)) return this.prodNode(a.value, [step], []);
    return this.apply('gate', [step, a]);
  }

  private prodNode(coef: number, num: readonly IrNode[], den: readonly IrNode[]): IrNode {
    if (num.length === 1 && den.length === 0 && coef === 1) return num[0];
    let key = `p${Object.is(coef, -0) ? '-0' : coef}`;
    for (const a of num) key += `*${a.id}`;
    for (const a of den) key += `/${a.id}`;
    return this.make(key, 'prod', [...num, ...den], { coef, den: den.length });
  }

  /**
   * `a · b` where `b` is a local partial: a small product `b` is absorbed (`a·(c/d)` becomes
   * `a·c/d`, one division instead of a reciprocal and a multiply).
   */
  scale(a: IrNode, b: IrNode): IrNode {
    if (b.op === 'lit') return this.prod(b.value, [a]);
    if (b.op === 'prod' && b.args.length <= FLATTEN_ARITY) {
      const nNum = b.args.length - b.den;
      return this.prod(b.coef, [a, ...b.args.slice(0, nNum)], b.args.slice(nNum));
    }
    if (a.op === 'lit') return this.prod(a.value, [b]);
    return this.prod(1, [a, b]);
  }
}

/** Steps (heaviside, sign) and gated products: factors whose exact 0 gates a product. */
const isGating = (n: IrNode): boolean => n.op === 'heaviside' || n.op === 'sign' || n.op === 'gate';

/** True for `−a` written as a product with coefficient −1 and one factor. */
export function isNegation(n: IrNode): boolean {
  return n.op === 'prod' && n.coef === -1 && n.den === 0 && n.args.length === 1;
}
