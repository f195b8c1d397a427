/**
 * Scalar expansion (CasADi's SX): every tensor of the needed subgraph becomes an array of
 * exact Leibniz expressions, one per element, in the variables' and placeholders' element
 * symbols. Two modes:
 *
 * - **row** (per sample): a placeholder's open dimension is the batch axis; a batched
 *   tensor is expanded for one generic sample, and a sum over the batch becomes a
 *   *reduction* symbol Σk with its per-sample term. Kernels then loop over the batch, so one
 *   compilation serves every batch size.
 * - **concrete**: every dimension is known from the feeds and every element is explicit —
 *   the fallback for graphs that mix samples in other ways (correct, but compiled per shape).
 *
 * Gradient nodes expand to exact total derivatives: ∂F/∂v plus, through each reduction,
 * the batch sum of the per-sample partials (more reductions). Invariant: an expansion only
 * grows (append-only memo), so one row expansion per graph serves all sessions.
 */
import { grad } from '../diff/diff.js';
import {
  add,
  type Expr,
  exp,
  fn,
  format,
  freeSymbols,
  log,
  mul,
  num,
  pow,
  sub,
  substitute,
  sym,
  toLatex,
  ZERO_EXPR,
} from '../expr/index.js';
import { GraphError, ShapeError } from './errors.js';
import { dependencies, type GraphNode } from './node.js';
import { formatShape, sizeOf, stridesOf } from './shape.js';

/** Marks the batch axis in the dims of a row-mode expansion. */
export const BATCH = -1;

/** A tensor expanded: dims (BATCH for the batch axis) and its elements, row-major. */
export interface Expanded {
  readonly dims: readonly number[];
  /** Placeholders (node ids, sorted) whose open dimension is the batch axis, if any. */
  readonly batch: readonly number[] | undefined;
  /** The elements over the non-batch dims, row-major (one sample's, when batched). */
  readonly elems: readonly Expr[];
}

/** A sum over the batch: Σk = Σ over samples of `term`. */
export interface BatchSum {
  readonly symbol: Expr;
  /** Position in `Expansion.reductions`. */
  readonly index: number;
  /** Placeholders whose samples are summed (node ids, sorted; equal batch sizes). */
  readonly batch: readonly number[];
  /** The per-sample term (in row symbols, fixed symbols and lower reductions). */
  readonly term: Expr;
  /** 1 + the largest depth of the reductions in `term` (0 for none): evaluation stage. */
  readonly depth: number;
}

/** What a symbol of an expansion stands for. */
export type SymbolInfo =
  | { readonly kind: 'variable'; readonly tensor: GraphNode; readonly offset: number }
  /** An element of a placeholder with a known shape (row-major offset in the feed). */
  | { readonly kind: 'feed'; readonly tensor: GraphNode; readonly offset: number }
  /** An element of one sample of a batched placeholder (index over the non-batch dims). */
  | { readonly kind: 'row'; readonly tensor: GraphNode; readonly index: number }
  /** The batch size of a placeholder. */
  | { readonly kind: 'batchSize'; readonly tensor: GraphNode }
  | { readonly kind: 'reduction'; readonly reduction: BatchSum }
  /** Element `index` of one sample's row of a matrix product computed by a loop kernel. */
  | { readonly kind: 'cut'; readonly cut: Cut; readonly index: number };

/**
 * A matrix product Z = A·W of a batch by a weight matrix, computed by a loop kernel instead
 * of written out per sample (the matrix-level path, as CasADi's MX beside SX). Downstream,
 * one sample's row of Z is a row of symbols, like a placeholder's.
 */
export interface Cut {
  /** Position in `Expansion.cuts` (creation order: a cut only reads earlier ones). */
  readonly index: number;
  /** The matmul node. */
  readonly tensor: GraphNode;
  /** Z's symbols for one sample: `MatMul[j]`, j < m. */
  readonly symbols: readonly Expr[];
  /** A's elements for one sample (k of them): no batch sums in them. */
  readonly a: readonly Expr[];
  /** W's elements, row-major k × m: each a variable's element. */
  readonly w: readonly Expr[];
  readonly k: number;
  readonly m: number;
  readonly batch: readonly number[];
}

/** Weight matrices from this many elements get the loop kernel under `kernel: 'auto'`. */
export const LOOP_THRESHOLD = 4096;

/** Thrown (and caught) when a graph does not separate per sample: use concrete mode. */
export class NotSeparable extends Error {
  override name = 'NotSeparable';
}

const notSeparable = (t: GraphNode, why: string): NotSeparable =>
  new NotSeparable(`${t.name} (${t.type}): ${why}`);

/** Σ of many terms without spreading huge argument lists. */
export function sumOf(terms: readonly Expr[]): Expr {
  if (terms.length === 0) return ZERO_EXPR;
  if (terms.length === 1) return terms[0];
  const CHUNK = 4096;
  if (terms.length <= CHUNK) return add(...terms);
  const parts: Expr[] = [];
  for (let i = 0; i < terms.length; i += CHUNK) parts.push(add(...terms.slice(i, i + CHUNK)));
  return sumOf(parts);
}

/** Element name suffix: `[i,j]` (none for a scalar). */
const indexText = (index: readonly number[]): string =>
  index.length === 0 ? '' : `[${index.join(',')}]`;

/** Row-major multi-index of flat index `k` in `shape`. */
function unflatten(k: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = k % shape[i];
    k = Math.floor(k / shape[i]);
  }
  return out;
}

const nonBatch = (dims: readonly number[]): number[] => dims.filter((d) => d !== BATCH);

const unionBatch = (a: readonly number[], b: readonly number[]): number[] =>
  [...new Set([...a, ...b])].sort((x, y) => x - y);

/**
 * One expansion of a graph: the memo of expanded tensors, the symbol table and the
 * reductions. Row mode: one per graph, shared. Concrete mode: one per set of feed shapes.
 */
export class Expansion {
  readonly symbols = new Map<number, SymbolInfo>();
  readonly reductions: BatchSum[] = [];
  readonly cuts: Cut[] = [];
  /** Batch-size equalities (placeholder ids) introduced at each node. */
  readonly constraints = new Map<number, Array<readonly [number, number]>>();
  private readonly memo = new Map<number, Expanded>();
  private readonly failed = new Map<number, NotSeparable>();
  private readonly reductionByKey = new Map<string, BatchSum>();
  private readonly totalMemo = new Map<string, Expr>();
  /** Batched placeholders by node id. */
  private readonly batched = new Map<number, GraphNode>();

  constructor(
    readonly mode: 'row' | 'concrete',
    /** Concrete mode: the fed shape of each placeholder (by node id). */
    readonly feedShapes: ReadonlyMap<number, readonly number[]> = new Map(),
  ) {}

  /** True for a symbol that varies per sample (a batched placeholder's or a cut's). */
  isSample(s: Expr): boolean {
    const kind = this.symbols.get(s.id)?.kind;
    return kind === 'row' || kind === 'cut';
  }

  /** The cut a symbol belongs to, if any. */
  cutOf(s: Expr): Cut | undefined {
    const info = this.symbols.get(s.id);
    return info?.kind === 'cut' ? info.cut : undefined;
  }

  /**
   * `e` with every cut symbol replaced by its written-out product Σ_t a_t·w_tj (recursively):
   * exact symbolic derivatives and derivations see through the loop kernels.
   */
  inline(e: Expr): Expr {
    if (this.cuts.length === 0) return e;
    const map = new Map<Expr, Expr>();
    for (const s of freeSymbols(e)) {
      const info = this.symbols.get(s.id);
      if (info?.kind === 'cut') map.set(s, this.inlineCut(info.cut, info.index));
    }
    return map.size === 0 ? e : substitute(e, map);
  }

  private readonly inlined = new Map<number, Expr>();

  private inlineCut(cut: Cut, j: number): Expr {
    const s = cut.symbols[j];
    let e = this.inlined.get(s.id);
    if (e === undefined) {
      const terms: Expr[] = [];
      for (let t = 0; t < cut.k; t++) terms.push(mul(this.inline(cut.a[t]), cut.w[t * cut.m + j]));
      e = sumOf(terms);
      this.inlined.set(s.id, e);
    }
    return e;
  }

  /** The reduction a symbol stands for, if it is one. */
  reductionOf(s: Expr): BatchSum | undefined {
    const info = this.symbols.get(s.id);
    return info?.kind === 'reduction' ? info.reduction : undefined;
  }

  /** Expands `t` (and what it needs), memoised. Throws NotSeparable in row mode. */
  expand(t: GraphNode): Expanded {
    const done = this.memo.get(t.id);
    if (done !== undefined) return done;
    // Iterative post-order over the tensor graph: deep op chains must not overflow.
    const stack: Array<[GraphNode, boolean]> = [[t, false]];
    while (stack.length > 0) {
      const [node, ready] = stack.pop()!;
      if (this.memo.has(node.id)) continue;
      const failure = this.failed.get(node.id);
      if (failure !== undefined) throw failure;
      const deps = dependencies(node);
      if (!ready) {
        stack.push([node, true]);
        for (const d of deps) if (!this.memo.has(d.id)) stack.push([d, false]);
        continue;
      }
      try {
        this.memo.set(node.id, this.expandNode(node));
      } catch (e) {
        if (e instanceof NotSeparable) this.failed.set(node.id, e);
        throw e;
      }
    }
    return this.memo.get(t.id)!;
  }

  /** The reduction Σ over `batch` of `term` (deduplicated); a term without samples is n·term. */
  reduce(batch: readonly number[], term: Expr, sizeOwner: GraphNode): Expr {
    if (term === ZERO_EXPR) return ZERO_EXPR;
    const syms = freeSymbols(term);
    if (!syms.some((s) => this.isSample(s))) {
      return mul(this.batchSize(sizeOwner), term);
    }
    const key = `${batch.join(',')}:${term.id}`;
    let r = this.reductionByKey.get(key);
    if (r === undefined) {
      let depth = 0;
      for (const s of syms) {
        const inner = this.reductionOf(s);
        if (inner !== undefined) depth = Math.max(depth, inner.depth);
      }
      const index = this.reductions.length;
      const symbol = sym(`Σ${index + 1}`);
      r = { symbol, index, batch, term, depth: depth + 1 };
      this.reductions.push(r);
      this.reductionByKey.set(key, r);
      this.symbols.set(symbol.id, { kind: 'reduction', reduction: r });
    }
    return r.symbol;
  }

  /** The symbol of a placeholder's batch size: `|x|`. */
  batchSize(placeholder: GraphNode): Expr {
    const s = sym(`|${placeholder.name}|`);
    this.symbols.set(s.id, { kind: 'batchSize', tensor: placeholder });
    return s;
  }

  /**
   * Exact total derivatives of a fixed scalar `F` by `wrt` (fixed or row symbols), through
   * every reduction F depends on. For a row symbol the result is per sample.
   */
  totalDerivative(expr: Expr, wrt: readonly Expr[]): Expr[] {
    const F = this.inline(expr);
    const direct = freeSymbols(F).filter((s) => this.reductionOf(s) !== undefined);
    const partials = grad(F, [...wrt, ...direct]);
    const through = direct.map((r) => this.throughBatchSum(this.reductionOf(r)!, wrt));
    return wrt.map((_, i) => {
      const terms: Expr[] = [partials[i]];
      direct.forEach((_r, k) => {
        const c = partials[wrt.length + k];
        const t = through[k][i];
        if (c !== ZERO_EXPR && t !== ZERO_EXPR) terms.push(mul(c, t));
      });
      return sumOf(terms.filter((x) => x !== ZERO_EXPR));
    });
  }

  /**
   * d r / d v for a batch sum r and each v: Σ over the batch of ∂term/∂v plus the chain
   * through the batch sums inside the term. For a sample symbol v, the per-sample
   * derivative (no sum). Memoised per (r, v); one reverse sweep per call for the rest.
   */
  private throughBatchSum(r: BatchSum, wrt: readonly Expr[]): Expr[] {
    const missing = wrt.filter((v) => !this.totalMemo.has(`${r.index}:${v.id}`));
    if (missing.length > 0) {
      const term = this.inline(r.term);
      const inner = freeSymbols(term).filter((s) => this.reductionOf(s) !== undefined);
      const partials = grad(term, [...missing, ...inner]);
      const chains = inner.map((s) => this.throughBatchSum(this.reductionOf(s)!, missing));
      const owner = this.owner(r.batch);
      missing.forEach((v, i) => {
        const isRow = this.isSample(v);
        const terms: Expr[] = [];
        const local = partials[i];
        if (local !== ZERO_EXPR) terms.push(isRow ? local : this.reduce(r.batch, local, owner));
        inner.forEach((_s, k) => {
          const e = partials[missing.length + k];
          const chain = chains[k][i];
          if (e === ZERO_EXPR || chain === ZERO_EXPR) return;
          terms.push(mul(this.reduce(r.batch, e, owner), chain));
        });
        this.totalMemo.set(`${r.index}:${v.id}`, sumOf(terms));
      });
    }
    return wrt.map((v) => this.totalMemo.get(`${r.index}:${v.id}`)!);
  }

  /** The placeholder whose batch size a batch set uses (its first member). */
  owner(batch: readonly number[]): GraphNode {
    const t = this.batched.get(batch[0]);
    if (t === undefined)
      throw new GraphError(`internal: no placeholder for batch ${batch.join(',')}`);
    return t;
  }

  // ------------------------------------------------------------------ nodes

  private expandNode(t: GraphNode): Expanded {
    const def = t.def;
    switch (def.kind) {
      case 'constant':
        return fixed(
          def.value.shape,
          Array.from(def.value.data, (v) => num(v)),
        );
      case 'variable': {
        const shape = t.shape as readonly number[];
        const elems = Array.from({ length: sizeOf(shape) }, (_, k) => {
          const s = sym(`${t.name}${indexText(unflatten(k, shape))}`);
          this.symbols.set(s.id, { kind: 'variable', tensor: t, offset: k });
          return s;
        });
        return fixed(shape, elems);
      }
      case 'placeholder':
        return this.placeholder(t);
      case 'elementwise':
        return this.elementwise(t, def.template);
      case 'matmul':
        return this.matmul(t, def.transposeA, def.transposeB);
      case 'transpose':
        return this.transpose(this.input(t, 0), def.perm);
      case 'reshape':
        return this.reshape(t, def.shape);
      case 'reduce':
        return this.reduceNode(t, def.op, def.axes, def.keepDims);
      case 'softmax':
        return this.softmax(t, def.axis, def.log);
      case 'softmaxCrossEntropy':
        return this.crossEntropy(t, def.axis);
      case 'gradient':
        return this.gradient(t, def.wrt);
      case 'hessian':
        return this.hessian(t, def.wrt);
    }
  }

  private input(t: GraphNode, i: number): Expanded {
    return this.memo.get(t.inputs[i].id)!;
  }

  private placeholder(t: GraphNode): Expanded {
    if (this.mode === 'concrete') {
      const shape = this.feedShapes.get(t.id);
      if (shape === undefined) throw new GraphError(`internal: no fed shape for '${t.name}'`);
      const elems = Array.from({ length: sizeOf(shape) }, (_, k) => {
        const s = sym(`${t.name}${indexText(unflatten(k, shape))}`);
        this.symbols.set(s.id, { kind: 'feed', tensor: t, offset: k });
        return s;
      });
      return fixed(shape, elems);
    }
    const open = t.shape.filter((d) => d === null).length;
    if (open === 0) {
      const shape = t.shape as readonly number[];
      const elems = Array.from({ length: sizeOf(shape) }, (_, k) => {
        const s = sym(`${t.name}${indexText(unflatten(k, shape))}`);
        this.symbols.set(s.id, { kind: 'feed', tensor: t, offset: k });
        return s;
      });
      return fixed(shape, elems);
    }
    if (open > 1) throw notSeparable(t, 'more than one open dimension');
    const dims = t.shape.map((d) => (d === null ? BATCH : d));
    const inner = nonBatch(dims);
    const elems = Array.from({ length: sizeOf(inner) }, (_, k) => {
      const s = sym(`${t.name}${indexText(unflatten(k, inner))}`);
      this.symbols.set(s.id, { kind: 'row', tensor: t, index: k });
      return s;
    });
    this.batchSize(t);
    this.batched.set(t.id, t);
    return { dims, batch: [t.id], elems };
  }

  /**
   * Broadcasts operands (NumPy rules). A batch axis meets a batch axis (their batch sizes
   * must agree: recorded as a constraint), 1 or nothing; anything else does not separate.
   */
  private broadcast(t: GraphNode, xs: readonly Expanded[]): { out: Expanded; maps: number[][] } {
    const rank = Math.max(0, ...xs.map((x) => x.dims.length));
    const dims: number[] = [];
    for (let k = 0; k < rank; k++) {
      let d = 1;
      let batched = false;
      for (const x of xs) {
        const i = x.dims.length - rank + k;
        if (i < 0) continue;
        const v = x.dims[i];
        if (v === BATCH) batched = true;
        else if (v !== 1) {
          if (d === 1) d = v;
          else if (d !== v) {
            throw new ShapeError(
              `${t.type} '${t.name}': shapes ${xs.map((y) => formatShape(shapeOf(y))).join(' and ')} do not broadcast`,
            );
          }
        }
      }
      if (batched && d !== 1) {
        throw notSeparable(t, 'a batch axis meets a dimension of another length');
      }
      dims.push(batched ? BATCH : d);
    }
    if (dims.filter((d) => d === BATCH).length > 1) {
      throw notSeparable(t, 'batch axes at different positions');
    }
    let batch: number[] | undefined;
    for (const x of xs) {
      if (x.batch === undefined) continue;
      if (batch === undefined) batch = [...x.batch];
      else if (x.batch.join() !== batch.join()) {
        this.constrain(t, batch[0], x.batch[0]);
        batch = unionBatch(batch, x.batch);
      }
    }
    const outInner = nonBatch(dims);
    const count = sizeOf(outInner);
    const maps = xs.map((x) => {
      // For each output axis (non-batch), the stride in x's element array (0: broadcast).
      const xInner = nonBatch(x.dims);
      const xStrides = stridesOf(xInner);
      const strideByOut: number[] = [];
      let xi = 0;
      for (let k = 0; k < rank; k++) {
        const i = x.dims.length - rank + k;
        const od = dims[k];
        if (od === BATCH) {
          if (i >= 0 && x.dims[i] !== BATCH) xi++; // a 1 against the batch axis
          continue;
        }
        if (i < 0) strideByOut.push(0);
        else {
          strideByOut.push(x.dims[i] === 1 && od !== 1 ? 0 : xStrides[xi]);
          xi++;
        }
      }
      const map = new Array<number>(count);
      for (let q = 0; q < count; q++) {
        const idx = unflatten(q, outInner);
        let off = 0;
        for (let a = 0; a < idx.length; a++) off += idx[a] * strideByOut[a];
        map[q] = off;
      }
      return map;
    });
    return { out: { dims, batch, elems: [] }, maps };
  }

  private constrain(t: GraphNode, a: number, b: number): void {
    const list = this.constraints.get(t.id) ?? [];
    list.push([a, b]);
    this.constraints.set(t.id, list);
  }

  private elementwise(t: GraphNode, template: Expr): Expanded {
    const xs = t.inputs.map((_, i) => this.input(t, i));
    const { out, maps } = this.broadcast(t, xs);
    const count = sizeOf(nonBatch(out.dims));
    const operands = xs.map((_, i) => sym(`#${i}`));
    const unary = xs.length === 1;
    const elems = new Array<Expr>(count);
    const memo = new Map<string, Expr>();
    for (let q = 0; q < count; q++) {
      const args = xs.map((x, i) => x.elems[maps[i][q]]);
      const key = unary ? String(args[0].id) : args.map((a) => a.id).join(',');
      let e = memo.get(key);
      if (e === undefined) {
        e = substitute(template, new Map(operands.map((o, i) => [o, args[i]])));
        memo.set(key, e);
      }
      elems[q] = e;
    }
    return { dims: out.dims, batch: out.batch, elems };
  }

  private matmul(t: GraphNode, transposeA: boolean, transposeB: boolean): Expanded {
    let a = this.input(t, 0);
    let b = this.input(t, 1);
    if (transposeA) a = this.transpose(a, [1, 0]);
    if (transposeB) b = this.transpose(b, [1, 0]);
    const [m, k1] = a.dims;
    const [k2, n] = b.dims;
    const aB = a.dims.indexOf(BATCH);
    const bB = b.dims.indexOf(BATCH);
    if (aB === -1 && bB === -1) {
      if (k1 !== k2) throw this.innerMismatch(t, a, b);
      const elems: Expr[] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const terms: Expr[] = [];
          for (let s = 0; s < k1; s++) terms.push(mul(a.elems[i * k1 + s], b.elems[s * n + j]));
          elems.push(sumOf(terms));
        }
      }
      return fixed([m, n], elems);
    }
    if (aB === 0 && bB === -1) {
      if (k1 !== k2) throw this.innerMismatch(t, a, b);
      const cut = this.cutFor(t, a, b, k1, n);
      if (cut !== undefined) return { dims: [BATCH, n], batch: a.batch, elems: cut.symbols };
      const elems: Expr[] = [];
      for (let j = 0; j < n; j++) {
        const terms: Expr[] = [];
        for (let s = 0; s < k1; s++) terms.push(mul(a.elems[s], b.elems[s * n + j]));
        elems.push(sumOf(terms));
      }
      return { dims: [BATCH, n], batch: a.batch, elems };
    }
    if (aB === -1 && bB === 1) {
      if (k1 !== k2) throw this.innerMismatch(t, a, b);
      const elems: Expr[] = [];
      for (let i = 0; i < m; i++) {
        const terms: Expr[] = [];
        for (let s = 0; s < k1; s++) terms.push(mul(a.elems[i * k1 + s], b.elems[s]));
        elems.push(sumOf(terms));
      }
      return { dims: [m, BATCH], batch: b.batch, elems };
    }
    if (aB === 1 && bB === 0) {
      // Contraction over the batch: every element is a batch sum.
      let batch = [...a.batch!];
      if (a.batch!.join() !== b.batch!.join()) {
        this.constrain(t, a.batch![0], b.batch![0]);
        batch = unionBatch(a.batch!, b.batch!);
      }
      const owner = this.owner(batch);
      const elems: Expr[] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          elems.push(this.reduce(batch, mul(a.elems[i], b.elems[j]), owner));
        }
      }
      return fixed([m, n], elems);
    }
    throw notSeparable(t, 'batch axes on both sides of a matrix product');
  }

  /**
   * A loop kernel for batch × weights when asked (or, under 'auto', from LOOP_THRESHOLD
   * weights), if W's elements are distinct variable elements and A has no batch sums.
   */
  private cutFor(t: GraphNode, a: Expanded, w: Expanded, k: number, m: number): Cut | undefined {
    const def = t.def;
    if (def.kind !== 'matmul' || this.mode !== 'row') return undefined;
    const wanted = def.kernel === 'loop' || (def.kernel === 'auto' && k * m >= LOOP_THRESHOLD);
    if (!wanted) return undefined;
    const seen = new Set<number>();
    for (const e of w.elems) {
      if (this.symbols.get(e.id)?.kind !== 'variable' || seen.has(e.id)) return undefined;
      seen.add(e.id);
    }
    for (const e of a.elems) {
      for (const s of freeSymbols(e)) if (this.reductionOf(s) !== undefined) return undefined;
    }
    const index = this.cuts.length;
    const symbols = Array.from({ length: m }, (_, j) => sym(`${t.name}[${j}]`));
    const cut: Cut = { index, tensor: t, symbols, a: a.elems, w: w.elems, k, m, batch: a.batch! };
    symbols.forEach((s, j) => {
      this.symbols.set(s.id, { kind: 'cut', cut, index: j });
    });
    this.cuts.push(cut);
    return cut;
  }

  private innerMismatch(t: GraphNode, a: Expanded, b: Expanded): ShapeError {
    return new ShapeError(
      `MatMul '${t.name}': inner dimensions differ: ${formatShape(shapeOf(a))} × ${formatShape(shapeOf(b))}`,
    );
  }

  private transpose(x: Expanded, perm: readonly number[]): Expanded {
    const dims = perm.map((p) => x.dims[p]);
    const inInner = nonBatch(x.dims);
    const inStrides = stridesOf(inInner);
    // Stride in x's elements of each output non-batch axis.
    const innerPos: number[] = [];
    let c = 0;
    for (const d of x.dims) innerPos.push(d === BATCH ? -1 : c++);
    const outStrides = perm.filter((p) => x.dims[p] !== BATCH).map((p) => inStrides[innerPos[p]]);
    const outInner = nonBatch(dims);
    const count = sizeOf(outInner);
    const elems = new Array<Expr>(count);
    for (let q = 0; q < count; q++) {
      const idx = unflatten(q, outInner);
      let off = 0;
      for (let a = 0; a < idx.length; a++) off += idx[a] * outStrides[a];
      elems[q] = x.elems[off];
    }
    return { dims, batch: x.batch, elems };
  }

  private reshape(t: GraphNode, target: readonly number[]): Expanded {
    const x = this.input(t, 0);
    const bAxis = x.dims.indexOf(BATCH);
    if (bAxis === -1) {
      const size = x.elems.length;
      const known = target.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      const dims = target.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
      if (!dims.every(Number.isInteger) || sizeOf(dims) !== size) {
        throw new ShapeError(
          `Reshape '${t.name}': cannot reshape ${formatShape(x.dims)} (${size} elements) to [${target.join(', ')}]`,
        );
      }
      return fixed(dims, x.elems);
    }
    const rest = target.slice(1);
    if (
      bAxis === 0 &&
      target[0] === -1 &&
      rest.every((d) => d >= 0) &&
      sizeOf(rest) === x.elems.length
    ) {
      return { dims: [BATCH, ...rest], batch: x.batch, elems: x.elems };
    }
    throw notSeparable(t, 'the reshape moves elements across samples');
  }

  private reduceNode(
    t: GraphNode,
    op: 'sum' | 'mean',
    axes: readonly number[],
    keepDims: boolean,
  ): Expanded {
    const x = this.input(t, 0);
    const bAxis = x.dims.indexOf(BATCH);
    const overBatch = bAxis !== -1 && axes.includes(bAxis);
    // Sum within a sample over the reduced non-batch axes.
    const inInner = nonBatch(x.dims);
    let c = 0;
    const reducedInner = new Set<number>();
    x.dims.forEach((d, i) => {
      if (d === BATCH) return;
      if (axes.includes(i)) reducedInner.add(c);
      c++;
    });
    const keptInner = inInner.filter((_, i) => !reducedInner.has(i));
    const groups = new Map<number, Expr[]>();
    const keptStrides = stridesOf(keptInner);
    for (let q = 0; q < x.elems.length; q++) {
      const idx = unflatten(q, inInner);
      let off = 0;
      let a = 0;
      idx.forEach((v, i) => {
        if (!reducedInner.has(i)) off += v * keptStrides[a++];
      });
      const list = groups.get(off);
      if (list) list.push(x.elems[q]);
      else groups.set(off, [x.elems[q]]);
    }
    const keptCount = sizeOf(keptInner);
    const reducedCount = sizeOf(inInner.filter((_, i) => reducedInner.has(i)));
    let elems = Array.from({ length: keptCount }, (_, k) => sumOf(groups.get(k) ?? []));
    if (overBatch) {
      const owner = this.owner(x.batch!);
      elems = elems.map((e) => this.reduce(x.batch!, e, owner));
    }
    if (op === 'mean') {
      let divisor: Expr = num(reducedCount);
      if (overBatch) divisor = mul(divisor, this.batchSize(this.owner(x.batch!)));
      if (reducedCount === 0) {
        throw new ShapeError(
          `Mean '${t.name}': the mean of zero elements (shape ${formatShape(x.dims)})`,
        );
      }
      const inv = pow(divisor, -1);
      elems = elems.map((e) => mul(e, inv));
    }
    const dims: number[] = [];
    x.dims.forEach((d, i) => {
      if (axes.includes(i)) {
        if (keepDims) dims.push(1);
      } else dims.push(d);
    });
    const batched = bAxis !== -1 && !overBatch;
    return { dims, batch: batched ? x.batch : undefined, elems };
  }

  /** Slices along `axis` (never the batch axis): callback per slice with its element positions. */
  private slices(
    t: GraphNode,
    x: Expanded,
    axis: number,
    each: (positions: number[]) => void,
  ): void {
    if (x.dims[axis] === BATCH) throw notSeparable(t, 'the op runs along the batch axis');
    const inner = nonBatch(x.dims);
    let innerAxis = 0;
    for (let i = 0; i < axis; i++) if (x.dims[i] !== BATCH) innerAxis++;
    const strides = stridesOf(inner);
    const len = inner[innerAxis];
    const stride = strides[innerAxis];
    const rest = inner.filter((_, i) => i !== innerAxis);
    const outer = sizeOf(rest);
    for (let o = 0; o < outer; o++) {
      // Base offset of slice o: the multi-index without the axis.
      const idx = unflatten(o, rest);
      let base = 0;
      let r = 0;
      for (let i = 0; i < inner.length; i++) {
        if (i === innerAxis) continue;
        base += idx[r++] * strides[i];
      }
      each(Array.from({ length: len }, (_, j) => base + j * stride));
    }
  }

  private softmax(t: GraphNode, axis: number, logarithm: boolean): Expanded {
    const x = this.input(t, 0);
    const elems = new Array<Expr>(x.elems.length);
    this.slices(t, x, axis, (pos) => {
      if (pos.length === 0) return;
      const z = pos.map((p) => x.elems[p]);
      const { shift, sum } = logSumExpParts(z);
      pos.forEach((p, j) => {
        elems[p] = logarithm
          ? sub(sub(z[j], shift), log(sum))
          : mul(exp(sub(z[j], shift)), pow(sum, -1));
      });
    });
    return { dims: x.dims, batch: x.batch, elems };
  }

  private crossEntropy(t: GraphNode, axis: number): Expanded {
    const [y, z] = [this.input(t, 0), this.input(t, 1)];
    const { out, maps } = this.broadcast(t, [y, z]);
    const count = sizeOf(nonBatch(out.dims));
    const yb = { ...out, elems: Array.from({ length: count }, (_, q) => y.elems[maps[0][q]]) };
    const zb = { ...out, elems: Array.from({ length: count }, (_, q) => z.elems[maps[1][q]]) };
    const elems: Expr[] = [];
    this.slices(t, zb, axis, (pos) => {
      if (pos.length === 0) {
        elems.push(ZERO_EXPR);
        return;
      }
      const logits = pos.map((p) => zb.elems[p]);
      const { shift, sum } = logSumExpParts(logits);
      const lse = add(shift, log(sum));
      elems.push(sumOf(pos.map((p, j) => mul(yb.elems[p], sub(lse, logits[j])))));
    });
    return { dims: out.dims.filter((_, i) => i !== axis), batch: out.batch, elems };
  }

  /** F = Σ of all elements of `ys` (a batch sum if batched): what gradients differentiate. */
  scalarOf(ys: GraphNode): Expr {
    const y = this.memo.get(ys.id) ?? this.expand(ys);
    const total = sumOf(y.elems);
    if (y.batch === undefined) return total;
    return this.reduce(y.batch, total, this.owner(y.batch));
  }

  private gradient(t: GraphNode, wrt: GraphNode): Expanded {
    const F = this.scalarOf(t.inputs[0]);
    const x = this.expand(wrt);
    const elems = this.totalDerivative(F, x.elems);
    return { dims: x.dims, batch: x.batch, elems };
  }

  private hessian(t: GraphNode, wrt: GraphNode): Expanded {
    const F = this.scalarOf(t.inputs[0]);
    const x = this.expand(wrt);
    if (x.batch !== undefined) throw notSeparable(t, 'the Hessian by a batched placeholder');
    const first = this.totalDerivative(F, x.elems);
    const elems: Expr[] = [];
    for (const g of first) elems.push(...this.totalDerivative(g, x.elems));
    return fixed([...x.dims, ...x.dims], elems);
  }
}

const fixed = (dims: readonly number[], elems: readonly Expr[]): Expanded => ({
  dims: [...dims],
  batch: undefined,
  elems,
});

const shapeOf = (x: Expanded): (number | null)[] => x.dims.map((d) => (d === BATCH ? null : d));

/**
 * The shift m = max(z) and S = Σ exp(z − m) of a stable log-sum-exp (log-sum-exp = m + log S).
 * The shift cancels in every value and derivative; through `max` it adds terms that sum to
 * zero up to rounding (|error| ≲ k·ε for k classes).
 */
function logSumExpParts(z: readonly Expr[]): { shift: Expr; sum: Expr } {
  let shift = z[0];
  for (let j = 1; j < z.length; j++) shift = fn('max', [shift, z[j]]);
  return { shift, sum: sumOf(z.map((zj) => exp(sub(zj, shift)))) };
}

// ---------------------------------------------------------------------- row expansion per graph

const rowExpansions = new WeakMap<object, Expansion>();

/** The shared row-mode expansion of a graph. */
export function rowExpansion(graph: object): Expansion {
  let e = rowExpansions.get(graph);
  if (e === undefined) {
    e = new Expansion('row');
    rowExpansions.set(graph, e);
  }
  return e;
}

/** Every reduction a set of expressions needs (closure through the terms), by index. */
export function reductionClosure(expansion: Expansion, roots: readonly Expr[]): BatchSum[] {
  const seen = new Set<number>();
  const out: BatchSum[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const e = stack.pop()!;
    for (const s of freeSymbols(e)) {
      const r = expansion.reductionOf(s);
      if (r === undefined || seen.has(r.index)) continue;
      seen.add(r.index);
      out.push(r);
      stack.push(r.term);
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

// ---------------------------------------------------------------------- printing

/**
 * The exact expressions behind a tensor (see `Graph.formula`): elements (one sample's when
 * `batched`), and the batch sums and loop-kernel products they use.
 *
 * @example
 * ```ts
 * const f = g.formula(g.gradients(L, w1)[0]);
 * f.elements[0];   // Σ2/`|x|` as an Expr
 * f.toString();    // 'Gradient = Σ2/`|x|`\nΣ2 = Σ over the batch of 2*w2*x*…'
 * ```
 */
export class Formula {
  constructor(
    /** The tensor. */
    readonly tensor: GraphNode,
    /** Its shape (null on the batch axis). */
    readonly shape: readonly (number | null)[],
    /** True when the elements are one sample's (the tensor has a batch axis). */
    readonly batched: boolean,
    /** The elements, row-major over the non-batch axes. */
    readonly elements: readonly Expr[],
    /** The batch sums Σk the elements use, innermost first. */
    readonly reductions: readonly BatchSum[],
    /** The matrix products computed by loop kernels that the elements read. */
    readonly products: readonly Cut[] = [],
  ) {}

  /** One line per element, then one per batch sum and per loop-kernel product. */
  toString(): string {
    const inner = this.shape.filter((d): d is number => d !== null);
    const lines = this.elements.map(
      (e, k) =>
        `${this.tensor.name}${this.batched ? '[sample]' : ''}${indexText(unflatten(k, inner))} = ${format(e)}`,
    );
    for (const r of this.reductions) {
      lines.push(`${format(r.symbol)} = Σ over the batch of ${format(r.term)}`);
    }
    for (const c of this.products) lines.push(productLine(c));
    return lines.join('\n');
  }

  /** A KaTeX `aligned` environment: elements, then the batch sums. */
  toLatex(): string {
    const inner = this.shape.filter((d): d is number => d !== null);
    const label = (k: number): string => {
      const idx = unflatten(k, inner);
      const name = `\\mathrm{${this.tensor.name.replace(/[_#$%&{}]/g, (c) => `\\${c}`)}}`;
      return idx.length === 0 ? name : `${name}_{${idx.join(',')}}`;
    };
    const rows = this.elements.map((e, k) => `${label(k)} &= ${toLatex(e)}`);
    for (const r of this.reductions) {
      rows.push(`${toLatex(r.symbol)} &= \\sum_{\\text{batch}} ${toLatex(r.term)}`);
    }
    for (const c of this.products) rows.push(productLatex(c));
    return `\\begin{aligned}\n${rows.join(' \\\\\n')}\n\\end{aligned}`;
  }
}

/** The LaTeX row of a loop-kernel product: `Z_sample = x·W (k × m product, loop kernel)`. */
function productLatex(c: Cut): string {
  const def = c.tensor.def;
  const [a, b] = c.tensor.inputs;
  const name = (t: GraphNode): string =>
    `\\mathrm{${t.name.replace(/[_#$%&{}]/g, (x) => `\\${x}`)}}`;
  const ta = def.kind === 'matmul' && def.transposeA ? '^{\\top}' : '';
  const tb = def.kind === 'matmul' && def.transposeB ? '^{\\top}' : '';
  return `${name(c.tensor)}_{\\text{sample}} &= ${name(a)}${ta} \\cdot ${name(b)}${tb} \\quad (${c.k} \\times ${c.m}\\text{ product, loop kernel})`;
}

/** `MatMul[sample] = x·W (a 784 × 64 matrix product, computed by a loop kernel)` */
function productLine(c: Cut): string {
  const def = c.tensor.def;
  const [a, b] = c.tensor.inputs;
  const ta = def.kind === 'matmul' && def.transposeA ? 'ᵀ' : '';
  const tb = def.kind === 'matmul' && def.transposeB ? 'ᵀ' : '';
  return `${c.tensor.name}[sample] = ${a.name}${ta}·${b.name}${tb} (a ${c.k} × ${c.m} matrix product, computed by a loop kernel)`;
}

/** The loop-kernel products that expressions read, directly or through batch sums and other products. */
export function productClosure(expansion: Expansion, roots: readonly Expr[]): Cut[] {
  const seen = new Map<number, Cut>();
  const stack = [...roots];
  const visited = new Set<number>();
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (visited.has(e.id)) continue;
    visited.add(e.id);
    for (const s of freeSymbols(e)) {
      const cut = expansion.cutOf(s);
      if (cut !== undefined && !seen.has(cut.index)) {
        seen.set(cut.index, cut);
        stack.push(...cut.a);
      }
      const r = expansion.reductionOf(s);
      if (r !== undefined) stack.push(r.term);
    }
  }
  return [...seen.values()].sort((a, b) => a.index - b.index);
}

/** `Graph.formula`: the row expansion of `t` of `graph` (it must separate per sample). */
export function formulaOf(graph: object, t: GraphNode): Formula {
  const expansion = rowExpansion(graph);
  let x: Expanded;
  try {
    x = expansion.expand(t);
  } catch (e) {
    if (e instanceof NotSeparable) {
      throw new GraphError(
        `formula: '${t.name}' does not separate per sample (${e.message}); run it in a session to evaluate it`,
      );
    }
    throw e;
  }
  const shape = x.dims.map((d) => (d === BATCH ? null : d));
  return new Formula(
    t,
    shape,
    x.batch !== undefined,
    x.elems,
    reductionClosure(expansion, x.elems),
    productClosure(expansion, x.elems),
  );
}

/**
 * For `Graph.derivation`: the expression whose derivative by `v`'s element `index` shows
 * the chain rule — the per-sample term when the loss is a single batch sum (or mean),
 * otherwise the loss itself — and the symbol of that element.
 */
export function perSampleTerm(
  graph: object,
  loss: GraphNode,
  v: GraphNode,
  index: number,
): { term: Expr; symbol: Expr } {
  const expansion = rowExpansion(graph);
  let F: Expr;
  let x: Expanded;
  try {
    F = expansion.scalarOf(loss);
    x = expansion.expand(v);
  } catch (e) {
    if (e instanceof NotSeparable) {
      throw new GraphError(
        `derivation: '${loss.name}' does not separate per sample (${e.message})`,
      );
    }
    throw e;
  }
  if (!Number.isInteger(index) || index < 0 || index >= x.elems.length) {
    throw new GraphError(
      `derivation: index ${index} out of range for '${v.name}' (${x.elems.length} elements)`,
    );
  }
  const symbol = x.elems[index];
  const direct = freeSymbols(F).filter((s) => expansion.reductionOf(s) !== undefined);
  if (direct.length === 1) {
    const r = direct[0];
    // F = c·Σ with c free of the variable and of Σ: the per-sample term carries the chain.
    const c = grad(F, [r])[0];
    const cFree = freeSymbols(c);
    if (!cFree.includes(symbol) && !cFree.includes(r) && F === mul(c, r)) {
      return { term: expansion.inline(expansion.reductionOf(r)!.term), symbol };
    }
  }
  return { term: expansion.inline(F), symbol };
}
