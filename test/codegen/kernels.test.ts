// The function table's kernel column: well formed (arities, arguments), read by the value
// IR (a function is applied as its kernel), and compiled code computes what the interpreter
// does for every function — at ordinary points and at NaN, ±0 and ±∞.
import { describe, expect, it } from 'vitest';
import { JS_PRIMITIVES } from '../../src/codegen/emit/js.js';
import { compile } from '../../src/codegen/index.js';
import { IrBuilder } from '../../src/codegen/ir.js';
import {
  call,
  FUNCTION_NAMES,
  FUNCTIONS,
  functionInfo,
  KERNEL_PRIMITIVES,
  type Kernel,
  NUMERIC_FUNCTIONS,
  NUMERIC_KERNELS,
  PRIMITIVE_FLOATS,
  sym,
} from '../../src/expr/index.js';

/** The primitives and argument indices a kernel uses. */
function walk(k: Kernel, prims: Set<string>, args: Set<number>): void {
  if ('arg' in k) args.add(k.arg);
  else if ('op' in k) {
    prims.add(k.op);
    const arity = Object.hasOwn(KERNEL_PRIMITIVES, k.op)
      ? KERNEL_PRIMITIVES[k.op as keyof typeof KERNEL_PRIMITIVES]
      : k.op === 'neg'
        ? 1
        : 2;
    expect(k.args.length, `${k.op} takes ${arity} argument(s)`).toBe(arity);
    for (const a of k.args) walk(a, prims, args);
  }
}

const EDGES = [Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, -1];
const POINTS = [...EDGES, 0.3, -0.7, 2.5, -3.25, 1e-8, 40, -800, 1e300];

describe('kernel column', () => {
  it('every kernel uses its function’s arguments and the primitives with their arities', () => {
    for (const name of FUNCTION_NAMES) {
      const prims = new Set<string>();
      const args = new Set<number>();
      walk(FUNCTIONS[name].kernel, prims, args);
      expect(
        [...args].every((a) => a < functionInfo(name).arity),
        name,
      ).toBe(true);
      expect(args.size, `${name} uses each argument`).toBe(functionInfo(name).arity);
    }
  });

  it('a function named like a primitive is that primitive (apply is unambiguous)', () => {
    for (const name of FUNCTION_NAMES) {
      if (!Object.hasOwn(KERNEL_PRIMITIVES, name)) continue;
      const ir = new IrBuilder();
      const args = [ir.input('x', 0), ir.input('x', 1)].slice(0, functionInfo(name).arity);
      const node = ir.apply(name, args);
      expect(node.op, name).toBe(name);
      expect(node.args).toEqual(args);
    }
  });

  it('expression kernels expand into the IR and share their parts (sec(u) = 1/cos(u))', () => {
    const ir = new IrBuilder();
    const u = ir.input('x', 0);
    const sec = ir.apply('sec', [u]);
    expect(sec.op).toBe('prod');
    expect(sec.den).toBe(1);
    expect(sec.args[0]).toBe(ir.apply('cos', [u]));
    expect(ir.apply('sec', [u])).toBe(sec);
  });

  it('compiled code ≡ the interpreter for every function, edges included', () => {
    for (const name of FUNCTION_NAMES) {
      const binary = functionInfo(name).arity === 2;
      const [x, y] = [sym('x'), sym('y')];
      const f = compile(binary ? call(name, x, y) : call(name, x), [x, y]);
      for (const a of POINTS) {
        for (const b of binary ? POINTS : [0]) {
          const got = f(a, b);
          const want = binary ? NUMERIC_FUNCTIONS[name](a, b) : NUMERIC_FUNCTIONS[name](a);
          // The compiled sigmoid is branch-free 1/(1 + e^−x); the interpreter's kernel
          // branches on the sign: the same to an ulp or two.
          const ok =
            Object.is(got, want) ||
            (name === 'sigmoid' && Math.abs(got - want) <= 4 * Number.EPSILON * Math.abs(want));
          expect(ok, `${name}(${a}${binary ? `, ${b}` : ''}): ${got} ≠ ${want}`).toBe(true);
        }
      }
    }
  });
});

describe('kernel primitives: JavaScript text ≡ the interpreter', () => {
  const EDGE_GRID = [...POINTS, 0.95, -0.95, 19, -19, 710, -745].flatMap((a) =>
    [0, -0, 1, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, -2.5, 40].map((b) => [a, b]),
  );
  for (const name of Object.keys(KERNEL_PRIMITIVES) as (keyof typeof KERNEL_PRIMITIVES)[]) {
    it(name, () => {
      const text = JS_PRIMITIVES[name].text(['a', 'b']);
      const f = new Function('softplus', 'erf', 'erfc', `return (a, b) => ${text};`)(
        NUMERIC_KERNELS.softplus,
        NUMERIC_KERNELS.erf,
        NUMERIC_KERNELS.erfc,
      ) as (a: number, b: number) => number;
      const g = PRIMITIVE_FLOATS[name];
      for (const [a, b] of EDGE_GRID) {
        const got = f(a, b);
        const want = KERNEL_PRIMITIVES[name] === 1 ? g(a) : g(a, b);
        // sigmoid: the compiled form is branch-free, within an ulp or two of the kernel, and
        // differs only below 1e-307 (where the kernel keeps subnormal digits).
        const ok =
          Object.is(got, want) ||
          (Number.isFinite(got) &&
            (Math.abs(got - want) <= 4 * Number.EPSILON * Math.abs(want) ||
              Math.abs(got - want) < 1e-307));
        expect(ok, `${name}(${a}, ${b}): ${got} vs ${want}`).toBe(true);
      }
    });
  }
});
