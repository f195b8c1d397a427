// Properties of differentiation over random smooth expressions: agreement with finite
// differences, grad ≡ diff per variable, second derivatives ≡ differences of first
// derivatives, and symmetric Hessians.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, grad, hessian, jacobian } from '../../src/diff/diff.js';
import { evaluate, freeSymbols } from '../../src/expr/index.js';
import { arbPoint, arbSafeExpr } from '../arbitrary.js';
import { partialByDifferences } from '../fd.js';

const VARS = ['x', 'y', 'z'];

/** Agreement up to FD truncation/rounding error, scaled by the function's magnitude. */
function agrees(exact: number, approx: number, scale: number): boolean {
  if (!Number.isFinite(exact) || !Number.isFinite(approx)) return true;
  return Math.abs(exact - approx) <= 1e-5 * Math.max(1, Math.abs(exact), scale);
}

describe('diff agrees with finite differences', () => {
  it('first derivatives', () => {
    fc.assert(
      fc.property(
        arbSafeExpr({ variables: VARS }),
        fc.constantFrom(...VARS),
        arbPoint(VARS),
        (f, v, p) => {
          const fp = evaluate(f, p);
          if (!Number.isFinite(fp) || Math.abs(fp) > 1e8) return;
          const exact = evaluate(diff(f, v), p);
          const fd = partialByDifferences(f, v, p);
          expect(
            agrees(exact, fd, Math.abs(fp)),
            `d/d${v} ${String(f)} at ${JSON.stringify(p)}`,
          ).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('second derivatives agree with differences of first derivatives', () => {
    fc.assert(
      fc.property(
        arbSafeExpr({ variables: VARS }),
        fc.constantFrom(...VARS),
        arbPoint(VARS),
        (f, v, p) => {
          const d1 = diff(f, v);
          const d1p = evaluate(d1, p);
          if (!Number.isFinite(d1p) || Math.abs(d1p) > 1e8) return;
          const exact = evaluate(diff(f, v, 2), p);
          const fd = partialByDifferences(d1, v, p);
          expect(agrees(exact, fd, Math.abs(d1p))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('grad, jacobian and hessian', () => {
  it('grad agrees with diff for every variable (numerically)', () => {
    fc.assert(
      fc.property(arbSafeExpr({ variables: VARS }), arbPoint(VARS), (f, p) => {
        const g = grad(f, VARS);
        VARS.forEach((v, i) => {
          const a = evaluate(g[i], p);
          const b = evaluate(diff(f, v), p);
          if (Number.isFinite(a) || Number.isFinite(b)) {
            expect(Math.abs(a - b)).toBeLessThanOrEqual(
              1e-9 * Math.max(1, Math.abs(a), Math.abs(b)),
            );
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('grad defaults to the sorted free symbols', () => {
    fc.assert(
      fc.property(arbSafeExpr({ variables: VARS }), (f) => {
        expect(grad(f)).toEqual(grad(f, freeSymbols(f)));
      }),
      { numRuns: 100 },
    );
  });

  it('hessian is symmetric and agrees with diff∘diff', () => {
    fc.assert(
      fc.property(arbSafeExpr({ variables: VARS, maxDepth: 2 }), arbPoint(VARS), (f, p) => {
        const h = hessian(f, VARS);
        for (let i = 0; i < VARS.length; i++) {
          for (let j = 0; j < VARS.length; j++) {
            expect(h[i][j]).toBe(h[j][i]);
            const a = evaluate(h[i][j], p);
            const b = evaluate(diff(diff(f, VARS[i]), VARS[j]), p);
            if (Number.isFinite(a) && Number.isFinite(b)) {
              expect(Math.abs(a - b)).toBeLessThanOrEqual(
                1e-8 * Math.max(1, Math.abs(a), Math.abs(b)),
              );
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('jacobian rows are gradients', () => {
    fc.assert(
      fc.property(
        fc.array(arbSafeExpr({ variables: VARS }), { minLength: 1, maxLength: 3 }),
        (fs) => {
          expect(jacobian(fs, VARS)).toEqual(fs.map((f) => grad(f, VARS)));
        },
      ),
      { numRuns: 50 },
    );
  });
});
