#!/usr/bin/env node
/**
 * The `leibniz` command: differentiate, derive, print and evaluate expressions from the
 * shell. `run` is the whole program (testable without spawning); the bottom line wires it
 * to the process.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  derivation,
  diff,
  evaluate,
  format,
  freeSymbols,
  grad,
  LeibnizError,
  parse,
  toLatex,
} from '../index.js';

const USAGE = `usage: leibniz <command> <expression> [arguments] [--latex]

commands:
  diff <expr> [variable] [--order N]   derivative (default variable: the only free symbol)
  grad <expr> [variables...]           all first partials, one reverse sweep
  derive <expr> <variable> [--name L]  step-by-step chain-rule derivation
  latex <expr>                         the expression as LaTeX
  eval <expr> [name=value ...]         the value in float64

examples:
  leibniz diff "sin(x^2)"
  leibniz derive "(f2(w2*f1(w1*x)) - y)^2" w1 --name L
  leibniz eval "x^2 + y" x=3 y=0.5`;

/** Where `run` writes. */
export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--latex' || a === '--help' || a === '-h') flags.set(a.replace(/^-+/, ''), true);
    else if (a === '--order' || a === '--name') {
      if (i + 1 >= argv.length) throw new LeibnizError(`${a} needs a value`);
      flags.set(a.slice(2), argv[++i]);
    } else positional.push(a);
  }
  return { positional, flags };
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit code:
 * 0 on success, 1 on bad input (a typed error, printed to `io.err`), 2 on bad usage.
 *
 * @example
 * ```ts
 * run(['diff', 'sin(x^2)'], { out: console.log, err: console.error }); // prints 2*x*cos(x^2)
 * ```
 */
export function run(argv: readonly string[], io: CliIO): number {
  let args: Parsed;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err((e as Error).message);
    return 2;
  }
  const [command, text, ...rest] = args.positional;
  if (args.flags.has('help') || args.flags.has('h') || command === undefined) {
    (command === undefined && !args.flags.has('help') ? io.err : io.out)(USAGE);
    return command === undefined && !args.flags.has('help') ? 2 : 0;
  }
  if (text === undefined) {
    io.err(`leibniz ${command}: missing expression\n\n${USAGE}`);
    return 2;
  }
  const latex = args.flags.has('latex');
  const show = (e: Parameters<typeof toLatex>[0]): string => (latex ? toLatex(e) : format(e));
  try {
    const expr = parse(text);
    switch (command) {
      case 'diff': {
        const order = Number(args.flags.get('order') ?? 1);
        const variable = rest[0] ?? onlyVariable(expr);
        io.out(show(diff(expr, variable, order)));
        return 0;
      }
      case 'grad': {
        const vars = rest.length > 0 ? rest : undefined;
        const g = grad(expr, vars);
        const names = vars ?? freeNames(expr);
        g.forEach((d, i) => {
          io.out(`${names[i]}: ${show(d)}`);
        });
        return 0;
      }
      case 'derive': {
        const variable = rest[0] ?? onlyVariable(expr);
        const name = args.flags.get('name');
        const d = derivation(expr, variable, typeof name === 'string' ? { name } : {});
        io.out(latex ? d.toLatex() : d.toString());
        return 0;
      }
      case 'latex':
        io.out(toLatex(expr));
        return 0;
      case 'eval': {
        const env: Record<string, number> = {};
        for (const binding of rest) {
          const m = /^([^=]+)=(.*)$/.exec(binding);
          const value = m ? Number(m[2]) : Number.NaN;
          if (!m || m[2].trim() === '' || !Number.isFinite(value)) {
            throw new LeibnizError(`bad binding '${binding}': write name=number`);
          }
          env[m[1]] = value;
        }
        io.out(String(evaluate(expr, env)));
        return 0;
      }
      default:
        io.err(`leibniz: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof LeibnizError) {
      io.err(`${e.name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function freeNames(expr: ReturnType<typeof parse>): string[] {
  return freeSymbols(expr).map((s) => s.name!);
}

function onlyVariable(expr: ReturnType<typeof parse>): string {
  const names = freeNames(expr);
  if (names.length !== 1) {
    throw new LeibnizError(
      `name the variable: the expression has ${names.length === 0 ? 'no' : names.length} free symbols`,
    );
  }
  return names[0];
}

// Run only when executed as a program, not when imported by tests.
function invokedPath(): string {
  try {
    return process.argv[1] === undefined ? '' : realpathSync(process.argv[1]);
  } catch {
    return '';
  }
}
if (invokedPath() === fileURLToPath(import.meta.url)) {
  process.exitCode = run(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
