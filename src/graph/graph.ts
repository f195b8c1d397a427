/**
 * `Graph`: the lecture's computational graph, TensorFlow 1 style, and its nodes: `Tensor`
 * (the output of a constant, variable, placeholder or op) and `Operation` (a train op).
 * Constants, variables and placeholders are the leaves; ops are nodes whose static shapes
 * are checked as they are built (errors name both shapes). A graph only describes the
 * computation: values live in a `Session`, which expands the needed subgraph into exact
 * scalar expressions and compiles them (expand.ts, plan.ts). The layers below read nodes as
 * `GraphNode`s (node.ts); what runs them (`TensorRunner`) and updates them (`UpdateRule`)
 * is declared here and implemented above, by `Session` and `Optimizer`.
 */
import { type Derivation, type DerivationOptions, derivation } from '../diff/derivation.js';
import {
  add,
  type Expr,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  fn,
  freeSymbols,
  InvalidArgumentError,
  log,
  mul,
  neg,
  optionsOf,
  parse,
  postorder,
  pow,
  softplus,
  sub,
  substitute,
  sym,
} from '../expr/index.js';
import { toDot } from './dot.js';
import { GraphError, ShapeError } from './errors.js';
import { type Formula, formulaOf, perSampleTerm } from './expand.js';
import { checkInitializer, type Initializer, initializers } from './init.js';
import type { GraphNode, MatmulKernel, NodeDef, TensorKind } from './node.js';
import {
  broadcastShapes,
  checkShape,
  formatShape,
  isFullyKnown,
  type Shape,
  type TensorInput,
  TensorValue,
  toDense,
} from './shape.js';

/**
 * Feeds for `Session.run`: values by placeholder name (or by placeholder tensor, in a
 * `Map`). A value is a number, nested arrays, a `Float64Array` (flat, row-major; its
 * shape is the placeholder's, with the open dimension from the length) or a `TensorValue`.
 */
export type Feeds = Readonly<Record<string, FeedValue>> | ReadonlyMap<Tensor | string, FeedValue>;

/** One fed value (see `Feeds`). */
export type FeedValue = TensorInput;

/** Something `run` can fetch: a tensor (its value) or a train op (its effect). */
export type Fetch = Tensor | Operation;

/** The result of one fetch: a number for a 0-d tensor, a `TensorValue` otherwise, `undefined` for a train op. */
export type FetchResult<F> = F extends Operation
  ? undefined
  : F extends Tensor
    ? number | TensorValue
    : never;

/** What `Tensor.eval` evaluates a tensor in: a `Session`. */
export interface TensorRunner {
  /** The value of `fetch` with `feeds` (a number for a 0-d tensor, else a `TensorValue`). */
  run<F extends Fetch>(fetch: F, feeds?: Feeds): FetchResult<F>;
}

/**
 * How a train op updates its variables: the learning rate, the names of the per-variable
 * slots, and the step itself. `Optimizer` implements it; a `Session` keeps the slots and
 * scalar state and applies the step.
 */
export interface UpdateRule {
  /** `GradientDescent`, `Momentum` or `Adam`: the default name of its train ops. */
  readonly type: string;
  /** Names of the per-variable slots, in checkpoint order. */
  readonly slotNames: readonly string[];
  /** A number, or a 0-d tensor evaluated on every step. */
  readonly learningRate: number | Tensor;
  /** @internal Initial scalar state (e.g. Adam's β powers). */
  initialScalars(): number[];
  /** @internal Names of the scalar state entries, in order. */
  scalarNames(): readonly string[];
  /**
   * @internal One step for one variable: reads θ, g and the slots, writes the new θ and
   * slots into `outTheta` / `outSlots` (never into the inputs).
   */
  update(
    lr: number,
    theta: Float64Array,
    grad: Float64Array,
    slots: readonly Float64Array[],
    scalars: Float64Array,
    outTheta: Float64Array,
    outSlots: readonly Float64Array[],
  ): void;
  /** @internal After every variable of a step: advances the scalar state in place. */
  finishStep(scalars: Float64Array): void;
}

/**
 * A tensor of a graph: the output of a constant, variable, placeholder or op. Printing it
 * gives its name, shape and dtype as TensorFlow does; its value comes from a session.
 *
 * @example
 * ```ts
 * const g = new Graph();
 * const c = g.add(g.constant(1), g.constant(2));
 * String(c);                       // 'Tensor("Add:0", shape=[], dtype=float64)'
 * c.eval(new Session(g));          // 3
 * ```
 */
export class Tensor implements GraphNode {
  /** @internal */
  constructor(
    /** The graph this tensor belongs to. */
    readonly graph: Graph,
    /** Index in the graph (creation order). */
    readonly id: number,
    /** The op type: `Const`, `Variable`, `Placeholder`, `Add`, `MatMul`, `Gradient`, …. */
    readonly type: string,
    /** The unique node name (`Add_1`); the tensor is `name:0`. */
    readonly name: string,
    /** The static shape; `null` for a dimension known only when fed. */
    readonly shape: Shape,
    /** The tensors this one is computed from. */
    readonly inputs: readonly Tensor[],
    /** @internal */
    readonly def: NodeDef<Tensor>,
  ) {}

  /** Constant, variable, placeholder, op or gradient. */
  get kind(): TensorKind {
    const k = this.def.kind;
    if (k === 'constant' || k === 'variable' || k === 'placeholder') return k;
    return k === 'gradient' || k === 'hessian' ? 'gradient' : 'op';
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** For a variable: whether optimizers train it by default. */
  get trainable(): boolean {
    return this.def.kind === 'variable' && this.def.trainable;
  }

  /** `Tensor("Add:0", shape=[], dtype=float64)` */
  toString(): string {
    return `Tensor("${this.name}:0", shape=${formatShape(this.shape)}, dtype=float64)`;
  }

  /**
   * The value of this tensor in `session`: shorthand for `session.run(this, feeds)` (a
   * number for a 0-d tensor, else a `TensorValue`).
   */
  eval(session: TensorRunner, feeds?: Feeds): number | TensorValue {
    return session.run<Tensor>(this, feeds);
  }
}

/**
 * An operation without a value: the train op `optimizer.minimize(loss)` returns. Running
 * it applies one update step; as a fetch its result is `undefined`.
 *
 * @example
 * ```ts
 * const trainOp = new AdamOptimizer({ learningRate: 0.01 }).minimize(L);
 * String(trainOp);                                   // 'Operation("Adam", type=Minimize, loss="Mean:0")'
 * const [, loss] = sess.run([trainOp, L], feeds);    // one step, and the loss before it
 * ```
 */
export class Operation {
  /** @internal */
  constructor(
    readonly graph: Graph,
    /** Unique name in the graph (`Adam`, `Adam_1`, …). */
    readonly name: string,
    /** The loss it minimises. */
    readonly loss: Tensor,
    /** The variables it updates, in order. */
    readonly varList: readonly Tensor[],
    /** The gradient of the loss by each variable (graph nodes, printable and runnable). */
    readonly gradients: readonly Tensor[],
    /** The optimizer that applies the update. */
    readonly optimizer: UpdateRule,
  ) {}

  /** `Operation("Adam", type=Minimize, loss="Mean:0")` */
  toString(): string {
    return `Operation("${this.name}", type=Minimize, loss="${this.loss.name}:0")`;
  }
}

/** An operand: a tensor of the same graph, or a value (made a constant). */
export type TensorLike = Tensor | TensorInput;

/** Options of `Graph`. */
export interface GraphOptions {
  /** Seed of the random initialisers (default 0): the same seed gives the same values. */
  readonly seed?: number;
}

/** Options of `graph.variable`. */
export interface VariableOptions {
  /**
   * The first value: a number (every element), nested arrays or a Float64Array of the
   * variable's shape, or an `Initializer` (default `initializers.glorotUniform()`, as
   * TensorFlow's `get_variable`).
   */
  readonly init?: Initializer | TensorInput;
  /** Whether optimizers update it when no `varList` is given (default true). */
  readonly trainable?: boolean;
}

/** Options of `graph.reduceSum` / `reduceMean`. */
export interface ReduceOptions {
  /** Keep the reduced axes with length 1 (default false). */
  readonly keepDims?: boolean;
}

/** Options of `graph.matmul`. */
export interface MatmulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  /**
   * For a batch times a weight matrix: `'expand'` (scalar expansion), `'loop'` (a matrix
   * loop kernel) or `'auto'` (default: the loop from 4,096 weights). See docs/graph.md.
   */
  readonly kernel?: MatmulKernel;
}

/** Options of `graph.derivation`. */
export interface GraphDerivationOptions extends DerivationOptions {
  /** Which element of a tensor variable (row-major index; default 0). */
  readonly index?: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

/** Elements a variable may have (2³¹ − 1: 16 GiB of float64, past any practical model). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** `#0`, `#1`, …: the operands of an element-wise template (names no graph name can take). */
export const operand = (i: number): Expr => sym(`#${i}`);

const A = operand(0);
const B = operand(1);

/**
 * A computational graph. Build it with constants, variables, placeholders and ops; run it
 * in a `Session`.
 *
 * @example
 * ```ts
 * const g = new Graph();
 * const x = g.placeholder('x', [null]);
 * const y = g.placeholder('y', [null]);
 * const w1 = g.variable('w1', [], { init: 0.5 });
 * const w2 = g.variable('w2', [], { init: -0.3 });
 * const L = g.reduceMean(g.square(g.sub(g.tanh(g.mul(w2, g.tanh(g.mul(w1, x)))), y)));
 * const [dw1, dw2] = g.gradients(L, [w1, w2]); // exact partials, as graph nodes
 * ```
 */
export class Graph {
  /** Seed of the random initialisers. */
  readonly seed: number;
  private readonly nodes: Tensor[] = [];
  private readonly names = new Map<string, Tensor | Operation>();
  private readonly ops: Operation[] = [];

  constructor(options: GraphOptions = {}) {
    const seed = optionsOf(options, 'Graph').seed ?? 0;
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(`Graph: the seed must be a safe integer, got ${seed}`);
    }
    this.seed = seed;
  }

  // ---------------------------------------------------------------- leaves

  /**
   * A constant tensor. `shape` reshapes a flat array or fills the shape with a number.
   *
   * @example
   * ```ts
   * g.constant(1);                        // Tensor("Const:0", shape=[], …)
   * g.constant([[1, 2], [3, 4]]);         // shape [2, 2]
   * g.constant(0, { shape: [3] });        // [0, 0, 0]
   * ```
   */
  constant(value: TensorInput, options: { name?: string; shape?: readonly number[] } = {}): Tensor {
    options = optionsOf(options, 'constant');
    let dense = toDense(value, 'constant');
    if (options.shape !== undefined) {
      const shape = checkShape(options.shape, 'constant', false) as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      if (n > MAX_ELEMENTS) {
        throw new ShapeError(`constant: shape ${formatShape(shape)} has too many elements`);
      }
      if (dense.data.length === 1 && n !== 1) {
        dense = { shape, data: new Float64Array(n).fill(dense.data[0]) };
      } else if (dense.data.length === n) {
        dense = { shape, data: dense.data };
      } else {
        throw new ShapeError(
          `constant: a value of shape ${formatShape(dense.shape)} does not fit shape ${formatShape(shape)}`,
        );
      }
    }
    for (const v of dense.data) {
      if (!Number.isFinite(v)) {
        throw new InvalidArgumentError(`constant: values must be finite, found ${v}`);
      }
    }
    const data = Float64Array.from(dense.data);
    return this.node('Const', options.name, dense.shape, [], {
      kind: 'constant',
      value: { shape: [...dense.shape], data },
    });
  }

  /**
   * A variable: state kept by each session, given its first value by
   * `session.initialize()` (or `restore`), changed by optimizers. Names are unique.
   *
   * @example
   * ```ts
   * const w = g.variable('w', [2, 3], { init: initializers.normal({ stddev: 0.1 }) });
   * const frozen = g.variable('scale', [], { init: 1, trainable: false });
   * ```
   */
  variable(name: string, shape: readonly number[], options: VariableOptions = {}): Tensor {
    this.checkNewName(name, 'variable');
    options = optionsOf(options, `variable '${name}'`);
    const s = checkShape(shape, `variable '${name}'`, false) as number[];
    const size = s.reduce((a, b) => a * b, 1);
    if (size > MAX_ELEMENTS) {
      throw new ShapeError(
        `variable '${name}': shape ${formatShape(s)} has ${size} elements, more than ${MAX_ELEMENTS}`,
      );
    }
    let init: Initializer;
    const given = options.init;
    if (given === undefined) init = initializers.glorotUniform();
    else if (isInitializer(given)) init = checkInitializer(given, `variable '${name}': init`);
    else if (typeof given === 'number') init = initializers.constant(given);
    else {
      const dense = toDense(given, `variable '${name}': init`);
      const n = s.reduce((a, b) => a * b, 1);
      if (dense.data.length !== n) {
        throw new ShapeError(
          `variable '${name}': the initial value of shape ${formatShape(dense.shape)} does not fit shape ${formatShape(s)}`,
        );
      }
      init = { kind: 'values', value: { shape: s, data: Float64Array.from(dense.data) } };
    }
    const trainable = options.trainable ?? true;
    if (typeof trainable !== 'boolean') {
      throw new InvalidArgumentError(`variable '${name}': trainable must be a boolean`);
    }
    return this.node('Variable', name, s, [], { kind: 'variable', init, trainable });
  }

  /**
   * A placeholder: a value supplied with each `run` (a feed). `null` marks a dimension
   * known only then (the batch size).
   *
   * @example
   * ```ts
   * const x = g.placeholder('x', [null, 2]); // a batch of 2-vectors
   * ```
   */
  placeholder(name: string, shape: Shape): Tensor {
    this.checkNewName(name, 'placeholder');
    const s = checkShape(shape, `placeholder '${name}'`);
    return this.node('Placeholder', name, s, [], { kind: 'placeholder' });
  }

  // ---------------------------------------------------------------- element-wise

  /** a + b, element-wise with broadcasting. */
  add(a: TensorLike, b: TensorLike): Tensor {
    return this.elementwise('Add', add(A, B), [a, b]);
  }
  /** a − b */
  sub(a: TensorLike, b: TensorLike): Tensor {
    return this.elementwise('Sub', sub(A, B), [a, b]);
  }
  /** a · b (element-wise; `matmul` for the matrix product) */
  mul(a: TensorLike, b: TensorLike): Tensor {
    return this.elementwise('Mul', mul(A, B), [a, b]);
  }
  /** a / b */
  div(a: TensorLike, b: TensorLike): Tensor {
    return this.elementwise('RealDiv', mul(A, pow(B, -1)), [a, b]);
  }
  /** a ^ b */
  pow(a: TensorLike, b: TensorLike): Tensor {
    return this.elementwise('Pow', pow(A, B), [a, b]);
  }
  /** −a */
  neg(a: TensorLike): Tensor {
    return this.elementwise('Neg', neg(A), [a]);
  }
  /** a² */
  square(a: TensorLike): Tensor {
    return this.elementwise('Square', pow(A, 2), [a]);
  }
  /** √a */
  sqrt(a: TensorLike): Tensor {
    return this.elementwise('Sqrt', pow(A, 0.5), [a]);
  }
  /** 1/a */
  reciprocal(a: TensorLike): Tensor {
    return this.elementwise('Reciprocal', pow(A, -1), [a]);
  }
  /** log(1 + a), computed as `Math.log1p` */
  log1p(a: TensorLike): Tensor {
    return this.elementwise('Log1p', log(add(1, A)), [a]);
  }
  /** max(a, b), element-wise */
  maximum(a: TensorLike, b: TensorLike): Tensor {
    return this.elementwise('Maximum', fn('max', [A, B]), [a, b]);
  }
  /** min(a, b), element-wise */
  minimum(a: TensorLike, b: TensorLike): Tensor {
    return this.elementwise('Minimum', fn('min', [A, B]), [a, b]);
  }
  /** tanh */
  tanh(a: TensorLike): Tensor {
    return this.apply('tanh', a);
  }
  /** The logistic sigmoid 1/(1 + e^−a). */
  sigmoid(a: TensorLike): Tensor {
    return this.apply('sigmoid', a);
  }
  /** max(a, 0) */
  relu(a: TensorLike): Tensor {
    return this.apply('relu', a);
  }
  /** log(1 + e^a), stable */
  softplus(a: TensorLike): Tensor {
    return this.apply('softplus', a);
  }
  /** e^a */
  exp(a: TensorLike): Tensor {
    return this.apply('exp', a);
  }
  /** Natural logarithm. */
  log(a: TensorLike): Tensor {
    return this.apply('log', a);
  }
  /** sin */
  sin(a: TensorLike): Tensor {
    return this.apply('sin', a);
  }
  /** cos */
  cos(a: TensorLike): Tensor {
    return this.apply('cos', a);
  }
  /** |a| */
  abs(a: TensorLike): Tensor {
    return this.apply('abs', a);
  }

  /**
   * Any Leibniz function, element-wise with broadcasting: `g.apply('atan2', y, x)`,
   * `g.apply('erf', a)`. The names are `FUNCTION_NAMES` (sin … heaviside).
   *
   * @example
   * ```ts
   * g.apply('cosh', x); g.apply('atan2', y, x);
   * ```
   */
  apply(name: FunctionName, ...inputs: TensorLike[]): Tensor {
    if (!(FUNCTION_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`apply: unknown function '${String(name)}'`);
    }
    const arity = FUNCTIONS[name].arity;
    if (inputs.length !== arity) {
      throw new InvalidArgumentError(
        `apply: ${name} takes ${arity} input(s), got ${inputs.length}`,
      );
    }
    const type = name.charAt(0).toUpperCase() + name.slice(1);
    return this.elementwise(
      type,
      fn(
        name,
        inputs.map((_, i) => operand(i)),
      ),
      inputs,
    );
  }

  /**
   * An element-wise op from text: every symbol of `text` is bound to a tensor (or number)
   * of `bindings`, broadcast together. Unknown functions are refused (they have no value).
   *
   * @example
   * ```ts
   * const l = g.expr('(tanh(w2*tanh(w1*x)) - y)^2', { x, y, w1, w2 });
   * const L = g.reduceMean(l);
   * ```
   */
  expr(text: string, bindings: Readonly<Record<string, TensorLike>>): Tensor {
    const e = parse(text);
    if (typeof bindings !== 'object' || bindings === null) {
      throw new InvalidArgumentError('expr: bindings must be an object of tensors by symbol name');
    }
    for (const node of postorder(e)) {
      if (node.op === 'call') {
        throw new GraphError(
          `expr: unknown function '${node.name}' in '${text}' has no numeric value`,
        );
      }
    }
    const symbols = freeSymbols(e);
    const inputs: TensorLike[] = [];
    const map = new Map<Expr, Expr>();
    for (const s of symbols) {
      if (!Object.hasOwn(bindings, s.name!)) {
        throw new GraphError(
          `expr: symbol '${s.name}' in '${text}' has no binding (bound: ${Object.keys(bindings).join(', ') || 'none'})`,
        );
      }
      map.set(s, operand(inputs.length));
      inputs.push(bindings[s.name!]);
    }
    return this.elementwise('Expr', substitute(e, map), inputs);
  }

  // ---------------------------------------------------------------- structure

  /**
   * The matrix product of two rank-2 tensors, optionally transposing either first.
   *
   * @example
   * ```ts
   * const h = g.matmul(x, W); // [null, 2] × [2, 16] → [null, 16]
   * ```
   */
  matmul(a: TensorLike, b: TensorLike, options: MatmulOptions = {}): Tensor {
    const [ta, tb] = [this.tensor_(a), this.tensor_(b)];
    options = optionsOf(options, 'MatMul');
    const transposeA = options.transposeA ?? false;
    const transposeB = options.transposeB ?? false;
    const kernel = options.kernel ?? 'auto';
    if (kernel !== 'auto' && kernel !== 'loop' && kernel !== 'expand') {
      throw new InvalidArgumentError(`MatMul: kernel must be 'auto', 'loop' or 'expand'`);
    }
    if (ta.rank !== 2 || tb.rank !== 2) {
      throw new ShapeError(
        `MatMul: both operands must have rank 2, got ${formatShape(ta.shape)} × ${formatShape(tb.shape)}`,
      );
    }
    const [m, k1] = transposeA ? [ta.shape[1], ta.shape[0]] : [ta.shape[0], ta.shape[1]];
    const [k2, n] = transposeB ? [tb.shape[1], tb.shape[0]] : [tb.shape[0], tb.shape[1]];
    if (k1 !== null && k2 !== null && k1 !== k2) {
      throw new ShapeError(
        `MatMul: inner dimensions differ: ${formatShape(ta.shape)}${transposeA ? 'ᵀ' : ''} × ${formatShape(tb.shape)}${transposeB ? 'ᵀ' : ''}`,
      );
    }
    return this.node('MatMul', undefined, [m, n], [ta, tb], {
      kind: 'matmul',
      transposeA,
      transposeB,
      kernel,
    });
  }

  /**
   * Permutes the axes (default: reverses them).
   *
   * @example
   * ```ts
   * g.transpose(W);            // [2, 16] → [16, 2]
   * ```
   */
  transpose(a: TensorLike, perm?: readonly number[]): Tensor {
    const t = this.tensor_(a);
    const r = t.rank;
    const p = perm === undefined ? Array.from({ length: r }, (_, i) => r - 1 - i) : [...perm];
    const ok =
      p.length === r &&
      p.every((x) => Number.isInteger(x) && x >= 0 && x < r) &&
      new Set(p).size === r;
    if (!ok) {
      throw new ShapeError(
        `Transpose: [${p.join(', ')}] is not a permutation of the axes of ${formatShape(t.shape)}`,
      );
    }
    return this.node(
      'Transpose',
      undefined,
      p.map((i) => t.shape[i]),
      [t],
      { kind: 'transpose', perm: p },
    );
  }

  /**
   * Reshapes (row-major). One dimension may be −1 (or null): inferred from the size. A
   * tensor with an open dimension must be reshaped with −1.
   *
   * @example
   * ```ts
   * g.reshape(x, [-1, 1]); // [null] → [null, 1]
   * ```
   */
  reshape(a: TensorLike, shape: readonly (number | null)[]): Tensor {
    const t = this.tensor_(a);
    if (!Array.isArray(shape)) throw new ShapeError('Reshape: the shape must be an array');
    const target = shape.map((d) => (d === null ? -1 : d));
    if (target.some((d) => !Number.isInteger(d) || d < -1)) {
      throw new ShapeError(`Reshape: invalid target shape [${shape.join(', ')}]`);
    }
    const free = target.filter((d) => d === -1).length;
    if (free > 1) throw new ShapeError(`Reshape: at most one −1 in [${target.join(', ')}]`);
    const knownOut = target.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
    let out: (number | null)[];
    if (isFullyKnown(t.shape)) {
      const size = t.shape.reduce((x, y) => x * y, 1);
      if (free === 1) {
        if (knownOut === 0 || size % knownOut !== 0) {
          throw new ShapeError(
            `Reshape: cannot reshape ${formatShape(t.shape)} (${size} elements) to [${target.join(', ')}]`,
          );
        }
        out = target.map((d) => (d === -1 ? size / knownOut : d));
      } else {
        if (size !== knownOut) {
          throw new ShapeError(
            `Reshape: cannot reshape ${formatShape(t.shape)} (${size} elements) to ${formatShape(target)} (${knownOut})`,
          );
        }
        out = target;
      }
    } else {
      if (free !== 1) {
        throw new ShapeError(
          `Reshape: ${formatShape(t.shape)} has an open dimension; give the target a −1 (got ${formatShape(target)})`,
        );
      }
      out = target.map((d) => (d === -1 ? null : d));
    }
    return this.node('Reshape', undefined, out, [t], { kind: 'reshape', shape: target });
  }

  /**
   * Sum over `axis` (a number, several, or all when omitted).
   *
   * @example
   * ```ts
   * g.reduceSum(x);            // all elements → 0-d
   * g.reduceSum(x, 1);         // [n, m] → [n]
   * g.reduceSum(x, 0, { keepDims: true }); // [n, m] → [1, m]
   * ```
   */
  reduceSum(a: TensorLike, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
    return this.reduce('Sum', 'sum', a, axis, options);
  }

  /** Mean over `axis` (a number, several, or all when omitted); see `reduceSum`. */
  reduceMean(
    a: TensorLike,
    axis?: number | readonly number[],
    options: ReduceOptions = {},
  ): Tensor {
    return this.reduce('Mean', 'mean', a, axis, options);
  }

  /**
   * Softmax along `axis` (default the last): exp(a − max)/Σ exp(a − max), stable for any
   * logits.
   */
  softmax(logits: TensorLike, axis = -1): Tensor {
    const t = this.tensor_(logits);
    const ax = this.axisOf('Softmax', t, axis);
    return this.node('Softmax', undefined, t.shape, [t], { kind: 'softmax', axis: ax, log: false });
  }

  /** log(softmax(a)) along `axis`, computed as a − max − log Σ exp(a − max). */
  logSoftmax(logits: TensorLike, axis = -1): Tensor {
    const t = this.tensor_(logits);
    const ax = this.axisOf('LogSoftmax', t, axis);
    return this.node('LogSoftmax', undefined, t.shape, [t], {
      kind: 'softmax',
      axis: ax,
      log: true,
    });
  }

  /**
   * Softmax cross-entropy of `logits` against `labels` (probabilities, e.g. one-hot) along
   * `axis` (default the last), per example: −Σ labels·log softmax(logits), computed stably
   * as Σ labels·(logsumexp(logits) − logits). The shape is the operands' broadcast shape
   * without `axis` (TensorFlow's `softmax_cross_entropy_with_logits`).
   *
   * @example
   * ```ts
   * const loss = g.reduceMean(g.softmaxCrossEntropy(y, logits)); // y: one-hot [null, 2]
   * ```
   */
  softmaxCrossEntropy(
    labels: TensorLike,
    logits: TensorLike,
    options: { axis?: number } = {},
  ): Tensor {
    const [y, z] = [this.tensor_(labels), this.tensor_(logits)];
    const shape = broadcastShapes('SoftmaxCrossEntropy', [y.shape, z.shape]);
    if (shape.length === 0) {
      throw new ShapeError('SoftmaxCrossEntropy: needs operands of rank ≥ 1 (the class axis)');
    }
    const axis = optionsOf(options, 'SoftmaxCrossEntropy').axis ?? -1;
    const ax = axis < 0 ? axis + shape.length : axis;
    if (!Number.isInteger(ax) || ax < 0 || ax >= shape.length) {
      throw new ShapeError(
        `SoftmaxCrossEntropy: axis ${axis} out of range for ${formatShape(shape)}`,
      );
    }
    return this.node(
      'SoftmaxCrossEntropy',
      undefined,
      shape.filter((_, i) => i !== ax),
      [y, z],
      { kind: 'softmaxCrossEntropy', axis: ax },
    );
  }

  /**
   * Sigmoid cross-entropy per element: softplus(logits) − labels·logits, which is
   * −[labels·log σ(logits) + (1 − labels)·log(1 − σ(logits))], stable for any logits.
   */
  sigmoidCrossEntropy(labels: TensorLike, logits: TensorLike): Tensor {
    return this.elementwise('SigmoidCrossEntropy', sub(softplus(B), mul(A, B)), [labels, logits]);
  }

  // ---------------------------------------------------------------- derivatives

  /**
   * The exact partial derivatives of Σ ys (all elements) by each of `xs` (variables or
   * placeholders), as graph nodes of their shapes — `tf.gradients`. They run like any
   * tensor, print as exact expressions (`graph.formula`), and can be differentiated again.
   *
   * @example
   * ```ts
   * const [dw1, dw2] = g.gradients(L, [w1, w2]);
   * sess.run([dw1, dw2], { x: xs, y: ys });
   * ```
   */
  gradients(ys: Tensor, xs: Tensor | readonly Tensor[]): Tensor[] {
    const y = this.tensor_(ys);
    const list = Array.isArray(xs) ? xs : [xs as Tensor];
    return list.map((x) => {
      const t = this.leafOf('gradients', x);
      return this.node('Gradient', undefined, t.shape, [y], { kind: 'gradient', wrt: t });
    });
  }

  /**
   * Second derivatives of Σ ys by each of `xs` (fully known shapes): for x of shape S the
   * result has shape [...S, ...S] — `tf.hessians`.
   */
  hessians(ys: Tensor, xs: Tensor | readonly Tensor[]): Tensor[] {
    const y = this.tensor_(ys);
    const list = Array.isArray(xs) ? xs : [xs as Tensor];
    return list.map((x) => {
      const t = this.leafOf('hessians', x);
      if (!isFullyKnown(t.shape)) {
        throw new ShapeError(`hessians: '${t.name}' has an open shape ${formatShape(t.shape)}`);
      }
      return this.node('Hessian', undefined, [...t.shape, ...t.shape], [y], {
        kind: 'hessian',
        wrt: t,
      });
    });
  }

  /**
   * The lecture's chain-rule derivation of `loss` by a variable (element `index` of a
   * tensor variable), printed by `toString()` / `toLatex()`. For a loss that is a sum or mean
   * over the batch, the derivation is the per-sample term's (the batch derivative is its
   * sum or mean); placeholders appear as symbols.
   *
   * @example
   * ```ts
   * console.log(g.derivation(L, w1, { name: 'L' }).toString());
   * // ∂L/∂w1 = ∂L/∂tanh(w2*tanh(w1*x)) · … · ∂(w1*x)/∂w1
   * ```
   */
  derivation(loss: Tensor, variable: Tensor, options: GraphDerivationOptions = {}): Derivation {
    const l = this.tensor_(loss);
    const v = this.leafOf('derivation', variable);
    const { term, symbol } = perSampleTerm(this, l, v, optionsOf(options, 'derivation').index ?? 0);
    const { index: _ignored, ...rest } = optionsOf(options, 'derivation');
    return derivation(term, symbol, rest);
  }

  /**
   * The exact expressions behind a tensor: its elements as Leibniz expressions of the
   * variables' and placeholders' elements (for a batched tensor, of one sample's), and the
   * batch sums they use. `toString()` prints them.
   *
   * @example
   * ```ts
   * console.log(g.formula(g.gradients(L, w1)[0]).toString());
   * ```
   */
  formula(t: Tensor): Formula {
    return formulaOf(this, this.tensor_(t));
  }

  /** The graph in Graphviz DOT: constants, variables, placeholders, ops and gradients told apart. */
  toDot(): string {
    return toDot(this.nodes, this.ops);
  }

  // ---------------------------------------------------------------- listings

  /** Every tensor, in creation order. */
  tensors(): readonly Tensor[] {
    return this.nodes;
  }

  /** The variables, in creation order. */
  variables(): Tensor[] {
    return this.nodes.filter((t) => t.def.kind === 'variable');
  }

  /** The trainable variables, in creation order. */
  trainableVariables(): Tensor[] {
    return this.nodes.filter((t) => t.trainable);
  }

  /** The placeholders, in creation order. */
  placeholders(): Tensor[] {
    return this.nodes.filter((t) => t.def.kind === 'placeholder');
  }

  /** Train ops, in creation order. */
  operations(): readonly Operation[] {
    return this.ops;
  }

  /** The tensor named `name` (with or without `:0`), or undefined. */
  get(name: string): Tensor | undefined {
    const n = this.names.get(name.endsWith(':0') ? name.slice(0, -2) : name);
    return n instanceof Tensor ? n : undefined;
  }

  // ---------------------------------------------------------------- internals

  /** @internal Registers a train op (optimizers call this). */
  addOperation(
    base: string,
    loss: Tensor,
    varList: readonly Tensor[],
    gradients: readonly Tensor[],
    optimizer: UpdateRule,
  ): Operation {
    const op = new Operation(this, this.uniqueName(base), loss, varList, gradients, optimizer);
    this.names.set(op.name, op);
    this.ops.push(op);
    return op;
  }

  /** @internal A tensor of this graph, or a value made a constant. */
  tensor_(x: TensorLike): Tensor {
    if (x instanceof Tensor) {
      if (x.graph !== this) {
        throw new GraphError(`tensor '${x.name}' belongs to another graph`);
      }
      return x;
    }
    if (x instanceof Operation) {
      throw new GraphError(`'${x.name}' is a train op, not a tensor`);
    }
    return this.constant(x);
  }

  private leafOf(what: string, x: Tensor): Tensor {
    const t = this.tensor_(x);
    if (t.def.kind !== 'variable' && t.def.kind !== 'placeholder') {
      throw new GraphError(
        `${what}: can differentiate by variables and placeholders only, not '${t.name}' (${t.type})`,
      );
    }
    return t;
  }

  private elementwise(type: string, template: Expr, inputs: readonly TensorLike[]): Tensor {
    const ts = inputs.map((x) => this.tensor_(x));
    const shape = broadcastShapes(
      type,
      ts.map((t) => t.shape),
    );
    return this.node(type, undefined, shape, ts, { kind: 'elementwise', template });
  }

  private reduce(
    type: string,
    op: 'sum' | 'mean',
    a: TensorLike,
    axis: number | readonly number[] | undefined,
    options: ReduceOptions,
  ): Tensor {
    const t = this.tensor_(a);
    const r = t.rank;
    const list =
      axis === undefined
        ? Array.from({ length: r }, (_, i) => i)
        : (Array.isArray(axis) ? axis : [axis as number]).map((x) => this.axisOf(type, t, x));
    const axes = [...new Set(list)].sort((x, y) => x - y);
    const keepDims = optionsOf(options, type).keepDims ?? false;
    const shape = keepDims
      ? t.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : t.shape.filter((_, i) => !axes.includes(i));
    return this.node(type, undefined, shape, [t], { kind: 'reduce', op, axes, keepDims });
  }

  private axisOf(type: string, t: Tensor, axis: number): number {
    const ax = typeof axis === 'number' && axis < 0 ? axis + t.rank : axis;
    if (!Number.isInteger(ax) || ax < 0 || ax >= t.rank) {
      throw new ShapeError(`${type}: axis ${axis} out of range for shape ${formatShape(t.shape)}`);
    }
    return ax;
  }

  private checkNewName(name: string, what: string): void {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidArgumentError(
        `${what}: invalid name ${JSON.stringify(name)} (letters, digits, _ . - /, starting with a letter or _)`,
      );
    }
    if (this.names.has(name)) {
      throw new GraphError(`${what}: the name '${name}' is already used in this graph`);
    }
  }

  private uniqueName(base: string): string {
    if (!this.names.has(base)) return base;
    for (let k = 1; ; k++) {
      const name = `${base}_${k}`;
      if (!this.names.has(name)) return name;
    }
  }

  private node(
    type: string,
    name: string | undefined,
    shape: Shape,
    inputs: readonly Tensor[],
    def: NodeDef<Tensor>,
  ): Tensor {
    if (name !== undefined && type === 'Const') this.checkNewName(name, 'constant');
    const t = new Tensor(
      this,
      this.nodes.length,
      type,
      name ?? this.uniqueName(type),
      Object.freeze([...shape]),
      Object.freeze([...inputs]),
      def,
    );
    this.names.set(t.name, t);
    this.nodes.push(t);
    return t;
  }
}

function isInitializer(x: unknown): x is Initializer {
  return (
    typeof x === 'object' &&
    x !== null &&
    !Array.isArray(x) &&
    !(x instanceof Float64Array) &&
    !(x instanceof TensorValue) &&
    typeof (x as { kind?: unknown }).kind === 'string'
  );
}
