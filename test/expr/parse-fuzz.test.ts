import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  add,
  call,
  derivativeCall,
  div,
  E,
  mul,
  neg,
  num,
  PI,
  pow,
  sub,
  sym,
} from '../../src/expr/build.js';
import { ParseError } from '../../src/expr/errors.js';
import { Expr } from '../../src/expr/node.js';
import { parse } from '../../src/expr/parse.js';
import { ratFromDecimal } from '../../src/expr/rational.js';

const RUNS = 2000;

/** `parse` returns an Expr or throws a well-formed ParseError; anything else fails. */
function parsesOrFailsCleanly(text: string): void {
  let result: unknown;
  try {
    result = parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    const pe = err as ParseError;
    expect(pe.reason).not.toMatch(/^internal error/);
    expect(pe.offset).toBeGreaterThanOrEqual(0);
    expect(pe.offset).toBeLessThanOrEqual(text.length);
    return;
  }
  expect(result).toBeInstanceOf(Expr);
}

/** Pieces of the grammar, so random strings get past the lexer and exercise the parser. */
const GRAMMAR_PIECES = [
  ...'0123456789',
  ..."xye.()+-*/^,[]'`\\ ",
  '**',
  'sin',
  'log',
  'sqrt',
  'atan2',
  'pi',
  'f',
  "f'",
  "'[1]",
  '[1,2]',
  'e-',
  'E+',
  '²',
  '³',
  '⁻',
  '¹',
  '·',
  '×',
  '−',
  '÷',
  'θ',
  '\t',
  '\n',
  '#',
];

/** Valid inputs, mutated by the third property. */
const SEEDS = [
  '2x^2 + 3 sin(x) - 1/x',
  "f'[1,2](x, y) * g''(x²)",
  'log(x, 2) + ln(x) - sqrt(x·y)',
  '-x^-y^2 / (1 + e^x)',
  '`my var` + 2.5e-3 θ',
  'atan2(y, x) ** 2 − x⁻¹',
  "((a + b) * (c - d))^(1/2) + h'(t)",
  '2pi * r + .5 x³',
];

const mutation = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace'),
  at: fc.nat(),
  piece: fc.constantFrom(...GRAMMAR_PIECES),
});

function mutate(
  text: string,
  edits: readonly { kind: string; at: number; piece: string }[],
): string {
  let s = text;
  for (const { kind, at, piece } of edits) {
    const i = s.length === 0 ? 0 : at % (s.length + 1);
    if (kind === 'insert') s = s.slice(0, i) + piece + s.slice(i);
    else if (kind === 'delete') s = s.slice(0, i) + s.slice(i + 1);
    else s = s.slice(0, i) + piece + s.slice(i + 1);
  }
  return s;
}

describe('parse never throws anything but ParseError', () => {
  test('the seeds of the mutation property are valid', () => {
    for (const seed of SEEDS) expect(parse(seed)).toBeInstanceOf(Expr);
  });

  test('random grapheme strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), parsesOrFailsCleanly), {
      numRuns: RUNS,
    });
  });

  test('random strings over the grammar characters', () => {
    const unit = fc.constantFrom(...GRAMMAR_PIECES);
    fc.assert(fc.property(fc.string({ unit, maxLength: 30 }), parsesOrFailsCleanly), {
      numRuns: RUNS,
    });
  });

  test('mutated valid inputs', () => {
    const input = fc
      .tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }))
      .map(([seed, edits]) => mutate(seed, edits));
    fc.assert(fc.property(input, parsesOrFailsCleanly), { numRuns: RUNS });
  });
});

// ---------------------------------------------------------------------------------------
// Random well-formed expressions, written out in full parentheses, against the builders.

interface Sample {
  readonly text: string;
  readonly build: () => Expr;
}

const names = fc.constantFrom('x', 'y', 'θ', 'w1', 'x_0');

const leaf: fc.Arbitrary<Sample> = fc.oneof(
  names.map((n) => ({ text: n, build: () => sym(n) })),
  fc.nat(1000).map((n) => ({ text: String(n), build: () => num(n) })),
  fc
    .tuple(fc.nat(99), fc.nat(999), fc.integer({ min: -5, max: 5 }))
    .map(([i, frac, exp]) => `${i}.${frac}e${exp}`)
    .map((t) => ({ text: t, build: () => num(ratFromDecimal(t)) })),
  fc.constantFrom<Sample>(
    { text: 'pi', build: () => PI },
    { text: 'e', build: () => E },
    { text: '`e`', build: () => sym('e') },
    { text: '`sin`', build: () => sym('sin') },
  ),
  fc
    .tuple(fc.integer({ min: 1, max: 99 }), names)
    .map(([k, n]) => ({ text: `${k}${n}`, build: () => mul(k, sym(n)) })),
);

const { expr } = fc.letrec<{ expr: Sample }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(fc.constantFrom('+', '-', '*', '/', '^', '**'), tie('expr'), tie('expr'))
      .map(([op, l, r]): Sample => {
        const build = {
          '+': () => add(l.build(), r.build()),
          '-': () => sub(l.build(), r.build()),
          '*': () => mul(l.build(), r.build()),
          '/': () => div(l.build(), r.build()),
          '^': () => pow(l.build(), r.build()),
          '**': () => pow(l.build(), r.build()),
        }[op]!;
        return { text: `(${l.text}) ${op} (${r.text})`, build };
      }),
    tie('expr').map((u): Sample => ({ text: `-(${u.text})`, build: () => neg(u.build()) })),
    tie('expr').map((u): Sample => ({ text: `(${u.text})²`, build: () => pow(u.build(), 2) })),
    fc
      .tuple(fc.constantFrom('sin', 'exp', 'log', 'sqrt', 'ln', 'abs', 'f', 'g'), tie('expr'))
      .map(
        ([name, u]): Sample => ({ text: `${name}(${u.text})`, build: () => call(name, u.build()) }),
      ),
    fc.tuple(fc.constantFrom('atan2', 'log', 'max', 'f'), tie('expr'), tie('expr')).map(
      ([name, u, v]): Sample => ({
        text: `${name}(${u.text}, ${v.text})`,
        build: () => call(name, u.build(), v.build()),
      }),
    ),
    fc.tuple(tie('expr'), tie('expr'), fc.constantFrom(1, 2)).map(
      ([u, v, i]): Sample => ({
        text: `h'[${i}](${u.text}, ${v.text})`,
        build: () => derivativeCall('h', [u.build(), v.build()], [i - 1]),
      }),
    ),
  ),
}));

describe('parse agrees with the builders', () => {
  test('fully parenthesized random expressions', () => {
    fc.assert(
      fc.property(expr, ({ text, build }) => {
        expect(parse(text)).toBe(build());
      }),
      { numRuns: RUNS },
    );
  });
});
