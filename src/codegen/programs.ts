/**
 * The generated programs behind each public entry point: which values a function computes
 * (lowering and adjoints), where its inputs come from and where its results go (a plan),
 * written out by emit.ts as the body of a factory. Shared by the in-process compilers and
 * `emitModule`, so a saved module runs exactly the code `compile*` would.
 */
import { grad } from '../diff/diff.js';
import {
  type Expr,
  freeSymbols,
  InvalidArgumentError,
  type NumericKernelName,
  toSymbol,
  UnboundSymbolError,
  type Variable,
} from '../expr/index.js';
import {
  type Action,
  type EmittedFunction,
  emitFunction,
  type FunctionPlan,
  kernelSource,
  numberLiteral,
} from './emit.js';
import type { IrNode } from './ir.js';
import { type Binding, Lowering } from './lower.js';
import { type RerolledGroup, type RerolledSum, rerollSum } from './reroll.js';

// Every builder takes an optional chunk budget (statement weight per function); tests pass a
// tiny one to exercise chunking on small programs.

/** Generated functions (declarations and main functions) and the name of the entry point. */
export interface Generated {
  /** Declarations of the helpers and main functions, without the kernels. */
  readonly functions: string;
  /** Numeric kernels (sigmoid, softplus, erf, …) the functions call. */
  readonly kernels: ReadonlySet<NumericKernelName>;
  /** The function the factory returns. */
  readonly entry: string;
  /** Number of chunk functions over all generated functions (0: no splitting). */
  readonly chunks: number;
}

/** The body of a factory `(E) => entry`: strict mode, kernels, functions, `return entry`. */
export function factoryBody(g: Generated): string {
  const kernels = kernelSource(g.kernels);
  return ['"use strict";', ...(kernels ? [kernels] : []), g.functions, `return ${g.entry};`].join(
    '\n',
  );
}

function combine(entry: string, parts: readonly EmittedFunction[]): Generated {
  const kernels = new Set<NumericKernelName>();
  let chunks = 0;
  for (const p of parts) {
    for (const k of p.kernels) kernels.add(k);
    chunks += p.chunks;
  }
  return { functions: parts.map((p) => p.text).join('\n'), kernels, entry, chunks };
}

/** Symbol nodes of `variables`, checked: symbols only, none twice. */
export function symbolsOf(variables: readonly Variable[], what: string): Expr[] {
  if (!Array.isArray(variables)) {
    throw new InvalidArgumentError(`${what}: variables must be an array of symbols or names`);
  }
  const out = variables.map((v) => toSymbol(v));
  const seen = new Set<number>();
  for (const s of out) {
    if (seen.has(s.id))
      throw new InvalidArgumentError(`${what}: variable '${s.name}' is listed twice`);
    seen.add(s.id);
  }
  return out;
}

/** Throws `UnboundSymbolError` for the first free symbol of `exprs` not in `bound`. */
export function checkBound(exprs: readonly Expr[], bound: readonly Expr[]): void {
  const ids = new Set(bound.map((s) => s.id));
  for (const s of freeSymbols(exprs)) if (!ids.has(s.id)) throw new UnboundSymbolError(s.name!);
}

const bindAll = (vars: readonly Expr[], source: Binding['source']): Binding[] =>
  vars.map((symbol, index) => ({ symbol, source, index }));

const readPoint = (n: IrNode): string => `${n.source === 'v' ? 'v' : 'x'}[${n.index}]`;

/** `if (x.length < n) throw …` — a short input would otherwise read `undefined` as NaN. */
const lengthCheck = (array: string, n: number, what: string): string =>
  `if (${array}.length < ${n}) throw new E('${what} needs at least ${n} entries');`;

const store = (node: IrNode, array: string, index: number): Action => ({
  kind: 'store',
  node,
  write: (atom) => `${array}[${index}] = ${atom};`,
});

/** How `compile` presents the inputs. */
export type InputStyle = 'positional' | 'vector';

/** The value of one expression, or of several written into `o`. */
export function valueProgram(
  exprs: readonly Expr[],
  vars: readonly Expr[],
  input: InputStyle,
  multi: boolean,
  budget?: number,
): Generated {
  checkBound(exprs, vars);
  if (!multi && input === 'vector') {
    const rerolled = rerollFor(exprs[0], vars, vars.length);
    if (rerolled !== undefined) return rerolledValueProgram(rerolled, vars, budget);
  }
  const low = new Lowering(bindAll(vars, 'x'));
  const values = exprs.map((e) => low.lower(e));
  const n = vars.length;
  const positional = input === 'positional';
  const args = positional ? Array.from({ length: n }, (_, k) => `a${k}`) : ['x'];
  const head = positional ? [] : [lengthCheck('x', n, 'x')];
  let plan: FunctionPlan;
  if (multi) {
    const m = values.length;
    plan = {
      name: 'value',
      params: [...args, 'o'],
      chunkParams: positional ? ['o'] : ['x', 'o'],
      head: [
        ...head,
        `if (o === undefined) o = new Float64Array(${m});`,
        `else if (o.length < ${m}) throw new E('out needs at least ${m} entries');`,
      ],
      read: readPoint,
      positional: positional ? n : undefined,
      actions: values.map((v, k) => store(v, 'o', k)),
      finishRefs: [],
      finish: () => ['return o;'],
    };
  } else {
    plan = {
      name: 'value',
      params: args,
      chunkParams: positional ? [] : ['x'],
      head,
      read: readPoint,
      positional: positional ? n : undefined,
      actions: [],
      finishRefs: values,
      finish: (ref) => [`return ${ref(values[0])};`],
    };
  }
  return combine('value', [emitFunction(plan, budget)]);
}

/** The value-only twin of a vector function, used when no output array is passed. */
function scalarValuePlan(value: IrNode, n: number): FunctionPlan {
  return {
    name: 'value',
    params: ['x'],
    chunkParams: ['x'],
    head: [lengthCheck('x', n, 'x')],
    read: readPoint,
    actions: [],
    finishRefs: [value],
    finish: (ref) => [`return ${ref(value)};`],
  };
}

/**
 * Fused value and gradient: `gradient(x, g)` returns f(x) and writes ∇f into g; without g
 * it runs the value-only function. The backward sweep reuses the forward values.
 */
export function gradientProgram(
  expr: Expr,
  vars: readonly Expr[],
  budget?: number,
  data: readonly Expr[] = [],
): Generated {
  const inputs = [...vars, ...data];
  checkBound([expr], inputs);
  const rerolled = rerollFor(expr, inputs, vars.length);
  if (rerolled !== undefined) return rerolledGradientProgram(rerolled, vars, inputs, budget);
  const low = new Lowering(bindAll(inputs, 'x'), true);
  const f = low.lower(expr);
  const g = low.adjoints([expr], [low.ir.lit(1)], vars);
  const n = vars.length;
  const fused: FunctionPlan = {
    name: 'gradient',
    params: ['x', 'g'],
    chunkParams: ['x', 'g'],
    head: [
      'if (g === undefined) return value(x);',
      lengthCheck('x', inputs.length, 'x'),
      lengthCheck('g', n, 'gradOut'),
    ],
    read: readPoint,
    actions: g.map((node, k) => store(node, 'g', k)),
    finishRefs: [f],
    finish: (ref) => [`return ${ref(f)};`],
  };
  return combine('gradient', [
    emitFunction(scalarValuePlan(f, inputs.length), budget),
    emitFunction(fused, budget),
  ]);
}

/** The rerolled form of `expr` over `inputs` (the first `nVars` differentiated), if any. */
function rerollFor(expr: Expr, inputs: readonly Expr[], nVars: number): RerolledSum | undefined {
  const index = new Map(inputs.map((s, k) => [s.id, k]));
  return rerollSum(
    expr,
    (s) => index.get(s.id)!,
    (p, q) => p < nVars === q < nVars,
  );
}

/** Where loop input k of a fused loop reads in iteration i: `x[base + stride·i]`. */
interface LoopInput {
  readonly base: number;
  readonly stride: number;
}

const loopIndex = ({ base, stride }: LoopInput): string => {
  if (stride === 0) return `${base}`;
  const step = stride === 1 ? 'i' : stride === -1 ? '-i' : `${numberLiteral(stride)} * i`;
  return base === 0 ? step : `${base} + ${step}`;
};

/**
 * Groups of equal length share one loop (Rosenbrock's two term shapes run over the same
 * i): their leaves at the same position become one input, read once, and the partials of
 * all templates by that input are summed before one `g[…] +=`. A symbol that would need
 * two different positions keeps its group in a loop of its own.
 */
function fuseGroups(groups: readonly RerolledGroup[]): RerolledGroup[][] {
  const clusters: { groups: RerolledGroup[]; at: Map<number, string> }[] = [];
  for (const group of groups) {
    const here = new Map(
      group.leaves.map((leaf, l) => [leaf.id, `${group.base[l]}:${group.stride[l]}`]),
    );
    const fits = (c: (typeof clusters)[number]): boolean =>
      c.groups[0].count === group.count &&
      [...here].every(([id, key]) => (c.at.get(id) ?? key) === key);
    const cluster = clusters.find(fits);
    if (cluster === undefined) clusters.push({ groups: [group], at: here });
    else {
      cluster.groups.push(group);
      for (const [id, key] of here) cluster.at.set(id, key);
    }
  }
  return clusters.map((c) => c.groups);
}

/**
 * One loop per cluster of rerolled groups: `name(x[, g])` returns Σ over the terms and,
 * with g, adds each term's partials (seeded with the sum's scale) into g. Leaves are bound
 * as per-iteration inputs, so the templates live entirely inside the loop.
 */
function groupLoops(
  sum: RerolledSum,
  prefix: string,
  gradient: boolean,
  nVars: number,
  budget: number | undefined,
  othersWriteGradient = true,
): { parts: EmittedFunction[]; names: string[] } {
  const parts: EmittedFunction[] = [];
  const names: string[] = [];
  const clusters = fuseGroups(sum.groups);
  clusters.forEach((cluster, k) => {
    const name = `${prefix}_r${k + 1}`;
    const inputs: LoopInput[] = [];
    const inputOf = new Map<string, number>();
    const bindings: Binding[] = [];
    const leaves: Expr[] = [];
    for (const group of cluster) {
      group.leaves.forEach((symbol, l) => {
        const at = { base: group.base[l], stride: group.stride[l] };
        const key = `${at.base}:${at.stride}`;
        let index = inputOf.get(key);
        if (index === undefined) {
          index = inputs.length;
          inputs.push(at);
          inputOf.set(key, index);
        }
        if (!bindings.some((b) => b.symbol === symbol)) {
          bindings.push({ symbol, source: 'data', index });
          leaves.push(symbol);
        }
      });
    }
    const low = new Lowering(bindings, gradient);
    const templates = cluster.map((g) => g.template);
    const f = low.ir.sum(templates.map((t) => low.lower(t)));
    const actions: Action[] = [{ kind: 'acc', node: f, slot: 0 }];
    let accumulators = 1;
    const tailRefs: IrNode[] = [];
    const tail: ((ref: (n: IrNode) => string) => string)[] = [];
    const head: string[] = ['let i = 0;'];
    const finish: ((acc: (slot: number) => string) => string)[] = [];
    if (gradient) {
      const differentiated = bindings.filter((b) => inputs[b.index].base < nVars);
      const seed = low.ir.lit(sum.scale);
      const adj = low.adjoints(
        templates,
        templates.map(() => seed),
        differentiated.map((b) => b.symbol),
      );
      // The partial by each loop input (leaves sharing an input are summed).
      const byInput = new Map<number, IrNode>();
      differentiated.forEach((b, d) => {
        const prev = byInput.get(b.index);
        byInput.set(b.index, prev === undefined ? adj[d] : low.ir.sum([prev, adj[d]]));
      });
      // Adding into g[…] every iteration chains iterations through memory (store-to-load
      // forwarding on the critical path). A shared input (stride 0) sums in a register;
      // inputs of one stride at nearby bases pass their partials down a row of carries, so
      // each g entry is written once — what the hand-written Rosenbrock does.
      const pipelines = new Map<string, { input: number; d: number }[]>();
      for (const [index, node] of byInput) {
        const { base, stride } = inputs[index];
        if (stride === 0) {
          const slot = accumulators++;
          actions.push({ kind: 'acc', node, slot });
          finish.push((acc) => `g[${base}] += ${acc(slot)};`);
          continue;
        }
        const m = Math.abs(stride);
        const key = `${stride}:${((base % m) + m) % m}`;
        const list = pipelines.get(key) ?? [];
        list.push({ input: index, d: 0 });
        pipelines.set(key, list);
      }
      // When this loop is the only writer of g and has one pipeline (no register sums, no
      // scattered stores), every g entry it touches is written exactly once: assign instead
      // of adding, which keeps the loads of g off the critical path (as hand-written code).
      const assign =
        !othersWriteGradient &&
        clusters.length === 1 &&
        pipelines.size === 1 &&
        [...byInput.keys()].every((index) => inputs[index].stride !== 0) &&
        [...pipelines.values()].every((members) => {
          const { stride } = inputs[members[0].input];
          const bases = members.map((m) => inputs[m.input].base);
          const b0 = stride > 0 ? Math.min(...bases) : Math.max(...bases);
          return Math.max(...bases.map((b) => (b - b0) / stride)) <= 8;
        });
      const write = assign ? '=' : '+=';
      let pipe = 0;
      for (const members of pipelines.values()) {
        const { stride } = inputs[members[0].input];
        // The input the loop reaches first: partials for it are final in the iteration.
        const bases = members.map((m) => inputs[m.input].base);
        const b0 = stride > 0 ? Math.min(...bases) : Math.max(...bases);
        for (const m of members) m.d = (inputs[m.input].base - b0) / stride;
        const depth = Math.max(...members.map((m) => m.d));
        if (depth > 8) {
          for (const m of members) {
            const index = loopIndex(inputs[m.input]);
            actions.push({
              kind: 'store',
              node: byInput.get(m.input)!,
              write: (atom) => `g[${index}] += ${atom};`,
            });
          }
          continue;
        }
        const p = ++pipe;
        const at = new Map(members.map((m) => [m.d, byInput.get(m.input)!]));
        for (const node of at.values()) tailRefs.push(node);
        const carry = (j: number): string => `P${p}_${j}`;
        const plus = (
          ref: (n: IrNode) => string,
          d: number,
          before: string | undefined,
        ): string => {
          const c = at.get(d);
          if (c === undefined) return before ?? '0';
          return before === undefined ? ref(c) : `${before} + ${ref(c)}`;
        };
        if (depth > 0)
          head.push(
            `let ${Array.from({ length: depth }, (_, j) => `${carry(j)} = 0`).join(', ')};`,
          );
        const first = loopIndex({ base: b0, stride });
        tail.push((ref) => {
          const lines = [`g[${first}] ${write} ${plus(ref, 0, depth > 0 ? carry(0) : undefined)};`];
          for (let j = 0; j < depth; j++)
            lines.push(
              `${carry(j)} = ${plus(ref, j + 1, j + 1 < depth ? carry(j + 1) : undefined)};`,
            );
          return lines.join('\n    ');
        });
        for (let j = 0; j < depth; j++) {
          finish.push(() => `g[${b0 + stride * (cluster[0].count + j)}] ${write} ${carry(j)};`);
        }
      }
    }
    parts.push(
      emitFunction(
        {
          name,
          params: gradient ? ['x', 'g'] : ['x'],
          chunkParams: gradient ? ['i', 'x', 'g'] : ['i', 'x'],
          head,
          read: (n) => `x[${loopIndex(inputs[n.index])}]`,
          actions: [],
          loop: {
            head: `for (i = 0; i < ${cluster[0].count}; i++) {`,
            actions,
            accumulators,
            tailRefs,
            tail: (ref) => tail.map((t) => t(ref)),
          },
          finishRefs: [],
          finish: (_, acc) => [...finish.map((f) => f(acc)), `return ${acc(0)};`],
        },
        budget,
      ),
    );
    names.push(name);
  });
  return { parts, names };
}

/** `return rest + scale·(loop₁ + loop₂ + …)`. */
const rerolledReturn = (rest: string, scale: number, calls: readonly string[]): string => {
  const loops = calls.join(' + ');
  const scaled = scale === 1 ? loops : `${numberLiteral(scale)} * (${loops})`;
  return `return ${rest === '0' ? scaled : `${rest} + ${scaled}`};`;
};

function rerolledValueProgram(sum: RerolledSum, vars: readonly Expr[], budget?: number): Generated {
  const low = new Lowering(bindAll(vars, 'x'));
  const rest = low.lower(sum.rest);
  const loops = groupLoops(sum, 'value', false, vars.length, budget);
  const plan: FunctionPlan = {
    name: 'value',
    params: ['x'],
    chunkParams: ['x'],
    head: [lengthCheck('x', vars.length, 'x')],
    read: readPoint,
    actions: [],
    finishRefs: [rest],
    finish: (ref) => [
      rerolledReturn(
        ref(rest),
        sum.scale,
        loops.names.map((nm) => `${nm}(x)`),
      ),
    ],
  };
  return combine('value', [...loops.parts, emitFunction(plan, budget)]);
}

function rerolledGradientProgram(
  sum: RerolledSum,
  vars: readonly Expr[],
  inputs: readonly Expr[],
  budget?: number,
): Generated {
  const low = new Lowering(bindAll(inputs, 'x'), true);
  const rest = low.lower(sum.rest);
  // g starts at zero, the straight-line part writes its nonzero partials, the loops add.
  const g = low.adjoints([sum.rest], [low.ir.lit(1)], vars);
  const nonzero = g.flatMap((node, k) =>
    node.op === 'lit' && node.value === 0 ? [] : [store(node, 'g', k)],
  );
  const values = groupLoops(sum, 'value', false, vars.length, budget);
  const grads = groupLoops(sum, 'gradient', true, vars.length, budget, nonzero.length > 0);
  const valuePlan: FunctionPlan = {
    ...scalarValuePlan(rest, inputs.length),
    finish: (ref) => [
      rerolledReturn(
        ref(rest),
        sum.scale,
        values.names.map((nm) => `${nm}(x)`),
      ),
    ],
  };
  const fused: FunctionPlan = {
    name: 'gradient',
    params: ['x', 'g'],
    chunkParams: ['x', 'g'],
    head: [
      'if (g === undefined) return value(x);',
      lengthCheck('x', inputs.length, 'x'),
      lengthCheck('g', vars.length, 'gradOut'),
      `g.fill(0, 0, ${vars.length});`,
    ],
    read: readPoint,
    actions: nonzero,
    finishRefs: [rest],
    finish: (ref) => [
      rerolledReturn(
        ref(rest),
        sum.scale,
        grads.names.map((nm) => `${nm}(x, g)`),
      ),
    ],
  };
  return combine('gradient', [
    ...values.parts,
    ...grads.parts,
    emitFunction(valuePlan, budget),
    emitFunction(fused, budget),
  ]);
}

/** Dense Hessian, row-major n×n; each pair i ≤ j computed once and mirrored. */
export function hessianProgram(expr: Expr, vars: readonly Expr[], budget?: number): Generated {
  checkBound([expr], vars);
  const low = new Lowering(bindAll(vars, 'x'), true);
  const gradient = grad(expr, vars);
  const n = vars.length;
  const actions: Action[] = [];
  const one = low.ir.lit(1);
  for (let i = 0; i < n; i++) {
    const row = low.adjoints([gradient[i]], [one], vars.slice(i));
    row.forEach((h, k) => {
      const j = i + k;
      actions.push(store(h, 'o', i * n + j));
      if (j !== i) actions.push(store(h, 'o', j * n + i));
    });
  }
  const plan: FunctionPlan = {
    name: 'hessian',
    params: ['x', 'o'],
    chunkParams: ['x', 'o'],
    head: [
      lengthCheck('x', n, 'x'),
      `if (o === undefined) o = new Float64Array(${n * n});`,
      `else if (o.length < ${n * n}) throw new E('out needs at least ${n * n} entries');`,
    ],
    read: readPoint,
    actions,
    finishRefs: [],
    finish: () => ['return o;'],
  };
  return combine('hessian', [emitFunction(plan, budget)]);
}

/**
 * Hessian-vector product H(x)·v as the reverse sweep of Σᵢ vᵢ·∂f/∂xᵢ (the symbolic gradient
 * seeded with v): one pass over the gradient's DAG, no n×n matrix.
 */
export function hessianVectorProgram(
  expr: Expr,
  vars: readonly Expr[],
  budget?: number,
): Generated {
  checkBound([expr], vars);
  const low = new Lowering(bindAll(vars, 'x'), true);
  const gradient = grad(expr, vars);
  const n = vars.length;
  const seeds = vars.map((_, k) => low.ir.input('v', k));
  const hv = low.adjoints(gradient, seeds, vars);
  const plan: FunctionPlan = {
    name: 'hessianVector',
    params: ['x', 'v', 'o'],
    chunkParams: ['x', 'v', 'o'],
    head: [
      lengthCheck('x', n, 'x'),
      lengthCheck('v', n, 'v'),
      `if (o === undefined) o = new Float64Array(${n});`,
      `else if (o.length < ${n}) throw new E('out needs at least ${n} entries');`,
    ],
    read: readPoint,
    actions: hv.map((node, k) => store(node, 'o', k)),
    finishRefs: [],
    finish: () => ['return o;'],
  };
  return combine('hessianVector', [emitFunction(plan, budget)]);
}

/** How a batch kernel reduces over the points. */
export type Reduction = 'sum' | 'mean' | 'none';

/**
 * A batch kernel over data columns `cols` (an array, in the order of `data`) with the
 * parameter vector `p`. Reducing kernels are `(cols, p, g?) => number`; `none` is
 * `(cols, p, o, go?) => void` with per-point values in `o` and per-point gradients in `go`
 * (row-major, one row of `params.length` per point).
 */
export function batchProgram(
  expr: Expr,
  data: readonly Expr[],
  params: readonly Expr[],
  reduce: Reduction,
  gradient: boolean,
  budget?: number,
): Generated {
  checkBound([expr], [...data, ...params]);
  const low = new Lowering([...bindAll(data, 'data'), ...bindAll(params, 'param')], gradient);
  const f = low.lower(expr);
  const m = data.length;
  const k = params.length;
  const cols = Array.from({ length: m }, (_, j) => `d${j}`);
  const columnChecks = [
    `if (!Array.isArray(cols) || cols.length !== ${m}) throw new E('expected an array of ${m} data columns');`,
    ...cols.map((c, j) => `const ${c} = cols[${j}];`),
    ...cols.map(
      (c, j) =>
        `if (!(${c} instanceof Float64Array)) throw new E('data column ${j} is not a Float64Array');`,
    ),
    'const n = d0.length;',
    ...cols
      .slice(1)
      .map(
        (c, j) =>
          `if (${c}.length !== n) throw new E('data column ${j + 1} differs in length from column 0');`,
      ),
    lengthCheck('p', k, 'params'),
    'let i = 0;',
  ];
  const read = (n: IrNode): string => (n.source === 'param' ? `p[${n.index}]` : `d${n.index}[i]`);
  const head = 'for (i = 0; i < n; i++) {';
  const parts: EmittedFunction[] = [];
  const adjoints = gradient ? low.adjoints([expr], [low.ir.lit(1)], params) : [];
  if (reduce === 'none') {
    const outCheck = `if (!(o instanceof Float64Array) || o.length < n) throw new E('out must be a Float64Array with one entry per point');`;
    const valuePlan: FunctionPlan = {
      name: 'values',
      params: ['cols', 'p', 'o'],
      chunkParams: ['i', 'p', ...cols, 'o'],
      head: [...columnChecks, outCheck],
      read,
      actions: [],
      loop: { head, actions: [pointStore(f, 'o', 1, 0)], accumulators: 0 },
      finishRefs: [],
      finish: () => [],
    };
    parts.push(emitFunction(valuePlan, budget));
    if (gradient) {
      const gradPlan: FunctionPlan = {
        name: 'valuesGradient',
        params: ['cols', 'p', 'o', 'go'],
        chunkParams: ['i', 'p', ...cols, 'o', 'go'],
        head: [
          'if (go === undefined) return values(cols, p, o);',
          ...columnChecks,
          outCheck,
          `if (!(go instanceof Float64Array) || go.length < n * ${k}) throw new E('gradOut must be a Float64Array with ${k} entries per point');`,
        ],
        read,
        actions: [],
        loop: {
          head,
          actions: [pointStore(f, 'o', 1, 0), ...adjoints.map((a, j) => pointStore(a, 'go', k, j))],
          accumulators: 0,
        },
        finishRefs: [],
        finish: () => [],
      };
      parts.push(emitFunction(gradPlan, budget));
    }
    return combine(gradient ? 'valuesGradient' : 'values', parts);
  }
  const mean = reduce === 'mean';
  const scale = (text: string): string => (mean ? `${text} / n` : text);
  const lossPlan: FunctionPlan = {
    name: 'loss',
    params: ['cols', 'p'],
    chunkParams: ['i', 'p', ...cols],
    head: columnChecks,
    read,
    actions: [],
    loop: { head, actions: [{ kind: 'acc', node: f, slot: 0 }], accumulators: 1 },
    finishRefs: [],
    finish: (_, acc) => [`return ${scale(acc(0))};`],
  };
  parts.push(emitFunction(lossPlan, budget));
  if (gradient) {
    const gradPlan: FunctionPlan = {
      name: 'lossGradient',
      params: ['cols', 'p', 'g'],
      chunkParams: ['i', 'p', ...cols],
      head: [
        'if (g === undefined) return loss(cols, p);',
        ...columnChecks,
        lengthCheck('g', k, 'gradOut'),
      ],
      read,
      actions: [],
      loop: {
        head,
        actions: [
          { kind: 'acc', node: f, slot: 0 },
          ...adjoints.map((a, j): Action => ({ kind: 'acc', node: a, slot: j + 1 })),
        ],
        accumulators: k + 1,
      },
      finishRefs: [],
      finish: (_, acc) => [
        ...adjoints.map((_a, j) => `g[${j}] = ${scale(acc(j + 1))};`),
        `return ${scale(acc(0))};`,
      ],
    };
    parts.push(emitFunction(gradPlan, budget));
  }
  return combine(gradient ? 'lossGradient' : 'loss', parts);
}

/** Stores a per-point value: `array[i * stride + offset] = value`. */
function pointStore(node: IrNode, array: string, stride: number, offset: number): Action {
  const index = stride === 1 ? 'i' : `i * ${stride}${offset === 0 ? '' : ` + ${offset}`}`;
  return { kind: 'store', node, write: (atom) => `${array}[${index}] = ${atom};` };
}
