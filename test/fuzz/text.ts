/**
 * Hostile text for the parser: grammar pieces and their near misses (unbalanced
 * parentheses, operators at the ends, primes, superscripts, backquoted names with escapes,
 * unicode, control characters, huge literals), valid expressions with a few edits, and
 * size families (the same shape at any length) for the linear-time check.
 */
import fc from 'fast-check';
import { format } from '../../src/expr/format.js';
import { arbExpr, HOSTILE_NAMES } from '../arbitrary.js';

/** Pieces of text, by kind; each is either valid in some context or a near miss of one. */
export const PIECES = {
  number: [
    '0',
    '1',
    '2',
    '10',
    '007',
    '0.5',
    '.5',
    '5.',
    '.',
    '1e3',
    '1E-3',
    '2.5e+10',
    '1e',
    '1e+',
    '1e-',
    '1.2.3',
    '0x1F',
    '1_000',
    '1,5',
    '1e4000',
    '1e4001',
    '1e-4001',
    '9'.repeat(400),
    `0.${'0'.repeat(300)}1`,
    '١٢',
    '１',
    '½',
    'Infinity',
    'NaN',
  ],
  name: [
    'x',
    'y',
    'z',
    'w1',
    'x_0',
    '_',
    'θ',
    'pi',
    'e',
    'E',
    'π',
    'sin',
    'cos',
    'atan2',
    'log',
    'ln',
    'sqrt',
    'sigmoid',
    'heaviside',
    'min',
    'f',
    'g',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'undefined',
    'é',
    'x\u0301',
    '日本',
    '𝑥',
    'ℋ',
  ],
  backquoted: [
    '`a b`',
    '`a\\`b`',
    '`\\\\`',
    '`\\n`',
    '`\\x`',
    '`\\`',
    '``',
    '`',
    '`x',
    '`\u0000`',
    '`\uD800`',
    '`sin`',
    '`e`',
    '`2`',
    '`)`',
  ],
  operator: ['+', '-', '*', '/', '^', '**', '·', '×', '÷', '−', '⋅', '***', '//', '^^', '+-', '--'],
  group: ['(', ')', '(', ')', '[', ']', '{', '}', ',', ';', '()', '(,)'],
  prime: ["'", "''", "'''", "'[1]", "'[1,2]", "'[2,1]", "'[0]", "'[]", "'[1", "'[-1]", "'[1.5]"],
  superscript: ['²', '³', '¹', '⁰', '⁻', '⁺', '⁻¹', '¹⁰', '⁽', '⁾', 'ⁿ', '⁴⁵⁶⁷⁸⁹', '²²'],
  space: [' ', '  ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u200b', '\ufeff', '\u3000'],
  control: ['\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\u202e'],
  odd: ['\uD800', '\uDC00', '😀', '$', '#', '%', '&', '~', '!', '?', '@', '"', '..', '=', '\\'],
} as const;

const WEIGHTS: Record<keyof typeof PIECES, number> = {
  number: 5,
  name: 6,
  backquoted: 1,
  operator: 6,
  group: 6,
  prime: 1,
  superscript: 1,
  space: 2,
  control: 1,
  odd: 1,
};

/** One piece, most often the grammar's own. */
export const arbPiece: fc.Arbitrary<string> = fc.oneof(
  ...Object.entries(PIECES).map(([kind, list]) => ({
    weight: WEIGHTS[kind as keyof typeof PIECES],
    arbitrary: fc.constantFrom(...list),
  })),
);

/** Strings of grammar pieces: mostly nonsense that gets past the lexer. */
export const arbPieces: fc.Arbitrary<string> = fc
  .array(arbPiece, { minLength: 1, maxLength: 24 })
  .map((xs) => xs.join(''));

/** Edits of a text: insert, delete, replace, duplicate a span, truncate, wrap, swap. */
type Edit =
  | { readonly kind: 'insert' | 'replace'; readonly at: number; readonly piece: string }
  | { readonly kind: 'delete' | 'truncate' | 'duplicate'; readonly at: number; readonly to: number }
  | { readonly kind: 'wrap'; readonly open: string; readonly close: string };

const arbEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insert', 'replace'), at: fc.nat(), piece: arbPiece }),
  fc.record({
    kind: fc.constantFrom('delete', 'truncate', 'duplicate'),
    at: fc.nat(),
    to: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('wrap'),
    open: fc.constantFrom('(', 'sin(', 'f(', "f'(", '-', '(-', 'log(', '`'),
    close: fc.constantFrom(')', '', '))', ')^2', '²', ', x)', ')(', "'"),
  }),
);

/** Applies edits to a text (positions taken modulo its length). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let s = text;
  for (const e of edits) {
    const i = e.kind === 'wrap' ? 0 : e.at % (s.length + 1);
    switch (e.kind) {
      case 'insert':
        s = s.slice(0, i) + e.piece + s.slice(i);
        break;
      case 'replace':
        s = s.slice(0, i) + e.piece + s.slice(i + 1);
        break;
      case 'delete':
        s = s.slice(0, i) + s.slice(i + 1 + (e.to % 3));
        break;
      case 'truncate':
        s = s.slice(0, i);
        break;
      case 'duplicate': {
        const j = Math.min(s.length, i + (e.to % 12));
        s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
        break;
      }
      case 'wrap':
        s = `${e.open}${s}${e.close}`;
        break;
    }
  }
  return s;
}

/** Valid expressions as `format` writes them (hostile names included), then a few edits. */
export const arbNearMiss: fc.Arbitrary<string> = fc
  .tuple(
    arbExpr({
      maxDepth: 3,
      variables: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('x', 'y', 'θ', 'w_1') },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
      ),
    }),
    fc.array(arbEdit, { minLength: 0, maxLength: 3 }),
  )
  .map(([e, edits]) => applyEdits(format(e), edits));

/** Any text at all: random code points, lone surrogates and controls included. */
export const arbAnyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(..."()^*+-/,[]'`\\²⁻ .e1x"), maxLength: 40 }),
);

const part = (n: number, d: number): number => Math.floor(n / d);

/** `term(2) op term(3) op …`, about n characters long. */
function fractions(n: number, term: (k: number) => string, op: string): string {
  const terms: string[] = [];
  for (let len = 0, k = 2; len < n; k++) {
    const t = term(k);
    terms.push(t);
    len += t.length + op.length;
  }
  return terms.join(op);
}

/**
 * Families of inputs of any length n (in characters, roughly): deep nesting, long chains,
 * huge literals, long names, runs of one character. Parsing each must take time linear in
 * n (give or take a logarithm), whether it parses or fails.
 */
export const SIZE_FAMILIES: Readonly<Record<string, (n: number) => string>> = {
  'nested parentheses': (n) => `${'('.repeat(part(n, 2))}x${')'.repeat(part(n, 2))}`,
  'unclosed parentheses': (n) => `${'('.repeat(n)}x`,
  'unmatched closing parentheses': (n) => `x${')'.repeat(n)}`,
  'nested calls sin(sin(…))': (n) => `${'sin('.repeat(part(n, 5))}x${')'.repeat(part(n, 5))}`,
  'nested unknown calls f(f(…))': (n) => `${'f('.repeat(part(n, 3))}x${')'.repeat(part(n, 3))}`,
  'nested sqrt': (n) => `${'sqrt('.repeat(part(n, 6))}x${')'.repeat(part(n, 6))}`,
  'power tower x^x^…': (n) => Array(part(n, 2)).fill('x').join('^'),
  'nested powers (x^(x^…2))': (n) => `${'(x^'.repeat(part(n, 4))}2${')'.repeat(part(n, 4))}`,
  'unary minus run': (n) => `${'-'.repeat(n)}x`,
  'unary plus run': (n) => `${'+'.repeat(n)}x`,
  'negated parentheses -(-(…))': (n) => `${'-('.repeat(part(n, 3))}x${')'.repeat(part(n, 3))}`,
  'long sum of distinct symbols': (n) =>
    Array.from({ length: part(n, 6) }, (_, i) => `x${i}`).join('+'),
  'long sum of one symbol': (n) => Array(part(n, 2)).fill('x').join('+'),
  'long product': (n) => Array(part(n, 2)).fill('x').join('*'),
  'long quotient chain': (n) => Array(part(n, 2)).fill('x').join('/'),
  'long difference chain': (n) => Array(part(n, 2)).fill('x').join('-'),
  'many arguments f(x, x, …)': (n) => `f(${Array(part(n, 2)).fill('x').join(',')})`,
  'many derivative indices': (n) => `f'[${Array(part(n, 2)).fill('1').join(',')}](x)`,
  'many primes': (n) => `f${"'".repeat(n)}(x)`,
  'long integer literal': (n) => '9'.repeat(n),
  'long decimal literal': (n) => `0.${'3'.repeat(n)}`,
  'long identifier': (n) => 'x'.repeat(n),
  'long backquoted name with escapes': (n) => `\`${'a\\`'.repeat(part(n, 3))}\``,
  'unterminated backquote': (n) => `\`${'a'.repeat(n)}`,
  'superscript run': (n) => `x${'²'.repeat(n)}`,
  'whitespace run': (n) => `${' '.repeat(n)}x`,
  'control characters': (n) => '\u0000'.repeat(n),
  'integer product 2*2*…': (n) => Array(part(n, 2)).fill('2').join('*'),
  'numeric power tower 2^2^…': (n) => Array(part(n, 2)).fill('2').join('^'),
  'sum of distinct fractions 1/2 + 1/3 + …': (n) => fractions(n, (k) => `1/${k}`, '+'),
  'sum of like terms x/2 + x/3 + …': (n) => fractions(n, (k) => `x/${k}`, '+'),
  'product of fractions 1/2*3/4*…': (n) => fractions(n, (k) => `${2 * k - 3}/${2 * k - 2}`, '*'),
  'product of roots x^(1/2)*x^(1/3)*…': (n) => fractions(n, (k) => `x^(1/${k})`, '*'),
  'operators at the end': (n) => `${Array(part(n, 2)).fill('x').join('+')}+`,
  'alternating operators x+-*/^': (n) => `x${'+-*/^'.repeat(part(n, 5))}x`,
};
