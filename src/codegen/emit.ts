/**
 * Emission: straight-line JavaScript text from a scheduled program, one `const` per value,
 * read from an emitter table keyed by operator. Deterministic (same program, same text) and
 * safe: the text contains only identifiers made here (`t12`, `x`, `g`, `value_c1`), numbers
 * printed by `numberLiteral` from numbers, and the source of Leibniz's own numeric kernels;
 * never a symbol or function name a user wrote.
 */
import {
  type FunctionName,
  InvalidArgumentError,
  NUMERIC_KERNEL_DEPENDENCIES,
  NUMERIC_KERNEL_SOURCE,
  type NumericKernelName,
} from '../expr/index.js';
import type { IrNode } from './ir.js';
import { chunk, splitInvariant, topologicalOrder } from './schedule.js';

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

/** Text of a function applied to operand texts (operands are names or literals). */
export type Emitter = (args: readonly string[]) => string;

const math =
  (name: string): Emitter =>
  (args) =>
    `Math.${name}(${args.join(', ')})`;

/**
 * How each known function is emitted; the same float semantics as the interpreter's
 * `NUMERIC_FUNCTIONS`. softplus and erf call Leibniz's stable kernels, embedded in the
 * generated code. A missing entry is a type error.
 */
export const FUNCTION_EMITTERS = {
  sin: math('sin'),
  cos: math('cos'),
  tan: math('tan'),
  sec: ([u]) => `1 / Math.cos(${u})`,
  csc: ([u]) => `1 / Math.sin(${u})`,
  cot: ([u]) => `1 / Math.tan(${u})`,
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
  log: math('log'),
  log2: math('log2'),
  log10: math('log10'),
  cbrt: math('cbrt'),
  abs: math('abs'),
  sign: math('sign'),
  min: math('min'),
  max: math('max'),
  // 1/(1 + e^−u) cannot overflow in floats (e^−u = ∞ gives 0, not NaN) and, unlike the
  // interpreter's two-branch kernel, has no data-dependent branch: ~25% faster on random
  // signs. It agrees with the kernel to an ulp or two (and differs only below 1e-308).
  sigmoid: ([u]) => `1 / (1 + Math.exp(-${u}))`,
  softplus: ([u]) => `softplus(${u})`,
  // max(u, 0) keeps NaN and turns −0 into +0, as the kernel does.
  relu: ([u]) => `Math.max(${u}, 0)`,
  erf: ([u]) => `erf(${u})`,
  // Operands are names or literals, so repeating one costs nothing.
  heaviside: ([u]) => `(${u} > 0 ? 1 : ${u} <= 0 ? 0 : ${u})`,
} as const satisfies { readonly [K in FunctionName]: Emitter };

/** The numeric kernels a function's emitted code calls. */
const FUNCTION_KERNELS: { readonly [K in FunctionName]?: NumericKernelName } = {
  softplus: 'softplus',
  erf: 'erf',
};

/**
 * Source of the kernels in `used` and the kernels they call, in a fixed order. Function
 * declarations are hoisted, so they may sit anywhere in the enclosing scope.
 */
export function kernelSource(used: ReadonlySet<NumericKernelName>): string {
  const all = new Set<NumericKernelName>();
  const stack = [...used];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (all.has(k)) continue;
    all.add(k);
    stack.push(...NUMERIC_KERNEL_DEPENDENCIES[k]);
  }
  return [...all]
    .sort()
    .map((k) => NUMERIC_KERNEL_SOURCE[k])
    .join('\n');
}

/** Something the generated function does with a value besides computing it. */
export type Action =
  /** Writes the value somewhere: `write('t3')` is a statement such as `g[0] = t3;`. */
  | { readonly kind: 'store'; readonly node: IrNode; readonly write: (atom: string) => string }
  /** Adds the value to accumulator `slot` (batch loops). */
  | { readonly kind: 'acc'; readonly node: IrNode; readonly slot: number };

/** A batch loop: its head, what it does per point, and how many accumulators it sums into. */
export interface LoopPlan {
  /** The loop statement's head, e.g. `for (i = 0; i < n; i++) {` (uses the main's `i`). */
  readonly head: string;
  readonly actions: readonly Action[];
  readonly accumulators: number;
  /** Values the last statements of each iteration need. */
  readonly tailRefs?: readonly IrNode[];
  /** The last statements of each iteration (after all actions), given how to name a value. */
  readonly tail?: (ref: (n: IrNode) => string) => string[];
}

/** Everything emit needs to write one generated function. */
export interface FunctionPlan {
  /** Name of the main function; prefix of its helpers (an identifier we chose). */
  readonly name: string;
  /** Parameters of the main function. */
  readonly params: readonly string[];
  /** Names in scope in the main function that chunk functions receive as parameters. */
  readonly chunkParams: readonly string[];
  /** First statements of the main function (argument checks, column reads). */
  readonly head: readonly string[];
  /** Text that reads an input (a non-positional one), e.g. `x[3]` or `d0[i]`. */
  readonly read: (input: IrNode) => string;
  /** Number of positional number arguments `a0, a1, …` (inputs with source `x`), if any. */
  readonly positional?: number;
  /** Actions before any loop (point functions: all of them). */
  readonly actions: readonly Action[];
  readonly loop?: LoopPlan;
  /** Values the final statements need. */
  readonly finishRefs: readonly IrNode[];
  /** The final statements, given how to name a value and an accumulator there. */
  readonly finish: (ref: (n: IrNode) => string, acc: (slot: number) => string) => string[];
}

/**
 * Statement weight per chunk function: 2,500 units ≈ 700 statements ≈ 20 KB of bytecode,
 * well under V8's 60 KB limit for optimisation, and small enough that the optimising
 * compiler (superlinear in function size) finishes each chunk in a fraction of a second.
 */
export const DEFAULT_CHUNK_BUDGET = 2500;

/** The emitted text of one function and the kernels it needs. */
export interface EmittedFunction {
  /** Declarations (scratch arrays, chunk functions) and the main function, in order. */
  readonly text: string;
  readonly kernels: ReadonlySet<NumericKernelName>;
  /** Number of chunk functions (0 when the program fits in one function). */
  readonly chunks: number;
}

interface Location {
  /** 0 for the main function, k ≥ 1 for chunk function k. */
  readonly fn: number;
  /** True for a statement in the loop body. */
  readonly loop: boolean;
}

/**
 * Writes a plan as JavaScript: the statements in scheduled order, the actions right after
 * the value they use, cut into chunk functions when large (values crossing a chunk boundary
 * travel through a preallocated Float64Array, so a call allocates nothing). Inputs are not
 * statements: each function reads an input (from `x`, `p`, a column) just before its first
 * use there, which is cheaper than passing it between chunks.
 */
export function emitFunction(plan: FunctionPlan, budget = DEFAULT_CHUNK_BUDGET): EmittedFunction {
  const name = plan.name;
  const positional = plan.positional ?? 0;
  const loopActions = plan.loop?.actions ?? [];
  // The returned value first: the forward pass, then the backward sweep that reuses it.
  const outputs = [
    ...plan.finishRefs,
    ...plan.actions.map((a) => a.node),
    ...loopActions.map((a) => a.node),
    ...(plan.loop?.tailRefs ?? []),
  ];
  const order = topologicalOrder(outputs, (n) => n.op === 'lit' || n.op === 'in');
  const { invariant, varying } = plan.loop
    ? splitInvariant(order)
    : { invariant: order, varying: [] };
  const preChunks = chunk(invariant, budget);
  const loopChunks = plan.loop ? chunk(varying, budget) : [];
  const preChunked = preChunks.length > 1;
  const loopChunked = loopChunks.length > 1;
  // Positional arguments are plain names unless chunk functions need them (then they are
  // copied to a scratch array once per call).
  const positionalAtoms = positional > 0 && !preChunked;

  const names = new Map<number, string>();
  order.forEach((n, k) => {
    names.set(n.id, `t${k}`);
  });
  const INPUT_PREFIX = { x: 'x', v: 'v', param: 'p', data: 'c' } as const;
  const atom = (n: IrNode): string => {
    if (n.op === 'lit') return numberLiteral(n.value);
    if (n.op === 'in') {
      if (positionalAtoms && n.source === 'x') return `a${n.index}`;
      return `${INPUT_PREFIX[n.source!]}${n.index}`;
    }
    return names.get(n.id)!;
  };
  const readInput = (n: IrNode): string =>
    positional > 0 && n.source === 'x' ? `${name}_X[${n.index}]` : plan.read(n);
  /** `const x3 = x[3];` for the inputs among `refs` (sorted: deterministic and readable). */
  const inputReads = (refs: Iterable<IrNode>, keep: (n: IrNode) => boolean): string[] => {
    const inputs = new Map<number, IrNode>();
    for (const n of refs)
      if (n.op === 'in' && keep(n) && !(positionalAtoms && n.source === 'x')) inputs.set(n.id, n);
    return [...inputs.values()]
      .sort((p, q) => (p.source! < q.source! ? -1 : p.source! > q.source! ? 1 : p.index - q.index))
      .map((n) => `const ${atom(n)} = ${readInput(n)};`);
  };
  const argsOf = function* (nodes: readonly IrNode[]): Generator<IrNode> {
    for (const n of nodes) yield* n.args;
  };

  // Where each statement lives.
  const location = new Map<number, Location>();
  let fnCount = 0;
  const preFns: IrNode[][] = [];
  const loopFns: IrNode[][] = [];
  for (const c of preChunks) {
    const fn = preChunked ? ++fnCount : 0;
    if (preChunked) preFns.push(c);
    for (const n of c) location.set(n.id, { fn, loop: false });
  }
  for (const c of loopChunks) {
    const fn = loopChunked ? ++fnCount : 0;
    if (loopChunked) loopFns.push(c);
    for (const n of c) location.set(n.id, { fn, loop: true });
  }

  // Scratch slots for values used outside the function that computes them.
  const slots = new Map<number, number>();
  const slotOf = (n: IrNode): number => {
    let s = slots.get(n.id);
    if (s === undefined) {
      s = slots.size;
      slots.set(n.id, s);
    }
    return s;
  };
  const scratch = `${name}_S`;
  const accName = (slot: number): string => (loopChunked ? `${name}_A[${slot}]` : `A${slot}`);

  // Values function `fn` uses but another function computes, read once at its top.
  const imports = (fn: number, refs: Iterable<IrNode>): string[] => {
    const lines: string[] = [];
    const done = new Set<number>();
    for (const a of refs) {
      const loc = location.get(a.id);
      if (loc === undefined || loc.fn === fn || done.has(a.id)) continue;
      done.add(a.id);
      lines.push(`const ${atom(a)} = ${scratch}[${slotOf(a)}];`);
    }
    return lines;
  };

  // Actions run right after their value is computed; actions on literals, inputs and values
  // from elsewhere run at the end of their region, in the main function.
  const actionsAfter = new Map<number, Action[]>();
  const lateActions: Action[] = [];
  const lateLoopActions: Action[] = [];
  const place = (a: Action, inLoop: boolean): void => {
    const loc = location.get(a.node.id);
    if (loc !== undefined && loc.loop === inLoop) {
      const list = actionsAfter.get(a.node.id);
      if (list) list.push(a);
      else actionsAfter.set(a.node.id, [a]);
    } else (inLoop ? lateLoopActions : lateActions).push(a);
  };
  for (const a of plan.actions) place(a, false);
  for (const a of loopActions) place(a, true);
  const actionNodes = (nodes: readonly IrNode[]): IrNode[] =>
    nodes.flatMap((n) => (actionsAfter.get(n.id) ?? []).map((a) => a.node));

  const actionText = (a: Action, ref: string): string =>
    a.kind === 'store' ? a.write(ref) : `${accName(a.slot)} += ${ref};`;
  // How the main function names a value (after the statements that compute it).
  const mainRef = (n: IrNode): string => {
    const loc = location.get(n.id);
    if (loc === undefined || loc.fn === 0) return atom(n);
    return `${scratch}[${slotOf(n)}]`;
  };

  const kernels = new Set<NumericKernelName>();
  const statement = (n: IrNode): string => {
    const k = FUNCTION_KERNELS[n.op as FunctionName];
    if (k !== undefined) kernels.add(k);
    return `const ${atom(n)} = ${expression(n, atom)};`;
  };

  // The statements of one chunk, with the stores of exported values. Exports are known only
  // once every reader has been seen, so this runs after all imports have been collected.
  const body = (
    nodes: readonly IrNode[],
    fn: number,
    indent: string,
    read: Set<number>,
  ): string[] => {
    const lines: string[] = [];
    const readArgs = (refs: readonly IrNode[]): void => {
      for (const line of inputReads(
        refs.filter((a) => !read.has(a.id)),
        () => true,
      )) {
        lines.push(indent + line);
      }
      for (const a of refs) if (a.op === 'in') read.add(a.id);
    };
    for (const n of nodes) {
      // Inputs are read just before their first use: reading them all up front would keep
      // hundreds of values live (spilled) across a long straight-line function.
      readArgs(n.args);
      lines.push(indent + statement(n));
      for (const a of actionsAfter.get(n.id) ?? []) lines.push(indent + actionText(a, atom(n)));
      if (slots.has(n.id) && location.get(n.id)!.fn === fn) {
        lines.push(`${indent}${scratch}[${slots.get(n.id)}] = ${atom(n)};`);
      }
    }
    return lines;
  };

  // First pass: every cross-function reference claims its slot.
  const chunkHeads = new Map<number, string[]>();
  [...preFns, ...loopFns].forEach((nodes, k) => {
    chunkHeads.set(k + 1, imports(k + 1, [...argsOf(nodes), ...actionNodes(nodes)]));
  });
  const inlinePre = preChunked ? [] : preChunks[0];
  const inlineLoop = plan.loop && !loopChunked ? (loopChunks[0] ?? []) : [];
  const lateNodes = lateActions.map((a) => a.node);
  const lateLoopNodes = [...lateLoopActions.map((a) => a.node), ...(plan.loop?.tailRefs ?? [])];
  // The main function reads up front only what its late actions and final statements use
  // and, for a loop, the invariant inputs the loop body uses (hoisted); statements read
  // the rest at first use.
  const mainRefs = [...lateNodes, ...plan.finishRefs, ...argsOf(inlineLoop), ...lateLoopNodes];
  const mainReads = inputReads(mainRefs, (n) => n.source !== 'data');
  const loopReads = inputReads(lateLoopNodes, (n) => n.source === 'data');
  const mainRead = new Set<number>();
  for (const n of mainRefs) if (n.op === 'in' && n.source !== 'data') mainRead.add(n.id);
  const loopInlineImports = plan.loop && !loopChunked ? imports(0, argsOf(inlineLoop)) : [];
  const lateLoopText = [
    ...lateLoopActions.map((a) => actionText(a, mainRef(a.node))),
    ...(plan.loop?.tail?.(mainRef) ?? []),
  ];
  const lateText = lateActions.map((a) => actionText(a, mainRef(a.node)));
  const finishText = plan.finish(mainRef, accName);

  // Second pass: the text.
  const chunkArgs = plan.chunkParams.join(', ');
  const declarations: string[] = [];
  const fnTexts: string[] = [];
  [...preFns, ...loopFns].forEach((nodes, k) => {
    const fn = k + 1;
    fnTexts.push(
      [
        `function ${name}_c${fn}(${chunkArgs}) {`,
        ...chunkHeads.get(fn)!.map((l) => `  ${l}`),
        ...body(nodes, fn, '  ', new Set()),
        '}',
      ].join('\n'),
    );
  });
  if (slots.size > 0) declarations.push(`const ${scratch} = new Float64Array(${slots.size});`);
  if (positional > 0 && !positionalAtoms) {
    declarations.push(`const ${name}_X = new Float64Array(${positional});`);
  }
  if (plan.loop && loopChunked) {
    declarations.push(`const ${name}_A = new Float64Array(${plan.loop.accumulators});`);
  }

  const main: string[] = [`function ${name}(${plan.params.join(', ')}) {`];
  for (const l of plan.head) main.push(`  ${l}`);
  if (positional > 0 && !positionalAtoms) {
    for (let k = 0; k < positional; k++) main.push(`  ${name}_X[${k}] = a${k};`);
  }
  for (const l of mainReads) main.push(`  ${l}`);
  if (preChunked) {
    preFns.forEach((_, k) => {
      main.push(`  ${name}_c${k + 1}(${chunkArgs});`);
    });
  } else {
    main.push(...body(inlinePre, 0, '  ', mainRead));
  }
  for (const l of lateText) main.push(`  ${l}`);
  if (plan.loop) {
    for (const l of loopInlineImports) main.push(`  ${l}`);
    if (loopChunked) main.push(`  ${name}_A.fill(0);`);
    else if (plan.loop.accumulators > 0) {
      const inits = Array.from({ length: plan.loop.accumulators }, (_, k) => `A${k} = 0`);
      main.push(`  let ${inits.join(', ')};`);
    }
    main.push(`  ${plan.loop.head}`);
    for (const l of loopReads) main.push(`    ${l}`);
    if (loopChunked) {
      loopFns.forEach((_, k) => {
        main.push(`    ${name}_c${preFns.length + k + 1}(${chunkArgs});`);
      });
    } else {
      main.push(
        ...body(
          inlineLoop,
          0,
          '    ',
          new Set([...mainRead, ...lateLoopNodes.filter((n) => n.op === 'in').map((n) => n.id)]),
        ),
      );
    }
    for (const l of lateLoopText) main.push(`    ${l}`);
    main.push('  }');
  }
  for (const l of finishText) main.push(`  ${l}`);
  main.push('}');

  return {
    text: [...declarations, ...fnTexts, main.join('\n')].join('\n'),
    kernels,
    chunks: fnCount,
  };
}

/** The right-hand side of a statement computing `n` from operand names. */
function expression(n: IrNode, atom: (n: IrNode) => string): string {
  const args = n.args.map(atom);
  switch (n.op) {
    case 'in':
    case 'lit':
      return atom(n);
    case 'sum': {
      const neg = n.neg;
      let text = neg[0] ? `-${args[0]}` : args[0];
      for (let i = 1; i < args.length; i++) text += `${neg[i] ? ' - ' : ' + '}${args[i]}`;
      return text;
    }
    case 'prod': {
      const nNum = args.length - n.den;
      const coef = n.coef;
      const factors = args.slice(0, nNum);
      if (coef !== 1 && coef !== -1) factors.unshift(numberLiteral(coef));
      let text = factors.length === 0 ? '1' : factors.join(' * ');
      if (coef === -1) text = `-${text}`;
      const den = args.slice(nNum);
      if (den.length === 1) text += ` / ${den[0]}`;
      else if (den.length > 1) text += ` / (${den.join(' * ')})`;
      return text;
    }
    case 'pow':
      return `Math.pow(${args[0]}, ${args[1]})`;
    case 'sqrt':
      return `Math.sqrt(${args[0]})`;
    case 'log1p':
      return `Math.log1p(${args[0]})`;
    case 'expm1':
      return `Math.expm1(${args[0]})`;
    default:
      return FUNCTION_EMITTERS[n.op](args);
  }
}
