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
import { CutBackward } from './loops.js';
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
    kernel: LoopKernel | RowSeeded;
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
    // Matrix products on the way to F: their backward passes, made on first use.
    const cutBackward = (cut: Cut): CutBackward => {
      let b = this.cuts.get(cut.index);
      if (b === undefined) {
        b = new CutBackward(plan, cut, vIndex, cutBackward);
        this.cuts.set(cut.index, b);
      }
      return b;
    };
    // One seeded kernel per stage, deepest first: H = Σ_k ς_k·h_k over one batch.
    for (const group of stages(this.closure).reverse()) {
      const seeds = group.map((_, k) => sym(`ς${k + 1}`));
      const H = sumOf(group.map((r, k) => mul(seeds[k], r.term)));
      const { fixed, rows } = splitSymbols(
        plan,
        group.map((r) => r.term),
      );
      const kernel = rows.some((r) => expansion.cutOf(r) !== undefined)
        ? new RowSeeded(plan, H, rows, seeds, fixed, cutBackward)
        : new LoopKernel(plan, H, rows, seeds, fixed, true);
      const targets = fixed.map((s) => {
        const v = vIndex.get(s.id);
        if (v !== undefined) return v;
        const r = expansion.reductionOf(s);
        return r === undefined ? undefined : -1 - plan.slotOf(r);
      });
      this.backward.push({ kernel, slots: group.map((r) => plan.slotOf(r)), targets });
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
      for (const { kernel, slots, targets } of this.backward) {
        for (let k = 0; k < slots.length; k++) kernel.params[k] = adj[slots[k]];
        kernel.run(state, rv, columns);
        const go = kernel.gradOut!;
        for (let k = 0; k < slots.length; k++) rv[slots[k]] = go[k];
        this.scatter(go, slots.length, targets, adj);
      }
      this.runCuts(state, rv, columns);
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
    this.runCuts(state, rv, columns);
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

/**
 * A seeded stage whose per-sample terms read matrix products (cut symbols): the same sums
 * as a `LoopKernel` (`gradOut` = [Σ_k…, Σ_samples ∂H/∂fixed…]), computed sample by sample
 * with a fused value+gradient function so that ∂H/∂Z per sample lands in the cuts' δ.
 */
class RowSeeded {
  readonly params: Float64Array;
  readonly gradOut: Float64Array;
  private readonly fn: (x: ArrayLike<number>, g: Float64Array) => number;
  private readonly x: Float64Array;
  private readonly g: Float64Array;
  private readonly binder: Binder;
  private readonly cutSlots: number[];
  private readonly dataSlots: number[];
  private readonly deltas: { cut: CutBackward; j: number }[];
  private readonly deltaViews: Float64Array[] = [];
  private readonly lead: number;
  private readonly owner: number;

  constructor(
    plan: PlanBuilder,
    H: Expr,
    rows: readonly Expr[],
    seeds: readonly Expr[],
    fixed: readonly Expr[],
    cutBackward: (cut: Cut) => CutBackward,
  ) {
    const expansion = plan.expansion;
    const cutRows = rows.filter((s) => expansion.cutOf(s) !== undefined);
    const dataRows = rows.filter((s) => expansion.cutOf(s) === undefined);
    this.fn = compileGradient(H, [...seeds, ...fixed, ...cutRows], { data: dataRows });
    plan.compiled(this.fn as { source: string } & typeof this.fn);
    this.lead = seeds.length + fixed.length;
    this.params = new Float64Array(seeds.length);
    this.gradOut = new Float64Array(this.lead);
    this.x = new Float64Array(this.lead + cutRows.length + dataRows.length);
    this.g = new Float64Array(this.lead + cutRows.length);
    this.binder = new Binder(fixed, plan);
    this.cutSlots = cutRows.map((s) => plan.column(s).slot);
    this.dataSlots = dataRows.map((s) => plan.column(s).slot);
    this.deltas = cutRows.map((s) => {
      const info = expansion.symbols.get(s.id);
      if (info?.kind !== 'cut') throw new Error('internal: not a cut symbol');
      return { cut: cutBackward(info.cut), j: info.index };
    });
    this.owner = expansion.owner(expansion.cutOf(cutRows[0])!.batch).id;
  }

  run(state: RunState, rv: Float64Array, cols: Float64Array[]): number {
    const { x, g, gradOut, lead } = this;
    x.set(this.params, 0);
    this.binder.fill(x, this.params.length, state, rv);
    gradOut.fill(0);
    const n = state.n[this.owner];
    const nc = this.cutSlots.length;
    const nd = this.dataSlots.length;
    const deltas = this.deltaViews;
    for (let i = 0; i < this.deltas.length; i++) {
      deltas[i] = this.deltas[i].cut.delta[this.deltas[i].j];
    }
    let total = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < nc; i++) x[lead + i] = cols[this.cutSlots[i]][b];
      for (let i = 0; i < nd; i++) x[lead + nc + i] = cols[this.dataSlots[i]][b];
      total += this.fn(x, g);
      for (let i = 0; i < lead; i++) gradOut[i] += g[i];
      for (let i = 0; i < nc; i++) deltas[i][b] += g[lead + i];
    }
    return total;
  }
}
