/**
 * Run plans: what one distinct set of fetches compiles to, and how it runs. Built once from
 * the expansion (expand.ts) with the public code generator — `compileBatch` kernels that loop
 * over the batch, `compileGradient` for a loss's own partials, `compile` for the rest — and
 * then run any number of times on preallocated buffers (nothing per step grows with the
 * model or the batch). Gradients: gradient.ts.
 */
import { type Expr, mul, sym } from '../expr/index.js';
import {
  BATCH,
  type BatchSum,
  type Expanded,
  type Expansion,
  reductionClosure,
  sumOf,
} from './expand.js';
import { FactoredGradient } from './gradient.js';
import type { Operation, Tensor } from './graph.js';
import { CutForward } from './loops.js';
import type { GraphNode } from './node.js';
import {
  type Column,
  type CutRuntime,
  LoopKernel,
  PlanBuilder,
  type PlanStats,
  type RunState,
  splitSymbols,
  stages,
  VectorFunction,
} from './runtime.js';
import { TensorValue } from './shape.js';

/** One fetch of a run. */
export type FetchItem =
  | { readonly kind: 'tensor'; readonly tensor: Tensor }
  | { readonly kind: 'op'; readonly op: Operation };

export { RunState } from './runtime.js';

/**
 * Reductions of one depth and batch, in one pass over the batch: a value kernel for one;
 * for several, the seeded kernel of H = Σ_k ς_k·h_k, whose gradient by the seeds is the
 * sums Σ h_k.
 */
class ReductionGroup {
  private readonly kernel: LoopKernel;
  private readonly slots: number[];

  constructor(plan: PlanBuilder, reductions: readonly BatchSum[]) {
    this.slots = reductions.map((r) => plan.slotOf(r));
    const terms = reductions.map((r) => r.term);
    const { fixed, rows } = splitSymbols(plan, terms);
    if (reductions.length === 1) {
      this.kernel = new LoopKernel(plan, terms[0], { rows, constants: fixed, gradient: false });
      return;
    }
    const seeds = terms.map((_, k) => sym(`ς${k + 1}`));
    const H = sumOf(terms.map((h, k) => mul(seeds[k], h)));
    this.kernel = new LoopKernel(plan, H, {
      rows,
      leading: seeds,
      constants: fixed,
      gradient: true,
    });
    this.kernel.params.fill(1, 0, seeds.length);
  }

  run(state: RunState, rv: Float64Array, columns: Float64Array[]): void {
    const value = this.kernel.run(state, rv, columns);
    const sums = this.kernel.gradOut;
    if (sums === undefined) rv[this.slots[0]] = value;
    else for (let k = 0; k < this.slots.length; k++) rv[this.slots[k]] = sums[k];
  }
}

/** How each fetch gets its value. */
type Output =
  | { readonly kind: 'none' }
  | { readonly kind: 'variable'; readonly tensor: Tensor }
  | {
      readonly kind: 'fixed';
      readonly start: number;
      readonly count: number;
      readonly dims: readonly number[];
    }
  | { readonly kind: 'rows'; readonly index: number }
  | {
      readonly kind: 'gradient';
      readonly gradient: FactoredGradient;
      readonly dims: readonly number[];
    }
  | { readonly kind: 'scalarOf'; readonly gradient: FactoredGradient };

/** A train op's part of a plan: its gradient, per-variable views and learning rate. */
export interface TrainStep {
  readonly op: Operation;
  readonly gradient: FactoredGradient;
  /** Per variable of `op.varList`: the slice of the gradient. */
  readonly views: readonly Float64Array[];
  /** Index of the learning rate among the fixed outputs, when it is a tensor. */
  readonly learningRate: number | undefined;
}

/**
 * A compiled plan for one set of fetches (and, in concrete mode, one set of feed shapes).
 * `run` evaluates every fetch from the current state and feeds; train ops' gradients are
 * left in `trainSteps` for the session to apply.
 */
export class Plan {
  readonly trainSteps: TrainStep[] = [];
  readonly stats: PlanStats;
  /** How each fetch gets its value. */
  private readonly outputs: Output[];
  private readonly forward: ReductionGroup[] = [];
  private readonly fixedFn: VectorFunction | undefined;
  private readonly rowFns: { fn: VectorFunction; owner: GraphNode; dims: readonly number[] }[];
  private readonly gradients: FactoredGradient[];
  private readonly feedColumns: Column[];
  private readonly cutRuntimes: CutRuntime[];
  private readonly columnValues: Float64Array[];
  private rv: Float64Array;
  readonly variables: ReadonlySet<GraphNode>;
  private rowResults: TensorValue[] = [];

  constructor(expansion: Expansion, items: readonly FetchItem[]) {
    const t0 = performance.now();
    // Phase 1: expand everything (this is where a graph turns out not to separate per
    // sample, before anything is compiled).
    const requests: { F: Expr; V: readonly Expr[] }[] = [];
    const requestIndex = new Map<string, number>();
    const request = (F: Expr, V: readonly Expr[]): number => {
      const key = `${F.id}|${V.map((v) => v.id).join(',')}`;
      let k = requestIndex.get(key);
      if (k === undefined) {
        k = requests.length;
        requests.push({ F, V });
        requestIndex.set(key, k);
      }
      return k;
    };
    const fixedOutputs: Expr[] = [];
    const rowOutputs: Expanded[] = [];
    type Pending =
      | { kind: 'none' }
      | { kind: 'variable'; tensor: Tensor }
      | { kind: 'fixed'; start: number; count: number; dims: readonly number[] }
      | { kind: 'rows'; index: number }
      | { kind: 'gradient'; request: number; dims: readonly number[] }
      | { kind: 'scalarOf'; request: number };
    const pending: Pending[] = [];
    const steps: { op: Operation; request: number; sizes: number[]; learningRate?: number }[] = [];
    // Train ops first: their losses' values then serve fetches of the same tensors.
    const seenOps = new Set<Operation>();
    for (const item of items) {
      if (item.kind !== 'op' || seenOps.has(item.op)) continue;
      const op = item.op;
      seenOps.add(op);
      const F = expansion.scalarOf(op.loss);
      const xs = op.varList.map((v) => expansion.expand(v));
      const step: (typeof steps)[number] = {
        op,
        request: request(
          F,
          xs.flatMap((x) => x.elems),
        ),
        sizes: xs.map((x) => x.elems.length),
      };
      const lr = op.optimizer.learningRate;
      if (typeof lr !== 'number') {
        step.learningRate = fixedOutputs.length;
        fixedOutputs.push(expansion.expand(lr).elems[0]);
      }
      steps.push(step);
    }
    for (const item of items) {
      if (item.kind === 'op') {
        pending.push({ kind: 'none' });
        continue;
      }
      const t = item.tensor;
      if (t.def.kind === 'variable') {
        pending.push({ kind: 'variable', tensor: t });
        continue;
      }
      if (t.def.kind === 'gradient') {
        const wrt = expansion.expand(t.def.wrt);
        if (wrt.batch === undefined) {
          const F = expansion.scalarOf(t.inputs[0]);
          pending.push({ kind: 'gradient', request: request(F, wrt.elems), dims: wrt.dims });
          continue;
        }
      }
      const x = expansion.expand(t);
      if (x.batch !== undefined) {
        pending.push({ kind: 'rows', index: rowOutputs.length });
        rowOutputs.push(x);
        continue;
      }
      const same = x.elems.length === 1 ? requests.findIndex((r) => r.F === x.elems[0]) : -1;
      if (same >= 0) {
        pending.push({ kind: 'scalarOf', request: same });
        continue;
      }
      pending.push({
        kind: 'fixed',
        start: fixedOutputs.length,
        count: x.elems.length,
        dims: x.dims,
      });
      fixedOutputs.push(...x.elems);
    }
    // Phase 2: compile.
    const plan = new PlanBuilder(expansion, (builder, cut) => new CutForward(builder, cut));
    this.gradients = requests.map(({ F, V }) => new FactoredGradient(plan, F, V));
    for (const { op, request: k, sizes, learningRate } of steps) {
      const gradient = this.gradients[k];
      const views: Float64Array[] = [];
      let offset = 0;
      for (const size of sizes) {
        views.push(gradient.grad.subarray(offset, offset + size));
        offset += size;
      }
      for (const v of op.varList) plan.variables.add(v);
      this.trainSteps.push({ op, gradient, views, learningRate });
    }
    this.outputs = pending.map((o): Output => {
      switch (o.kind) {
        case 'variable':
          plan.variables.add(o.tensor);
          return o;
        case 'gradient':
          return { kind: 'gradient', gradient: this.gradients[o.request], dims: o.dims };
        case 'scalarOf':
          return { kind: 'scalarOf', gradient: this.gradients[o.request] };
        default:
          return o;
      }
    });
    plan.needForward(
      reductionClosure(expansion, [...fixedOutputs, ...rowOutputs.flatMap((x) => x.elems)]),
    );
    for (const group of stages(plan.forwardReductions())) {
      this.forward.push(new ReductionGroup(plan, group));
    }
    this.fixedFn = fixedOutputs.length > 0 ? new VectorFunction(plan, fixedOutputs) : undefined;
    this.rowFns = rowOutputs.map((x) => ({
      fn: new VectorFunction(plan, x.elems),
      owner: expansion.owner(x.batch!),
      dims: x.dims,
    }));
    const fillers = plan.columnFillers();
    this.feedColumns = fillers.feeds;
    this.cutRuntimes = fillers.cuts;
    this.columnValues = new Array(fillers.count);
    this.rv = new Float64Array(plan.slotCount());
    this.variables = plan.variables;
    plan.stats.compileMs = performance.now() - t0;
    this.stats = plan.stats;
  }

  /** Evaluates every fetch (train ops: their gradients, in `trainSteps`). */
  run(state: RunState): void {
    const cols = this.columnValues;
    const rv = this.rv;
    for (let i = 0; i < this.feedColumns.length; i++) {
      const c = this.feedColumns[i];
      cols[c.slot] = c.fill(state);
    }
    for (let i = 0; i < this.cutRuntimes.length; i++) this.cutRuntimes[i].forward(state, rv, cols);
    for (const group of this.forward) group.run(state, rv, cols);
    if (this.fixedFn !== undefined) {
      this.fixedFn.bind(state, rv);
      this.fixedFn.eval(cols, 0);
    }
    this.rowResults = this.rowFns.map(({ fn, owner, dims }) => {
      const n = state.n[owner.id];
      const shape = dims.map((d) => (d === BATCH ? n : d));
      const inner = fn.out.length;
      const data = new Float64Array(n * inner);
      fn.bind(state, rv);
      const axis = dims.indexOf(BATCH);
      // Sample stride and element strides in the full row-major layout.
      const strides: number[] = new Array(shape.length);
      let s = 1;
      for (let a = shape.length - 1; a >= 0; a--) {
        strides[a] = s;
        s *= shape[a];
      }
      const innerShape = shape.filter((_, a) => a !== axis);
      const innerStrides = strides.filter((_, a) => a !== axis);
      const offsets = new Int32Array(inner);
      for (let q = 0; q < inner; q++) {
        let r = q;
        let off = 0;
        for (let a = innerShape.length - 1; a >= 0; a--) {
          off += (r % innerShape[a]) * innerStrides[a];
          r = Math.floor(r / innerShape[a]);
        }
        offsets[q] = off;
      }
      const step = strides[axis];
      for (let b = 0; b < n; b++) {
        const out = fn.eval(cols, b);
        for (let q = 0; q < inner; q++) data[b * step + offsets[q]] = out[q];
      }
      return new TensorValue(shape, data);
    });
    for (const g of this.gradients) g.run(state, rv, cols);
  }

  /** The learning rate of a train step for this run. */
  learningRate(step: TrainStep): number {
    if (step.learningRate === undefined) return step.op.optimizer.learningRate as number;
    return this.fixedFn!.out[step.learningRate];
  }

  /** The value of fetch `i` after `run` (fresh arrays: the caller may keep them). */
  result(i: number, state: RunState): number | TensorValue | undefined {
    const o = this.outputs[i];
    switch (o.kind) {
      case 'none':
        return undefined;
      case 'variable': {
        const t = o.tensor;
        const data = Float64Array.from(state.vars[t.id]);
        return t.rank === 0 ? data[0] : new TensorValue(t.shape as number[], data);
      }
      case 'fixed': {
        if (o.count === 0) return new TensorValue(o.dims, new Float64Array(0));
        const out = this.fixedFn!.out;
        if (o.dims.length === 0) return out[o.start];
        return new TensorValue(o.dims, out.slice(o.start, o.start + o.count));
      }
      case 'rows':
        return this.rowResults[o.index];
      case 'gradient':
        if (o.dims.length === 0) return o.gradient.grad[0];
        return new TensorValue(o.dims, Float64Array.from(o.gradient.grad));
      case 'scalarOf':
        return o.gradient.value;
    }
  }
}
