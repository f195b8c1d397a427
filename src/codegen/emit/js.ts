/**
 * The JavaScript back end: prints a laid-out program as the body of a factory `(E) => entry`
 * (for `new Function`; `E` is the error class argument checks throw) or as ES module exports
 * with their TypeScript declarations. Deterministic (same program, same text) and safe: the
 * text holds only identifiers Leibniz made (`t12`, `x`, `g`, `value_c1`), numbers printed by
 * `numberLiteral` from numbers, and the source of Leibniz's own numeric kernels; never a
 * symbol or function name a user wrote (export names are validated by module.ts).
 */
import {
  InvalidArgumentError,
  type KernelPrimitive,
  NUMERIC_KERNEL_DEPENDENCIES,
  NUMERIC_KERNELS,
  type NumericKernelName,
} from '../../expr/index.js';
import { type LaidProgram, type Line, layout, type MainFunction } from '../layout.js';
import type { Extent, Param, Program } from '../program.js';
import { type Dialect, indexText, nodeText, operandText } from './c-syntax.js';

const PLAIN_NUMBER = /^\d+(\.\d+)?(e[+-]\d+)?$/;

/**
 * JavaScript text for a number, built from the number (never from user text): `3`, `0.5`,
 * `1e-7`, negatives parenthesised (`(-2)`, so `a - (-2)` stays an expression), and the
 * non-finite values as arithmetic (`(1/0)`, `(0/0)`) since the globals can be shadowed.
 *
 * @example
 * ```ts
 * numberLiteral(-0.25); // '(-0.25)'
 * numberLiteral(1 / 3); // '0.3333333333333333'
 * ```
 */
export function numberLiteral(x: number): string {
  if (typeof x !== 'number') throw new InvalidArgumentError('numberLiteral: not a number');
  if (Number.isNaN(x)) return '(0/0)';
  if (x === Number.POSITIVE_INFINITY) return '(1/0)';
  if (x === Number.NEGATIVE_INFINITY) return '(-1/0)';
  if (Object.is(x, -0)) return '(-0)';
  const text = String(Math.abs(x));
  // String(number) only ever gives this shape for a finite number; the check makes the
  // invariant local instead of relying on it.
  if (!PLAIN_NUMBER.test(text))
    throw new InvalidArgumentError(`numberLiteral: unexpected '${text}'`);
  return x < 0 ? `(-${text})` : text;
}

/** How a primitive is written, and the Leibniz kernel (embedded source) it calls, if any. */
interface JsPrimitive {
  readonly text: (args: readonly string[]) => string;
  readonly kernel?: NumericKernelName;
}

const math = (name: string): JsPrimitive => ({
  text: (args) => `Math.${name}(${args.join(', ')})`,
});

/**
 * The kernel vocabulary in JavaScript. `Math` has the vocabulary's semantics; softplus,
 * erf and erfc call Leibniz's stable kernels, embedded in the generated code. A missing entry is a
 * type error.
 */
export const JS_PRIMITIVES = {
  sin: math('sin'),
  cos: math('cos'),
  tan: math('tan'),
  asin: math('asin'),
  acos: math('acos'),
  atan: math('atan'),
  atan2: math('atan2'),
  sinh: math('sinh'),
  cosh: math('cosh'),
  tanh: math('tanh'),
  asinh: math('asinh'),
  acosh: math('acosh'),
  atanh: math('atanh'),
  exp: math('exp'),
  expm1: math('expm1'),
  log: math('log'),
  log1p: math('log1p'),
  log2: math('log2'),
  log10: math('log10'),
  sqrt: math('sqrt'),
  cbrt: math('cbrt'),
  pow: math('pow'),
  abs: math('abs'),
  sign: math('sign'),
  min: math('min'),
  max: math('max'),
  // 1/(1 + e^−u) cannot overflow in floats (e^−u = ∞ gives 0, not NaN) and, unlike the
  // interpreter's two-branch kernel, has no data-dependent branch: ~25% faster on random
  // signs. It agrees with the kernel to an ulp or two (and differs only below 1e-308).
  sigmoid: { text: ([u]) => `1 / (1 + Math.exp(-${u}))` },
  softplus: { text: ([u]) => `softplus(${u})`, kernel: 'softplus' },
  // max(u, 0) keeps NaN and turns −0 into +0, as the kernel does.
  relu: { text: ([u]) => `Math.max(${u}, 0)` },
  erf: { text: ([u]) => `erf(${u})`, kernel: 'erf' },
  erfc: { text: ([u]) => `erfc(${u})`, kernel: 'erfc' },
  // Operands are names or literals, so repeating one costs nothing.
  heaviside: { text: ([u]) => `(${u} > 0 ? 1 : ${u} <= 0 ? 0 : ${u})` },
  gate: { text: ([s, a]) => `(${s} === 0 && ${a} === ${a} ? 0 : ${s} * ${a})` },
  // |t| < 0.9999 (|u| < 4.95): 1 − t² is within ~1e-12 relative; beyond, where tanh rounds
  // toward ±1, 4/(eᵘ + e⁻ᵘ)² keeps every digit. The branch is rarely taken, so it is cheap.
  // s < 0.9999 (v < 9.2): s·(1 − s) is within ~1e-12 relative; beyond, 1 − s is σ(−v).
  dsigmoid: {
    text: ([v, s]) => `(${s} < 0.9999 ? ${s} * (1 - ${s}) : ${s} / (1 + Math.exp(${v})))`,
  },
  sech2: {
    text: ([u, t]) =>
      `(Math.abs(${t}) < 0.9999 ? 1 - ${t} * ${t} : 4 / (Math.exp(${u}) + Math.exp(-${u})) ** 2)`,
  },
} as const satisfies { readonly [P in KernelPrimitive]: JsPrimitive };

/** The JavaScript dialect; `used` collects the Leibniz kernels printed calls need. */
const dialect = (used: Set<NumericKernelName>): Dialect => ({
  number: numberLiteral,
  call: (fn, args) => `${fn}(${args.join(', ')})`,
  primitive: (op, args) => {
    const p: JsPrimitive = JS_PRIMITIVES[op];
    if (p.kernel !== undefined) used.add(p.kernel);
    return p.text(args);
  },
});

/**
 * The kernels in `used` (and the kernels they call), bound to their names in the generated
 * code: `const { erf, softplus } = (() => { …sources…; return { erf: …, softplus: … }; })();`.
 * Each source is declared under its function's runtime name, which a bundler may have
 * changed (consistently with the calls between kernels); the scope keeps those names from
 * meeting the generated ones.
 */
function kernelSource(used: ReadonlySet<NumericKernelName>): string {
  if (used.size === 0) return '';
  const all = new Set<NumericKernelName>();
  const stack = [...used];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (all.has(k)) continue;
    all.add(k);
    stack.push(...NUMERIC_KERNEL_DEPENDENCIES[k]);
  }
  const runtimeName = (k: NumericKernelName): string => {
    const name = NUMERIC_KERNELS[k].name;
    if (!IDENTIFIER.test(name)) throw new Error(`kernel ${k} has no usable name ('${name}')`);
    return name;
  };
  const wanted = [...used].sort();
  const body = [...all]
    .sort()
    .map((k) => `  const ${runtimeName(k)} = ${NUMERIC_KERNELS[k].toString()};`);
  const result = wanted.map((k) => `${k}: ${runtimeName(k)}`).join(', ');
  return `const { ${wanted.join(', ')} } = (() => {\n${body.join('\n')}\n  return { ${result} };\n})();`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if implements import in instanceof interface let new null package ' +
    'private protected public return static super switch this throw true try typeof var void while ' +
    'with yield arguments eval undefined NaN Infinity'
  ).split(' '),
);

/**
 * Names a module's exports must not take: the standard globals (an export `Math` or
 * `RangeError` would shadow the one the generated code calls, in the whole module), and
 * `then` (a namespace with a `then` export is thenable: `await import()` would call it).
 */
const SHADOWED = new Set(
  (
    'then globalThis Math Array Float64Array Float32Array Int8Array Int16Array Int32Array ' +
    'Uint8Array Uint8ClampedArray Uint16Array Uint32Array BigInt64Array BigUint64Array ArrayBuffer ' +
    'SharedArrayBuffer DataView Number BigInt Boolean String Symbol Object Function Error ' +
    'RangeError TypeError SyntaxError ReferenceError EvalError URIError AggregateError JSON ' +
    'Reflect Proxy Promise Map Set WeakMap WeakSet WeakRef FinalizationRegistry Date RegExp Atomics ' +
    'Intl isNaN isFinite parseFloat parseInt encodeURI encodeURIComponent decodeURI ' +
    'decodeURIComponent console'
  ).split(' '),
);

/** Export names JavaScript accepts: plain ASCII identifiers, not reserved or global names. */
export const JS_NAMES = {
  pattern: IDENTIFIER,
  reserved: (name: string): boolean => RESERVED.has(name) || SHADOWED.has(name),
  rule: 'a plain identifier (letters, digits, _ or $), not a reserved word, a standard global (Math, RangeError, …) or then',
} as const;

/** Names reach the text only as identifiers (they are Leibniz's own; this keeps it local). */
function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new InvalidArgumentError(`emit: bad identifier '${name}'`);
  return name;
}

const extentText = (e: Extent): string =>
  typeof e === 'number' ? `${e}` : e.per === 1 ? e.size : `${e.size} * ${e.per}`;

/** `if (x.length < n) throw …` — a short input would otherwise read `undefined` as NaN. */
/**
 * `if (!(x.length >= n)) throw …`: a short input would otherwise read `undefined` as NaN, and
 * anything without a length (undefined, a number, a Symbol) fails the test too, so a wrong
 * argument is an `E` (InvalidArgumentError or RangeError), never a raw TypeError.
 */
const lengthCheck = (name: string, length: number, label: string): string =>
  `if (${name} == null || !(${name}.length >= ${length})) throw new E('${label} needs at least ${length} entries');`;

/** The checks (and bindings) that receive the arguments. */
function argumentLines(params: readonly Param[]): string[] {
  const lines: string[] = [];
  for (const p of params) {
    if (p.kind === 'number') {
      // JavaScript would coerce (or throw on a Symbol); a compiled function takes numbers.
      lines.push(`if (typeof ${p.name} !== 'number') throw new E('${p.name} must be a number');`);
      continue;
    }
    if (p.kind === 'columns') {
      const m = p.columns.length;
      lines.push(
        `if (!Array.isArray(${p.name}) || ${p.name}.length !== ${m}) throw new E('expected an array of ${m} data columns');`,
        ...p.columns.map((c, j) => `const ${c} = ${p.name}[${j}];`),
        ...p.columns.map(
          (c, j) =>
            `if (!(${c} instanceof Float64Array)) throw new E('data column ${j} is not a Float64Array');`,
        ),
        `const ${p.size} = ${p.columns[0]}.length;`,
        ...p.columns
          .slice(1)
          .map(
            (c, j) =>
              `if (${c}.length !== ${p.size}) throw new E('data column ${j + 1} differs in length from column 0');`,
          ),
      );
      continue;
    }
    const length = p.length;
    if (typeof length !== 'number') {
      const per = length.per === 1 ? 'one entry' : `${length.per} entries`;
      lines.push(
        `if (!(${p.name} instanceof Float64Array) || ${p.name}.length < ${extentText(length)}) throw new E('${p.label} must be a Float64Array with ${per} per point');`,
      );
    } else if (p.missing === 'allocate') {
      lines.push(
        `if (${p.name} === undefined) ${p.name} = new Float64Array(${length});`,
        `else ${lengthCheck(p.name, length, p.label)}`,
      );
    } else lines.push(lengthCheck(p.name, length, p.label));
  }
  return lines;
}

/** Prints one function's lines, collecting the kernels it calls. */
class Printer {
  readonly out: string[] = [];
  readonly kernels = new Set<NumericKernelName>();
  private readonly declared = new Set<string>();
  private readonly d = dialect(this.kernels);

  constructor(private readonly params: readonly Param[]) {}

  lines(lines: readonly Line[], indent: string): void {
    for (const line of lines) this.line(line, indent);
  }

  private statement(line: Line): string {
    switch (line.kind) {
      case 'define':
        return `const ${line.name} = ${operandText(line.value, this.d)};`;
      case 'store':
        return `${line.array}[${indexText(line.index)}] ${line.add ? '+=' : '='} ${operandText(line.value, this.d)};`;
      case 'set':
        return `${line.scalar} ${line.add ? '+=' : '='} ${operandText(line.value, this.d)};`;
      case 'run':
        return `${line.fn}(${line.args
          .filter((a) => a.kind !== 'memory')
          .map((a) => a.name)
          .join(', ')});`;
      case 'return':
        if (line.value !== undefined) return `return ${operandText(line.value, this.d)};`;
        return line.array !== undefined ? `return ${line.array};` : 'return;';
      default:
        throw new InvalidArgumentError(`emit: '${line.kind}' is not a simple statement`);
    }
  }

  private line(line: Line, indent: string): void {
    const out = this.out;
    switch (line.kind) {
      case 'compute': {
        const args = line.args.map((a) => operandText(a, this.d));
        out.push(`${indent}const ${line.name} = ${nodeText(line.node, args, this.d)};`);
        return;
      }
      case 'declare':
        out.push(`${indent}let ${line.names.map((n) => `${n} = 0`).join(', ')};`);
        return;
      case 'fill':
        out.push(
          `${indent}${line.array}.fill(${numberLiteral(line.value)}, ${line.from}, ${line.to});`,
        );
        return;
      case 'loop': {
        const v = line.variable;
        if (!this.declared.has(v)) {
          this.declared.add(v);
          out.push(`${indent}let ${v} = 0;`);
        }
        out.push(`${indent}for (${v} = 0; ${v} < ${extentText(line.count)}; ${v}++) {`);
        this.lines(line.body, `${indent}  `);
        out.push(`${indent}}`);
        return;
      }
      case 'blocks': {
        const count = extentText(line.count);
        out.push(
          `${indent}for (let ${line.from} = 0; ${line.from} < ${count}; ${line.from} += ${line.size}) {`,
          `${indent}  const ${line.to} = Math.min(${count}, ${line.from} + ${line.size});`,
        );
        this.lines(line.body, `${indent}  `);
        out.push(`${indent}}`);
        return;
      }
      case 'range': {
        const v = line.variable;
        out.push(`${indent}for (let ${v} = ${line.from}; ${v} < ${line.to}; ${v}++) {`);
        this.lines(line.body, `${indent}  `);
        out.push(`${indent}}`);
        return;
      }
      case 'arguments':
        for (const l of argumentLines(this.params)) out.push(indent + l);
        return;
      case 'ifMissing':
        if (line.body.length === 1 && line.body[0].kind !== 'loop') {
          out.push(`${indent}if (${line.param} === undefined) ${this.statement(line.body[0])}`);
          return;
        }
        out.push(`${indent}if (${line.param} === undefined) {`);
        this.lines(line.body, `${indent}  `);
        out.push(`${indent}}`);
        return;
      default:
        out.push(indent + this.statement(line));
    }
  }
}

/** Functions' text and the kernels they need. */
function printProgram(laid: LaidProgram): { text: string; kernels: Set<NumericKernelName> } {
  const kernels = new Set<NumericKernelName>();
  const parts: string[] = [];
  for (const unit of laid.units) {
    for (const m of unit.memory) {
      parts.push(`const ${identifier(m.name)} = new Float64Array(${m.size});`);
    }
    const print = (
      name: string,
      params: readonly string[],
      body: readonly Line[],
      entry = false,
    ): void => {
      const p = new Printer(unit.main.params);
      p.lines(body, entry ? '    ' : '  ');
      for (const k of p.kernels) kernels.add(k);
      // The entry turns what a wrong argument makes JavaScript throw (a BigInt or a Symbol
      // in an array, a getter that throws) into `E`; V8 optimises the try as usual.
      const lines = entry
        ? [
            '  try {',
            ...p.out,
            '  } catch (err) {',
            "    throw err instanceof E ? err : new E('invalid argument: ' + (err instanceof Error ? err.message : String(err)));",
            '  }',
          ]
        : p.out;
      parts.push(
        [
          `function ${identifier(name)}(${params.map(identifier).join(', ')}) {`,
          ...lines,
          '}',
        ].join('\n'),
      );
    };
    for (const c of unit.chunks) {
      print(
        c.name,
        c.params.filter((a) => a.kind !== 'memory').map((a) => a.name),
        c.body,
      );
    }
    print(
      unit.main.name,
      unit.main.params.map((p) => p.name),
      unit.main.body,
      true,
    );
  }
  return { text: parts.join('\n'), kernels };
}

/**
 * The body of a factory `(E) => entry`: strict mode, kernels, the program's functions and
 * `return entry`. `budget` and `blockGain` are the layout's (tests force chunking with a
 * tiny budget, blocking with a gain of 0).
 */
export function factoryBody(program: Program, budget?: number, blockGain?: number): string {
  const laid = layout(program, budget, blockGain);
  const { text, kernels } = printProgram(laid);
  const source = kernelSource(kernels);
  return [
    '"use strict";',
    ...(source ? [source] : []),
    text,
    `return ${identifier(laid.entry)};`,
  ].join('\n');
}

/** The TypeScript type of a program's entry function. */
export function declarationType(main: Pick<MainFunction, 'params' | 'returns'>): string {
  const params = main.params.map((p) => {
    switch (p.kind) {
      case 'number':
        return `${p.name}: number`;
      case 'columns':
        return `${p.label}: readonly Float64Array[]`;
      default: {
        const optional = p.missing !== undefined ? '?' : '';
        return `${p.label}${optional}: ${p.access === 'read' ? 'ArrayLike<number>' : 'Float64Array'}`;
      }
    }
  });
  const returns =
    main.returns === 'number' ? 'number' : main.returns === 'array' ? 'Float64Array' : 'void';
  return `(${params.join(', ')}) => ${returns}`;
}

/** An export of a module: a validated name and its program. */
export interface ModuleExport {
  readonly name: string;
  readonly program: Program;
}

/**
 * A standalone ES module (no imports) and its declarations: each export is the factory
 * called with `RangeError`, so argument checks throw `RangeError`.
 */
export function emitJsModule(exports: readonly ModuleExport[]): { js: string; dts: string } {
  const js: string[] = ['// Generated by Leibniz: standalone, no imports. Do not edit.'];
  const dts: string[] = ['// Generated by Leibniz. Do not edit.'];
  for (const { name, program } of exports) {
    const entry = program.functions.find((f) => f.name === program.entry)!;
    js.push(
      `export const ${identifier(name)} = (function (E) {\n${factoryBody(program)}\n})(RangeError);`,
    );
    dts.push(`export declare const ${name}: ${declarationType(entry)};`);
  }
  return { js: `${js.join('\n')}\n`, dts: `${dts.join('\n')}\n` };
}
