/**
 * Run plans: what one distinct set of fetches compiles to, and how it runs. Built once from
 * the expansion (expand.ts) with the public code generator — `compileBatch` kernels that loop
 * over the batch, `compileGradient` for the loss's own partials, `compile` for the rest —
 * and then run any number of times on preallocated buffers (nothing per step grows with the
 * model or the batch).
 *
 * Gradients are reverse mode at two levels: each batch sum Σk = Σ_samples hₖ is a kernel
 * whose gradient, seeded with ∂F/∂Σk, accumulates Σ_samples ∂hₖ/∂θ (Leibniz's symbolic
 * reverse sweep inside the loop); the loss F itself is a small fused value+gradient function.
 * When F is affine in its batch sums (a mean or sum loss, plus any regulariser) one pass over
 * the batch computes the value and the whole gradient.
 */
import { compile, compileBatch, compileGradient } from '../codegen/index.js';
import { grad } from '../diff/diff.js';
import { type Expr, freeSymbols, mul, sym } from '../expr/index.js';
import {
  BATCH,
  type BatchSum,
  type Expanded,
  type Expansion,
  reductionClosure,
  sumOf,
} from './expand.js';
import { TensorValue } from './shape.js';
import type { Operation, Tensor } from './tensor.js';

/** One fetch of a run. */
export type FetchItem =
  | { readonly kind: 'tensor'; readonly tensor: Tensor }
  | { readonly kind: 'op'; readonly op: Operation };

/** Per-run inputs, owned by the session's plan entry and refilled on every run. */
export class RunState {
  /** Variable values by tensor id (the session's arrays). */
  vars: Float64Array[] = [];
  /** Fed data (row-major) by placeholder id. */
  feeds: Float64Array[] = [];
  /** Fed shapes by placeholder id. */
  shapes: (readonly number[])[] = [];
  /** Batch size by placeholder id (row mode). */
  n: number[] = [];
}

const SRC_VARIABLE = 0;
const SRC_FEED = 1;
const SRC_BATCH = 2;
const SRC_REDUCTION = 3;

/** Fills an input vector from variables, feeds, batch sizes and reduction values. */
class Binder {
  private readonly kind: Uint8Array;
  private readonly key: Int32Array;
  private readonly offset: Int32Array;

  constructor(symbols: readonly Expr[], plan: PlanBuilder) {
    const m = symbols.length;
    this.kind = new Uint8Array(m);
    this.key = new Int32Array(m);
    this.offset = new Int32Array(m);
    symbols.forEach((s, i) => {
      const info = plan.expansion.symbols.get(s.id);
      if (info === undefined) throw new Error(`internal: unknown symbol ${s.name}`);
      switch (info.kind) {
        case 'variable':
          this.kind[i] = SRC_VARIABLE;
          this.key[i] = info.tensor.id;
          this.offset[i] = info.offset;
          plan.variables.add(info.tensor);
          break;
        case 'feed':
          this.kind[i] = SRC_FEED;
          this.key[i] = info.tensor.id;
          this.offset[i] = info.offset;
          break;
        case 'batchSize':
          this.kind[i] = SRC_BATCH;
          this.key[i] = info.tensor.id;
          break;
        case 'reduction':
          this.kind[i] = SRC_REDUCTION;
          this.key[i] = plan.slotOf(info.reduction);
          break;
        case 'row':
          throw new Error(`internal: sample symbol ${s.name} bound as a fixed input`);
      }
    });
  }

  fill(target: Float64Array, at: number, state: RunState, rv: Float64Array): void {
    const { kind, key, offset } = this;
    for (let i = 0; i < kind.length; i++) {
      const k = kind[i];
      target[at + i] =
        k === SRC_VARIABLE
          ? state.vars[key[i]][offset[i]]
          : k === SRC_FEED
            ? state.feeds[key[i]][offset[i]]
            : k === SRC_BATCH
              ? state.n[key[i]]
              : rv[key[i]];
    }
  }
}

/** One column per sample symbol: filled from the feeds on every run, views reused. */
class Column {
  private buffer = new Float64Array(0);
  private view = new Float64Array(0);

  constructor(
    readonly placeholder: Tensor,
    /** Index over the placeholder's non-batch dims. */
    readonly index: number,
    /** Position among the plan's columns. */
    readonly slot: number,
  ) {}

  /** Shape the offsets below were computed for. */
  private shapeKey: readonly number[] | undefined;
  private base = 0;
  private sampleStride = 1;

  /** The column for this run (the feed itself when it is one already). */
  fill(state: RunState): Float64Array {
    const t = this.placeholder;
    const data = state.feeds[t.id];
    const shape = state.shapes[t.id];
    if (shape.length === 1) return data;
    const axis = t.shape.indexOf(null);
    const n = shape[axis];
    if (shape !== this.shapeKey) this.locate(shape, axis);
    if (this.buffer.length < n) this.buffer = new Float64Array(Math.max(n, 2 * this.buffer.length));
    if (this.view.length !== n || this.view.buffer !== this.buffer.buffer) {
      this.view = this.buffer.subarray(0, n);
    }
    const v = this.view;
    const step = this.sampleStride;
    for (let b = 0, o = this.base; b < n; b++, o += step) v[b] = data[o];
    return v;
  }

  /** Offset of element `index` of sample 0, and the stride between samples. */
  private locate(shape: readonly number[], axis: number): void {
    const inner = shape.filter((_, i) => i !== axis);
    let q = this.index;
    const idx = new Array<number>(inner.length);
    for (let i = inner.length - 1; i >= 0; i--) {
      idx[i] = q % inner[i];
      q = Math.floor(q / inner[i]);
    }
    let stride = 1;
    let base = 0;
    let j = inner.length - 1;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (a === axis) this.sampleStride = stride;
      else base += idx[j--] * stride;
      stride *= shape[a];
    }
    this.base = base;
    this.shapeKey = shape;
  }
}

/** Splits symbols into fixed ones and sample ones (columns). */
function splitSymbols(plan: PlanBuilder, exprs: readonly Expr[]): { fixed: Expr[]; rows: Expr[] } {
  const fixed: Expr[] = [];
  const rows: Expr[] = [];
  for (const s of freeSymbols(exprs as Expr[])) {
    const info = plan.expansion.symbols.get(s.id);
    if (info?.kind === 'row') rows.push(s);
    else fixed.push(s);
  }
  return { fixed, rows };
}

/** A compiled `compileBatch` kernel with its inputs wired: data record and params vector. */
class LoopKernel {
  private readonly kernel: ((
    data: Record<string, Float64Array>,
    params: Float64Array,
    gradOut?: Float64Array,
  ) => number) & { readonly source: string };
  private readonly data: Record<string, Float64Array> = {};
  private readonly names: string[];
  private readonly columns: Column[];
  readonly params: Float64Array;
  readonly gradOut: Float64Array | undefined;
  private readonly binder: Binder;
  /** Number of leading params the caller fills (seeds). */
  private readonly leading: number;

  constructor(
    plan: PlanBuilder,
    expr: Expr,
    rows: readonly Expr[],
    /** Leading params the caller fills (seeds). */
    leading: readonly Expr[],
    fixed: readonly Expr[],
    gradient: boolean,
  ) {
    this.kernel = compileBatch(expr, {
      data: rows,
      params: [...leading, ...fixed],
      reduce: 'sum',
      gradient,
    });
    plan.compiled(this.kernel);
    this.names = rows.map((s) => s.name!);
    this.columns = rows.map((s) => plan.column(s));
    this.params = new Float64Array(leading.length + fixed.length);
    this.gradOut = gradient ? new Float64Array(leading.length + fixed.length) : undefined;
    this.binder = new Binder(fixed, plan);
    this.leading = leading.length;
  }

  /** Runs over the batch; returns Σ and (if compiled with it) fills `gradOut`. */
  run(state: RunState, rv: Float64Array, columns: Float64Array[]): number {
    for (let i = 0; i < this.names.length; i++) {
      this.data[this.names[i]] = columns[this.columns[i].slot];
    }
    this.binder.fill(this.params, this.leading, state, rv);
    return this.kernel(this.data, this.params, this.gradOut);
  }
}

/** A vector function of fixed and sample inputs, called per sample (or once). */
class VectorFunction {
  private readonly fn: ((x: ArrayLike<number>, out?: Float64Array) => Float64Array) & {
    readonly source: string;
  };
  readonly input: Float64Array;
  readonly out: Float64Array;
  private readonly binder: Binder;
  private readonly rowColumns: number[];
  private readonly nFixed: number;

  constructor(plan: PlanBuilder, outputs: readonly Expr[]) {
    const { fixed, rows } = splitSymbols(plan, outputs);
    this.fn = compile(outputs as Expr[], [...fixed, ...rows], { input: 'vector' });
    plan.compiled(this.fn);
    this.binder = new Binder(fixed, plan);
    this.nFixed = fixed.length;
    this.input = new Float64Array(fixed.length + rows.length);
    this.out = new Float64Array(outputs.length);
    this.rowColumns = rows.map((s) => plan.column(s).slot);
  }

  /** Binds the fixed inputs (once per run). */
  bind(state: RunState, rv: Float64Array): void {
    this.binder.fill(this.input, 0, state, rv);
  }

  /** Evaluates for sample `b` (or with no samples) into `out`. */
  eval(columns: Float64Array[], b: number): Float64Array {
    const cols = this.rowColumns;
    for (let j = 0; j < cols.length; j++) this.input[this.nFixed + j] = columns[cols[j]][b];
    return this.fn(this.input, this.out);
  }
}

/** Reductions of one depth and batch: a kernel (one) or a per-sample function (several). */
class ReductionGroup {
  private readonly kernel: LoopKernel | undefined;
  private readonly fn: VectorFunction | undefined;
  private readonly slots: number[];
  private readonly sizeOwner: Tensor;

  constructor(plan: PlanBuilder, reductions: readonly BatchSum[]) {
    this.slots = reductions.map((r) => plan.slotOf(r));
    this.sizeOwner = plan.expansion.owner(reductions[0].batch);
    if (reductions.length === 1) {
      const { fixed, rows } = splitSymbols(plan, [reductions[0].term]);
      this.kernel = new LoopKernel(plan, reductions[0].term, rows, [], fixed, false);
    } else {
      this.fn = new VectorFunction(
        plan,
        reductions.map((r) => r.term),
      );
    }
  }

  run(state: RunState, rv: Float64Array, columns: Float64Array[]): void {
    if (this.kernel !== undefined) {
      rv[this.slots[0]] = this.kernel.run(state, rv, columns);
      return;
    }
    const fn = this.fn!;
    fn.bind(state, rv);
    const slots = this.slots;
    for (const s of slots) rv[s] = 0;
    const n = state.n[this.sizeOwner.id];
    for (let b = 0; b < n; b++) {
      const out = fn.eval(columns, b);
      for (let k = 0; k < slots.length; k++) rv[slots[k]] += out[k];
    }
  }
}

/** Groups reductions by depth, then by batch: evaluation stages in order. */
function stages(reductions: readonly BatchSum[]): BatchSum[][] {
  const byKey = new Map<string, BatchSum[]>();
  for (const r of [...reductions].sort((a, b) => a.depth - b.depth || a.index - b.index)) {
    const key = `${r.depth}|${r.batch.join(',')}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  return [...byKey.values()];
}

/**
 * The exact gradient of a fixed scalar F by fixed symbols V, and F's value. Reverse mode
 * over the batch sums (see the module comment); `grad` is filled in V's order.
 */
export class FactoredGradient {
  readonly grad: Float64Array;
  value = Number.NaN;
  /** F's value and partials by its differentiated inputs (V's and the direct batch sums). */
  private readonly fKernel: (x: ArrayLike<number>, g: Float64Array) => number;
  private readonly fInput: Float64Array;
  private readonly fGrad: Float64Array;
  private readonly fBinder: Binder;
  /** Index into V of each of F's differentiated variables. */
  private readonly fTargets: number[];
  private readonly fDirectSlots: number[];
  /** Seeded kernels from the deepest stage to the shallowest. */
  private readonly backward: {
    kernel: LoopKernel;
    slots: number[];
    /** Per fixed param: index into V, or −1 − slot of a batch sum, or undefined. */
    targets: (number | undefined)[];
  }[] = [];
  private readonly adjoint: Float64Array;
  /** True when one pass over the batch gives value and gradient (see `run`). */
  readonly fast: boolean;
  readonly closure: readonly BatchSum[];

  constructor(
    plan: PlanBuilder,
    readonly F: Expr,
    readonly V: readonly Expr[],
  ) {
    this.grad = new Float64Array(V.length);
    const vIndex = new Map(V.map((v, i) => [v.id, i]));
    const expansion = plan.expansion;
    const free = freeSymbols(F);
    const direct = free.filter((s) => expansion.reductionOf(s) !== undefined);
    const fVars = free.filter((s) => vIndex.has(s.id));
    const others = free.filter((s) => !vIndex.has(s.id) && expansion.reductionOf(s) === undefined);
    this.closure = reductionClosure(expansion, [F]);
    for (const r of this.closure) plan.slotOf(r);
    this.adjoint = new Float64Array(plan.slotCount());
    const cs = direct.length > 0 ? grad(F, direct) : [];
    // Affine in batch sums of depth 1: the seeds ∂F/∂Σ do not depend on any Σ.
    this.fast =
      this.closure.every((r) => r.depth === 1) &&
      cs.every((c) => freeSymbols(c).every((s) => expansion.reductionOf(s) === undefined));
    const diffVars = [...fVars, ...direct];
    this.fTargets = fVars.map((v) => vIndex.get(v.id)!);
    this.fDirectSlots = direct.map((s) => plan.slotOf(expansion.reductionOf(s)!));
    if (diffVars.length > 0) {
      const kernel = compileGradient(F, diffVars, { data: others });
      plan.compiled(kernel);
      this.fKernel = kernel;
    } else {
      const value = compile([F], others, { input: 'vector' });
      plan.compiled(value);
      const out = new Float64Array(1);
      this.fKernel = (x) => value(x, out)[0];
    }
    this.fInput = new Float64Array(diffVars.length + others.length);
    this.fGrad = new Float64Array(diffVars.length);
    this.fBinder = new Binder([...diffVars, ...others], plan);
    // One seeded kernel per stage, deepest first: H = Σ_k ς_k·h_k over one batch.
    for (const group of stages(this.closure).reverse()) {
      const seeds = group.map((_, k) => sym(`ς${k + 1}`));
      const H = sumOf(group.map((r, k) => mul(seeds[k], r.term)));
      const { fixed, rows } = splitSymbols(
        plan,
        group.map((r) => r.term),
      );
      const kernel = new LoopKernel(plan, H, rows, seeds, fixed, true);
      const targets = fixed.map((s) => {
        const v = vIndex.get(s.id);
        if (v !== undefined) return v;
        const r = expansion.reductionOf(s);
        return r === undefined ? undefined : -1 - plan.slotOf(r);
      });
      this.backward.push({ kernel, slots: group.map((r) => plan.slotOf(r)), targets });
    }
    if (!this.fast) plan.needForward(this.closure);
  }

  /**
   * Evaluates F and fills `grad`. Fast: F's partials at Σ = 0 give the seeds, one seeded
   * pass gives the batch sums (∂H/∂ς_k = Σ_k) and their share of the gradient, and F is
   * evaluated again with the true sums. Otherwise the batch sums come from the forward
   * pass (already in `rv`) and the seeded passes run from the deepest stage up, each
   * adding to the adjoints of the sums below it.
   */
  run(state: RunState, rv: Float64Array, columns: Float64Array[]): void {
    this.grad.fill(0);
    const adj = this.adjoint;
    adj.fill(0);
    const direct = this.fDirectSlots;
    if (this.fast && this.backward.length > 0) {
      for (const s of direct) rv[s] = 0;
      this.evalF(state, rv);
      for (let k = 0; k < direct.length; k++) adj[direct[k]] = this.fGrad[this.fTargets.length + k];
      for (const { kernel, slots, targets } of this.backward) {
        for (let k = 0; k < slots.length; k++) kernel.params[k] = adj[slots[k]];
        kernel.run(state, rv, columns);
        const go = kernel.gradOut!;
        for (let k = 0; k < slots.length; k++) rv[slots[k]] = go[k];
        this.scatter(go, slots.length, targets, adj);
      }
      this.evalF(state, rv);
      this.addF();
      return;
    }
    this.evalF(state, rv);
    this.addF();
    for (let k = 0; k < direct.length; k++) adj[direct[k]] += this.fGrad[this.fTargets.length + k];
    for (const { kernel, slots, targets } of this.backward) {
      for (let k = 0; k < slots.length; k++) kernel.params[k] = adj[slots[k]];
      kernel.run(state, rv, columns);
      this.scatter(kernel.gradOut!, slots.length, targets, adj);
    }
  }

  private evalF(state: RunState, rv: Float64Array): void {
    this.fBinder.fill(this.fInput, 0, state, rv);
    this.value = this.fKernel(this.fInput, this.fGrad);
  }

  private addF(): void {
    const g = this.grad;
    const t = this.fTargets;
    for (let i = 0; i < t.length; i++) g[t[i]] += this.fGrad[i];
  }

  private scatter(
    go: Float64Array,
    lead: number,
    targets: readonly (number | undefined)[],
    adj: Float64Array,
  ): void {
    const g = this.grad;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (t === undefined) continue;
      if (t >= 0) g[t] += go[lead + i];
      else adj[-1 - t] += go[lead + i];
    }
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

/** Counters for tests and benchmarks. */
export interface PlanStats {
  kernels: number;
  compileMs: number;
  /** Characters of generated JavaScript. */
  sourceChars: number;
}

/** Collects what a plan needs while it is built. */
class PlanBuilder {
  readonly variables = new Set<Tensor>();
  readonly stats: PlanStats = { kernels: 0, compileMs: 0, sourceChars: 0 };

  /** Counts a compiled function. */
  compiled(fn: { source: string }): void {
    this.stats.kernels++;
    this.stats.sourceChars += fn.source.length;
  }
  private readonly slots = new Map<number, number>();
  private readonly columns = new Map<number, Column>();
  private readonly forward = new Map<number, BatchSum>();

  constructor(readonly expansion: Expansion) {}

  slotOf(r: BatchSum): number {
    let s = this.slots.get(r.index);
    if (s === undefined) {
      s = this.slots.size;
      this.slots.set(r.index, s);
    }
    return s;
  }

  slotCount(): number {
    // Room for reductions registered later by other parts of the plan.
    return Math.max(1, this.expansion.reductions.length);
  }

  column(s: Expr): Column {
    let c = this.columns.get(s.id);
    if (c === undefined) {
      const info = this.expansion.symbols.get(s.id);
      if (info?.kind !== 'row') throw new Error(`internal: ${s.name} is not a sample symbol`);
      c = new Column(info.tensor, info.index, this.columns.size);
      this.columns.set(s.id, c);
    }
    return c;
  }

  allColumns(): Column[] {
    return [...this.columns.values()];
  }

  needForward(rs: readonly BatchSum[]): void {
    for (const r of rs) this.forward.set(r.index, r);
  }

  forwardReductions(): BatchSum[] {
    return [...this.forward.values()];
  }
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
  private readonly rowFns: { fn: VectorFunction; owner: Tensor; dims: readonly number[] }[];
  private readonly gradients: FactoredGradient[];
  private readonly columnList: Column[];
  private readonly columnValues: Float64Array[];
  private rv: Float64Array;
  readonly variables: ReadonlySet<Tensor>;
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
    for (const item of items) {
      if (item.kind !== 'op') continue;
      const op = item.op;
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
    const plan = new PlanBuilder(expansion);
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
    this.columnList = plan.allColumns();
    this.columnValues = new Array(this.columnList.length);
    this.rv = new Float64Array(plan.slotCount());
    this.variables = plan.variables;
    plan.stats.compileMs = performance.now() - t0;
    this.stats = plan.stats;
  }

  /** Evaluates every fetch (train ops: their gradients, in `trainSteps`). */
  run(state: RunState): void {
    const cols = this.columnValues;
    for (let i = 0; i < this.columnList.length; i++) {
      const c = this.columnList[i];
      cols[c.slot] = c.fill(state);
    }
    const rv = this.rv;
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
