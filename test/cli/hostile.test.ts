// The `leibniz` command against a hostile user: words that are not what they look like,
// absurd option values and inputs that used to give a wrong answer with exit status 0 or
// hang. Each case is one that did, before its fix.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratFromDecimal, ratToNumber } from '../../src/expr/rational.js';
import { diff, expand, format, ParseError, parse } from '../../src/index.js';
import { leibniz } from './run-cli.js';

/** Expects a usage error: exit 64, nothing on stdout, the word on stderr. */
async function expectUsageError(argv: string[], word: string): Promise<void> {
  const r = await leibniz(argv);
  expect(r.code, r.stderr).toBe(64);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(word);
}

describe.concurrent('leibniz: a variable is a name, not an expression that reduces to one', () => {
  it('an option after "--" is not taken for a variable', async () => {
    await expectUsageError(['diff', 'x^2', 'x', '--', '--json'], "'--json' is not a variable name");
    await expectUsageError(['diff', 'x^2', '--', '--x'], "'--x' is not a variable name");
    await expectUsageError(['grad', 'x*y', '--wrt', '+x,y'], "'+x' is not a variable name");
    await expectUsageError(['compile', 'x*y', '--data', '(y)'], "'(y)' is not a variable name");
    await expectUsageError(['eval', 'x', '--', '-x=1'], "'-x' is not a variable name");
    await expectUsageError(['eval', 'x', 'x*1=2'], "'x*1' is not a variable name");
  });

  it('quoted and Unicode names still work', async () => {
    expect((await leibniz(['diff', '`my var`^2', '`my var`'])).stdout).toBe('2*`my var`\n');
    expect((await leibniz(['diff', 'x^2', '`x`'])).stdout).toBe('2*x\n');
    expect((await leibniz(['eval', 'θ^2 + x_1', 'θ=3', ' x_1 =1'])).stdout).toBe('10\n');
  });
});

describe.concurrent('leibniz diff --order: any size, exactly', () => {
  it('periodic derivatives answer a huge order at once, exactly', async () => {
    // 10^15 + 1 is 1 mod 4: the derivative of sin, however many cycles come first.
    const r = await leibniz(['diff', 'x + sin(x) + exp(-x)', '--order', '1000000000000001']);
    expect(r).toEqual({ code: 0, stdout: 'cos(x) - exp(-x)\n', stderr: '' });
    expect(format(diff(parse('sin(x)'), 'x', 4 * 2 ** 40 + 3))).toBe(
      format(diff(parse('sin(x)'), 'x', 3)),
    );
  });

  it('with the shortcut, diff(e, x, n) is still n derivatives in a row', () => {
    const exprs = ['sin(x)', 'x^3*sin(x)', 'exp(-x) + cos(2*x)', 'sin(x)*cos(x)', 'x*exp(x)'];
    fc.assert(
      fc.property(fc.constantFrom(...exprs), fc.nat(40), (text, n) => {
        let d = parse(text);
        for (let k = 0; k < n; k++) d = diff(d, 'x');
        expect(diff(parse(text), 'x', n)).toBe(d);
      }),
      { numRuns: 60 },
    );
  });

  it('an order beyond the exact integers of float64 is a usage error, not rounded', async () => {
    // 99999999999999999999 would round to 10^20 (0 mod 4; the true order is 3 mod 4).
    await expectUsageError(['diff', 'sin(x)', '--order', '99999999999999999999'], '--order');
    expect(() => diff(parse('sin(x)'), 'x', 2 ** 60)).toThrow(/order/);
  });
});

describe.concurrent('leibniz: numbers written as in other languages are errors, not products', () => {
  it('hexadecimal, binary, octal literals and digit separators (0x10 was 0*x10 = 0)', async () => {
    for (const text of ['0x10', '0X1F', '0b101', '0o17', '1_000', '3.5_1']) {
      expect(() => parse(text), text).toThrow(ParseError);
    }
    const r = await leibniz(['eval', '0x10 + 1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('hexadecimal');
    expect((await leibniz(['diff', '1_000*x'])).code).toBe(2);
    // A product is still a product: 0 times x (whitespace or an operator), 2x10, 0x^2.
    expect(format(parse('0 x10 + 2x10 + 0*x1 + 0x'))).toBe('2*x10');
    expect(format(parse('1 _a'))).toBe('_a');
  });
});

describe.concurrent('exact numbers to float64: correctly rounded, down to the subnormals', () => {
  it('eval 1e-310 and 1e-320 are not 0', async () => {
    expect((await leibniz(['eval', '1e-310 + x*1e-320', 'x=2'])).stdout).toBe(
      `${1e-310 + 2e-320}\n`,
    );
    expect((await leibniz(['eval', '--', '-1e-400'])).stdout).toBe('-0\n');
  });

  it('ratToNumber agrees with JavaScript reading the same decimal', () => {
    const digits = fc.string({
      unit: fc.constantFrom(...'0123456789'),
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(digits, fc.integer({ min: -1100, max: 320 }), fc.boolean(), (d, exp, neg) => {
        fc.pre(/[1-9]/.test(d)); // an exact 0 has no sign
        const text = `${neg ? '-' : ''}${d}e${exp}`;
        expect(Object.is(ratToNumber(ratFromDecimal(text)), Number(text)), text).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // Halfway cases: 2^53 + 1 and the smallest subnormal's half, just above and below.
    for (const text of [
      '9007199254740993',
      '9007199254740993.0000000000000001',
      '2.4703282292062328e-324',
      '2.4703282292062327e-324',
      '1.7976931348623158e308',
      '2.2250738585072011e-308',
      '7.497346033764e-308',
    ]) {
      expect(Object.is(ratToNumber(ratFromDecimal(text)), Number(text)), text).toBe(true);
    }
  });
});

describe.concurrent('leibniz expand says what it left alone', () => {
  it('a deep Horner form expands in time quadratic, not cubic, in its depth', () => {
    // x*(1 + x*(1 + …)) 800 deep took about 10 s when every level was written out.
    const depth = 800;
    const horner = `x${'*(1 + x'.repeat(depth)}${')'.repeat(depth)}`;
    const terms = Array.from({ length: depth + 1 }, (_, i) => `x^${i + 1}`);
    expect(expand(parse(horner))).toBe(parse(terms.join(' + ')));
  });

  it('a power of a sum beyond the limits is printed as it is, with a note', async () => {
    const r = await leibniz(['expand', '(x + 1)^100 + (a + b)^2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('(x + 1)^100 + a^2 + 2*a*b + b^2\n');
    expect(r.stderr).toContain('(x + 1)^100');
    expect(r.stderr).toContain('not expanded');
    const big = await leibniz(['expand', '(a + b + c + d + f + g)^20', '--json']);
    expect(JSON.parse(big.stdout).result).toBe('(a + b + c + d + f + g)^20');
    expect(big.stderr).toContain('not expanded');
    expect(await leibniz(['expand', '(a + b)^3/(c + d)^2'])).toMatchObject({ stderr: '' });
  });
});

describe.concurrent('leibniz derive --name', () => {
  it('an empty or multi-line name is a usage error, not ∂()/∂x', async () => {
    await expectUsageError(['derive', 'x^2', '--name', ''], '--name');
    await expectUsageError(['derive', 'x^2', '--name=  '], '--name');
    await expectUsageError(['derive', 'x^2', '--name', 'a\nb'], '--name');
  });
});
