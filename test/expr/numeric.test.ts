import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  erf,
  erfc,
  heaviside,
  NUMERIC_KERNEL_DEPENDENCIES,
  NUMERIC_KERNELS,
  type NumericKernelName,
  relu,
  sigmoid,
  softplus,
} from '../../src/expr/numeric.js';

/** Relative error; an exact-zero reference demands an exact zero. */
function relErr(got: number, want: number): number {
  if (want === 0) return Math.abs(got);
  return Math.abs((got - want) / want);
}

/**
 * [x, erf(x), erfc(x)]: references are the float64 roundings of mpmath values computed at
 * 300-bit precision for the exact double x (generated once with Python 3 + mpmath).
 */
const ERF_GOLDEN: ReadonlyArray<readonly [number, number, number]> = [
  [-30, -1, 2],
  [-28, -1, 2],
  [-27, -1, 2],
  [-26.5, -1, 2],
  [-26, -1, 2],
  [-25, -1, 2],
  [-20, -1, 2],
  [-15, -1, 2],
  [-12, -1, 2],
  [-10, -1, 2],
  [-9, -1, 2],
  [-8, -1, 2],
  [-7, -1, 2],
  [-6.5, -1, 2],
  [-6, -1, 2],
  [-5.999999999999999, -1, 2],
  [-5.9, -0.9999999999999999, 2],
  [-5, -0.9999999999984626, 1.9999999999984626],
  [-4, -0.9999999845827421, 1.999999984582742],
  [-3.5, -0.9999992569016276, 1.9999992569016276],
  [-3, -0.9999779095030014, 1.9999779095030015],
  [-2.8572, -0.9999467060575912, 1.9999467060575913],
  [-2.857142857142857, -0.9999466876886117, 1.9999466876886116],
  [-2.857, -0.9999466417399131, 1.9999466417399132],
  [-2.5, -0.999593047982555, 1.999593047982555],
  [-2, -0.9953222650189527, 1.9953222650189528],
  [-1.5, -0.9661051464753108, 1.9661051464753108],
  [-1.25, -0.9229001282564583, 1.9229001282564582],
  [-1.2499999999999998, -0.9229001282564582, 1.9229001282564582],
  [-1.2, -0.9103139782296353, 1.9103139782296354],
  [-1, -0.8427007929497149, 1.8427007929497148],
  [-0.9, -0.7969082124228322, 1.7969082124228322],
  [-0.84375, -0.7672256612323416, 1.7672256612323416],
  [-0.8437499999999999, -0.7672256612323416, 1.7672256612323416],
  [-0.75, -0.7111556336535151, 1.7111556336535152],
  [-0.51, -0.5292436198411704, 1.5292436198411705],
  [-0.5000000000000001, -0.5204998778130466, 1.5204998778130467],
  [-0.5, -0.5204998778130465, 1.5204998778130465],
  [-0.4999999999999999, -0.5204998778130464, 1.5204998778130465],
  [-0.49, -0.511668261188523, 1.511668261188523],
  [-0.3, -0.3286267594591274, 1.3286267594591274],
  [-0.25, -0.27632639016823696, 1.276326390168237],
  [-0.24999999999999997, -0.2763263901682369, 1.276326390168237],
  [-0.2, -0.22270258921047847, 1.2227025892104784],
  [-0.1, -0.1124629160182849, 1.1124629160182848],
  [-0.001, -0.0011283787909692365, 1.0011283787909693],
  [-1e-8, -1.1283791670955126e-8, 1.0000000112837917],
  [-3.725290298461914e-9, -4.203539964167448e-9, 1.00000000420354],
  [-3.7252902984619132e-9, -4.203539964167447e-9, 1.00000000420354],
  [-1e-20, -1.1283791670955125e-20, 1],
  [-1e-300, -1.1283791670955126e-300, 1],
  [0, 0, 1],
  [1e-300, 1.1283791670955126e-300, 1],
  [1e-20, 1.1283791670955125e-20, 1],
  [3.7252902984619132e-9, 4.203539964167447e-9, 0.99999999579646],
  [3.725290298461914e-9, 4.203539964167448e-9, 0.99999999579646],
  [1e-8, 1.1283791670955126e-8, 0.9999999887162083],
  [0.001, 0.0011283787909692365, 0.9988716212090307],
  [0.1, 0.1124629160182849, 0.887537083981715],
  [0.2, 0.22270258921047847, 0.7772974107895215],
  [0.24999999999999997, 0.2763263901682369, 0.7236736098317631],
  [0.25, 0.27632639016823696, 0.7236736098317631],
  [0.3, 0.3286267594591274, 0.6713732405408726],
  [0.49, 0.511668261188523, 0.4883317388114769],
  [0.4999999999999999, 0.5204998778130464, 0.47950012218695354],
  [0.5, 0.5204998778130465, 0.4795001221869535],
  [0.5000000000000001, 0.5204998778130466, 0.47950012218695337],
  [0.51, 0.5292436198411704, 0.4707563801588296],
  [0.75, 0.7111556336535151, 0.28884436634648486],
  [0.8437499999999999, 0.7672256612323416, 0.23277433876765843],
  [0.84375, 0.7672256612323416, 0.23277433876765838],
  [0.9, 0.7969082124228322, 0.20309178757716786],
  [1, 0.8427007929497149, 0.15729920705028513],
  [1.2, 0.9103139782296353, 0.08968602177036464],
  [1.2499999999999998, 0.9229001282564582, 0.07709987174354183],
  [1.25, 0.9229001282564583, 0.07709987174354177],
  [1.5, 0.9661051464753108, 0.033894853524689274],
  [2, 0.9953222650189527, 0.004677734981047266],
  [2.5, 0.999593047982555, 0.0004069520174449589],
  [2.857, 0.9999466417399131, 5.3358260086846374e-5],
  [2.857142857142857, 0.9999466876886117, 5.3312311388322795e-5],
  [2.8572, 0.9999467060575912, 5.329394240879625e-5],
  [3, 0.9999779095030014, 2.209049699858544e-5],
  [3.5, 0.9999992569016276, 7.430983723414128e-7],
  [4, 0.9999999845827421, 1.541725790028002e-8],
  [5, 0.9999999999984626, 1.537459794428035e-12],
  [5.9, 0.9999999999999999, 7.190409783550478e-17],
  [5.999999999999999, 1, 2.1519736712499147e-17],
  [6, 1, 2.1519736712498913e-17],
  [6.5, 1, 3.8421483271206475e-20],
  [7, 1, 4.183825607779414e-23],
  [8, 1, 1.1224297172982926e-29],
  [9, 1, 4.13703174651381e-37],
  [10, 1, 2.088487583762545e-45],
  [12, 1, 1.3562611692059042e-64],
  [15, 1, 7.212994172451207e-100],
  [20, 1, 5.395865611607901e-176],
  [25, 1, 8.300172571196523e-274],
  [26, 1, 5.663192408856143e-296],
  [26.5, 1, 2.2109076642637343e-307],
  [27, 1, 5.23705e-319],
  [28, 1, 0],
  [30, 1, 0],
];

describe('erf / erfc golden values (mpmath reference)', () => {
  it.each(ERF_GOLDEN)('x = %s', (x, wantErf, wantErfc) => {
    expect(relErr(erf(x), wantErf)).toBeLessThan(2e-15);
    if (wantErfc !== 0 && Math.abs(wantErfc) < 2.2250738585072014e-308) {
      // Subnormal result (erfc(27)): only absolute accuracy of one subnormal step is possible.
      expect(Math.abs(erfc(x) - wantErfc)).toBeLessThanOrEqual(Number.MIN_VALUE);
    } else {
      expect(relErr(erfc(x), wantErfc)).toBeLessThan(2e-15);
    }
  });

  it('handles special values', () => {
    expect(erf(Number.NaN)).toBeNaN();
    expect(erfc(Number.NaN)).toBeNaN();
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
    expect(Object.is(erf(0), 0)).toBe(true);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erfc(0)).toBe(1);
    expect(erfc(-0)).toBe(1);
    expect(erf(1e308)).toBe(1);
    expect(erf(-1e308)).toBe(-1);
    expect(erfc(1e308)).toBe(0);
    expect(erfc(-1e308)).toBe(2);
  });

  it('keeps relative accuracy for subnormal arguments', () => {
    // erf(x) ~ 1.128 x; the result is a subnormal, so allow one subnormal step.
    const x = 1e-310;
    expect(Math.abs(erf(x) - 1.1283791670955e-310)).toBeLessThanOrEqual(Number.MIN_VALUE);
    expect(erf(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    expect(erf(-Number.MIN_VALUE)).toBe(-Number.MIN_VALUE);
  });
});

describe('erf / erfc properties', () => {
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
  const moderate = fc.double({ min: -10, max: 10, noNaN: true });

  it('erf is exactly odd', () => {
    fc.assert(
      fc.property(finite, (x) => {
        expect(Object.is(erf(-x), -erf(x))).toBe(true);
      }),
    );
  });

  it('erf(x) + erfc(x) = 1', () => {
    fc.assert(
      fc.property(moderate, (x) => {
        expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThanOrEqual(4e-16);
      }),
    );
  });

  it('erfc(-x) = 2 - erfc(x)', () => {
    fc.assert(
      fc.property(moderate, (x) => {
        expect(Math.abs(erfc(-x) - (2 - erfc(x)))).toBeLessThanOrEqual(1e-15);
      }),
    );
  });

  it('stays in range: |erf| <= 1, 0 <= erfc <= 2', () => {
    fc.assert(
      fc.property(finite, (x) => {
        expect(Math.abs(erf(x))).toBeLessThanOrEqual(1);
        const c = erfc(x);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('is monotonic on a dense grid', () => {
    const violations: number[] = [];
    const walk = (xs: readonly number[]): void => {
      for (let i = 1; i < xs.length; i++) {
        if (erf(xs[i]) < erf(xs[i - 1]) || erfc(xs[i]) > erfc(xs[i - 1])) violations.push(xs[i]);
      }
    };
    // Step 1e-3 over [-30, 30], covering every approximation interval.
    walk(Array.from({ length: 60001 }, (_, i) => (i - 30000) / 1000));
    // Across each breakpoint in steps of one or two ulps.
    for (const b of [0.25, 0.84375, 1.25, 1 / 0.35, 6, 26]) {
      for (const sgn of [1, -1]) {
        const xs = Array.from({ length: 129 }, (_, k) => sgn * (b + (k - 64) * Number.EPSILON * b));
        walk(sgn > 0 ? xs : xs.reverse());
      }
    }
    expect(violations).toEqual([]);
  });
});

describe('sigmoid', () => {
  // References: float64 roundings of mpmath 1/(1+exp(-x)).
  const cases: ReadonlyArray<readonly [number, number]> = [
    [-1000, 0],
    [-745, 5e-324],
    [-40, 4.248354255291589e-18],
    [-20, 2.0611536181902037e-9],
    [-1, 0.2689414213699951],
    [-0.5, 0.37754066879814546],
    [0, 0.5],
    [0.5, 0.6224593312018546],
    [1, 0.7310585786300049],
    [20, 0.9999999979388464],
    [40, 1],
    [745, 1],
    [1000, 1],
  ];
  it.each(cases)('sigmoid(%s)', (x, want) => {
    const got = sigmoid(x);
    expect(Number.isFinite(got)).toBe(true);
    expect(relErr(got, want)).toBeLessThan(2e-15);
  });

  it('handles extremes and NaN', () => {
    expect(sigmoid(Number.POSITIVE_INFINITY)).toBe(1);
    expect(sigmoid(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(sigmoid(-1e308)).toBe(0);
    expect(sigmoid(1e308)).toBe(1);
    expect(sigmoid(Number.NaN)).toBeNaN();
  });

  it('is in [0, 1] and satisfies sigmoid(x) + sigmoid(-x) = 1', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const s = sigmoid(x);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(Math.abs(s + sigmoid(-x) - 1)).toBeLessThanOrEqual(3e-16);
      }),
    );
  });
});

describe('softplus', () => {
  // References: float64 roundings of mpmath log1p(exp(x)).
  const cases: ReadonlyArray<readonly [number, number]> = [
    [-1000, 0],
    [-745, 5e-324],
    [-40, 4.248354255291589e-18],
    [-20, 2.061153620314381e-9],
    [-1, 0.3132616875182228],
    [-0.5, 0.4740769841801067],
    [0, Math.LN2],
    [0.5, 0.9740769841801067],
    [1, 1.3132616875182228],
    [20, 20.000000002061153],
    [40, 40],
    [745, 745],
    [1000, 1000],
  ];
  it.each(cases)('softplus(%s)', (x, want) => {
    const got = softplus(x);
    expect(Number.isFinite(got)).toBe(true);
    expect(got).toBeGreaterThanOrEqual(0);
    expect(relErr(got, want)).toBeLessThan(2e-15);
  });

  it('handles extremes and NaN', () => {
    expect(softplus(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(softplus(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(softplus(1e308)).toBe(1e308);
    expect(softplus(-1e308)).toBe(0);
    expect(softplus(Number.NaN)).toBeNaN();
  });

  it('is non-negative, >= max(x, 0), and softplus(x) - softplus(-x) = x', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const s = softplus(x);
        expect(s).toBeGreaterThanOrEqual(Math.max(x, 0));
        expect(Math.abs(s - softplus(-x) - x)).toBeLessThanOrEqual(
          4 * Number.EPSILON * Math.max(1, Math.abs(x)),
        );
      }),
    );
  });
});

describe('relu / heaviside', () => {
  it('relu', () => {
    expect(relu(3.5)).toBe(3.5);
    expect(relu(-2)).toBe(0);
    expect(Object.is(relu(-0), 0)).toBe(true);
    expect(relu(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(relu(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(relu(Number.NaN)).toBeNaN();
  });

  it("heaviside is the relu derivative with relu'(0) = 0", () => {
    expect(heaviside(Number.MIN_VALUE)).toBe(1);
    expect(heaviside(2)).toBe(1);
    expect(heaviside(0)).toBe(0);
    expect(heaviside(-0)).toBe(0);
    expect(heaviside(-3)).toBe(0);
    expect(heaviside(Number.POSITIVE_INFINITY)).toBe(1);
    expect(heaviside(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(heaviside(Number.NaN)).toBeNaN();
  });
});

describe('NUMERIC_KERNELS (embedded by source)', () => {
  const kernels: Record<NumericKernelName, (x: number) => number> = {
    erf,
    erfc,
    sigmoid,
    softplus,
    relu,
    heaviside,
  };
  const names = Object.keys(kernels) as NumericKernelName[];
  const probes = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0,
    -0,
    Number.MIN_VALUE,
    1e-300,
    1e-10,
    0.1,
    0.25,
    0.5,
    0.84375,
    1,
    1.25,
    2,
    1 / 0.35,
    3,
    5.5,
    6,
    10,
    26.2,
    27,
    28,
    40,
    745,
    1000,
  ].flatMap((x) => [x, -x]);

  /** Evaluates the kernel's source plus its declared dependencies in a fresh global scope. */
  function compile(name: NumericKernelName): (x: number) => number {
    const parts = [...NUMERIC_KERNEL_DEPENDENCIES[name], name].map(
      (n) => `const ${NUMERIC_KERNELS[n].name} = ${NUMERIC_KERNELS[n].toString()};`,
    );
    return new Function(
      `'use strict';\n${parts.join('\n')}\nreturn ${NUMERIC_KERNELS[name].name};`,
    )() as (x: number) => number;
  }

  it.each(names)('%s is a named function whose dependencies are kernels', (name) => {
    expect(NUMERIC_KERNELS[name]).toBe(kernels[name]);
    expect(NUMERIC_KERNELS[name].name).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
    for (const dep of NUMERIC_KERNEL_DEPENDENCIES[name]) expect(names).toContain(dep);
  });

  it.each(names)('%s compiled from source matches the exported function', (name) => {
    const compiled = compile(name);
    for (const x of probes) expect(Object.is(compiled(x), kernels[name](x))).toBe(true);
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(Object.is(compiled(x), kernels[name](x))).toBe(true);
      }),
    );
  });

  it('declares every dependency (erf needs erfc)', () => {
    const alone = new Function(`return ${NUMERIC_KERNELS.erf.toString()};`)() as (
      x: number,
    ) => number;
    expect(() => alone(2)).toThrow(ReferenceError);
  });
});
