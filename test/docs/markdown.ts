/**
 * The code examples of the Markdown docs, as the docs-examples test runs them. The
 * conventions (docs/CONTRIBUTING.md):
 * - ```ts / ```js blocks are modules: run, and (ts) typechecked against the package's types;
 *   `from 'leibniz'` means this repository's build;
 * - an expression statement with a trailing literal comment is an assertion:
 *   `format(e); // 'x + 1'`; a trailing `// throws Name: text` asserts an exception;
 * - ```console blocks are shell sessions: `$ ` lines run in bash with `leibniz` on the
 *   PATH, the other lines are the expected output;
 * - `<!-- no-run -->` (or `<!-- no-run: why -->`) right before a fence skips that block.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export type ExampleKind = 'module' | 'console';

export interface Example {
  /** Path relative to the repository root, e.g. `docs/simplify.md`. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly kind: ExampleKind | undefined;
  readonly code: string;
  /** True when a `<!-- no-run -->` marker precedes the fence. */
  readonly skipped: boolean;
}

const MODULE_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const NO_RUN = /^<!--\s*no-run(?::[^>]*)?\s*-->$/;

/** README.md and every Markdown file under docs/ (not the generated API reference). */
export function markdownFiles(root: string): string[] {
  const out = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join('docs', 'api')) walk(path);
      } else if (entry.name.endsWith('.md')) out.push(path);
    }
  };
  walk('docs');
  return out.sort();
}

/** The fenced blocks of one Markdown text. Throws on a marker that precedes no fence. */
export function extractExamples(file: string, text: string): Example[] {
  const lines = text.split('\n');
  const examples: Example[] = [];
  let pendingMarker = -1;
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (NO_RUN.test(trimmed)) {
      pendingMarker = i;
      continue;
    }
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (open === null) {
      if (trimmed !== '' && pendingMarker >= 0) {
        throw new Error(
          `${file}:${pendingMarker + 1}: <!-- no-run --> must come right before a fence`,
        );
      }
      continue;
    }
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    const language = lang.toLowerCase();
    examples.push({
      file,
      line: i + 1,
      lang: language,
      kind: MODULE_LANGS.has(language) ? 'module' : language === 'console' ? 'console' : undefined,
      code: body.join('\n'),
      skipped: pendingMarker >= 0,
    });
    pendingMarker = -1;
    i = j;
  }
  if (pendingMarker >= 0) {
    throw new Error(`${file}:${pendingMarker + 1}: <!-- no-run --> must come right before a fence`);
  }
  return examples;
}

export function readExamples(root: string): Example[] {
  return markdownFiles(root).flatMap((f) =>
    extractExamples(relative(root, join(root, f)), readFileSync(join(root, f), 'utf8')),
  );
}

/**
 * `from 'leibniz'` (and `import('leibniz')`) pointed at `target`; other bare package names
 * through `resolve` when given (so an example can run outside the repository).
 */
export function pointImportsAt(
  code: string,
  target: string,
  resolve?: (specifier: string) => string,
): string {
  return code.replace(
    /(\bfrom\s*|\bimport\s*\(\s*)(['"])([^'"]+)\2/g,
    (whole, head: string, quote: string, specifier: string) => {
      if (specifier === 'leibniz') return `${head}${quote}${target}${quote}`;
      const bare = !/^(node:|\.|\/|[a-z]+:)/.test(specifier);
      return bare && resolve ? `${head}${quote}${resolve(specifier)}${quote}` : whole;
    },
  );
}

const LITERAL_START = /^(['"`[{]|-?\d|-?\.\d|true\b|false\b|null\b|NaN\b|-?Infinity\b)/;
const STATEMENT_KEYWORD =
  /^(const|let|var|import|export|return|if|for|while|do|switch|throw|try|function|class|await\s+import)\b/;

/** The value of a literal comment, or `undefined` when the comment is prose. */
export function literalValue(comment: string): { value: unknown } | undefined {
  if (!LITERAL_START.test(comment)) return undefined;
  try {
    // Our own docs' text, and only literal-looking text: strings, numbers, arrays, objects.
    return { value: new Function(`return (${comment});`)() };
  } catch {
    return undefined;
  }
}

function isExpression(text: string): boolean {
  if (STATEMENT_KEYWORD.test(text)) return false;
  try {
    new Function(`return (${text});`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Rewrites `EXPR; // LITERAL` lines into `__docsCheck((EXPR), LITERAL, 'TEXT', line);`
 * and `EXPR; // throws Name: text` into `__docsThrows(() => (EXPR), 'Name', 'text', line)`.
 * Line numbers are kept (one line in, one line out). Only lines that start a statement
 * (the previous code line ends with `;`, `{` or `}`) are considered.
 */
export function addAssertions(code: string): { code: string; assertions: number } {
  const lines = code.split('\n');
  let assertions = 0;
  let previous = ';';
  const out = lines.map((line, index) => {
    const m = /^(\s*)(.+?);\s*\/\/\s*(.+?)\s*$/.exec(line);
    const startsStatement = /[;{}]$/.test(previous);
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('//')) previous = trimmed.replace(/\s*\/\/.*$/, '');
    if (m === null || !startsStatement) return line;
    const [, indent, expr, comment] = m;
    if (!isExpression(expr)) return line;
    const throwsMatch = /^throws\s+([A-Za-z]\w*)(?::\s*(.*))?$/.exec(comment);
    if (throwsMatch !== null) {
      assertions++;
      return `${indent}__docsThrows(() => (${expr}), ${JSON.stringify(throwsMatch[1])}, ${JSON.stringify(throwsMatch[2] ?? '')}, ${index + 1});`;
    }
    if (literalValue(comment) === undefined) return line;
    assertions++;
    return `${indent}__docsCheck((${expr}), (${comment}), ${JSON.stringify(comment)}, ${index + 1});`;
  });
  return { code: out.join('\n'), assertions };
}

/** Tolerance of a number written with a given number of digits: half a unit of the last. */
export function shownTolerance(text: string): number {
  const m = /^-?(\d*)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (m === null) return 0;
  const places = (m[2]?.length ?? 0) - Number(m[3] ?? 0);
  return 0.5 * 10 ** -places;
}

/** A shell session: the commands and, for each, the output it shows. */
export interface ConsoleStep {
  readonly command: string;
  readonly expected: string;
  /** Line of the command in the Markdown file. */
  readonly line: number;
}

export function consoleSteps(example: Example): ConsoleStep[] {
  const steps: { command: string; expected: string[]; line: number }[] = [];
  const lines = example.code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('$ ')) {
      let command = line.slice(2);
      const at = example.line + 1 + i;
      while (command.endsWith('\\') && i + 1 < lines.length) command = `${command}\n${lines[++i]}`;
      steps.push({ command, expected: [], line: at });
    } else if (steps.length > 0) {
      steps[steps.length - 1].expected.push(line);
    } else if (line.trim() !== '') {
      throw new Error(
        `${example.file}:${example.line + 1 + i}: output before the first '$ ' command`,
      );
    }
  }
  return steps.map((s) => ({ ...s, expected: normaliseOutput(s.expected.join('\n')) }));
}

/** Output as compared: trailing spaces and trailing blank lines dropped. */
export function normaliseOutput(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}
