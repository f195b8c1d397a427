/**
 * The matrix-level path (CasADi's MX beside SX): a batch times a weight matrix, Z = A·W,
 * multiplied in loops over Float64Array columns instead of written out per sample. Forward:
 * A's columns (fed, another product's, or computed per sample by a compiled function),
 * then Z's. Backward (for gradients): given δ = ∂F/∂Z per sample (n rows of m, filled by
 * the compiled kernels' per-sample partials), ∂F/∂W = Aᵀδ and ∂F/∂A = δWᵀ, and through A's
 * compiled expressions (one fused batch kernel) to the variables and earlier products.
 * The product loops are plain runtime routines (no generated code); the element-wise parts
 * around them stay exact compiled expressions.
 */
import { type Expr, freeSymbols, mul, sym } from '../expr/index.js';
import { type Cut, sumOf } from './expand.js';
import {
  type CutRuntime,
  LoopKernel,
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

/** Samples per block of the forward product: A's block stays in cache across W's columns. */
const BLOCK = 64;

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
      cols[this.slots[j]] = z[j];
    }
    const a = this.columnsOfA(cols);
    for (let b0 = 0; b0 < n; b0 += BLOCK) multiply(a, w, z, k, m, b0, Math.min(n, b0 + BLOCK));
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
 * z[j][b] = Σ_t a[t][b]·w[t·m + j] for b in [b0, b1), summed in t order. Two samples by four
 * columns per pass: eight sums stay in registers over t, and each load of a or w serves two
 * or four products (1.5× the speed of adding into z column by column).
 */
export function multiply(
  a: readonly Float64Array[],
  w: Float64Array,
  z: readonly Float64Array[],
  k: number,
  m: number,
  b0: number,
  b1: number,
): void {
  let j = 0;
  for (; j + 3 < m; j += 4) {
    const z0 = z[j];
    const z1 = z[j + 1];
    const z2 = z[j + 2];
    const z3 = z[j + 3];
    let b = b0;
    for (; b + 1 < b1; b += 2) {
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let t = 0, r = j; t < k; t++, r += m) {
        const at = a[t];
        const x0 = at[b];
        const x1 = at[b + 1];
        const w0 = w[r];
        const w1 = w[r + 1];
        const w2 = w[r + 2];
        const w3 = w[r + 3];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      z0[b] = s00;
      z1[b] = s01;
      z2[b] = s02;
      z3[b] = s03;
      z0[b + 1] = s10;
      z1[b + 1] = s11;
      z2[b + 1] = s12;
      z3[b + 1] = s13;
    }
    if (b < b1) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0, r = j; t < k; t++, r += m) {
        const x = a[t][b];
        s0 += x * w[r];
        s1 += x * w[r + 1];
        s2 += x * w[r + 2];
        s3 += x * w[r + 3];
      }
      z0[b] = s0;
      z1[b] = s1;
      z2[b] = s2;
      z3[b] = s3;
    }
  }
  for (; j < m; j++) {
    const zj = z[j];
    for (let b = b0; b < b1; b++) {
      let s = 0;
      for (let t = 0, r = j; t < k; t++, r += m) s += a[t][b] * w[r];
      zj[b] = s;
    }
  }
}

/**
 * g[targets[t·m + j]] += Σ_b a[t][b]·d[b·m + j] (targets < 0 skipped), four columns of δ
 * (row-major, n × m) per pass.
 */
export function addProducts(
  a: readonly Float64Array[],
  d: Float64Array,
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
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let b = 0, o = j; b < n; b++, o += m) {
        const x = at[b];
        s0 += x * d[o];
        s1 += x * d[o + 1];
        s2 += x * d[o + 2];
        s3 += x * d[o + 3];
      }
      if (targets[row + j] >= 0) g[targets[row + j]] += s0;
      if (targets[row + j + 1] >= 0) g[targets[row + j + 1]] += s1;
      if (targets[row + j + 2] >= 0) g[targets[row + j + 2]] += s2;
      if (targets[row + j + 3] >= 0) g[targets[row + j + 3]] += s3;
    }
    for (; j < m; j++) {
      let s = 0;
      for (let b = 0, o = j; b < n; b++, o += m) s += at[b] * d[o];
      if (targets[row + j] >= 0) g[targets[row + j]] += s;
    }
  }
}

/** out[i][b] = Σ_j w[t_i·m + j]·d[b·m + j] for the rows t_i of `rows` (δ row-major, n × m). */
export function multiplyTransposed(
  d: Float64Array,
  w: Float64Array,
  rows: readonly number[],
  out: readonly Float64Array[],
  m: number,
  n: number,
): void {
  for (let i = 0; i < rows.length; i++) {
    const o = out[i];
    const row = rows[i] * m;
    for (let b = 0, q = 0; b < n; b++, q += m) {
      let s = 0;
      for (let j = 0; j < m; j++) s += w[row + j] * d[q + j];
      o[b] = s;
    }
  }
}

/**
 * Backward of one cut for one gradient: holds δ = ∂F/∂Z per sample (row-major, n × m;
 * filled by the seeded kernels and by later cuts), then adds ∂F/∂W = Aᵀδ to the gradient
 * and passes ∂F/∂A = δWᵀ through A's expressions (to the variables and earlier cuts' δ).
 */
export class CutBackward {
  readonly cut: Cut;
  private readonly forwardOf: CutForward;
  private readonly deltaBuffer = new Buffer();
  /** δ for this run (valid after `begin`). */
  delta: Float64Array = new Float64Array(0);
  private readonly dAViews: Float64Array[] = [];
  /** Index into the gradient of each weight (row-major k × m), or −1. */
  private readonly wTargets: Int32Array;
  /** A's elements that pass a gradient on (not placeholder columns). */
  private readonly through: number[];
  private readonly dA: Buffer[];
  /**
   * G = Σ_t σ_t·a_t over one sample, σ = ∂F/∂A: its kernel's gradient passes ∂F/∂A on to
   * the variables (`targets`) and, per sample, to earlier cuts' δ (`deltas`).
   */
  private readonly back:
    | { kernel: LoopKernel; targets: number[]; deltas: DeltaSink | undefined }
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
    const sigmas = this.through.map((_, i) => sym(`σ${i + 1}`));
    const G = sumOf(this.through.map((t, i) => mul(sigmas[i], cut.a[t])));
    const { fixed, rows } = splitSymbols(
      plan,
      this.through.map((t) => cut.a[t]),
    );
    const cutRows = rows.filter((s) => expansion.cutOf(s) !== undefined);
    const differentiated = fixed.filter((s) => vIndex.has(s.id));
    const kernel = new LoopKernel(plan, G, {
      rows,
      ownRows: sigmas,
      differentiated,
      constants: fixed.filter((s) => !vIndex.has(s.id)),
      gradient: true,
      dataGradient: cutRows,
    });
    this.back = {
      kernel,
      targets: differentiated.map((s) => vIndex.get(s.id)!),
      deltas: cutRows.length > 0 ? new DeltaSink(plan, cutRows, backwardOf) : undefined,
    };
  }

  /** Zeroes δ for a run. */
  begin(state: RunState): void {
    this.delta = this.deltaBuffer.view(state.n[this.owner] * this.cut.m).fill(0);
  }

  /** Adds ∂F/∂W to `grad` and passes ∂F/∂A on (call in decreasing cut order). */
  run(state: RunState, rv: Float64Array, cols: Float64Array[], grad: Float64Array): void {
    const { k, m } = this.cut;
    const n = state.n[this.owner];
    const fw = this.forwardOf;
    addProducts(fw.columnsOfA(cols), this.delta, this.wTargets, grad, k, m, n);
    const back = this.back;
    if (back === undefined) return;
    const dA = this.dAViews;
    for (let i = 0; i < this.through.length; i++) {
      dA[i] = this.dA[i].view(n);
      back.kernel.setColumn(i, dA[i]);
    }
    multiplyTransposed(this.delta, fw.weights(state), this.through, dA, m, n);
    const { kernel, targets, deltas } = back;
    kernel.run(state, rv, cols, deltas?.target(state));
    deltas?.flush(state);
    const go = kernel.gradOut!;
    for (let i = 0; i < targets.length; i++) grad[targets[i]] += go[i];
  }
}

/**
 * Where a kernel's per-sample partials by product symbols go: straight into the product's
 * δ when the kernel differentiates by all of one product's symbols in order (the usual
 * layer), else into a buffer whose columns are then added to each product's δ.
 */
export class DeltaSink {
  /** The cut whose δ is the target itself, or undefined (buffered). */
  private readonly direct: CutBackward | undefined;
  private readonly buffer = new Buffer();
  private view: Float64Array = new Float64Array(0);
  private readonly targets: { cut: CutBackward; j: number }[];
  private readonly owner: number;

  constructor(plan: PlanBuilder, symbols: readonly Expr[], backwardOf: (c: Cut) => CutBackward) {
    const expansion = plan.expansion;
    this.targets = symbols.map((s) => {
      const info = expansion.symbols.get(s.id);
      if (info?.kind !== 'cut') throw new Error('internal: not a cut symbol');
      return { cut: backwardOf(info.cut), j: info.index };
    });
    const first = this.targets[0].cut;
    this.direct =
      symbols.length === first.cut.m && this.targets.every((t, j) => t.cut === first && t.j === j)
        ? first
        : undefined;
    this.owner = expansion.owner(first.cut.batch).id;
  }

  /** The array the kernel adds its partials into, for this run (after the cuts' `begin`). */
  target(state: RunState): Float64Array {
    if (this.direct !== undefined) return this.direct.delta;
    this.view = this.buffer.view(state.n[this.owner] * this.targets.length).fill(0);
    return this.view;
  }

  /** Adds the buffered partials into the δs (nothing when the target was a δ itself). */
  flush(state: RunState): void {
    if (this.direct !== undefined) return;
    const n = state.n[this.owner];
    const w = this.targets.length;
    const v = this.view;
    for (let i = 0; i < w; i++) {
      const { cut, j } = this.targets[i];
      const d = cut.delta;
      const m = cut.cut.m;
      for (let b = 0; b < n; b++) d[b * m + j] += v[b * w + i];
    }
  }
}
