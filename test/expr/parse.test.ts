import { describe, expect, test, vi } from 'vitest';
import {
  add,
  atan2,
  call,
  derivativeCall,
  div,
  E,
  exp,
  log,
  max,
  mul,
  neg,
  num,
  PI,
  pow,
  sin,
  sqrt,
  sub,
  sym,
} from '../../src/expr/build.js';
import { ParseError } from '../../src/expr/errors.js';
import type { Expr } from '../../src/expr/node.js';
import { parse } from '../../src/expr/parse.js';

const x = sym('x');
const y = sym('y');
const z = sym('z');
const a = sym('a');
const b = sym('b');
const c = sym('c');
const f = (...args: Expr[]): Expr => call('f', ...args);
const df = (args: Expr[], partials: number[]): Expr => derivativeCall('f', args, partials);

/** Golden table: input → the node the builders make (compared by identity: nodes are interned). */
const GOLDEN: ReadonlyArray<readonly [string, () => Expr]> = [
  // numbers, exact
  ['0', () => num(0)],
  ['42', () => num(42)],
  ['0.5', () => num(1n, 2n)],
  ['.5', () => num(1n, 2n)],
  ['5.', () => num(5)],
  ['0.1', () => num(1n, 10n)],
  ['1e-3', () => num(1n, 1000n)],
  ['2.5E+10', () => num(25_000_000_000)],
  ['1E3', () => num(1000)],
  ['2.e2', () => num(200)],
  ['007', () => num(7)],
  ['123456789012345678901234567890', () => num(123456789012345678901234567890n)],
  // `e` is an exponent only before a digit (after an optional sign)
  ['2e', () => mul(2, E)],
  ['2ex', () => mul(2, sym('ex'))],
  ['2e1x', () => mul(20, x)],
  ['2E', () => mul(2, sym('E'))],
  ['2e+x', () => add(mul(2, E), x)],
  ['2e-x', () => sub(mul(2, E), x)],
  ['1e-3x', () => mul(num(1n, 1000n), x)],
  // a 0 before x, b or o is a product unless a digit of that base follows
  ['0x', () => num(0)],
  ['0xy + 1', () => num(1)],
  ['0b + 1', () => num(1)],
  ['2_a', () => mul(2, sym('_a'))],
  // identifiers and constants
  ['x', () => x],
  ['θ', () => sym('θ')],
  ['σ', () => sym('σ')],
  ['w1', () => sym('w1')],
  ['x_0', () => sym('x_0')],
  ['_a', () => sym('_a')],
  ['Δx', () => sym('Δx')],
  ['sinx', () => sym('sinx')],
  ['ex', () => sym('ex')],
  ['Pi', () => sym('Pi')],
  ['pi', () => PI],
  ['e', () => E],
  ['π', () => sym('π')],
  // backquoted names: always symbols (or call names before `(`)
  ['`e`', () => sym('e')],
  ['`pi`', () => sym('pi')],
  ['`sin`', () => sym('sin')],
  ['`sqrt`', () => sym('sqrt')],
  ['`my var`', () => sym('my var')],
  ['`2x`', () => sym('2x')],
  ['`a\\`b`', () => sym('a`b')],
  ['`a\\\\b`', () => sym('a\\b')],
  ['`x + 1` + 1', () => add(sym('x + 1'), 1)],
  ['2`k`', () => mul(2, sym('k'))],
  ['`f`(x)', () => f(x)],
  ['`e`(x)', () => call('e', x)],
  ['`sin`(x)', () => sin(x)],
  ["`g h`'(x)", () => derivativeCall('g h', [x], [0])],
  // operators
  ['x + y', () => add(x, y)],
  ['x - y', () => sub(x, y)],
  ['x * y', () => mul(x, y)],
  ['x / y', () => div(x, y)],
  ['x ^ y', () => pow(x, y)],
  ['x ** y', () => pow(x, y)],
  ['-x', () => neg(x)],
  ['+x', () => x],
  ['--x', () => x],
  ['- - -x', () => neg(x)],
  ['+-+x', () => neg(x)],
  ['x·y', () => mul(x, y)],
  ['x×y', () => mul(x, y)],
  ['x⋅y', () => mul(x, y)],
  ['x−y', () => sub(x, y)],
  ['−x', () => neg(x)],
  ['x÷y', () => div(x, y)],
  ['x - -y', () => add(x, y)],
  ['x * -y', () => neg(mul(x, y))],
  ['1/0', () => pow(0, -1)],
  // superscripts: a power of the atom before them
  ['x²', () => pow(x, 2)],
  ['x³', () => pow(x, 3)],
  ['x⁻¹', () => pow(x, -1)],
  ['x¹⁰', () => pow(x, 10)],
  ['x⁰', () => num(1)],
  ['x⁺²', () => pow(x, 2)],
  ['x ²', () => pow(x, 2)],
  ['(x + 1)²', () => pow(add(x, 1), 2)],
  ['sin(x)²', () => pow(sin(x), 2)],
  ['2²', () => num(4)],
  ['x^3²', () => pow(x, 9)],
  ['-x²', () => neg(pow(x, 2))],
  ['2x²', () => mul(2, pow(x, 2))],
  ['x² + y²', () => add(pow(x, 2), pow(y, 2))],
  // precedence and associativity
  ['-x^2', () => neg(pow(x, 2))],
  ['-2^2', () => num(-4)],
  ['(-2)^2', () => num(4)],
  ['2^3^2', () => num(512)],
  ['x^y^z', () => pow(x, pow(y, z))],
  ['a/b*c', () => mul(div(a, b), c)],
  ['a/b/c', () => mul(a, pow(b, -1), pow(c, -1))],
  ['a-b-c', () => add(a, neg(b), neg(c))],
  ['a-(b-c)', () => add(a, neg(sub(b, c)))],
  ['a+b*c', () => add(a, mul(b, c))],
  ['(a+b)*c', () => mul(add(a, b), c)],
  ['a*b^c', () => mul(a, pow(b, c))],
  ['a^b*c', () => mul(pow(a, b), c)],
  ['-a*b', () => mul(neg(a), b)],
  ['-a+b', () => add(neg(a), b)],
  ['x^-1', () => pow(x, -1)],
  ['x^-y^2', () => pow(x, neg(pow(y, 2)))],
  ['x^-y*z', () => mul(pow(x, neg(y)), z)],
  ['x^+2', () => pow(x, 2)],
  ['x^2^-1', () => sqrt(x)],
  ['2*-x', () => mul(2, neg(x))],
  ['((x))', () => x],
  // implicit multiplication: only after a number literal, binding like `*`
  ['2x', () => mul(2, x)],
  ['2 x', () => mul(2, x)],
  ['3 sin(x)', () => mul(3, sin(x))],
  ['2(x+1)', () => mul(2, add(x, 1))],
  ['2 (x+1)', () => mul(2, add(x, 1))],
  ['2(3)', () => num(6)],
  ['2pi', () => mul(2, PI)],
  ['2x^2', () => mul(2, pow(x, 2))],
  ['-2x', () => mul(-2, x)],
  ['1/2x', () => mul(num(1n, 2n), x)],
  ['2x/3y', () => mul(num(2n, 3n), x, y)],
  ['x^2y', () => mul(pow(x, 2), y)],
  ['2^3x', () => mul(8, x)],
  ['.5x', () => mul(num(1n, 2n), x)],
  ['2e3x', () => mul(2000, x)],
  ['2 f(x)', () => mul(2, f(x))],
  ["2f'(x)", () => mul(2, df([x], [0]))],
  ['2θ', () => mul(2, sym('θ'))],
  // calls: known functions, aliases, unknown functions
  ['sin(x)', () => sin(x)],
  ['sin (x)', () => sin(x)],
  ['sin(sin(x))', () => sin(sin(x))],
  ['atan2(y, x)', () => atan2(y, x)],
  ['sqrt(x)', () => sqrt(x)],
  ['sqrt(4)', () => num(2)],
  ['ln(x)', () => log(x)],
  ['log(x)', () => log(x)],
  ['log(x, 2)', () => div(log(x), log(2))],
  ['exp(1)', () => E],
  ['exp(x)', () => exp(x)],
  ['e^x', () => exp(x)],
  ['max(1, 2)', () => num(2)],
  ['max(x, y)', () => max(x, y)],
  ['f(x)', () => f(x)],
  ['f(x, y)', () => f(x, y)],
  ['f(g(x))', () => f(call('g', x))],
  ['a(b)', () => call('a', b)],
  ['f1(w1*x)', () => call('f1', mul(sym('w1'), x))],
  ['θ(x)', () => call('θ', x)],
  ['f(x + y, 2x, -z)', () => f(add(x, y), mul(2, x), neg(z))],
  // derivatives of unknown functions, as the printer writes them
  ["f'(x)", () => df([x], [0])],
  ["f''(x)", () => df([x], [0, 0])],
  ["f'''(x^2)", () => df([pow(x, 2)], [0, 0, 0])],
  ["f' (x)", () => df([x], [0])],
  ["f'[1](x)", () => df([x], [0])],
  ["f'[1](x, y)", () => df([x, y], [0])],
  ["f'[2](x, y)", () => df([x, y], [1])],
  ["f'[1,2](x, y)", () => df([x, y], [0, 1])],
  ["f'[2,1](x, y)", () => df([x, y], [0, 1])],
  ["f'[2,2](x,y)", () => df([x, y], [1, 1])],
  ["f'[ 1 , 3 ](x, y, z)", () => df([x, y, z], [0, 2])],
  ["f'(f'(x))", () => df([df([x], [0])], [0])],
  // whitespace anywhere between tokens
  [' \t\n x \n+\t1 \r\n', () => add(x, 1)],
  ['sin(\n  x\n)', () => sin(x)],
];

describe('parse: golden table', () => {
  test.each(GOLDEN)('%s', (input, expected) => {
    expect(parse(input)).toBe(expected());
  });
});

test('the TSDoc examples hold', () => {
  expect(parse('2x^2 + sin(x)/3')).toBe(add(mul(2, pow(x, 2)), mul(num(1n, 3n), sin(x))));
  expect(parse('x² - 1e-3')).toBe(add(pow(x, 2), num(-1n, 1000n)));
  expect(parse("f'[2](x, y)")).toBe(derivativeCall('f', [x, y], [1]));
  expect(() => parse('sin(x^)')).toThrow("unexpected ')' at 7");
});

describe('parse: chains are built n-ary', () => {
  test('sums and products of several terms', () => {
    expect(parse('a + b - c + x')).toBe(add(a, b, neg(c), x));
    expect(parse('a * b / c * x')).toBe(mul(a, b, pow(c, -1), x));
    expect(parse('2*(x+y)*z')).toBe(mul(2, add(x, y), z));
    expect(parse('x + x + x')).toBe(mul(3, x));
  });

  test('a chain is one builder call, not one per operator', async () => {
    const calls = { add: 0, mul: 0 };
    const { parse: countingParse } = await withMockedBuilders((actual) => ({
      addAll: (xs: Parameters<typeof actual.addAll>[0]) => {
        calls.add++;
        return actual.addAll(xs);
      },
      mulAll: (xs: Parameters<typeof actual.mulAll>[0]) => {
        calls.mul++;
        return actual.mulAll(xs);
      },
    }));
    countingParse('a + b - c + x - y + z');
    expect(calls).toEqual({ add: 1, mul: 0 });
    countingParse('a * b / c * 2x / y');
    expect(calls).toEqual({ add: 1, mul: 1 });
    countingParse('a*b + c*x - y/z');
    expect(calls).toEqual({ add: 2, mul: 4 });
  });
});

/** Bad input → [offset, reason (exact string or pattern)]. */
const BAD: ReadonlyArray<readonly [string, number, string | RegExp]> = [
  // empty input, unexpected tokens, end of input
  ['', 0, 'empty input'],
  ['   \n\t', 0, 'empty input'],
  ['sin(x^)', 6, "unexpected ')'"],
  ['x +', 3, 'unexpected end of input'],
  ['x ^', 3, 'unexpected end of input'],
  ['-', 1, 'unexpected end of input'],
  ['(', 1, 'unexpected end of input'],
  ['f(', 2, 'unexpected end of input'],
  ['x**', 3, 'unexpected end of input'],
  ['*x', 0, "unexpected '*'"],
  ['/x', 0, "unexpected '/'"],
  ['^x', 0, "unexpected '^'"],
  ['x***y', 3, "unexpected '*'"],
  ['x^^y', 2, "unexpected '^'"],
  ['x + * y', 4, "unexpected '*'"],
  [')', 0, "unexpected ')'"],
  ['()', 1, "unexpected ')'"],
  ['x, y', 1, "unexpected ','"],
  ['(x, y)', 2, "unexpected ','"],
  ['f(,x)', 2, "unexpected ','"],
  ['f(x,)', 4, "unexpected ')'"],
  ['f(x,,y)', 4, "unexpected ','"],
  // brackets
  ['(x', 0, "unclosed '('"],
  ['sin(x', 3, "unclosed '('"],
  ['f(x, (y', 5, "unclosed '('"],
  ['((x)', 0, "unclosed '('"],
  ['x)', 1, "unmatched ')'"],
  ['(x))', 3, "unmatched ')'"],
  // characters
  ['x # y', 2, "unexpected character '#'"],
  ['[x]', 0, "unexpected character '['"],
  ['x]', 1, "unexpected character ']'"],
  ["'x", 0, `unexpected character "'"`],
  ['x ∂ y', 2, "unexpected character '∂'"],
  ['x\u0000', 1, 'unexpected character U+0000'],
  ['x = 1', 2, "unexpected character '='"],
  ['1;', 1, "unexpected character ';'"],
  ['x\u0301', 1, 'unexpected character U+0301'],
  // numbers
  ['1.2.3', 0, "bad number '1.2.'"],
  ['5..', 0, "bad number '5..'"],
  ['.', 0, "bad number '.'"],
  ['x + .', 4, "bad number '.'"],
  ['1e999999', 0, "number out of range '1e999999'"],
  ['2 * 1e-999999', 4, /^number out of range/],
  // other languages' literals would silently read as 0·x10 or 1·_000: errors instead
  ['0x10', 0, "hexadecimal literal '0x10' is not supported: write the number in decimal"],
  ['2 + 0XfF', 4, "hexadecimal literal '0XfF' is not supported: write the number in decimal"],
  ['0b101', 0, "binary literal '0b101' is not supported: write the number in decimal"],
  ['0o17', 0, "octal literal '0o17' is not supported: write the number in decimal"],
  ['1_000', 0, "digit separator '_' is not supported in '1_000': write 1000"],
  ['x + 2.5_1', 4, "digit separator '_' is not supported in '2.5_1': write 2.51"],
  // backquotes
  ['`abc', 0, 'unterminated backquote'],
  ['x + `abc', 4, 'unterminated backquote'],
  ['`a\\', 0, 'unterminated backquote'],
  ['`a\\q`', 2, /^invalid escape '\\q'/],
  ['``', 0, 'empty name in backquotes'],
  // implicit multiplication only after a number literal
  ['x y', 2, "missing operator before 'y'; write '*' to multiply"],
  ['(a)(b)', 3, /^missing operator before '\('/],
  ['x 2', 2, /^missing operator before '2'/],
  ['2 3', 2, /^missing operator before '3'/],
  ['x²y', 2, /^missing operator before 'y'/],
  ['2²x', 2, /^missing operator before 'x'/],
  ['e(x)', 1, /^missing operator before '\('/],
  ['pi (x)', 3, /^missing operator before '\('/],
  ['sin(x) cos(x)', 7, /^missing operator before 'cos'/],
  // superscripts
  ['²', 0, "unexpected '²'"],
  ['x^²', 2, "unexpected '²'"],
  ['x² ³', 3, "unexpected '³'"],
  ['x²^3', 2, /^unexpected '\^' after a superscript power/],
  ['x⁻', 1, "bad superscript '⁻'"],
  ['x⁻⁻1', 1, "bad superscript '⁻⁻'"],
  // known functions must be called, with the right number of arguments
  ['sin', 3, "expected '(' after sin"],
  ['sin x', 4, "expected '(' after sin"],
  ['2 sin', 5, "expected '(' after sin"],
  ['sqrt + 1', 5, "expected '(' after sqrt"],
  ['ln', 2, "expected '(' after ln"],
  ['sin(x, y)', 0, 'sin takes 1 argument, got 2'],
  ['atan2(x)', 0, 'atan2 takes 2 arguments, got 1'],
  ['log(x, y, z)', 0, 'log takes 1 or 2 arguments, got 3'],
  ['sqrt(x, y)', 0, 'sqrt takes 1 argument, got 2'],
  ['ln(x, 2)', 0, 'ln takes 1 argument, got 2'],
  ['2 + max(1)', 4, 'max takes 2 arguments, got 1'],
  ['`sin`(x, y)', 0, 'sin takes 1 argument, got 2'],
  ['f()', 2, /^empty argument list/],
  ['sin()', 4, /^empty argument list/],
  // derivative calls
  ["f'(x, y)", 0, /^ambiguous derivative f' of 2 arguments/],
  ["f''(x, y)", 0, /^ambiguous derivative f'' of 2 arguments/],
  ["f'[3](x, y)", 3, 'argument number 3 out of range: f has 2 arguments'],
  ["f'[0](x)", 3, /^argument number 0 out of range/],
  ["f'[1,9](x)", 5, /^argument number 9 out of range/],
  ["f'x", 2, "expected '(' after f'"],
  ["f'", 2, "expected '(' after f'"],
  ["x''", 3, "expected '(' after x''"],
  ["f'[1] + 1", 6, "expected '(' after f'[1]"],
  ["sin'(x)", 0, 'cannot use a prime on the known function sin'],
  ["`sqrt`'(x)", 0, 'cannot use a prime on the known function sqrt'],
  ["e'(x)", 0, 'cannot use a prime on the constant e'],
  ["f''[1](x)", 3, /^an argument list takes one prime/],
  ["f'[](x)", 3, /^expected an argument number/],
  ["f'[1;2](x, y)", 4, "expected ',' or ']'"],
  ["f'[1", 2, "unclosed '['"],
  ["f'[1,", 2, "unclosed '['"],
];

describe('parse: errors', () => {
  test.each(BAD)('%j', (input, offset, reason) => {
    let error: unknown;
    try {
      parse(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ParseError);
    const pe = error as ParseError;
    if (typeof reason === 'string') expect(pe.reason).toBe(reason);
    else expect(pe.reason).toMatch(reason);
    expect(pe.offset).toBe(offset);
    expect(pe.message.startsWith(`${pe.reason} at ${pe.column}:\n`)).toBe(true);
  });

  test('the message shows the input and a caret under the offending token', () => {
    expect(() => parse('sin(x^)')).toThrow("unexpected ')' at 7:\n  sin(x^)\n        ^");
  });

  test('String(err) keeps the caret under the offending token', () => {
    const lines = (() => {
      try {
        parse('1 + (x * )');
      } catch (err) {
        return String(err).split('\n');
      }
      return [];
    })();
    expect(lines[0]).toBe("ParseError: unexpected ')' at 10:");
    expect(lines[1].indexOf(')')).toBe(lines[2].indexOf('^'));
  });

  test('a non-string argument is a ParseError too', () => {
    expect(() => parse(42 as unknown as string)).toThrow(ParseError);
  });
});

type Builders = typeof import('../../src/expr/build.js');
type Errors = typeof import('../../src/expr/errors.js');

/**
 * A fresh copy of the parser module whose builders are replaced by `overrides` (given the
 * real builders and the error classes of the copy), with the `ParseError` class of that copy. The mock is removed again before this returns.
 */
async function withMockedBuilders(
  overrides: (actual: Builders, errors: Errors) => Partial<Builders>,
): Promise<{ parse: typeof parse; ParseError: typeof ParseError }> {
  vi.resetModules();
  vi.doMock('../../src/expr/build.js', async (importOriginal) => {
    const actual = await importOriginal<Builders>();
    const errors: Errors = await import('../../src/expr/errors.js');
    return { ...actual, ...overrides(actual, errors) };
  });
  try {
    const parser = await import('../../src/expr/parse.js');
    const errors = await import('../../src/expr/errors.js');
    return { parse: parser.parse, ParseError: errors.ParseError };
  } finally {
    vi.doUnmock('../../src/expr/build.js');
    vi.resetModules();
  }
}

describe('parse: builder failures are reported as ParseErrors', () => {
  // Builders cannot fail on what the grammar accepts today; a mocked builder stands in for
  // a future one that can, and checks the conversion (and that no other type escapes).
  test('errors thrown by builders become ParseErrors at the operator or token', async () => {
    const mocked = await withMockedBuilders((actual, errors) => ({
      pow: () => {
        throw new errors.InvalidArgumentError('pow failed');
      },
      addAll: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
      sym: (name: string) => {
        if (name === 'boom') throw new TypeError('bad symbol');
        return actual.sym(name);
      },
    }));
    const { parse: mockedParse, ParseError: MockedParseError } = mocked;
    const failure = (input: string): ParseError => {
      try {
        mockedParse(input);
      } catch (err) {
        expect(err).toBeInstanceOf(MockedParseError);
        return err as ParseError;
      }
      throw new Error(`expected ${input} to fail`);
    };
    expect(failure('x ^ y')).toMatchObject({ reason: 'pow failed', offset: 2 });
    expect(failure('1 + x²')).toMatchObject({ reason: 'pow failed', offset: 5 });
    expect(failure('x / y')).toMatchObject({ reason: 'pow failed', offset: 2 });
    expect(failure('x * (y + z)')).toMatchObject({
      reason: 'expression too large to build',
      offset: 7,
    });
    expect(failure('x * boom')).toMatchObject({
      reason: 'internal error: bad symbol',
      offset: 4,
    });
  });
});

describe('parse: deep and long inputs (iterative, linear)', () => {
  const N = 100_000;

  test('10⁵ nested calls', () => {
    let e = parse(`${'sin('.repeat(N)}x${')'.repeat(N)}`);
    let depth = 0;
    while (e.op === 'sin') {
      e = e.args[0];
      depth++;
    }
    expect(depth).toBe(N);
    expect(e).toBe(x);
  }, 30_000);

  test('10⁵ nested parentheses', () => {
    expect(parse(`${'('.repeat(N)}x + 1${')'.repeat(N)}`)).toBe(add(x, 1));
  }, 30_000);

  test('10⁵ unary minus signs and a 10⁵-high power tower', () => {
    expect(parse(`${'-'.repeat(N)}x`)).toBe(x);
    expect(parse(`${'-'.repeat(N + 1)}x`)).toBe(neg(x));
    let e = parse(Array.from({ length: N }, () => 'x').join('^'));
    let height = 1;
    while (e.op === 'pow' && e.args[0] === x) {
      e = e.args[1];
      height++;
    }
    expect(e).toBe(x);
    expect(height).toBe(N);
  }, 30_000);

  test('a 10⁵-term sum is one add node', () => {
    const text = Array.from({ length: N }, (_, i) => `x${i + 1}`).join(' + ');
    const e = parse(text);
    expect(e.op).toBe('add');
    expect(e.args.length).toBe(N);
    expect(e.args[0]).toBe(sym('x1'));
    expect(e.args[N - 1]).toBe(sym(`x${N}`));
  }, 30_000);

  test('a 10⁵-factor product and a 10⁵-argument call', () => {
    const names = Array.from({ length: N }, (_, i) => `x${i + 1}`);
    expect(parse(names.join(' * ')).args.length).toBe(N);
    expect(parse(`f(${names.join(', ')})`).args.length).toBe(N);
  }, 30_000);

  test('long inputs with errors at the end fail at the right place', () => {
    const reasonAndOffset = (text: string): [string, number] => {
      try {
        parse(text);
      } catch (err) {
        expect(err).toBeInstanceOf(ParseError);
        return [(err as ParseError).reason, (err as ParseError).offset];
      }
      throw new Error('expected a ParseError');
    };
    expect(reasonAndOffset(`${'('.repeat(N)}x`)).toEqual(["unclosed '('", N - 1]);
    expect(reasonAndOffset(`${'x + '.repeat(N)}`)).toEqual(['unexpected end of input', 4 * N]);
    expect(reasonAndOffset(`${'sin('.repeat(N)}x${')'.repeat(N + 1)}`)).toEqual([
      "unmatched ')'",
      5 * N + 1,
    ]);
  }, 30_000);
});
