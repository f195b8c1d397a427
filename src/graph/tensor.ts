/**
 * Graph nodes: `Tensor` (the output of a constant, variable, placeholder or op) and
 * `Operation` (a train op, which has an effect and no value). Nodes are immutable once
 * built; what an op computes is its `NodeDef`, read by the scalar expansion (expand.ts).
 */
import type { Expr } from '../expr/index.js';
import type { Graph } from './graph.js';
import type { Initializer } from './init.js';
import type { Optimizer } from './optimizers.js';
import type { Session } from './session.js';
import {
  type Dense,
  formatShape,
  type Shape,
  type TensorInput,
  type TensorValue,
} from './shape.js';

/**
 * How a matrix product of a batch by a weight matrix is computed: `'expand'` writes out
 * every product per sample (scalar expansion, fused into the sample's kernel), `'loop'`
 * multiplies whole matrices in a loop kernel (the matrix-level path), `'auto'` picks the loop
 * when the weight matrix has at least 4,096 elements.
 */
export type MatmulKernel = 'auto' | 'loop' | 'expand';

/** What kind of node a tensor is. */
export type TensorKind = 'constant' | 'variable' | 'placeholder' | 'op' | 'gradient';

/** @internal What a node computes. Element-wise ops carry a template over `#0`, `#1`, …. */
export type NodeDef =
  | { readonly kind: 'constant'; readonly value: Dense }
  | { readonly kind: 'variable'; readonly init: Initializer; readonly trainable: boolean }
  | { readonly kind: 'placeholder' }
  | { readonly kind: 'elementwise'; readonly template: Expr }
  | {
      readonly kind: 'matmul';
      readonly transposeA: boolean;
      readonly transposeB: boolean;
      readonly kernel: MatmulKernel;
    }
  | { readonly kind: 'transpose'; readonly perm: readonly number[] }
  | { readonly kind: 'reshape'; readonly shape: readonly number[] }
  | {
      readonly kind: 'reduce';
      readonly op: 'sum' | 'mean';
      readonly axes: readonly number[];
      readonly keepDims: boolean;
    }
  | { readonly kind: 'softmax'; readonly axis: number; readonly log: boolean }
  | { readonly kind: 'softmaxCrossEntropy'; readonly axis: number }
  | { readonly kind: 'gradient'; readonly wrt: Tensor }
  | { readonly kind: 'hessian'; readonly wrt: Tensor };

/**
 * Feeds for `Session.run`: values by placeholder name (or by placeholder tensor, in a
 * `Map`). A value is a number, nested arrays, a `Float64Array` (flat, row-major; its
 * shape is the placeholder's, with the open dimension from the length) or a `TensorValue`.
 */
export type Feeds = Readonly<Record<string, FeedValue>> | ReadonlyMap<Tensor | string, FeedValue>;

/** One fed value (see `Feeds`). */
export type FeedValue = TensorInput;

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
export class Tensor {
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
    readonly def: NodeDef,
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
  eval(session: Session, feeds?: Feeds): number | TensorValue {
    return session.run(this, feeds);
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
    readonly optimizer: Optimizer,
  ) {}

  /** `Operation("Adam", type=Minimize, loss="Mean:0")` */
  toString(): string {
    return `Operation("${this.name}", type=Minimize, loss="${this.loss.name}:0")`;
  }
}
