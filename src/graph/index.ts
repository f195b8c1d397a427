/**
 * Graphs, sessions and training (the lecture's TensorFlow-1 model) on exact symbolic
 * gradients: build a `Graph`, run it in a `Session`, minimise a loss with an optimizer,
 * checkpoint, `fit`. See docs/graph.md.
 */
export {
  CheckpointError,
  FeedError,
  GraphError,
  NonFiniteError,
  ShapeError,
  UninitializedVariableError,
} from './errors.js';
export { type BatchSum, type Cut as MatrixProduct, Formula } from './expand.js';
export { type EpochLog, type FitHistory, type FitOptions, fit, type Trainer } from './fit.js';
export {
  type Feeds,
  type FeedValue,
  type Fetch,
  type FetchResult,
  Graph,
  type GraphDerivationOptions,
  type GraphOptions,
  type MatmulOptions,
  Operation,
  type ReduceOptions,
  Tensor,
  type TensorLike,
  type TensorRunner,
  type UpdateRule,
  type VariableOptions,
} from './graph.js';
export { type Initializer, initializers, Random } from './init.js';
export type { GraphNode, MatmulKernel, TensorKind } from './node.js';
export {
  AdamOptimizer,
  GradientDescentOptimizer,
  type LearningRate,
  type MinimizeOptions,
  MomentumOptimizer,
  Optimizer,
} from './optimizers.js';
export {
  type RestoreOptions,
  Session,
  type SessionStats,
} from './session.js';
export { type NestedArray, type Shape, type TensorInput, TensorValue } from './shape.js';
