/**
 * The C back end: prints laid-out programs as one C99 source file and its header. The same
 * scheduled program as the JavaScript back end, `math.h` for the libm primitives, Leibniz's
 * stable helpers as `static inline` functions, no allocation (scratch memory of large
 * programs lives on the stack), no global state (reentrant and thread-safe). Export names
 * are validated identifiers (module.ts); everything else is a name or number Leibniz made.
 */
import { InvalidArgumentError, type KernelPrimitive } from '../../expr/index.js';
import { type ChunkParam, type LaidUnit, type Line, layout, type MainFunction } from '../layout.js';
import type { Extent, Param, Program } from '../program.js';
import { type Dialect, indexText, nodeText, operandText } from './c-syntax.js';

const PLAIN_NUMBER = /^\d+(\.\d+)?(e[+-]\d+)?$/;

/**
 * C text for a double, built from the number: `3.0`, `0.5`, `1e-07` style exponents as
 * JavaScript prints them (the shortest text that reads back as the same double), negatives
 * parenthesised, and `INFINITY`/`NAN` from math.h.
 */
export function cNumber(x: number): string {
  if (Number.isNaN(x)) return 'NAN';
  if (x === Number.POSITIVE_INFINITY) return 'INFINITY';
  if (x === Number.NEGATIVE_INFINITY) return '(-INFINITY)';
  if (Object.is(x, -0)) return '(-0.0)';
  const text = String(Math.abs(x));
  if (!PLAIN_NUMBER.test(text)) throw new InvalidArgumentError(`cNumber: unexpected '${text}'`);
  // A constant without '.' or exponent would be an int: 1 / 2 is 0 in C.
  const double = /[.e]/.test(text) ? text : `${text}.0`;
  return x < 0 ? `(-${double})` : double;
}

/** Leibniz's helpers in C, where math.h's functions differ from the vocabulary's semantics. */
const HELPERS = {
  // math.h's pow(1, y) is 1 for every y and pow(−1, ±∞) is 1; the vocabulary (JavaScript's
  // Math.pow) gives NaN there.
  lz_pow:
    'static inline double lz_pow(double x, double y) {\n  return (x == 1.0 || x == -1.0) && !isfinite(y) ? NAN : pow(x, y);\n}',
  // Math.sign: ±1, and ±0 and NaN unchanged.
  lz_sign:
    'static inline double lz_sign(double x) {\n  return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x;\n}',
  // fmin/fmax ignore a NaN argument; Math.min/max propagate it and order −0 before +0.
  lz_min:
    'static inline double lz_min(double a, double b) {\n  if (a != a || b != b) return NAN;\n  if (a == b) return signbit(a) ? a : b;\n  return a < b ? a : b;\n}',
  lz_max:
    'static inline double lz_max(double a, double b) {\n  if (a != a || b != b) return NAN;\n  if (a == b) return signbit(a) ? b : a;\n  return a > b ? a : b;\n}',
  // 1/(1 + e^−x): e^−x = ∞ gives 0, never NaN; the JavaScript back end's form exactly.
  lz_sigmoid: 'static inline double lz_sigmoid(double x) {\n  return 1.0 / (1.0 + exp(-x));\n}',
  // max(x, 0) + log1p(e^−|x|): no overflow, full accuracy in the tail.
  lz_softplus:
    'static inline double lz_softplus(double x) {\n  return (x > 0.0 ? x : x == x ? 0.0 : x) + log1p(exp(-fabs(x)));\n}',
  // max(x, 0): NaN stays NaN, −0 becomes +0.
  lz_relu: 'static inline double lz_relu(double x) {\n  return x > 0.0 ? x : x == x ? 0.0 : x;\n}',
  lz_heaviside:
    'static inline double lz_heaviside(double x) {\n  return x > 0.0 ? 1.0 : x <= 0.0 ? 0.0 : x;\n}',
  // A step s at 0 zeroes s·a even where a is ±∞ (not NaN); a NaN a stays NaN.
  lz_gate:
    'static inline double lz_gate(double s, double a) {\n  return s == 0.0 && a == a ? 0.0 : s * a;\n}',
  // sech²(u) given t = tanh(u): 1 − t² while it keeps its digits, else from exp.
  // σ′(v) given s = σ(v): s·(1 − s) while it keeps its digits, else s·σ(−v).
  lz_dsigmoid:
    'static inline double lz_dsigmoid(double v, double s) {\n  return s < 0.9999 ? s * (1.0 - s) : s / (1.0 + exp(v));\n}',
  lz_sech2:
    'static inline double lz_sech2(double u, double t) {\n  if (fabs(t) < 0.9999) return 1.0 - t * t;\n  double s = exp(u) + exp(-u);\n  return 4.0 / (s * s);\n}',
} as const;

type Helper = keyof typeof HELPERS;

/** A primitive in C: a math.h function, or one of the helpers above. */
interface CPrimitive {
  readonly name: string;
  readonly helper?: Helper;
}

const libm = (name: string): CPrimitive => ({ name });
const helper = (name: Helper): CPrimitive => ({ name, helper: name });

/**
 * The kernel vocabulary in C. C99's math.h has every libm primitive (erf and erfc included, with the
 * same fdlibm lineage as Leibniz's JavaScript kernel); the helpers cover the rest. A
 * missing entry is a type error.
 */
export const C_PRIMITIVES = {
  sin: libm('sin'),
  cos: libm('cos'),
  tan: libm('tan'),
  asin: libm('asin'),
  acos: libm('acos'),
  atan: libm('atan'),
  atan2: libm('atan2'),
  sinh: libm('sinh'),
  cosh: libm('cosh'),
  tanh: libm('tanh'),
  asinh: libm('asinh'),
  acosh: libm('acosh'),
  atanh: libm('atanh'),
  exp: libm('exp'),
  expm1: libm('expm1'),
  log: libm('log'),
  log1p: libm('log1p'),
  log2: libm('log2'),
  log10: libm('log10'),
  sqrt: libm('sqrt'),
  cbrt: libm('cbrt'),
  pow: helper('lz_pow'),
  abs: libm('fabs'),
  sign: helper('lz_sign'),
  min: helper('lz_min'),
  max: helper('lz_max'),
  sigmoid: helper('lz_sigmoid'),
  softplus: helper('lz_softplus'),
  relu: helper('lz_relu'),
  erf: libm('erf'),
  erfc: libm('erfc'),
  heaviside: helper('lz_heaviside'),
  gate: helper('lz_gate'),
  sech2: helper('lz_sech2'),
  dsigmoid: helper('lz_dsigmoid'),
} as const satisfies { readonly [P in KernelPrimitive]: CPrimitive };

const C_KEYWORDS =
  'auto break case char const continue default do double else enum extern float for goto if ' +
  'inline int long register restrict return short signed sizeof static struct switch typedef ' +
  'union unsigned void volatile while bool true false nullptr alignas alignof constexpr ' +
  'static_assert thread_local typeof typeof_unqual';
const CPP_KEYWORDS =
  'and and_eq asm bitand bitor catch char8_t char16_t char32_t class compl concept consteval ' +
  'constinit const_cast co_await co_return co_yield decltype delete dynamic_cast explicit ' +
  'export friend mutable namespace new noexcept not not_eq operator or or_eq private protected ' +
  'public reinterpret_cast requires static_cast template this throw try typeid typename using ' +
  'virtual wchar_t xor xor_eq';
const MATH_FUNCTIONS =
  'acos asin atan atan2 cos sin tan acosh asinh atanh cosh sinh tanh exp exp2 expm1 frexp ' +
  'ilogb ldexp log log10 log1p log2 logb modf scalbn scalbln cbrt fabs hypot pow sqrt erf erfc ' +
  'lgamma tgamma ceil floor nearbyint rint lrint llrint round lround llround trunc fmod ' +
  'remainder remquo copysign nan nextafter nexttoward fdim fmax fmin fma ' +
  // glibc's extensions, declared by default
  'j0 j1 jn y0 y1 yn gamma exp10 pow10 drem finite significand scalb sincos lgamma_r';
const OTHER_NAMES =
  'fpclassify isfinite isinf isnan isnormal signbit isgreater isgreaterequal isless ' +
  'islessequal islessgreater isunordered math_errhandling float_t double_t INFINITY NAN ' +
  'NULL offsetof size_t ptrdiff_t max_align_t main abs labs llabs div malloc calloc realloc ' +
  'free exit abort atexit printf fprintf sprintf snprintf puts memcpy memmove memset memcmp ' +
  'strlen strcmp strcpy qsort bsearch rand srand atoi atof strtod time clock assert errno';
const RESERVED_C = new Set([
  ...C_KEYWORDS.split(' '),
  ...CPP_KEYWORDS.split(' '),
  ...MATH_FUNCTIONS.split(' ').flatMap((f) => [f, `${f}f`, `${f}l`]),
  ...OTHER_NAMES.split(' '),
]);

/**
 * Export names C accepts: ASCII identifiers that start with a letter, are no C or C++
 * keyword nor a name of math.h, stddef.h or the common library, don't start with `lz`
 * (Leibniz's own names) and are not macro-like math.h names (`M_PI`, `FP_NAN`, `HUGE_VAL`).
 */
export const C_NAMES = {
  pattern: /^[A-Za-z][A-Za-z0-9_]*$/,
  reserved: (name: string): boolean =>
    RESERVED_C.has(name) || /^lz/i.test(name) || /^(M|FP|MATH|HUGE)_/.test(name),
  rule: 'an ASCII C identifier starting with a letter, not a C/C++ keyword, not a math.h or C library name, not starting with lz',
} as const;

const extentText = (e: Extent): string =>
  typeof e === 'number' ? `${e}` : e.per === 1 ? e.size : `${e.size} * ${e.per}`;

const returnType = (r: MainFunction['returns']): string =>
  r === 'number' ? 'double' : r === 'array' ? 'double *' : 'void';

const paramText = (p: Param): string => {
  switch (p.kind) {
    case 'number':
      return `double ${p.name}`;
    case 'array':
      return p.access === 'read' ? `const double *${p.name}` : `double *${p.name}`;
    case 'columns':
      return `const double *const *${p.name}, ptrdiff_t ${p.size}`;
  }
};

const chunkParamText = (p: ChunkParam): string =>
  p.kind === 'index'
    ? `ptrdiff_t ${p.name}`
    : p.kind === 'array' && p.access === 'read'
      ? `const double *${p.name}`
      : `double *${p.name}`;

/** `name(type a, type b)` with `(void)` for no parameters. */
const signature = (name: string, params: readonly string[]): string =>
  `${name}(${params.length === 0 ? 'void' : params.join(', ')})`;

/** Prints the functions of one export. */
class UnitPrinter {
  readonly helpers = new Set<Helper>();

  constructor(
    /** C name of each function of the program (the entry is the export name). */
    private readonly cName: (fn: string) => string,
  ) {}

  /** Prototype and definition of a main function. */
  main(unit: LaidUnit, isEntry: boolean): { prototype: string; definition: string } {
    const m = unit.main;
    const type = returnType(m.returns);
    const head = `${isEntry ? '' : 'static '}${type}${type.endsWith('*') ? '' : ' '}${signature(
      this.cName(m.name),
      m.params.map(paramText),
    )}`;
    const out: string[] = [];
    for (const mem of unit.memory) out.push(`  double ${mem.name}[${mem.size}];`);
    this.lines(m.body, '  ', m, out);
    // A parameter the program does not need (a constant's point, a kernel without
    // parameters) is marked used, so the code compiles cleanly with -Wextra.
    const text = out.join('\n');
    const names = m.params.flatMap((p) => (p.kind === 'columns' ? [p.name, p.size] : [p.name]));
    const unused = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(text));
    const voids = unused.map((n) => `  (void)${n};`);
    return {
      prototype: `${head};`,
      definition: [`${head} {`, ...voids, ...out, '}'].join('\n'),
    };
  }

  chunk(
    name: string,
    params: readonly ChunkParam[],
    body: readonly Line[],
    m: MainFunction,
  ): { prototype: string; definition: string } {
    const head = `static void ${signature(this.cName(name), params.map(chunkParamText))}`;
    const out: string[] = [];
    this.lines(body, '  ', m, out);
    return { prototype: `${head};`, definition: [`${head} {`, ...out, '}'].join('\n') };
  }

  private dialect(m: MainFunction): Dialect {
    return {
      number: cNumber,
      call: (fn, args) => `${this.cName(fn)}(${this.callArgs(args, m)})`,
      primitive: (op, args) => {
        const p: CPrimitive = C_PRIMITIVES[op];
        if (p.helper !== undefined) this.helpers.add(p.helper);
        return `${p.name}(${args.join(', ')})`;
      },
    };
  }

  /** The caller's arguments as C passes them (data columns with their size). */
  private callArgs(args: readonly string[], m: MainFunction): string {
    return args
      .map((a) => {
        const p = m.params.find((q) => q.name === a);
        return p?.kind === 'columns' ? `${a}, ${p.size}` : a;
      })
      .join(', ');
  }

  private lines(lines: readonly Line[], indent: string, m: MainFunction, out: string[]): void {
    const d = this.dialect(m);
    const operand = (o: Parameters<typeof operandText>[0]): string => operandText(o, d);
    for (const line of lines) {
      switch (line.kind) {
        case 'compute':
          out.push(
            `${indent}const double ${line.name} = ${nodeText(line.node, line.args.map(operand), d)};`,
          );
          break;
        case 'define':
          out.push(`${indent}const double ${line.name} = ${operand(line.value)};`);
          break;
        case 'store':
          out.push(
            `${indent}${line.array}[${indexText(line.index)}] ${line.add ? '+=' : '='} ${operand(line.value)};`,
          );
          break;
        case 'set':
          out.push(`${indent}${line.scalar} ${line.add ? '+=' : '='} ${operand(line.value)};`);
          break;
        case 'declare':
          out.push(`${indent}double ${line.names.map((n) => `${n} = 0.0`).join(', ')};`);
          break;
        case 'fill':
          out.push(
            `${indent}for (ptrdiff_t lz_k = ${line.from}; lz_k < ${line.to}; lz_k++) ${line.array}[lz_k] = ${cNumber(line.value)};`,
          );
          break;
        case 'loop': {
          const v = line.variable;
          out.push(`${indent}for (ptrdiff_t ${v} = 0; ${v} < ${extentText(line.count)}; ${v}++) {`);
          this.lines(line.body, `${indent}  `, m, out);
          out.push(`${indent}}`);
          break;
        }
        case 'blocks': {
          const { from, to, size } = line;
          const count = extentText(line.count);
          out.push(
            `${indent}for (ptrdiff_t ${from} = 0; ${from} < ${count}; ${from} += ${size}) {`,
            `${indent}  const ptrdiff_t ${to} = ${from} + ${size} < ${count} ? ${from} + ${size} : ${count};`,
          );
          this.lines(line.body, `${indent}  `, m, out);
          out.push(`${indent}}`);
          break;
        }
        case 'range': {
          const v = line.variable;
          out.push(`${indent}for (ptrdiff_t ${v} = ${line.from}; ${v} < ${line.to}; ${v}++) {`);
          this.lines(line.body, `${indent}  `, m, out);
          out.push(`${indent}}`);
          break;
        }
        case 'arguments':
          for (const p of m.params) {
            if (p.kind !== 'columns') continue;
            p.columns.forEach((c, j) => {
              out.push(`${indent}const double *${c} = ${p.name}[${j}];`);
            });
          }
          break;
        case 'ifMissing':
          out.push(`${indent}if (${line.param} == NULL) {`);
          this.lines(line.body, `${indent}  `, m, out);
          out.push(`${indent}}`);
          break;
        case 'run':
          out.push(`${indent}${this.cName(line.fn)}(${line.args.map((a) => a.name).join(', ')});`);
          break;
        case 'return':
          if (line.value !== undefined && m.returns === 'void') {
            // C forbids `return expr;` in a void function: call, then return.
            out.push(`${indent}${operand(line.value)};`, `${indent}return;`);
          } else if (line.value !== undefined) out.push(`${indent}return ${operand(line.value)};`);
          else out.push(`${indent}return${line.array !== undefined ? ` ${line.array}` : ''};`);
          break;
      }
    }
  }
}

/** `n doubles`, `1 double`. */
const doubles = (n: string | number): string => `${n} double${n === 1 ? '' : 's'}`;

/** What an argument must hold, for the header's comment. */
function describeParam(p: Param): string | undefined {
  switch (p.kind) {
    case 'number':
      return undefined;
    case 'columns':
      return `${p.name}: ${p.columns.length} column${p.columns.length === 1 ? '' : 's'} of ${doubles(p.size)}`;
    case 'array': {
      const n =
        typeof p.length === 'number'
          ? p.length
          : p.length.per === 1
            ? p.length.size
            : `${p.length.size} * ${p.length.per}`;
      const optional = p.missing === 'optional' ? ', or NULL' : '';
      return `${p.name}: ${doubles(n)}${p.access === 'write' ? ' (written)' : ''}${optional}`;
    }
  }
}

/** 32-bit FNV-1a of `text`, as hex: a stable include-guard suffix. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).toUpperCase().padStart(8, '0');
}

/** An export of a module: a validated name and its program. */
export interface CExport {
  readonly name: string;
  readonly program: Program;
}

/**
 * One C99 source file (`c`) defining every export and a header (`h`) declaring them.
 * Internal functions are `static` and named `lz<k>_…`, helpers `lz_…`. `budget` and
 * `blockGain` are the layout's (tests force chunking with a tiny budget, blocking with 0).
 */
export function emitCModule(
  exports: readonly CExport[],
  budget?: number,
  blockGain?: number,
): { c: string; h: string } {
  const helpers = new Set<Helper>();
  const prototypes: string[] = [];
  const definitions: string[] = [];
  const declarations: string[] = [];
  exports.forEach(({ name, program }, k) => {
    const laid = layout(program, budget, blockGain);
    const cName = (fn: string): string => (fn === laid.entry ? name : `lz${k}_${fn}`);
    const printer = new UnitPrinter(cName);
    for (const unit of laid.units) {
      for (const c of unit.chunks) {
        const f = printer.chunk(c.name, c.params, c.body, unit.main);
        prototypes.push(f.prototype);
        definitions.push(f.definition);
      }
      const isEntry = unit.main.name === laid.entry;
      const f = printer.main(unit, isEntry);
      definitions.push(f.definition);
      if (isEntry) {
        const numbers = unit.main.params.filter((p) => p.kind === 'number').map((p) => p.name);
        const notes = [
          ...(numbers.length > 0 ? [`${numbers.join(', ')}: numbers`] : []),
          ...unit.main.params.map(describeParam).filter((s) => s !== undefined),
        ];
        declarations.push(
          `/* ${name}: ${notes.length > 0 ? notes.join('; ') : 'no arguments'}. */`,
          f.prototype,
        );
      } else prototypes.push(f.prototype);
    }
    for (const h of printer.helpers) helpers.add(h);
  });
  const banner = '/* Generated by Leibniz: C99, math.h, no allocation. Do not edit. */';
  const body = declarations.join('\n');
  const guard = `LEIBNIZ_H_${fnv1a(body)}`;
  const h = [
    banner,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '#include <stddef.h>',
    '#ifdef __cplusplus',
    'extern "C" {',
    '#endif',
    body,
    '#ifdef __cplusplus',
    '}',
    '#endif',
    '#endif',
    '',
  ].join('\n');
  const c = [
    banner,
    '#include <math.h>',
    '#include <stddef.h>',
    ...[...helpers].sort().map((name) => HELPERS[name]),
    ...declarations,
    ...prototypes,
    ...definitions,
    '',
  ].join('\n');
  return { c, h };
}
