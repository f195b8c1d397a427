/**
 * Optimizers, with TensorFlow 1's update rules and defaults, written out the way TF's
 * kernels compute them (so the rounding matches the formula in each class's comment).
 * An optimizer holds hyperparameters only; its slots (momentum, Adam's m and v) and scalar
 * state (Adam's β powers) live in each session, next to the variables, and are saved in
 * checkpoints.
 */
import { describe, InvalidArgumentError, optionsOf } from '../expr/index.js';
import { GraphError } from './errors.js';
import { type Operation, Tensor, type UpdateRule } from './graph.js';
import { dependencies } from './node.js';

/** Options of `minimize`. */
export interface MinimizeOptions {
  /** The variables to update (default: the graph's trainable variables the loss depends on). */
  readonly varList?: readonly Tensor[];
}

/** A learning rate: a number, or a 0-d tensor evaluated on every step (a schedule). */
export type LearningRate = number | Tensor;

/**
 * Base of the optimizers. `minimize(loss)` returns the train op: running it computes the
 * exact gradient of the loss by each variable and applies one update.
 */
export abstract class Optimizer implements UpdateRule {
  /** `GradientDescent`, `Momentum` or `Adam`: the default name of its train ops. */
  abstract readonly type: string;
  /** Names of the per-variable slots, in checkpoint order. */
  abstract readonly slotNames: readonly string[];
  readonly learningRate: LearningRate;

  constructor(learningRate: LearningRate | undefined, what: string) {
    // `what` comes from the subclass; a direct (untyped) call may pass anything.
    if (typeof what !== 'string') what = 'Optimizer';
    if (learningRate === undefined) {
      throw new InvalidArgumentError(`${what}: learningRate is required`);
    }
    if (learningRate instanceof Tensor) {
      if (learningRate.rank !== 0) {
        throw new InvalidArgumentError(`${what}: a learningRate tensor must be 0-d`);
      }
    } else {
      positive(learningRate, `${what}: learningRate`);
    }
    this.learningRate = learningRate;
  }

  /**
   * The train op minimising `loss` (summed if it is not 0-d) over `varList`.
   *
   * @example
   * ```ts
   * const trainOp = new AdamOptimizer({ learningRate: 0.01 }).minimize(L);
   * sess.run(trainOp, { x: xs, y: ys });
   * ```
   */
  minimize(loss: Tensor, options: MinimizeOptions = {}): Operation {
    if (!(loss instanceof Tensor))
      throw new InvalidArgumentError('minimize: loss must be a Tensor');
    options = optionsOf(options, 'minimize');
    const g = loss.graph;
    if (this.learningRate instanceof Tensor && this.learningRate.graph !== g) {
      throw new GraphError('minimize: the learning-rate tensor belongs to another graph');
    }
    let varList: readonly Tensor[];
    if (options.varList !== undefined) {
      varList = options.varList;
      for (const v of varList) {
        if (!(v instanceof Tensor) || v.graph !== g || v.def.kind !== 'variable') {
          throw new GraphError(
            `minimize: varList entries must be variables of the loss's graph, got '${String(v)}'`,
          );
        }
      }
      if (new Set(varList).size !== varList.length) {
        throw new GraphError('minimize: a variable is listed twice in varList');
      }
    } else {
      const used = dependsOn(loss);
      varList = g.trainableVariables().filter((v) => used.has(v.id));
    }
    if (varList.length === 0) {
      throw new GraphError(`minimize: '${loss.name}' depends on no trainable variable`);
    }
    const gradients = g.gradients(loss, varList);
    return g.addOperation(this.type, loss, varList, gradients, this);
  }

  /** @internal Initial scalar state (e.g. Adam's β powers). */
  initialScalars(): number[] {
    return [];
  }

  /** @internal Names of the scalar state entries, in order. */
  scalarNames(): readonly string[] {
    return [];
  }

  /** @internal One step for one variable (see `UpdateRule.update`). */
  abstract update(...step: Parameters<UpdateRule['update']>): void;

  /** @internal After every variable of a step: advances the scalar state in place. */
  finishStep(_scalars: Float64Array): void {}
}

/** Tensor ids the tensor depends on (through inputs and derivative variables). */
function dependsOn(t: Tensor): Set<number> {
  const seen = new Set<number>();
  const stack = [t];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    stack.push(...dependencies(n));
  }
  return seen;
}

function positive(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
    throw new InvalidArgumentError(`${what} must be a finite positive number, got ${describe(x)}`);
  }
  return x;
}

function inUnit(x: unknown, what: string): number {
  if (typeof x !== 'number' || !(x >= 0 && x < 1)) {
    throw new InvalidArgumentError(`${what} must be in [0, 1), got ${describe(x)}`);
  }
  return x;
}

/**
 * Plain gradient descent: θ ← θ − lr·g (TF1 `GradientDescentOptimizer`).
 *
 * @example
 * ```ts
 * const train = new GradientDescentOptimizer({ learningRate: 0.1 }).minimize(L);
 * ```
 */
export class GradientDescentOptimizer extends Optimizer {
  readonly type = 'GradientDescent';
  readonly slotNames: readonly string[] = [];

  constructor(options: { learningRate: LearningRate }) {
    super(optionsOf(options, 'GradientDescentOptimizer').learningRate, 'GradientDescentOptimizer');
  }

  update(
    lr: number,
    theta: Float64Array,
    grad: Float64Array,
    _s: unknown,
    _c: unknown,
    out: Float64Array,
  ): void {
    for (let i = 0; i < theta.length; i++) out[i] = theta[i] - grad[i] * lr;
  }
}

/**
 * Momentum (TF1 `MomentumOptimizer`): a ← μ·a + g, then θ ← θ − lr·a, or with
 * `useNesterov`, θ ← θ − (lr·g + lr·μ·a) (as TF's kernel: `g*lr + a*μ*lr`).
 *
 * @example
 * ```ts
 * new MomentumOptimizer({ learningRate: 0.05, momentum: 0.9, useNesterov: true }).minimize(L);
 * ```
 */
export class MomentumOptimizer extends Optimizer {
  readonly type = 'Momentum';
  readonly slotNames: readonly string[] = ['momentum'];
  readonly momentum: number;
  readonly useNesterov: boolean;

  constructor(options: { learningRate: LearningRate; momentum: number; useNesterov?: boolean }) {
    const o = optionsOf(options, 'MomentumOptimizer');
    super(o.learningRate, 'MomentumOptimizer');
    this.momentum = inUnit(o.momentum, 'MomentumOptimizer: momentum');
    const nesterov = o.useNesterov ?? false;
    if (typeof nesterov !== 'boolean') {
      throw new InvalidArgumentError('MomentumOptimizer: useNesterov must be a boolean');
    }
    this.useNesterov = nesterov;
  }

  update(
    lr: number,
    theta: Float64Array,
    grad: Float64Array,
    [accum]: readonly Float64Array[],
    _c: Float64Array,
    out: Float64Array,
    [outAccum]: readonly Float64Array[],
  ): void {
    const mu = this.momentum;
    for (let i = 0; i < theta.length; i++) {
      const a = accum[i] * mu + grad[i];
      outAccum[i] = a;
      out[i] = this.useNesterov ? theta[i] - (grad[i] * lr + a * mu * lr) : theta[i] - a * lr;
    }
  }
}

/**
 * Adam with TF1's update (`AdamOptimizer`; defaults learningRate 0.001, β1 0.9, β2 0.999,
 * ε 1e-8). Per step t (β powers kept as state, multiplied by β after each step, as TF):
 * lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ); m ← m + (g − m)(1 − β1); v ← v + (g² − v)(1 − β2);
 * θ ← θ − lr_t·m/(√v + ε).
 *
 * @example
 * ```ts
 * const trainOp = new AdamOptimizer({ learningRate: 0.01 }).minimize(L);
 * ```
 */
export class AdamOptimizer extends Optimizer {
  readonly type = 'Adam';
  readonly slotNames: readonly string[] = ['m', 'v'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(
    options: { learningRate?: LearningRate; beta1?: number; beta2?: number; epsilon?: number } = {},
  ) {
    const o = optionsOf(options, 'AdamOptimizer');
    super(o.learningRate ?? 0.001, 'AdamOptimizer');
    this.beta1 = inUnit(o.beta1 ?? 0.9, 'AdamOptimizer: beta1');
    this.beta2 = inUnit(o.beta2 ?? 0.999, 'AdamOptimizer: beta2');
    this.epsilon = positive(o.epsilon ?? 1e-8, 'AdamOptimizer: epsilon');
  }

  override initialScalars(): number[] {
    return [this.beta1, this.beta2];
  }

  override scalarNames(): readonly string[] {
    return ['beta1Power', 'beta2Power'];
  }

  update(
    lr: number,
    theta: Float64Array,
    grad: Float64Array,
    [m, v]: readonly Float64Array[],
    scalars: Float64Array,
    out: Float64Array,
    [outM, outV]: readonly Float64Array[],
  ): void {
    const b1 = this.beta1;
    const b2 = this.beta2;
    const eps = this.epsilon;
    const lrT = (lr * Math.sqrt(1 - scalars[1])) / (1 - scalars[0]);
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i];
      const mi = m[i] + (g - m[i]) * (1 - b1);
      const vi = v[i] + (g * g - v[i]) * (1 - b2);
      outM[i] = mi;
      outV[i] = vi;
      out[i] = theta[i] - (mi * lrT) / (Math.sqrt(vi) + eps);
    }
  }

  override finishStep(scalars: Float64Array): void {
    scalars[0] *= this.beta1;
    scalars[1] *= this.beta2;
  }
}
