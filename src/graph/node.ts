/**
 * Graph nodes as the layers below `Graph` see them: what a node computes (`NodeDef`) and
 * the read-only view of a node (`GraphNode`) that `Tensor` implements. The scalar
 * expansion, the DOT printer and the run plans read nodes only through these, so they
 * depend on nothing that builds or runs a graph.
 */
import type { Expr } from '../expr/index.js';
import type { Initializer } from './init.js';
import type { Dense, Shape } from './shape.js';

/**
 * How a matrix product of a batch by a weight matrix is computed: `'expand'` writes out
 * every product per sample (scalar expansion, fused into the sample's kernel), `'loop'`
 * multiplies whole matrices in a loop kernel (the matrix-level path), `'auto'` picks the loop
 * when the weight matrix has at least 4,096 elements.
 */
export type MatmulKernel = 'auto' | 'loop' | 'expand';

/** What kind of node a tensor is. */
export type TensorKind = 'constant' | 'variable' | 'placeholder' | 'op' | 'gradient';

/**
 * @internal What a node computes; `N` is the node type (gradients name the node they
 * differentiate by). Element-wise ops carry a template over `#0`, `#1`, ….
 */
export type NodeDef<N = GraphNode> =
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
  | { readonly kind: 'gradient'; readonly wrt: N }
  | { readonly kind: 'hessian'; readonly wrt: N };

/**
 * A node of a graph as its readers see it: identity, type, name, static shape, inputs and
 * kind. Every `Tensor` is one; `Formula.tensor` and `MatrixProduct.tensor` are typed by it.
 */
export interface GraphNode {
  /** Index in the graph (creation order). */
  readonly id: number;
  /** The op type: `Const`, `Variable`, `Placeholder`, `Add`, `MatMul`, `Gradient`, …. */
  readonly type: string;
  /** The unique node name (`Add_1`). */
  readonly name: string;
  /** The static shape; `null` for a dimension known only when fed. */
  readonly shape: Shape;
  /** The nodes this one is computed from. */
  readonly inputs: readonly GraphNode[];
  /** Number of axes. */
  readonly rank: number;
  /** Constant, variable, placeholder, op or gradient. */
  readonly kind: TensorKind;
  /** @internal */
  readonly def: NodeDef;
}

/** The nodes `t` is computed from: its inputs and, for a derivative, the node it is taken by. */
export function dependencies<N extends { readonly inputs: readonly N[]; readonly def: NodeDef<N> }>(
  t: N,
): N[] {
  const def = t.def;
  if (def.kind === 'gradient' || def.kind === 'hessian') return [...t.inputs, def.wrt];
  return [...t.inputs];
}
