// Wrong-type arguments: every export of src/index.ts (enumerated, so a new export is covered
// the day it is added), and every method of the exported classes and objects, called with
// the wrong kinds of value in each position — undefined, null, numbers for strings, strings
// for arrays, objects, symbols, bigints, NaN, functions … — must work or throw a
// LeibnizError; never a raw TypeError, RangeError or SyntaxError from deep inside.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { RUN_KNOWN, runs, Tally } from './config.js';
import { KNOWN_UNTYPED } from './known.js';

const x = api.parse('x^2*y + sin(x)');

/** Values of the wrong kind (for some position of some function). */
const WRONG: readonly unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x+',
  ')',
  '`',
  'x',
  Symbol('s'),
  10n,
  true,
  {},
  { op: 'num' },
  { x: 'not a number' },
  [],
  [1, 2],
  [undefined],
  ['x', 'x'],
  [null],
  () => 1,
  new Map([['x', Number.NaN]]),
  new Float64Array(1),
  Object.create(null),
  new Proxy(
    {},
    {
      get() {
        throw new api.InvalidArgumentError('proxy');
      },
    },
  ),
];

/**
 * Plausible values for the other positions, so that the wrong one is reached: an
 * expression, its text, variables, an environment or a point, a vector, options.
 */
const PLAUSIBLE: readonly (readonly unknown[])[] = [
  [x, ['x', 'y'], { x: 1, y: 2 }],
  ['x^2 + y', 'x', 2],
  [[x, api.parse('x*y')], ['x', 'y'], { data: ['x'], params: ['y'] }],
  [x, [api.sym('x'), api.sym('y')], [1, 2]],
];

type Outcome = 'returned' | 'typed error';

/** Calls `f`; a non-Leibniz error fails with the call spelled out. */
function attempt(label: string, args: readonly unknown[], f: () => unknown): Outcome | string {
  try {
    const result = f();
    // Lazily failing results (an iterator, a promise) are not expected from this API.
    expect(result instanceof Promise).toBe(false);
    return 'returned';
  } catch (err) {
    if (err instanceof api.LeibnizError) return 'typed error';
    const shown = args.map((a) => (typeof a === 'symbol' ? 'Symbol()' : describeValue(a)));
    return `${label}(${shown.join(', ')}) threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  }
}

function describeValue(a: unknown): string {
  if (typeof a === 'function') return 'function';
  if (typeof a === 'bigint') return `${a}n`;
  if (a instanceof api.Expr) return `Expr<${a.toString()}>`;
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return 'an object that throws when read';
  }
}

/** Argument lists with one wrong value: alone, and in each of three positions. */
function* wrongCalls(): Generator<readonly unknown[]> {
  for (const w of WRONG) {
    yield [w];
    for (const plausible of PLAUSIBLE) {
      for (let p = 0; p < 3; p++) {
        const args = plausible.slice(0, Math.max(p + 1, 2));
        args[p] = w;
        yield args;
      }
    }
  }
}

type Callable = (...args: unknown[]) => unknown;

/** Every callable to fuzz: exported functions, constructors, methods of exported objects and of instances. */
function callables(): Array<{ name: string; call: (args: readonly unknown[]) => unknown }> {
  const out: Array<{ name: string; call: (args: readonly unknown[]) => unknown }> = [];
  const methodsOf = (owner: string, target: object): void => {
    let proto: object | null = target;
    const seen = new Set<string>();
    const builtIn = [Object.prototype, Array.prototype, Function.prototype];
    while (proto !== null && !builtIn.includes(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === 'constructor' || seen.has(key)) continue;
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (typeof d?.value !== 'function') continue;
        seen.add(key);
        out.push({
          name: `${owner}.${key}`,
          call: (args) => (d.value as Callable).apply(target, [...args]),
        });
      }
      proto = Object.getPrototypeOf(proto);
    }
  };
  for (const [name, value] of Object.entries(api)) {
    if (typeof value === 'function') {
      const isClass = /^class\b/.test(Function.prototype.toString.call(value));
      if (isClass) {
        const C = value as unknown as new (...args: unknown[]) => unknown;
        out.push({ name: `new ${name}`, call: (args) => new C(...args) });
      } else out.push({ name, call: (args) => (value as Callable)(...args) });
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      methodsOf(name, value);
    }
  }
  // Methods of instances that the API hands out.
  methodsOf('Expr', x);
  methodsOf('Derivation', api.derivation(x, 'x'));
  methodsOf('StableForms', new api.StableForms());
  methodsOf('SignOracle', new api.SignOracle());
  methodsOf('Rule', api.DEFAULT_RULES[0]);
  methodsOf('compile(...)', api.compile(x, ['x', 'y']));
  methodsOf('compileGradient(...)', api.compileGradient(x, ['x', 'y']));
  // Compiled functions themselves take numbers and arrays: wrong ones must be typed errors.
  const compiled: Record<string, Callable> = {
    'compile(...)': api.compile(x, ['x', 'y']) as Callable,
    'compile(..., vector)': api.compile(x, ['x', 'y'], { input: 'vector' }) as Callable,
    'compileGradient(...)': api.compileGradient(x, ['x', 'y']) as Callable,
    'compileHessian(...)': api.compileHessian(x, ['x', 'y']) as Callable,
    'compileHessianVector(...)': api.compileHessianVector(x, ['x', 'y']) as Callable,
    'compileBatch(...)': api.compileBatch(x, { data: ['x'], params: ['y'] }) as Callable,
  };
  for (const [name, f] of Object.entries(compiled)) out.push({ name, call: (args) => f(...args) });
  return out;
}

describe('every export, wrong kinds of argument: a LeibnizError or a result', () => {
  const all = callables();

  it('the exports are enumerated (and the list of known failures names real ones)', () => {
    expect(all.length).toBeGreaterThan(100);
    const names = new Set(all.map((c) => c.name));
    for (const known of KNOWN_UNTYPED.keys()) expect(names, known).toContain(known);
  });

  for (const { name, call } of all) {
    const known = KNOWN_UNTYPED.get(name);
    const label = known === undefined ? name : `${name} (known: ${known})`;
    it.skipIf(known !== undefined && !RUN_KNOWN)(label, () => {
      const tally = new Tally(`wrong types: ${name}`);
      const failures = new Set<string>();
      for (const args of wrongCalls()) {
        const outcome = attempt(name, args, () => call(args));
        if (outcome === 'returned' || outcome === 'typed error') tally.add(outcome);
        else if (!failures.has(outcome)) {
          failures.add(outcome);
          tally.fail(outcome);
        }
      }
      // And arbitrary values, for what the fixed list did not think of.
      fc.assert(
        fc.property(
          fc.array(fc.anything({ withBigInt: true, withMap: true }), { maxLength: 3 }),
          (args) => {
            const outcome = attempt(name, args, () => call(args));
            if (outcome === 'returned' || outcome === 'typed error') tally.add(outcome);
            else if (!failures.has(outcome)) {
              failures.add(outcome);
              tally.fail(outcome);
            }
          },
        ),
        { numRuns: runs(30) },
      );
      tally.report();
      expect([...failures].slice(0, 5).join('\n')).toBe('');
    });
  }
});
