/**
 * Failures the fuzz suite found in code other helpers own right now (code generation,
 * printing, simplification), written down precisely so that `npm test` stays green while
 * they are fixed: the default suite skips exactly these cases; FUZZ_KNOWN=1 runs them (and
 * known-failures.test.ts replays each reproduction).
 */

import type { Expr } from '../../src/expr/node.js';

/** A known failure of compiled derivatives: which expressions, points and order. */
export interface KnownFailure {
  readonly description: string;
  /** 'imprecise': a finite but inaccurate result; 'not finite': NaN or ±∞ as well. */
  readonly kind: 'imprecise' | 'not finite';
  matches(e: Expr, at: number, order: 1 | 2): boolean;
}

export const KNOWN_COMPILED_FAILURES: readonly KnownFailure[] = [
  {
    // −2·x·(x² + 1)⁻² (atan″) at x = 1.8e308: −2·x overflows, times 0 is NaN. The interpreter
    // returns the exact 0 of a product of finite factors with a zero; compiled code does not.
    description: 'compileHessian is NaN at ±Number.MAX_VALUE (a finite product with a 0)',
    kind: 'not finite',
    matches: (_, at, order) => order === 2 && Math.abs(at) === Number.MAX_VALUE,
  },
];

/** The kind of known failure compiled code has for `e` at `at` (order 1 or 2), if any. */
export function knownCompiledFailure(
  e: Expr,
  at: number,
  order: 1 | 2,
): KnownFailure['kind'] | undefined {
  const hits = KNOWN_COMPILED_FAILURES.filter((k) => k.matches(e, at, order));
  if (hits.length === 0) return undefined;
  return hits.some((k) => k.kind === 'not finite') ? 'not finite' : 'imprecise';
}

// Printing (format.ts, latex.ts): an expression whose text is longer than a JavaScript
// string can be (the derivative of a 2·10⁴-deep sin(cos(…)) prints 2·10⁸ nodes) makes
// format, toLatex, String and JSON.stringify throw a raw RangeError; the deep-expression
// fuzz prints only what fits. Reproduction: known-failures.test.ts.

/**
 * Exports (and methods) that throw raw errors on some wrong-type arguments, in code owned
 * by others right now, with a reproduction each. The wrong-type fuzz skips them by default.
 */
export const KNOWN_UNTYPED: ReadonlyMap<string, string> = new Map<string, string>([
  // None left: every export and method answers wrong kinds of argument with a LeibnizError.
]);
