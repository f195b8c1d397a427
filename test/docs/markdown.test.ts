// The conventions of the docs-examples runner (docs/CONTRIBUTING.md), on small inputs.
import { describe, expect, it } from 'vitest';
import {
  addAssertions,
  consoleSteps,
  extractExamples,
  literalValue,
  pointImportsAt,
  shownTolerance,
} from './markdown.js';

describe('extractExamples', () => {
  const md = [
    '# Title',
    '```ts',
    "format(x); // 'x'",
    '```',
    '<!-- no-run: shown only -->',
    '```js',
    'gradient(x)',
    '```',
    '````markdown',
    '<!-- no-run -->',
    '```ts',
    '````',
    '```console',
    '$ leibniz diff "x^2"',
    '2*x',
    '```',
  ].join('\n');

  it('finds each block with its language, line, kind and marker', () => {
    const found = extractExamples('a.md', md);
    expect(found.map((e) => [e.line, e.lang, e.kind, e.skipped])).toEqual([
      [2, 'ts', 'module', false],
      [6, 'js', 'module', true],
      [9, 'markdown', undefined, false],
      [13, 'console', 'console', false],
    ]);
    expect(found[0].code).toBe("format(x); // 'x'");
  });

  it('rejects a marker that no fence follows', () => {
    expect(() => extractExamples('b.md', '<!-- no-run -->\ntext\n```ts\nx\n```')).toThrow('b.md:1');
    expect(() => extractExamples('c.md', 'text\n<!-- no-run -->')).toThrow('c.md:2');
  });
});

describe('addAssertions', () => {
  it('turns literal comments on statement lines into checks, keeping the lines', () => {
    const code = [
      "const f = parse('x');",
      "format(f); // 'x'",
      'g; // [1, 2]',
      'step(a, g); // returns the loss',
      "const y = 1 + // 'no'",
      "  2; // 'no: a continuation line'",
      "parse('('); // throws ParseError: unexpected",
    ].join('\n');
    const { code: out, assertions } = addAssertions(code);
    expect(assertions).toBe(3);
    const lines = out.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe(`__docsCheck((format(f)), ('x'), "'x'", 2);`);
    expect(lines[2]).toBe('__docsCheck((g), ([1, 2]), "[1, 2]", 3);');
    expect(lines[3]).toBe('step(a, g); // returns the loss');
    expect(lines[5]).toBe("  2; // 'no: a continuation line'");
    expect(lines[6]).toBe(`__docsThrows(() => (parse('(')), "ParseError", "unexpected", 7);`);
  });

  it('reads only literals as expectations', () => {
    expect(literalValue("'y + 1'")).toEqual({ value: 'y + 1' });
    expect(literalValue('[0.5, -2]')).toEqual({ value: [0.5, -2] });
    expect(literalValue("{ text: 'x' }")).toEqual({ value: { text: 'x' } });
    expect(literalValue('true')).toEqual({ value: true });
    expect(literalValue('x + 1')).toBeUndefined();
    expect(literalValue('[[y, x], [1, 1]]')).toBeUndefined();
    expect(literalValue('Expr[]: shared parts')).toBeUndefined();
  });

  it('compares numbers to the digits shown', () => {
    expect(shownTolerance('0.6667')).toBeCloseTo(0.00005, 15);
    expect(shownTolerance('25')).toBe(0.5);
    expect(shownTolerance('1.5e-3')).toBeCloseTo(0.00005, 15);
  });
});

describe('pointImportsAt and consoleSteps', () => {
  it('points leibniz at the repository and resolves other packages', () => {
    const code =
      "import { a } from 'leibniz';\nimport k from 'katex';\nimport { b } from 'node:fs';\nawait import('leibniz');";
    expect(pointImportsAt(code, '/r/src/index.ts', (s) => `file:///nm/${s}`)).toBe(
      "import { a } from '/r/src/index.ts';\nimport k from 'file:///nm/katex';\nimport { b } from 'node:fs';\nawait import('/r/src/index.ts');",
    );
  });

  it('splits a session into commands and their output', () => {
    const [example] = extractExamples(
      'd.md',
      '```console\n$ leibniz diff x \\\n  --json  \n{ }\n$ echo $?\n0\n\n```',
    );
    expect(consoleSteps(example)).toEqual([
      { command: 'leibniz diff x \\\n  --json  ', expected: '{ }', line: 2 },
      { command: 'echo $?', expected: '0', line: 5 },
    ]);
  });
});
