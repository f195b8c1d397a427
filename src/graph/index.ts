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
export { type EpochLog, type FitHistory, type FitOptions, fit } from './fit.js';
export {
  Graph,
  type GraphDerivationOptions,
  type GraphOptions,
  type MatmulOptions,
  type ReduceOptions,
  type TensorLike,
  type VariableOptions,
} from './graph.js';
export { type Initializer, initializers, Random } from './init.js';
export {
  AdamOptimizer,
  GradientDescentOptimizer,
  type LearningRate,
  type MinimizeOptions,
  MomentumOptimizer,
  Optimizer,
} from './optimizers.js';
export {
  type Fetch,
  type FetchResult,
  type RestoreOptions,
  Session,
  type SessionStats,
} from './session.js';
export { type NestedArray, type Shape, type TensorInput, TensorValue } from './shape.js';
export {
  type Feeds,
  type FeedValue,
  type MatmulKernel,
  Operation,
  Tensor,
  type TensorKind,
} from './tensor.js';
