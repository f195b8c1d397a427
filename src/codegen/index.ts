/**
 * Code generation: expressions and their derivatives as fast JavaScript functions — value,
 * fused value+gradient, Hessian, Hessian-vector product, batch kernels — plus standalone
 * modules (JavaScript or C) and a finite-difference gradient check. Passes: lower.ts (to
 * the value IR), programs/ (statement IR per entry point), layout.ts (schedule.ts: order,
 * CSE, loops, chunks), emit/ (text, one file per language), compile.ts (`new Function`).
 */
export {
  type BatchData,
  type BatchKernel,
  type BatchOptions,
  compileBatch,
  type PointwiseKernel,
} from './batch.js';
export {
  checkGradient,
  type GradientCheck,
  type GradientCheckComponent,
  type GradientCheckOptions,
} from './check.js';
export {
  type CompiledFunction,
  type CompiledMultiFunction,
  type CompiledSource,
  type CompiledVectorFunction,
  type CompiledVectorMultiFunction,
  type CompileOptions,
  compile,
} from './function.js';
export { type CompiledGradient, type CompileGradientOptions, compileGradient } from './gradient.js';
export {
  type CompiledHessian,
  type CompiledHessianVector,
  compileHessian,
  compileHessianVector,
} from './hessian.js';
export {
  type EmitModuleOptions,
  type EmittedCModule,
  type EmittedModule,
  emitModule,
  type ModuleFunction,
  type ModuleLanguage,
} from './module.js';
export type { Reduction } from './programs/batch.js';
export type { InputStyle } from './programs/value.js';
