// toString needs no registration: importing only the builders is enough to print.
import { expect, it } from 'vitest';
import { add, mul, sym } from '../../src/expr/build.js';

it('String(expr) prints the expression with only the builders imported', () => {
  expect(String(add(mul(2, sym('x')), sym('y')))).toBe('2*x + y');
  expect(`${sym('w1')}`).toBe('w1');
});
