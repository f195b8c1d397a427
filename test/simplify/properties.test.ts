import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { add, mul, num } from '../../src/expr/build.js';
import { postorder } from '../../src/expr/dag.js';
import { rat } from '../../src/expr/rational.js';
import {
  compareCost,
  EXP_LOG_RULES,
  EXPAND_LOG_RULES,
  FACTOR_RULES,
  FINISH_RULES,
  ML_RULES,
  NUMBER_RULES,
  PARITY_RULES,
  POWER_RULES,
  type Rule,
  rewrite,
  SIGMOID_RULES,
  simplify,
  TRIG_CONTRACT_RULES,
  TRIG_RULES,
  treeWeight,
} from '../../src/simplify/index.js';
import { contentOutWeight } from '../../src/simplify/measure.js';
import { arbExpr, arbSafeExpr } from '../arbitrary.js';
import {
  arbContract,
  arbExpBalance,
  arbExpLog,
  arbMl,
  arbNumbers,
  arbParity,
  arbPower,
  arbQuotients,
  arbRational,
  arbTrig,
  type Shaped,
} from './arb.js';
import { agreeAt, arbGridPoint } from './check.js';

const VARS = ['x', 'y', 'z'];
const everywhere = arbGridPoint(VARS, -3, 3);
const positivePoints = arbGridPoint(VARS, 1e-3, 3);
/** Random expressions without unknown functions (they have no value to compare). */
const arbEvaluable = arbExpr().filter((e) => !postorder(e).some((n) => n.op === 'call'));
const RUNS = { numRuns: 100 };

/**
 * The value at random points does not change when only `rules` rewrite, and where the
 * input is defined the output is too; on inputs where nothing undefined can cancel, the
 * output is not defined where the input is not (guards hold).
 */
function preservesValue(
  rules: readonly Rule[],
  arb: Shaped,
  points: fc.Arbitrary<Record<string, number>>,
  assume?: { positive?: string[]; nonnegative?: string[] },
): void {
  for (const [inputs, extension] of [
    [arb.simple, true],
    [arb.mixed, false],
  ] as const) {
    fc.assert(
      fc.property(inputs, fc.array(points, { minLength: 3, maxLength: 3 }), (e, envs) => {
        const r = rewrite(e, rules, { assume });
        for (const env of envs) {
          if (!agreeAt(e, r, env, { extension })) {
            throw new Error(`${String(e)} → ${String(r)} differs at ${JSON.stringify(env)}`);
          }
        }
      }),
      RUNS,
    );
  }
}

describe('every rule set preserves the value at random points', () => {
  test('power', () => preservesValue(POWER_RULES, arbPower, everywhere));
  test('power, nonnegative symbols', () =>
    preservesValue(POWER_RULES, arbPower, positivePoints, { nonnegative: VARS }));
  test('parity', () => preservesValue(PARITY_RULES, arbParity, everywhere));
  test('exp-log', () => preservesValue(EXP_LOG_RULES, arbExpLog, everywhere));
  test('exp-log, positive symbols', () =>
    preservesValue(EXP_LOG_RULES, arbExpLog, positivePoints, { positive: VARS }));
  test('expand-log', () => preservesValue(EXPAND_LOG_RULES, arbExpLog, everywhere));
  test('expand-log, positive symbols', () =>
    preservesValue(EXPAND_LOG_RULES, arbExpLog, positivePoints, { positive: VARS }));
  test('trig', () => preservesValue(TRIG_RULES, arbTrig, everywhere));
  test('ml', () => preservesValue(ML_RULES, arbMl, everywhere));
  test('sigmoid', () => preservesValue(SIGMOID_RULES, arbMl, everywhere));
  test('factor', () => preservesValue(FACTOR_RULES, arbRational(['x', 'y']), everywhere));
  test('factor, one variable', () => preservesValue(FACTOR_RULES, arbRational(['x']), everywhere));
  test('factor: reciprocal exponentials, radicals, trigonometric quotients', () =>
    preservesValue(FACTOR_RULES, arbQuotients, everywhere));
  test('trig-contract', () => preservesValue(TRIG_CONTRACT_RULES, arbContract, everywhere));
  test('numbers', () => preservesValue(NUMBER_RULES, arbNumbers, everywhere));
  test('power, roots of numbers and products', () =>
    preservesValue(POWER_RULES, arbNumbers, everywhere));
  test('exp-log, exact logarithms', () => preservesValue(EXP_LOG_RULES, arbNumbers, everywhere));
  test('finish', () => preservesValue(FINISH_RULES, arbRational(['x', 'y']), everywhere));
  test('finish: exponentials over eᵛ ± 1', () =>
    preservesValue(FINISH_RULES, arbExpBalance, everywhere));
});

describe('simplify (all default rules)', () => {
  const shaped = fc.oneof(
    ...[
      arbTrig,
      arbParity,
      arbPower,
      arbExpLog,
      arbMl,
      arbRational(['x', 'y']),
      arbContract,
      arbNumbers,
      arbQuotients,
      arbExpBalance,
    ].map((s) => s.mixed),
  );

  test('preserves the value of shaped and random expressions', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, arbSafeExpr(), arbEvaluable), everywhere, (e, env) => {
        const s = simplify(e);
        if (!agreeAt(e, s, env))
          throw new Error(`${String(e)} → ${String(s)} differs at ${JSON.stringify(env)}`);
      }),
      { numRuns: 400 },
    );
  });

  test('preserves the value under positivity assumptions at positive points', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, arbSafeExpr()), positivePoints, (e, env) => {
        const s = simplify(e, { assume: { positive: VARS } });
        if (!agreeAt(e, s, env))
          throw new Error(`${String(e)} → ${String(s)} differs at ${JSON.stringify(env)}`);
      }),
      { numRuns: 300 },
    );
  });

  test('is never larger than its input (with its numbers in lowest terms: √8 is 2√2)', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, arbExpr()), (e) => {
        const s = simplify(e);
        const input = rewrite(e, NUMBER_RULES);
        expect(compareCost(s, input)).toBeLessThanOrEqual(0);
        expect(treeWeight(s)).toBeLessThanOrEqual(treeWeight(input));
      }),
      { numRuns: 300 },
    );
  });

  test('is idempotent on its own output', () => {
    fc.assert(
      fc.property(shaped, (e) => {
        const s = simplify(e);
        expect(simplify(s)).toBe(s);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the size measure', () => {
  test('weighing a sum with its content taken out matches building it', () => {
    fc.assert(
      fc.property(arbRational(['x', 'y']).mixed, fc.constantFrom(2, 3, -2, 1 / 2), (e, k) => {
        const sum = e.op === 'add' ? e : undefined;
        fc.pre(sum !== undefined);
        const c = rat(BigInt(Math.round(k * 2)), 2n);
        const built = mul(
          num(c),
          add(...sum!.args.map((t) => mul(t, num({ num: c.den, den: c.num })))),
        );
        fc.pre(built.op === 'mul' && built.args.length === 2 && built.args[1].op === 'add');
        expect(contentOutWeight(sum!.args, c)).toBe(treeWeight(built));
      }),
      { numRuns: 200 },
    );
  });
});
