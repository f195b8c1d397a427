// Text fuzz: random and hostile text into `parse`. Only a ParseError may come out (with a
// sane offset, never an "internal error"); what parses must print and parse back to the
// same node; and the time to parse a family of inputs grows linearly with their length.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeibnizError, ParseError } from '../../src/expr/errors.js';
import { format } from '../../src/expr/format.js';
import { toLatex } from '../../src/expr/latex.js';
import { Expr } from '../../src/expr/node.js';
import { parse } from '../../src/expr/parse.js';
import { runs, Tally } from './config.js';
import { arbAnyText, arbNearMiss, arbPieces, SIZE_FAMILIES } from './text.js';

const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/** Per input; generous (inputs here are under a few hundred characters, parsed in µs). */
const BUDGET_MS = 1000;

/**
 * Parses `text` and checks everything that must hold, whatever the text: a ParseError with
 * an offset inside the input, or an expression that round-trips through `format` (and
 * prints as LaTeX and JSON without a raw error). Returns what happened, for the tally.
 */
function checkText(text: string): 'parsed' | 'rejected' {
  const started = performance.now();
  let e: Expr;
  try {
    e = parse(text);
  } catch (err) {
    expect(err, `parse(${JSON.stringify(text)}) threw ${String(err)}`).toBeInstanceOf(ParseError);
    const pe = err as ParseError;
    expect(pe.reason, JSON.stringify(text)).not.toMatch(/internal error/);
    expect(pe.offset).toBeGreaterThanOrEqual(0);
    expect(pe.offset).toBeLessThanOrEqual(text.length);
    expect(pe.column).toBeGreaterThanOrEqual(1);
    // Three lines (reason, input, caret) and nothing a terminal would act on.
    const lines = pe.message.split('\n');
    expect(lines, JSON.stringify(pe.message)).toHaveLength(3);
    for (const line of lines) expect(line, JSON.stringify(line)).not.toMatch(UNPRINTABLE);
    return 'rejected';
  } finally {
    expect(performance.now() - started, JSON.stringify(text)).toBeLessThan(BUDGET_MS);
  }
  expect(e).toBeInstanceOf(Expr);
  const printed = format(e);
  expect(parse(printed), `${JSON.stringify(text)} printed as ${JSON.stringify(printed)}`).toBe(e);
  expect(parse(JSON.parse(JSON.stringify(e)) as string)).toBe(e);
  expect(parse(String(e))).toBe(e);
  try {
    expect(typeof toLatex(e)).toBe('string');
  } catch (err) {
    expect(err, `toLatex(parse(${JSON.stringify(text)}))`).toBeInstanceOf(LeibnizError);
  }
  return 'parsed';
}

describe('hostile text: ParseError or a round trip, nothing else', () => {
  const cases: Array<[string, fc.Arbitrary<string>, number]> = [
    ['grammar pieces and near misses of them', arbPieces, 1500],
    ['valid expressions with a few edits', arbNearMiss, 1000],
    ['any text (code points, graphemes, grammar characters)', arbAnyText, 1000],
  ];
  for (const [name, arbitrary, base] of cases) {
    it(name, () => {
      const tally = new Tally(`text: ${name}`);
      fc.assert(
        fc.property(arbitrary, (text) => {
          tally.add(checkText(text));
        }),
        { numRuns: runs(base) },
      );
      const counts = tally.report();
      // The generators are meant to reach both outcomes often.
      expect(counts.parsed ?? 0).toBeGreaterThan(runs(base) / 50);
      expect(counts.rejected ?? 0).toBeGreaterThan(runs(base) / 50);
    });
  }

  it('fixed hostile inputs', () => {
    const inputs = [
      '',
      ' ',
      '\u0000',
      '(',
      ')',
      '()',
      '+',
      'x+',
      '*x',
      'x^',
      '^x',
      '2^^3',
      'x**',
      '**x',
      'sin',
      'sin()',
      'sin(x,)',
      'sin(,x)',
      'f()',
      'f(,)',
      "f'",
      "f'[",
      "f'[]",
      "f'[0](x)",
      "f'[2](x)",
      "f'[1,](x,y)",
      "x'",
      "sin'(x)",
      "(x)'",
      '`',
      '``',
      '`\\',
      '`\\`',
      '`a\\qb`',
      '²',
      'x²²',
      'x⁻',
      'x⁻⁻1',
      '⁻¹x',
      '1e',
      '1e+',
      '1e99999999999999999999',
      '1e-99999999999999999999',
      `${'9'.repeat(1_000_001)}`,
      '0.',
      '.',
      '..5',
      '1..2',
      '\uD800',
      'x\uDC00',
      '\u202ex',
      'x\u2028y',
      'x⁺\n+',
      'x⁻\u001b[31m',
      '`a\nb``c`',
      '2 `\u0000`',
      '\uDB40\uDC01 + (',
      'x + \uDB40\uDC01 )',
      "(2^`a\nb`'",
      '`\u0000`()x',
      "`a\u001bb`''[1](x, y)",
      '`f\nf`(x, y, z)',
      'log(x, 2, 3)',
      'atan2(x)',
      'e(x)',
      'pi(x)',
      '2 3',
      'x y',
      '(x)(y)',
      'x 2',
      '__proto__(x)',
      'constructor',
      'toString(x)',
      'hasOwnProperty',
      'valueOf(x, y)',
    ];
    const tally = new Tally('text: fixed hostile inputs');
    for (const text of inputs) tally.add(checkText(text));
    tally.report();
  });
});

describe('error messages found by the text fuzz', () => {
  const messageOf = (text: string): string => {
    try {
      parse(text);
    } catch (err) {
      return (err as ParseError).message;
    }
    throw new Error(`${JSON.stringify(text)} parsed`);
  };

  it('name control characters by code point instead of printing them', () => {
    expect(messageOf('x⁺\n+')).toBe("bad superscript '⁺U+000A' at 2:\n  x⁺ +\n   ^");
    expect(messageOf('x⁻\u001b[31m')).toMatch(/^bad superscript '⁻U\+001B' at 2:\n {2}x⁻ \[31m\n/);
  });

  it('keep the caret under the token after an unprintable astral character', () => {
    // U+E0001 is two UTF-16 units and one column; it shows as one space.
    expect(messageOf('\uDB40\uDC01 x)')).toBe('unexpected character U+E0001 at 1:\n    x)\n  ^');
    expect(messageOf('`\uDB40\uDC01` + )')).toBe("unexpected ')' at 7:\n  `\u0020` + )\n        ^");
  });
});

/**
 * Milliseconds `f` takes: the minimum over `reps` runs, so that a collection pause in one
 * run does not count as the input's cost.
 */
function timeOf(f: () => void, reps: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const parseOrReject = (text: string): void => {
  try {
    parse(text);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    expect(err.reason).not.toMatch(/internal error/);
  }
};

/**
 * Families whose exact numbers grow with the input (1/2 + 1/3 + … has a numerator of ~n
 * digits): bigint arithmetic on them is quadratic in the digits, so these may take 100 times
 * as long for 10·n (the fold that was found, one term at a time, was cubic: 1000 times).
 */
const EXACT_ARITHMETIC: ReadonlySet<string> = new Set([
  'sum of distinct fractions 1/2 + 1/3 + …',
  'sum of like terms x/2 + x/3 + …',
  'product of fractions 1/2*3/4*…',
  'product of roots x^(1/2)*x^(1/3)*…',
  'integer product 2*2*…',
  'numeric power tower 2^2^…',
]);

describe('no hang: parsing time grows linearly with the length of the input', () => {
  // Ten times the length may take ten times as long (or a little more: collection, caches);
  // a quadratic parser takes a hundred times as long. The small size is timed at its best of
  // five; the large one up to five times before it counts as a failure.
  const small = 4000 * Math.min(Math.max(1, Math.round(Math.sqrt(runs(1)))), 3);
  const FLOOR_MS = 1;
  for (const [family, make] of Object.entries(SIZE_FAMILIES)) {
    const RATIO = EXACT_ARITHMETIC.has(family) ? 100 : 40;
    it(`${family} (${small} and ${10 * small} characters)`, () => {
      const a = make(small);
      const b = make(10 * small);
      parseOrReject(a); // warm up
      const ta = Math.max(
        timeOf(() => parseOrReject(a), 5),
        FLOOR_MS,
      );
      // A collection pause or a busy machine can slow one run: retry before failing.
      let tb = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 5 && tb >= RATIO * ta; attempt++) {
        tb = Math.min(
          tb,
          timeOf(() => parseOrReject(b), 1),
        );
      }
      const tally = new Tally(`text: size family ${family}`);
      tally.add('size families timed');
      tally.measure(`time ratio, 10× the length (limit ${RATIO})`, tb / ta);
      tally.report();
      expect(
        tb,
        `${family}: ${a.length} chars in ${ta.toFixed(1)} ms, ${b.length} in ${tb.toFixed(1)} ms`,
      ).toBeLessThan(RATIO * ta);
    });
  }
});

// 10⁵ levels in the large run; 2·10⁴ by default (10⁵ costs seconds per family).
const depth = runs(1) >= 5 ? 100_000 : 20_000;

describe(`deep nesting (${depth}) parses and round-trips, without overflowing the stack`, () => {
  const deep: Array<[string, string]> = [
    ['parentheses (10⁵)', `${'('.repeat(100_000)}x${')'.repeat(100_000)}`],
    ['sin(sin(…))', `${'sin('.repeat(depth)}x${')'.repeat(depth)}`],
    ['-(-(…))', `${'-('.repeat(depth)}x${')'.repeat(depth)}`],
    ['x^x^…', Array(depth).fill('x').join('^')],
    ['f(f(…))', `${'f('.repeat(depth)}x${')'.repeat(depth)}`],
  ];
  for (const [name, text] of deep) {
    it(name, () => {
      const e = parse(text);
      expect(parse(format(e))).toBe(e);
      expect(typeof toLatex(e)).toBe('string');
    });
  }
});
