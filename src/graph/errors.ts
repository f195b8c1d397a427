/**
 * Errors of the graph layer. Each is a `LeibnizError`, so one `instanceof` tells a user
 * mistake (a bad shape, a missing feed, a corrupt checkpoint) from a bug; each names the
 * tensor, placeholder, variable or file involved.
 */
import { describe, LeibnizError } from '../expr/index.js';

/**
 * Base class of the graph layer's errors (itself a `LeibnizError`).
 *
 * @example
 * ```ts
 * try { sess.run(t); } catch (e) { if (e instanceof GraphError) console.log(e.message); }
 * ```
 */
export class GraphError extends LeibnizError {
  override name = 'GraphError';
}

/**
 * Shapes that do not fit an op: found when the graph is built (or, for dimensions left
 * open with `null`, when the feeds arrive). The message names the op and both shapes.
 *
 * @example
 * ```ts
 * g.matmul(g.placeholder('x', [null, 3]), g.variable('w', [4, 2]));
 * // ShapeError: MatMul: inner dimensions differ: [null, 3] × [4, 2]
 * ```
 */
export class ShapeError extends GraphError {
  override name = 'ShapeError';
}

/**
 * A feed is missing, unknown, malformed or of the wrong shape. `placeholder` names the
 * placeholder concerned.
 *
 * @example
 * ```ts
 * sess.run(L, { y: ys }); // FeedError: missing feed for placeholder 'x' (shape [null]), …
 * ```
 */
export class FeedError extends GraphError {
  override name = 'FeedError';
  constructor(
    message: string,
    readonly placeholder: string,
  ) {
    super(message);
  }
}

/**
 * A variable was read before `initialize()` or `restore()` gave it a value.
 *
 * @example
 * ```ts
 * new Session(g).run(w); // UninitializedVariableError: variable 'w' is not initialised: …
 * ```
 */
export class UninitializedVariableError extends GraphError {
  override name = 'UninitializedVariableError';
  readonly variable: string;
  constructor(variable: string) {
    // An error must construct whatever it is given: a name that is not a string is described.
    const name = typeof variable === 'string' ? variable : describe(variable);
    super(
      `variable '${name}' is not initialised: run session.initialize() or session.restore(path) first`,
    );
    this.variable = name;
  }
}

/**
 * Training met a non-finite value: the loss, a gradient or an updated variable. The
 * variables and optimizer slots keep their last finite values. `step` is the global step
 * that failed (the first step is 1); `variable` names the variable (or the loss tensor).
 *
 * @example
 * ```ts
 * try { sess.run(trainOp, feeds); } catch (e) {
 *   if (e instanceof NonFiniteError) console.log(e.step, e.variable); // 12 'layer1/W'
 * }
 * ```
 */
export class NonFiniteError extends GraphError {
  override name = 'NonFiniteError';
  constructor(
    message: string,
    readonly step: number,
    readonly variable: string,
  ) {
    super(message);
  }
}

/**
 * A checkpoint could not be written, or could not be restored: missing, truncated,
 * corrupt, of another format version, or not matching the graph. A failed restore leaves
 * every variable as it was.
 *
 * @example
 * ```ts
 * sess.restore('model.ckpt.json'); // CheckpointError: checkpoint 'model.ckpt.json': corrupt: …
 * ```
 */
export class CheckpointError extends GraphError {
  override name = 'CheckpointError';
}
