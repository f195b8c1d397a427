/**
 * The runtime wiring of compiled functions: where their inputs come from (variables, feeds,
 * batch sizes, batch-sum values — `Binder`; sample columns — `Column`), the wrappers that
 * call `compileBatch` kernels and `compile`d vector functions on preallocated buffers, and
 * the builder that collects them for a plan. Nothing here allocates per run.
 */
import { compile, compileBatch } from '../codegen/index.js';
import { type Expr, freeSymbols } from '../expr/index.js';
import type { BatchSum, Cut, Expansion } from './expand.js';
import type { GraphNode } from './node.js';

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
export class Binder {
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
        case 'cut':
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

/** Where a sample symbol's column lives among the plan's columns. */
export interface ColumnRef {
  readonly slot: number;
}

/**
 * What fills cut columns (loops.ts): the plan builder asks for one per cut it meets, and
 * the plan runs them in cut order after the feeds' columns.
 */
export interface CutRuntime {
  /** The slot of each of Z's columns. */
  readonly slots: readonly number[];
  /** Computes Z's columns for this run. */
  forward(state: RunState, rv: Float64Array, columns: Float64Array[]): void;
}

/** One column per sample symbol of a placeholder: filled from the feeds, views reused. */
export class Column implements ColumnRef {
  private buffer = new Float64Array(0);
  private view = new Float64Array(0);

  constructor(
    readonly placeholder: GraphNode,
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
export function splitSymbols(
  plan: PlanBuilder,
  exprs: readonly Expr[],
): { fixed: Expr[]; rows: Expr[] } {
  const fixed: Expr[] = [];
  const rows: Expr[] = [];
  for (const s of freeSymbols(exprs as Expr[])) {
    if (plan.expansion.isSample(s)) rows.push(s);
    else fixed.push(s);
  }
  return { fixed, rows };
}

/** What a `LoopKernel` computes and where its inputs come from. */
export interface LoopKernelSpec {
  /** Sample symbols read from the plan's columns (placeholders' and products'). */
  readonly rows: readonly Expr[];
  /** Sample symbols whose columns the caller supplies (`setColumn`), after `rows`. */
  readonly ownRows?: readonly Expr[];
  /** Leading parameters the caller fills in `params` (seeds); differentiated. */
  readonly leading?: readonly Expr[];
  /** Fixed symbols to differentiate by, bound from the run (after `leading`). */
  readonly differentiated?: readonly Expr[];
  /** Fixed symbols that are not differentiated (batch sizes, frozen variables, sums). */
  readonly constants: readonly Expr[];
  /** Compile the gradient by `leading` and `differentiated` (into `gradOut`). */
  readonly gradient: boolean;
  /** Sample symbols (of `rows` or `ownRows`) with per-sample partials (into `dataGradOut`). */
  readonly dataGradient?: readonly Expr[];
}

/**
 * A `compileBatch` kernel with its inputs wired: columns by name, and the params vector
 * `[...leading, ...differentiated, ...constants]`. With the gradient it is compiled with
 * `gradOut: 'required'` (no value-only twin) and `accumulate`, so `run` zeroes `gradOut`
 * and adds the per-sample partials into the `dataGradOut` it is given.
 */
export class LoopKernel {
  private readonly kernel: ((
    data: Record<string, Float64Array>,
    params: Float64Array,
    gradOut?: Float64Array,
    dataGradOut?: Float64Array,
  ) => number) & { readonly source: string };
  private readonly data: Record<string, Float64Array> = {};
  private readonly names: string[];
  private readonly ownNames: string[];
  private readonly columns: ColumnRef[];
  readonly params: Float64Array;
  readonly gradOut: Float64Array | undefined;
  private readonly binder: Binder;
  /** Number of leading params the caller fills (seeds). */
  private readonly leading: number;

  constructor(plan: PlanBuilder, expr: Expr, spec: LoopKernelSpec) {
    const { rows, constants, gradient } = spec;
    const ownRows = spec.ownRows ?? [];
    const leading = spec.leading ?? [];
    const differentiated = spec.differentiated ?? [];
    const params = [...leading, ...differentiated];
    const dataGradient = spec.dataGradient ?? [];
    this.kernel = compileBatch(expr, {
      data: [...rows, ...ownRows],
      params,
      constants,
      reduce: 'sum',
      gradient,
      ...(gradient ? { gradOut: 'required', accumulate: true, dataGradient } : {}),
    });
    plan.compiled(this.kernel);
    this.names = rows.map((s) => s.name!);
    this.ownNames = ownRows.map((s) => s.name!);
    this.columns = rows.map((s) => plan.column(s));
    this.params = new Float64Array(params.length + constants.length);
    this.gradOut = gradient ? new Float64Array(params.length) : undefined;
    this.binder = new Binder([...differentiated, ...constants], plan);
    this.leading = leading.length;
  }

  /** Supplies the column of the `i`-th of `ownRows` for the next runs. */
  setColumn(i: number, column: Float64Array): void {
    this.data[this.ownNames[i]] = column;
  }

  /**
   * Runs over the batch; returns Σ and (if compiled with it) fills `gradOut`, adding the
   * per-sample partials into `dataGradOut` (n rows of `dataGradient.length`).
   */
  run(
    state: RunState,
    rv: Float64Array,
    columns: Float64Array[],
    dataGradOut?: Float64Array,
  ): number {
    for (let i = 0; i < this.names.length; i++) {
      this.data[this.names[i]] = columns[this.columns[i].slot];
    }
    this.binder.fill(this.params, this.leading, state, rv);
    if (this.gradOut === undefined) return this.kernel(this.data, this.params);
    this.gradOut.fill(0);
    return this.kernel(this.data, this.params, this.gradOut, dataGradOut);
  }
}

/** A vector function of fixed and sample inputs, called per sample (or once). */
export class VectorFunction {
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

/** Groups reductions by depth, then by batch: evaluation stages in order. */
export function stages(reductions: readonly BatchSum[]): BatchSum[][] {
  const byKey = new Map<string, BatchSum[]>();
  for (const r of [...reductions].sort((a, b) => a.depth - b.depth || a.index - b.index)) {
    const key = `${r.depth}|${r.batch.join(',')}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  return [...byKey.values()];
}

/** Counters for tests and benchmarks. */
export interface PlanStats {
  kernels: number;
  compileMs: number;
  /** Characters of generated JavaScript. */
  sourceChars: number;
}

/** Collects what a plan needs while it is built. */
export class PlanBuilder {
  readonly variables = new Set<GraphNode>();
  readonly stats: PlanStats = { kernels: 0, compileMs: 0, sourceChars: 0 };
  private readonly slots = new Map<number, number>();
  private readonly columns = new Map<number, ColumnRef>();
  private readonly feedColumns: Column[] = [];
  private readonly cuts = new Map<number, CutRuntime>();
  private nextColumn = 0;
  private readonly forward = new Map<number, BatchSum>();

  constructor(
    readonly expansion: Expansion,
    /** Makes the runtime of a cut (loops.ts), so this module need not import it. */
    private readonly makeCut: (plan: PlanBuilder, cut: Cut) => CutRuntime,
  ) {}

  /** Counts a compiled function. */
  compiled(fn: { source: string }): void {
    this.stats.kernels++;
    this.stats.sourceChars += fn.source.length;
  }

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

  /** A fresh column slot (for columns a cut computes itself). */
  newColumn(): number {
    return this.nextColumn++;
  }

  /** The column of a sample symbol: a placeholder's, or a cut's (registering the cut). */
  column(s: Expr): ColumnRef {
    let c = this.columns.get(s.id);
    if (c !== undefined) return c;
    const info = this.expansion.symbols.get(s.id);
    if (info?.kind === 'row') {
      const col = new Column(info.tensor, info.index, this.newColumn());
      this.feedColumns.push(col);
      c = col;
    } else if (info?.kind === 'cut') {
      c = { slot: this.cut(info.cut).slots[info.index] };
    } else {
      throw new Error(`internal: ${s.name} is not a sample symbol`);
    }
    this.columns.set(s.id, c);
    return c;
  }

  /** The runtime of a cut, made on first use. */
  cut(cut: Cut): CutRuntime {
    let r = this.cuts.get(cut.index);
    if (r === undefined) {
      r = this.makeCut(this, cut);
      this.cuts.set(cut.index, r);
    }
    return r;
  }

  /** Placeholder columns, then cut runtimes in cut order (a cut reads only earlier ones). */
  columnFillers(): { feeds: Column[]; cuts: CutRuntime[]; count: number } {
    const cuts = [...this.cuts].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
    return { feeds: [...this.feedColumns], cuts, count: this.nextColumn };
  }

  needForward(rs: readonly BatchSum[]): void {
    for (const r of rs) this.forward.set(r.index, r);
  }

  forwardReductions(): BatchSum[] {
    return [...this.forward.values()];
  }
}
