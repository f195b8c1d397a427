/**
 * Programs for rerolled sums (reroll.ts): each cluster of same-length groups of terms
 * becomes a function with one loop over the template terms — `name(x[, g])` returns their
 * sum and, with g, adds each term's partials into g — and the entry point adds the loops to
 * the straight-line rest.
 */
import type { Expr } from '../../expr/index.js';
import type { IrBuilder, IrNode } from '../ir.js';
import { type Binding, Lowering } from '../lower.js';
import {
  at,
  binary,
  type Call,
  type Index,
  type InputLocation,
  index,
  type Program,
  type ProgramFunction,
  type Stmt,
  scalar,
  store,
  type Value,
} from '../program.js';
import { type RerolledGroup, type RerolledSum, rerollSum } from '../reroll.js';
import { bindAll, inputsOf, pointParam, single, valueFunction } from './common.js';

export type { RerolledSum } from '../reroll.js';

/** The rerolled form of `expr` over `inputs` (the first `nVars` differentiated), if any. */
export function rerollFor(
  expr: Expr,
  inputs: readonly Expr[],
  nVars: number,
): RerolledSum | undefined {
  const position = new Map(inputs.map((s, k) => [s.id, k]));
  return rerollSum(
    expr,
    (s) => position.get(s.id)!,
    (p, q) => p < nVars === q < nVars,
  );
}

/** Where loop input k of a fused loop reads in iteration i: `x[base + stride·i]`. */
interface LoopInput {
  readonly base: number;
  readonly stride: number;
}

const LOOP_VARIABLE = 'i';
const loopIndex = ({ base, stride }: LoopInput): Index =>
  index(base, { coef: stride, variable: LOOP_VARIABLE });

/**
 * Groups of equal length share one loop (Rosenbrock's two term shapes run over the same
 * i): their leaves at the same position become one input, read once, and the partials of
 * all templates by that input are summed before one write to g. A symbol that would need
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
 * One function per cluster of rerolled groups, named `${prefix}_r1`, `_r2`, …: returns the
 * cluster's sum over the terms and, with `gradient`, adds each term's partials (seeded
 * with the sum's scale) into g. Leaves are bound as per-iteration (`data`) inputs, so the
 * templates live entirely inside the loop. `othersWriteGradient`: something besides these
 * loops writes g (then every write adds).
 */
export function groupLoops(
  sum: RerolledSum,
  prefix: string,
  gradient: boolean,
  nVars: number,
  othersWriteGradient = true,
): ProgramFunction[] {
  const clusters = fuseGroups(sum.groups);
  return clusters.map((cluster, k) => {
    const inputs: LoopInput[] = [];
    const inputOf = new Map<string, number>();
    const bindings: Binding[] = [];
    for (const group of cluster) {
      group.leaves.forEach((symbol, l) => {
        const where = { base: group.base[l], stride: group.stride[l] };
        const key = `${where.base}:${where.stride}`;
        let input = inputOf.get(key);
        if (input === undefined) {
          input = inputs.length;
          inputs.push(where);
          inputOf.set(key, input);
        }
        if (!bindings.some((b) => b.symbol === symbol)) {
          bindings.push({ symbol, source: 'data', index: input });
        }
      });
    }
    const low = new Lowering(bindings, gradient);
    const templates = cluster.map((g) => g.template);
    const f = low.ir.sum(templates.map((t) => low.lower(t)));
    const scalars = ['A0'];
    const body: Stmt[] = [{ kind: 'set', scalar: 'A0', value: f, add: true }];
    const tail: Stmt[] = [];
    const finish: Stmt[] = [];
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
      for (const [input, node] of byInput) {
        const { base, stride } = inputs[input];
        if (stride === 0) {
          const acc = `A${scalars.length}`;
          scalars.push(acc);
          body.push({ kind: 'set', scalar: acc, value: node, add: true });
          finish.push(store('g', at(base), scalar(acc), true));
          continue;
        }
        const m = Math.abs(stride);
        const key = `${stride}:${((base % m) + m) % m}`;
        const list = pipelines.get(key) ?? [];
        list.push({ input, d: 0 });
        pipelines.set(key, list);
      }
      const depthOf = (members: readonly { input: number }[]): number => {
        const { stride } = inputs[members[0].input];
        const bases = members.map((m) => inputs[m.input].base);
        const b0 = stride > 0 ? Math.min(...bases) : Math.max(...bases);
        return Math.max(...bases.map((b) => (b - b0) / stride));
      };
      // When this loop is the only writer of g and has one pipeline (no register sums, no
      // scattered stores), every g entry it touches is written exactly once: assign instead
      // of adding, which keeps the loads of g off the critical path (as hand-written code).
      const assign =
        !othersWriteGradient &&
        clusters.length === 1 &&
        pipelines.size === 1 &&
        [...byInput.keys()].every((input) => inputs[input].stride !== 0) &&
        [...pipelines.values()].every((members) => depthOf(members) <= 8);
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
            body.push(store('g', loopIndex(inputs[m.input]), byInput.get(m.input)!, true));
          }
          continue;
        }
        const p = ++pipe;
        const partial = new Map(members.map((m) => [m.d, byInput.get(m.input)!]));
        const carry = (j: number): string => `P${p}_${j}`;
        for (let j = 0; j < depth; j++) scalars.push(carry(j));
        // The partial at distance d plus what the carry after it holds.
        const plus = (d: number, before: string | undefined): Value => {
          const c = partial.get(d);
          if (c === undefined) return before === undefined ? low.ir.lit(0) : scalar(before);
          return before === undefined ? c : binary('+', scalar(before), c);
        };
        tail.push(
          store(
            'g',
            loopIndex({ base: b0, stride }),
            plus(0, depth > 0 ? carry(0) : undefined),
            !assign,
          ),
        );
        for (let j = 0; j < depth; j++) {
          tail.push({
            kind: 'set',
            scalar: carry(j),
            value: plus(j + 1, j + 1 < depth ? carry(j + 1) : undefined),
            add: false,
          });
        }
        for (let j = 0; j < depth; j++) {
          finish.push(
            store('g', at(b0 + stride * (cluster[0].count + j)), scalar(carry(j)), !assign),
          );
        }
      }
    }
    const locations = new Map<IrNode, InputLocation>(
      bindings.map((b) => [
        low.ir.input('data', b.index),
        { kind: 'element', array: 'x', index: loopIndex(inputs[b.index]) },
      ]),
    );
    return {
      name: `${prefix}_r${k + 1}`,
      params: gradient
        ? [
            pointParam(0),
            { kind: 'array', name: 'g', label: 'gradOut', access: 'write', length: 0 },
          ]
        : [pointParam(0)],
      returns: 'number',
      scalars,
      inputs: locations,
      body: [
        {
          kind: 'loop',
          variable: LOOP_VARIABLE,
          count: cluster[0].count,
          body: [...body, ...tail],
        },
        ...finish,
        { kind: 'return', value: scalar('A0') },
      ],
    };
  });
}

/** `rest + scale·(loop₁ + loop₂ + …)`, in the order the sums have always been added. */
export function rerolledTotal(
  ir: IrBuilder,
  rest: IrNode,
  scale: number,
  calls: readonly Call[],
): Value {
  const restIsZero = rest.op === 'lit' && Object.is(rest.value, 0);
  const add = (terms: readonly Value[]): Value =>
    terms.slice(1).reduce((acc, t) => binary('+', acc, t), terms[0]);
  if (scale === 1) return add(restIsZero ? calls : [rest, ...calls]);
  const scaled = binary('*', ir.lit(scale), add(calls));
  return restIsZero ? scaled : binary('+', rest, scaled);
}

/** `compile` of a rerolled sum: the straight-line rest plus the value loops. */
export function rerolledValueProgram(sum: RerolledSum, vars: readonly Expr[]): Program {
  const bindings = bindAll(vars, 'x');
  const low = new Lowering(bindings);
  const rest = low.lower(sum.rest);
  const loops = groupLoops(sum, 'value', false, vars.length);
  const inputs = inputsOf(low, bindings, (b) => ({
    kind: 'element',
    array: 'x',
    index: at(b.index),
  }));
  const main = valueFunction(
    rerolledTotal(
      low.ir,
      rest,
      sum.scale,
      loops.map((l) => call(l.name)),
    ),
    vars.length,
    inputs,
  );
  return { ...single(main), functions: [...loops, main] };
}

const call = (fn: string): Call => ({ kind: 'call', fn, args: ['x'] });
