/**
 * The expression core: nodes, builders, parser, printers, evaluation and walks. The other
 * modules import the core only through this file.
 */
export * from './build.js';
export * from './dag.js';
export * from './errors.js';
export * from './evaluate.js';
export * from './format.js';
export * from './input.js';
export * from './latex.js';
export * from './node.js';
export {
  NUMERIC_KERNEL_DEPENDENCIES,
  NUMERIC_KERNEL_SOURCE,
  type NumericKernelName,
} from './numeric.js';
export * from './ops.js';
export { compareExprs } from './order.js';
export * from './parse.js';
export * from './rational.js';
export type { ExprShape } from './shape.js';
export * from './stable.js';
export * from './substitute.js';
export * from './terms.js';
export * from './walk.js';
