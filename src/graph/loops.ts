/**
 * The matrix-level path (CasADi's MX beside SX): a batch times a weight matrix, Z = A·W,
 * multiplied in loops over Float64Array columns instead of written out per sample. Forward:
 * A's columns (fed, another product's, or computed per sample by a compiled function),
 * then Z's. Backward (for gradients): given δ = ∂F/∂Z per sample, ∂F/∂W = Aᵀδ and
 * ∂F/∂A = δWᵀ, and through A's compiled expressions to the variables and earlier products.
 * These loops are plain runtime routines (no generated code); the element-wise parts around
 * them stay exact compiled expressions.
 */
import { compileGradient } from '../codegen/index.js';
import { type Expr, freeSymbols, mul, sym } from '../expr/index.js';
import { type Cut, sumOf } from './expand.js';
import {
  Binder,
  type CutRuntime,
  type PlanBuilder,
  type RunState,
  splitSymbols,
  VectorFunction,
} from './runtime.js';

/** A growable column buffer with a reused view of the current length. */
class Buffer {
  private data = new Float64Array(0);
  private current = new Float64Array(0);

  view(n: number): Float64Array {
    if (this.data.length < n) this.data = new Float64Array(Math.max(n, 2 * this.data.length));
    if (this.current.length !== n || this.current.buffer !== this.data.buffer) {
      this.current = this.data.subarray(0, n);
    }
    return this.current;
  }
}

/** Samples per block of the product loops: Z's block stays in cache while A streams. */
const BLOCK = 256;

/** Forward of one cut: A's columns, W gathered from its variables, Z = A·W. */
export class CutForward implements CutRuntime {
  readonly slots: number[];
  /** Column slot of each of A's k elements. */
  readonly aSlots: number[];
  readonly cut: Cut;
  /** A's elements that are computed per sample (not a column already), and their slots. */
  private readonly computed:
    | { fn: VectorFunction; ts: number[]; buffers: Buffer[]; views: Float64Array[] }
    | undefined;
  private readonly wTensor: Int32Array;
  private readonly wOffset: Int32Array;
  /** W, dense k × m, gathered on every run (unless `direct`). */
  private readonly w: Float64Array;
  /** The variable whose array is W as it is (row-major k × m), or −1. */
  private readonly direct: number;
  private readonly zViews: Float64Array[];
  private readonly aViews: Float64Array[];
  private readonly z: Buffer[];
  private readonly owner: number;

  constructor(plan: PlanBuilder, cut: Cut) {
    this.cut = cut;
    const { k, m } = cut;
    this.owner = plan.expansion.owner(cut.batch).id;
    const ts: number[] = [];
    this.aSlots = cut.a.map((e, t) => {
      if (plan.expansion.isSample(e)) return plan.column(e).slot;
      ts.push(t);
      return plan.newColumn();
    });
    this.computed =
      ts.length === 0
        ? undefined
        : {
            fn: new VectorFunction(
              plan,
              ts.map((t) => cut.a[t]),
            ),
            ts,
            buffers: ts.map(() => new Buffer()),
            views: new Array(ts.length),
          };
    this.wTensor = new Int32Array(k * m);
    this.wOffset = new Int32Array(k * m);
    cut.w.forEach((s, i) => {
      const info = plan.expansion.symbols.get(s.id);
      if (info?.kind !== 'variable') throw new Error('internal: a cut weight is not a variable');
      this.wTensor[i] = info.tensor.id;
      this.wOffset[i] = info.offset;
      plan.variables.add(info.tensor);
    });
    this.w = new Float64Array(k * m);
    // W is often a variable as it is (matmul(h, W)): then its array serves directly.
    const first = plan.expansion.symbols.get(cut.w[0].id);
    const whole =
      first?.kind === 'variable' &&
      first.tensor.shape.reduce<number>((p, d) => p * (d ?? 0), 1) === k * m &&
      this.wOffset.every((o, i) => o === i && this.wTensor[i] === first.tensor.id);
    this.direct = whole ? first.tensor.id : -1;
    this.z = cut.symbols.map(() => new Buffer());
    this.zViews = new Array(m);
    this.aViews = new Array(k);
    this.slots = cut.symbols.map(() => plan.newColumn());
  }

  forward(state: RunState, rv: Float64Array, cols: Float64Array[]): void {
    const { k, m } = this.cut;
    const n = state.n[this.owner];
    const computed = this.computed;
    if (computed !== undefined) {
      const { fn, ts, buffers, views } = computed;
      for (let i = 0; i < ts.length; i++) views[i] = buffers[i].view(n);
      fn.bind(state, rv);
      for (let b = 0; b < n; b++) {
        const out = fn.eval(cols, b);
        for (let i = 0; i < ts.length; i++) views[i][b] = out[i];
      }
      for (let i = 0; i < ts.length; i++) cols[this.aSlots[ts[i]]] = views[i];
    }
    const w = this.weights(state);
    const z = this.zViews;
    for (let j = 0; j < m; j++) {
      z[j] = this.z[j].view(n);
      z[j].fill(0);
      cols[this.slots[j]] = z[j];
    }
    const a = this.columnsOfA(cols);
    for (let b0 = 0; b0 < n; b0 += BLOCK) {
      multiplyAdd(a, w, z, k, m, b0, Math.min(n, b0 + BLOCK));
    }
  }

  /** W for this run: the variable's own array when W is one in row-major order. */
  weights(state: RunState): Float64Array {
    if (this.direct >= 0) return state.vars[this.direct];
    const w = this.w;
    for (let i = 0; i < w.length; i++) w[i] = state.vars[this.wTensor[i]][this.wOffset[i]];
    return w;
  }

  /** A's columns for this run (a reused array). */
  columnsOfA(cols: readonly Float64Array[]): Float64Array[] {
    const a = this.aViews;
    for (let t = 0; t < a.length; t++) a[t] = cols[this.aSlots[t]];
    return a;
  }
}

/**
 * z[j][b] += Σ_t w[t·m + j]·a[t][b] for b in [b0, b1): four output columns per pass, so each
 * a[t][b] is loaded once for four products (twice the speed of the plain loop in V8).
 */
export function multiplyAdd(
  a: readonly Float64Array[],
  w: Float64Array,
  z: readonly Float64Array[],
  k: number,
  m: number,
  b0: number,
  b1: number,
): void {
  for (let t = 0; t < k; t++) {
    const at = a[t];
    const row = t * m;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const w0 = w[row + j];
      const w1 = w[row + j + 1];
      const w2 = w[row + j + 2];
      const w3 = w[row + j + 3];
      const z0 = z[j];
      const z1 = z[j + 1];
      const z2 = z[j + 2];
      const z3 = z[j + 3];
      for (let b = b0; b < b1; b++) {
        const x = at[b];
        z0[b] += w0 * x;
        z1[b] += w1 * x;
        z2[b] += w2 * x;
        z3[b] += w3 * x;
      }
    }
    for (; j < m; j++) {
      const wj = w[row + j];
      const zj = z[j];
      for (let b = b0; b < b1; b++) zj[b] += wj * at[b];
    }
  }
}

/** g[targets[t·m + j]] += Σ_b a[t][b]·d[j][b] (targets < 0 skipped), four columns per pass. */
export function addProducts(
  a: readonly Float64Array[],
  d: readonly Float64Array[],
  targets: Int32Array,
  g: Float64Array,
  k: number,
  m: number,
  n: number,
): void {
  for (let t = 0; t < k; t++) {
    const at = a[t];
    const row = t * m;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const d0 = d[j];
      const d1 = d[j + 1];
      const d2 = d[j + 2];
      const d3 = d[j + 3];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let b = 0; b < n; b++) {
        const x = at[b];
        s0 += x * d0[b];
        s1 += x * d1[b];
        s2 += x * d2[b];
        s3 += x * d3[b];
      }
      if (targets[row + j] >= 0) g[targets[row + j]] += s0;
      if (targets[row + j + 1] >= 0) g[targets[row + j + 1]] += s1;
      if (targets[row + j + 2] >= 0) g[targets[row + j + 2]] += s2;
      if (targets[row + j + 3] >= 0) g[targets[row + j + 3]] += s3;
    }
    for (; j < m; j++) {
      const dj = d[j];
      let s = 0;
      for (let b = 0; b < n; b++) s += at[b] * dj[b];
      if (targets[row + j] >= 0) g[targets[row + j]] += s;
    }
  }
}

/** out[i][b] = Σ_j w[t_i·m + j]·d[j][b] for the rows t_i of `rows`, four columns per pass. */
export function multiplyTransposed(
  d: readonly Float64Array[],
  w: Float64Array,
  rows: readonly number[],
  out: readonly Float64Array[],
  m: number,
  n: number,
): void {
  for (let i = 0; i < rows.length; i++) {
    const o = out[i];
    o.fill(0);
    const row = rows[i] * m;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const w0 = w[row + j];
      const w1 = w[row + j + 1];
      const w2 = w[row + j + 2];
      const w3 = w[row + j + 3];
      const d0 = d[j];
      const d1 = d[j + 1];
      const d2 = d[j + 2];
      const d3 = d[j + 3];
      for (let b = 0; b < n; b++) o[b] += w0 * d0[b] + w1 * d1[b] + w2 * d2[b] + w3 * d3[b];
    }
    for (; j < m; j++) {
      const wj = w[row + j];
      const dj = d[j];
      for (let b = 0; b < n; b++) o[b] += wj * dj[b];
    }
  }
}

/**
 * Backward of one cut for one gradient: holds δ = ∂F/∂Z per sample (filled by the seeded
 * per-sample functions and by later cuts), then adds ∂F/∂W = Aᵀδ to the gradient and passes
 * ∂F/∂A = δWᵀ through A's expressions (to the variables and earlier cuts' δ).
 */
export class CutBackward {
  readonly cut: Cut;
  private readonly forwardOf: CutForward;
  private readonly deltaBuffers: Buffer[];
  /** δ's columns for this run (valid after `begin`). */
  readonly delta: Float64Array[] = [];
  private readonly dAViews: Float64Array[] = [];
  /** Index into the gradient of each weight (row-major k × m), or −1. */
  private readonly wTargets: Int32Array;
  /** A's elements that pass a gradient on (not placeholder columns). */
  private readonly through: number[];
  private readonly dA: Buffer[];
  private readonly back:
    | {
        fn: (x: ArrayLike<number>, g: Float64Array) => number;
        x: Float64Array;
        g: Float64Array;
        binder: Binder;
        /** Binds the differentiated fixed inputs (after the cut symbols). */
        diffBinder: Binder;
        /** x positions of σ (per element of `through`), then of the sample symbols. */
        sigmaAt: number;
        rowSlots: number[];
        rowAt: number;
        /** Per differentiated input: a δ column target (cut, j) or a gradient index. */
        targets: ({ cut: CutBackward; j: number } | number)[];
      }
    | undefined;
  private readonly owner: number;

  constructor(
    plan: PlanBuilder,
    cut: Cut,
    vIndex: ReadonlyMap<number, number>,
    backwardOf: (c: Cut) => CutBackward,
  ) {
    this.cut = cut;
    this.forwardOf = plan.cut(cut) as CutForward;
    this.owner = plan.expansion.owner(cut.batch).id;
    this.deltaBuffers = cut.symbols.map(() => new Buffer());
    this.wTargets = Int32Array.from(cut.w, (s) => vIndex.get(s.id) ?? -1);
    const expansion = plan.expansion;
    // A's elements that depend on something differentiated: V, or an earlier cut.
    const matters = (e: Expr): boolean =>
      freeSymbols(e).some((s) => vIndex.has(s.id) || expansion.cutOf(s) !== undefined);
    this.through = cut.a.flatMap((e, t) => (matters(e) ? [t] : []));
    this.dA = this.through.map(() => new Buffer());
    if (this.through.length === 0) {
      this.back = undefined;
      return;
    }
    // G = Σ σ_t·a_t over one sample: its gradient passes dA on.
    const sigmas = this.through.map((_, i) => sym(`σ${i + 1}`));
    const G = sumOf(this.through.map((t, i) => mul(sigmas[i], cut.a[t])));
    const { fixed, rows } = splitSymbols(
      plan,
      this.through.map((t) => cut.a[t]),
    );
    const cutRows = rows.filter((s) => expansion.cutOf(s) !== undefined);
    const dataRows = rows.filter((s) => expansion.cutOf(s) === undefined);
    const diffFixed = fixed.filter((s) => vIndex.has(s.id));
    const otherFixed = fixed.filter((s) => !vIndex.has(s.id));
    const variables = [...cutRows, ...diffFixed];
    const fn = compileGradient(G, variables, { data: [...sigmas, ...dataRows, ...otherFixed] });
    plan.compiled(fn);
    const targets = [
      ...cutRows.map((s) => {
        const info = expansion.symbols.get(s.id);
        if (info?.kind !== 'cut') throw new Error('internal: not a cut symbol');
        return { cut: backwardOf(info.cut), j: info.index };
      }),
      ...diffFixed.map((s) => vIndex.get(s.id)!),
    ];
    const sigmaAt = variables.length;
    const rowAt = sigmaAt + sigmas.length;
    this.back = {
      fn,
      x: new Float64Array(rowAt + dataRows.length + otherFixed.length),
      g: new Float64Array(variables.length),
      binder: new Binder(otherFixed, plan),
      diffBinder: new Binder(diffFixed, plan),
      sigmaAt,
      rowSlots: [...cutRows, ...dataRows].map((s) => plan.column(s).slot),
      rowAt,
      targets,
    };
    // Cut symbols are variables (x[0…]); placeholder symbols are data after σ.
    this.cutRowCount = cutRows.length;
    this.dataRowCount = dataRows.length;
  }

  private cutRowCount = 0;
  private dataRowCount = 0;

  /** Zeroes δ for a run. */
  begin(state: RunState): void {
    const n = state.n[this.owner];
    const delta = this.delta;
    for (let j = 0; j < this.deltaBuffers.length; j++)
      delta[j] = this.deltaBuffers[j].view(n).fill(0);
  }

  /** Adds ∂F/∂W to `grad` and passes ∂F/∂A on (call in decreasing cut order). */
  run(state: RunState, rv: Float64Array, cols: Float64Array[], grad: Float64Array): void {
    const { k, m } = this.cut;
    const n = state.n[this.owner];
    const fw = this.forwardOf;
    const delta = this.delta;
    addProducts(fw.columnsOfA(cols), delta, this.wTargets, grad, k, m, n);
    const back = this.back;
    if (back === undefined) return;
    const dA = this.dAViews;
    for (let i = 0; i < this.through.length; i++) dA[i] = this.dA[i].view(n);
    multiplyTransposed(delta, fw.weights(state), this.through, dA, m, n);
    const { fn, x, g, binder, diffBinder, sigmaAt, rowSlots, rowAt } = back;
    binder.fill(x, rowAt + this.dataRowCount, state, rv);
    diffBinder.fill(x, this.cutRowCount, state, rv);
    const nSigma = dA.length;
    const cutRows = this.cutRowCount;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < cutRows; i++) x[i] = cols[rowSlots[i]][b];
      for (let i = 0; i < nSigma; i++) x[sigmaAt + i] = dA[i][b];
      for (let i = 0; i < this.dataRowCount; i++) x[rowAt + i] = cols[rowSlots[cutRows + i]][b];
      fn(x, g);
      for (let i = 0; i < back.targets.length; i++) {
        const target = back.targets[i];
        if (typeof target === 'number') grad[target] += g[i];
        else target.cut.delta[target.j][b] += g[i];
      }
    }
  }
}
