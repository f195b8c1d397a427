/**
 * Exact gradients at run time: reverse mode over the batch sums. Each batch sum
 * Σk = Σ_samples hₖ is a kernel whose gradient, seeded with ∂F/∂Σk, accumulates
 * Σ_samples ∂hₖ/∂θ (Leibniz's symbolic reverse sweep inside the loop); the loss F itself is
 * a small fused value+gradient function. When F is affine in its batch sums (a mean or sum
 * loss, plus any regulariser) one pass over the batch gives the value and the whole gradient.
 */
import { compile, compileGradient } from '../codegen/index.js';
import { grad } from '../diff/diff.js';
import { type Expr, freeSymbols, mul, sym } from '../expr/index.js';
import { type BatchSum, type Cut, reductionClosure, sumOf } from './expand.js';
import { CutBackward, DeltaSink } from './loops.js';
import {
  Binder,
  LoopKernel,
  type PlanBuilder,
  type RunState,
  splitSymbols,
  stages,
} from './runtime.js';

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
    /** Per differentiated fixed input: index into V, or −1 − slot of a batch sum. */
    targets: number[];
    /** Where the per-sample partials by matrix-product symbols go (their δ). */
    deltas: DeltaSink | undefined;
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
    // Matrix products on the way to F: their backward passes, made on first use.
    const cutBackward = (cut: Cut): CutBackward => {
      let b = this.cuts.get(cut.index);
      if (b === undefined) {
        b = new CutBackward(plan, cut, vIndex, cutBackward);
        this.cuts.set(cut.index, b);
      }
      return b;
    };
    // One seeded kernel per stage, deepest first: H = Σ_k ς_k·h_k over one batch. Only
    // inputs with somewhere to send a partial are differentiated (V, lower batch sums, and
    // per sample the matrix products' rows); the rest are constants of the kernel.
    for (const group of stages(this.closure).reverse()) {
      const seeds = group.map((_, k) => sym(`ς${k + 1}`));
      const H = sumOf(group.map((r, k) => mul(seeds[k], r.term)));
      const { fixed, rows } = splitSymbols(
        plan,
        group.map((r) => r.term),
      );
      const targetOf = (s: Expr): number | undefined => {
        const v = vIndex.get(s.id);
        if (v !== undefined) return v;
        const r = expansion.reductionOf(s);
        return r === undefined ? undefined : -1 - plan.slotOf(r);
      };
      const differentiated = fixed.filter((s) => targetOf(s) !== undefined);
      const cutRows = rows.filter((s) => expansion.cutOf(s) !== undefined);
      const kernel = new LoopKernel(plan, H, {
        rows,
        leading: seeds,
        differentiated,
        constants: fixed.filter((s) => targetOf(s) === undefined),
        gradient: true,
        dataGradient: cutRows,
      });
      this.backward.push({
        kernel,
        slots: group.map((r) => plan.slotOf(r)),
        targets: differentiated.map((s) => targetOf(s)!),
        deltas: cutRows.length > 0 ? new DeltaSink(plan, cutRows, cutBackward) : undefined,
      });
    }
    if (!this.fast) plan.needForward(this.closure);
    this.cutOrder = [...this.cuts].sort((a, b) => b[0] - a[0]).map(([, c]) => c);
  }

  private readonly cuts = new Map<number, CutBackward>();
  /** Cut backward passes, latest cut first. */
  private readonly cutOrder: CutBackward[];

  /** The passes through the matrix products, after the seeded stages filled their δ. */
  private runCuts(state: RunState, rv: Float64Array, columns: Float64Array[]): void {
    for (let i = 0; i < this.cutOrder.length; i++) {
      this.cutOrder[i].run(state, rv, columns, this.grad);
    }
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
    for (let i = 0; i < this.cutOrder.length; i++) this.cutOrder[i].begin(state);
    const direct = this.fDirectSlots;
    if (this.fast && this.backward.length > 0) {
      for (const s of direct) rv[s] = 0;
      this.evalF(state, rv);
      for (let k = 0; k < direct.length; k++) adj[direct[k]] = this.fGrad[this.fTargets.length + k];
      for (const stage of this.backward) {
        const { kernel, slots } = stage;
        for (let k = 0; k < slots.length; k++) kernel.params[k] = adj[slots[k]];
        this.runStage(stage, state, rv, columns);
        const go = kernel.gradOut!;
        for (let k = 0; k < slots.length; k++) rv[slots[k]] = go[k];
        this.scatter(go, slots.length, stage.targets, adj);
      }
      this.runCuts(state, rv, columns);
      this.evalF(state, rv);
      this.addF();
      return;
    }
    this.evalF(state, rv);
    this.addF();
    for (let k = 0; k < direct.length; k++) adj[direct[k]] += this.fGrad[this.fTargets.length + k];
    for (const stage of this.backward) {
      const { kernel, slots } = stage;
      for (let k = 0; k < slots.length; k++) kernel.params[k] = adj[slots[k]];
      this.runStage(stage, state, rv, columns);
      this.scatter(kernel.gradOut!, slots.length, stage.targets, adj);
    }
    this.runCuts(state, rv, columns);
  }

  /** One seeded pass over the batch (per-sample partials by product rows into their δ). */
  private runStage(
    stage: (typeof this.backward)[number],
    state: RunState,
    rv: Float64Array,
    columns: Float64Array[],
  ): void {
    const { kernel, deltas } = stage;
    if (deltas === undefined) {
      kernel.run(state, rv, columns);
      return;
    }
    kernel.run(state, rv, columns, deltas.target(state));
    deltas.flush(state);
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
    targets: readonly number[],
    adj: Float64Array,
  ): void {
    const g = this.grad;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (t >= 0) g[t] += go[lead + i];
      else adj[-1 - t] += go[lead + i];
    }
  }
}
