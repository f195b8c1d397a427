/**
 * `checkGradient`: the compiled gradient against central finite differences of the
 * compiled value, like `torch.autograd.gradcheck` — for checking a model end to end.
 */
import {
  type ExprInput,
  InvalidArgumentError,
  optionsOf,
  toExpression,
  type Variable,
} from '../expr/index.js';
import { compile } from './function.js';
import { compileGradient } from './gradient.js';
import { symbolsOf } from './programs/common.js';

/** Tolerances of `checkGradient`: a component passes when |error| ≤ atol + rtol·|numeric|. */
export interface GradientCheckOptions {
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-7). */
  readonly atol?: number;
}

/** One partial derivative: analytic (compiled) against numeric (central difference). */
export interface GradientCheckComponent {
  readonly variable: string;
  readonly analytic: number;
  readonly numeric: number;
  /** |analytic − numeric|. */
  readonly absError: number;
  /** |analytic − numeric| / max(|analytic|, |numeric|), 0 when both are 0. */
  readonly relError: number;
  readonly ok: boolean;
}

/** The report of `checkGradient`. */
export interface GradientCheck {
  /** f at the point. */
  readonly value: number;
  readonly components: readonly GradientCheckComponent[];
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** True when every component passes (NaN in either derivative fails). */
  readonly ok: boolean;
}

const H_SCALE = Math.cbrt(Number.EPSILON);

/**
 * Compares the compiled gradient of `expr` at `point` (values in the order of `variables`,
 * or a record by name) with central differences, step h = ε^(1/3)·max(1, |xᵢ|) (the step
 * that balances truncation and rounding error; expect agreement to ~1e-8 relative).
 *
 * @example
 * ```ts
 * const r = checkGradient(parse('sin(x*y)'), ['x', 'y'], [0.3, 2]);
 * r.ok; r.maxRelError; // true, ~1e-10
 * ```
 */
export function checkGradient(
  input: ExprInput,
  variables: readonly Variable[],
  point: ArrayLike<number> | Readonly<Record<string, number>>,
  options?: GradientCheckOptions,
): GradientCheck {
  const { rtol = 1e-5, atol = 1e-7 } = optionsOf(options, 'checkGradient');
  const expr = toExpression(input, 'checkGradient');
  const vars = symbolsOf(variables, 'checkGradient');
  const n = vars.length;
  const x = new Float64Array(n);
  if (typeof point !== 'object' || point === null) {
    throw new InvalidArgumentError(
      'checkGradient: the point must be an array of numbers or a record by variable name',
    );
  }
  if (typeof (point as ArrayLike<number>).length === 'number') {
    const p = point as ArrayLike<number>;
    if (p.length !== n)
      throw new InvalidArgumentError(`checkGradient: the point needs ${n} values`);
    for (let i = 0; i < n; i++) x[i] = p[i];
  } else {
    const rec = point as Readonly<Record<string, number>>;
    vars.forEach((v, i) => {
      const value = Object.hasOwn(rec, v.name!) ? rec[v.name!] : undefined;
      if (typeof value !== 'number')
        throw new InvalidArgumentError(`checkGradient: no value for '${v.name}'`);
      x[i] = value;
    });
  }
  const f = compile(expr, vars, { input: 'vector' });
  const fg = compileGradient(expr, vars);
  const g = new Float64Array(n);
  const value = fg(x, g);
  const components: GradientCheckComponent[] = [];
  let maxAbsError = 0;
  let maxRelError = 0;
  let ok = true;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const h = H_SCALE * Math.max(1, Math.abs(xi));
    x[i] = xi + h;
    const up = f(x);
    x[i] = xi - h;
    const down = f(x);
    x[i] = xi;
    // (xi + h) − (xi − h) is the step actually taken, which differs from 2h by rounding.
    const numeric = (up - down) / (xi + h - (xi - h));
    const analytic = g[i];
    const absError = Math.abs(analytic - numeric);
    const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
    const relError = scale === 0 ? 0 : absError / scale;
    const pass = absError <= atol + rtol * Math.abs(numeric);
    components.push({ variable: vars[i].name!, analytic, numeric, absError, relError, ok: pass });
    // NaN-propagating maxima: a NaN component must not look like a pass.
    if (!(absError <= maxAbsError) && !Number.isNaN(maxAbsError)) maxAbsError = absError;
    if (!(relError <= maxRelError) && !Number.isNaN(maxRelError)) maxRelError = relError;
    ok &&= pass;
  }
  return { value, components, maxAbsError, maxRelError, ok };
}
