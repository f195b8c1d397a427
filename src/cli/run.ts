/**
 * The `leibniz` program as a function: parses the command line strictly (`node:util`
 * `parseArgs`), reads the expression (argument, standard input or file), runs the command
 * and maps every failure to a message and an exit status. Nothing here prints a result it
 * is not sure of: an unknown word is a usage error, never a variable name.
 */
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Expr, LeibnizError, ParseError, parse } from '../index.js';
import { COMMANDS, type Command } from './commands.js';
import {
  OPTIONS,
  type OptionName,
  type OptionValues,
  optionSynopsis,
  UsageError,
} from './options.js';

/** Exit statuses (the usage and input ones from BSD's sysexits.h). */
export const EXIT = {
  ok: 0,
  /** `eval`: the value is NaN or infinite. */
  notFinite: 1,
  /** The expression does not parse, or the library rejects it (a `LeibnizError`). */
  badExpression: 2,
  usage: 64,
  /** `--file` cannot be read. */
  noInput: 66,
  /** A bug in Leibniz. */
  internal: 70,
} as const;

/** How `run` talks to the world (the process, or a test). */
export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** All of standard input, as UTF-8. */
  readonly readStdin: () => Promise<string>;
  /** True when standard input is a terminal (then it is never read implicitly). */
  readonly stdinIsTTY: boolean;
  /** The package version, for `--version`. */
  readonly version: string;
}

const GLOBAL_USAGE = 'usage: leibniz COMMAND [options] [EXPR] [arguments]';

function commandUsage(c: Command): string {
  const opts = c.options.filter((o) => o !== 'json' && o !== 'latex');
  const shown = opts.map((o) => `[${optionSynopsis(o)}]`).join(' ');
  return `usage: leibniz ${c.name} ${c.args}${shown ? ` ${shown}` : ''} [options]`;
}

/** `leibniz help`: every command and the common rules. */
export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.args}`.length));
  const list = COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(width)}  ${c.summary}`);
  return `Leibniz: exact symbolic differentiation from the command line.

${GLOBAL_USAGE}

commands:
${list.join('\n')}
  help [COMMAND]${' '.repeat(Math.max(0, width - 14))}  this text, or the help of one command

The expression is the first argument; "-" (or no expression, with a pipe) reads it from
standard input, --file PATH from a file. An expression that starts with "-" goes after
"--": leibniz diff -- "-x^2". Results are simplified unless --no-simplify; --latex prints
LaTeX, --json one JSON object. Every command takes --help.

exit status: 0 done, 1 eval's value is not finite, 2 the expression is invalid,
64 bad usage, 66 the input file cannot be read, 70 internal error.

examples:
  leibniz diff "sin(x^2)"
  leibniz derive "(f2(w2*f1(w1*x)) - y)^2" w1 --name L
  leibniz eval "x^2 + y" x=3 y=0.5
  leibniz --version`;
}

/** `leibniz help COMMAND` and `leibniz COMMAND --help`. */
export function commandHelp(c: Command): string {
  const options = [...c.options, 'file', 'help'] as OptionName[];
  const width = Math.max(...options.map((o) => optionSynopsis(o).length));
  const help = (o: OptionName): string => c.optionHelp?.[o] ?? OPTIONS[o].help;
  const lines = options.map((o) => `  ${optionSynopsis(o).padEnd(width)}  ${help(o)}`);
  return `${commandUsage(c)}

${c.summary[0].toUpperCase()}${c.summary.slice(1)}.

${c.description}

options:
${lines.join('\n')}

examples:
${c.examples.map((e) => `  ${e}`).join('\n')}`;
}

/** The usage error message: what is wrong, the usage line, where to read more. */
function usageMessage(message: string, c?: Command): string {
  const where = c ? `leibniz ${c.name}` : 'leibniz';
  const usage = c ? commandUsage(c) : GLOBAL_USAGE;
  const more = c ? `leibniz help ${c.name}` : 'leibniz help';
  return `${where}: ${message}\n${usage}\nRun '${more}' for more.`;
}

/** Short messages for `parseArgs` errors (its own are long). */
function argumentError(err: unknown, args: readonly string[]): UsageError {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const word = /'([^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && word !== undefined) {
    // `-x^2` reaches parseArgs as the short options x, ^ and 2: show the whole word.
    const whole = args.find((a) => a.startsWith(word)) ?? word;
    const hint = /^-[^-]/.test(whole)
      ? ` (an expression that starts with '-' goes after '--': -- "${whole}")`
      : '';
    return new UsageError(`unknown option '${whole}'${hint}`);
  }
  return new UsageError(message.split('\n')[0]);
}

/** Rejects an option given twice (`parseArgs` would silently keep the last). */
function rejectRepeats(tokens: readonly { kind: string; name?: string; rawName?: string }[]) {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    const spec = OPTIONS[t.name as OptionName];
    if (spec !== undefined && 'multiple' in spec && spec.multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`option '${t.rawName}' is given twice`);
    seen.add(t.name);
  }
}

/** Where the expression comes from. */
type Source = { kind: 'text'; text: string } | { kind: 'stdin' } | { kind: 'file'; path: string };

async function readSource(source: Source, io: CliIO): Promise<string> {
  if (source.kind === 'text') return source.text;
  if (source.kind === 'stdin') return io.readStdin();
  try {
    return (await readFile(source.path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError(`cannot read '${source.path}' (${reason})`);
  }
}

class InputError extends Error {}

/** 1-based line and column (code points) of a UTF-16 offset, for multi-line input. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: Array.from(lines[lines.length - 1]).length + 1 };
}

function parseErrorMessage(err: ParseError, text: string, command: string): string {
  const at = text.includes('\n')
    ? (({ line, column }) => `line ${line}, column ${column}`)(lineAndColumn(text, err.offset))
    : `column ${err.column}`;
  const excerpt = err.excerpt
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `leibniz ${command}: invalid expression: ${err.reason} at ${at}\n${excerpt}`;
}

/**
 * Runs the command line `argv` (the words after `leibniz`) and returns the exit status
 * (see `EXIT`). Writes results to `io.out` and messages to `io.err`.
 *
 * @example
 * ```ts
 * await run(['diff', 'sin(x^2)'], io); // io.out('2*x*cos(x^2)'), returns 0
 * ```
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [first, ...tail] = argv;
  if (first === undefined) {
    io.err(usageMessage('missing command'));
    return EXIT.usage;
  }
  if (first === '--version' || first === '-V') {
    if (tail.length > 0) {
      io.err(usageMessage(`--version takes no arguments, got '${tail[0]}'`));
      return EXIT.usage;
    }
    io.out(io.version);
    return EXIT.ok;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    if (tail.length === 0) {
      io.out(globalHelp());
      return EXIT.ok;
    }
    const c = COMMANDS.find((k) => k.name === tail[0]);
    if (first !== 'help' || c === undefined || tail.length > 1) {
      const bad = first === 'help' && c !== undefined ? tail[1] : tail[0];
      io.err(
        usageMessage(
          c === undefined && first === 'help'
            ? `unknown command '${bad}'`
            : `unexpected argument '${bad}'`,
        ),
      );
      return EXIT.usage;
    }
    io.out(commandHelp(c));
    return EXIT.ok;
  }
  const command = COMMANDS.find((k) => k.name === first);
  if (command === undefined) {
    io.err(
      usageMessage(
        first.startsWith('-')
          ? `options go after the command, got '${first}' first`
          : `unknown command '${first}'`,
      ),
    );
    return EXIT.usage;
  }
  let text = '';
  try {
    const accepted = [...command.options, 'file', 'help'] as OptionName[];
    const config = {
      args: [...tail],
      options: Object.fromEntries(
        accepted.map((name) => {
          const { type, short, multiple } = OPTIONS[name] as {
            type: 'string' | 'boolean';
            short?: string;
            multiple?: boolean;
          };
          return [name, { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) }];
        }),
      ),
      allowPositionals: true,
      allowNegative: true,
      strict: true,
      tokens: true,
    } satisfies ParseArgsConfig;
    let parsed: ReturnType<typeof parseArgs<typeof config>>;
    try {
      parsed = parseArgs(config);
    } catch (err) {
      throw argumentError(err, tail);
    }
    rejectRepeats(parsed.tokens);
    const options = parsed.values as OptionValues;
    if (options.help) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    if (options.latex && options.json)
      throw new UsageError('--latex and --json exclude each other');
    for (const [name, value] of Object.entries(options)) {
      if (value === false && name !== 'simplify') {
        throw new UsageError(`unknown option '--no-${name}'`);
      }
    }
    const positionals = [...parsed.positionals];
    let source: Source;
    if (options.file !== undefined) {
      source = options.file === '-' ? { kind: 'stdin' } : { kind: 'file', path: options.file };
    } else if (positionals.length > 0) {
      const word = positionals.shift()!;
      source = word === '-' ? { kind: 'stdin' } : { kind: 'text', text: word };
    } else if (!io.stdinIsTTY) {
      source = { kind: 'stdin' };
    } else {
      throw new UsageError(
        'missing expression (give it as an argument, with --file, or on a pipe)',
      );
    }
    if (positionals.length > command.maxRest) {
      throw new UsageError(`unexpected argument '${positionals[command.maxRest]}'`);
    }
    text = await readSource(source, io);
    if (text.trim() === '') {
      throw new UsageError(
        `missing expression (${source.kind === 'text' ? 'the argument' : source.kind === 'file' ? 'the file' : 'standard input'} is empty)`,
      );
    }
    const expr: Expr = parse(text);
    const result = command.run({ expr, rest: positionals, options });
    if (result.stdout !== '') io.out(result.stdout);
    if (result.stderr !== undefined) io.err(result.stderr);
    return result.code;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(usageMessage(err.message, command));
      return EXIT.usage;
    }
    if (err instanceof InputError) {
      io.err(`leibniz ${command.name}: ${err.message}`);
      return EXIT.noInput;
    }
    if (err instanceof ParseError) {
      io.err(parseErrorMessage(err, text, command.name));
      return EXIT.badExpression;
    }
    if (err instanceof LeibnizError) {
      io.err(`leibniz ${command.name}: ${err.message}`);
      return EXIT.badExpression;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.err(`leibniz ${command.name}: internal error, please report it:\n${detail}`);
    return EXIT.internal;
  }
}
