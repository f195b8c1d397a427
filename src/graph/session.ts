// Session is Disposable (`using sess = new Session(g)`): its declarations name Symbol.dispose,
// so they bring that lib along for consumers whose own lib (ES2022, no @types/node) lacks it.
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * `Session`: the runtime of a graph (the lecture's `tf.Session`). It owns the variables'
 * values and the optimizers' slots (Float64Arrays), evaluates only the subgraph the fetches
 * need, compiles each distinct set of fetches once (plan.ts), applies train ops without ever
 * writing a non-finite value, and saves and restores checkpoints.
 */
import { describe, InvalidArgumentError, optionsOf } from '../expr/index.js';
import {
  type CheckpointData,
  type CheckpointOptimizer,
  parseCheckpoint,
  readCheckpointFile,
  serializeCheckpoint,
  writeAtomic,
} from './checkpoint.js';
import {
  CheckpointError,
  FeedError,
  GraphError,
  NonFiniteError,
  UninitializedVariableError,
} from './errors.js';
import { Expansion, NotSeparable, rowExpansion } from './expand.js';
import { type FitHistory, type FitOptions, fit as fitBatches, type Trainer } from './fit.js';
import {
  type Feeds,
  type FeedValue,
  type Fetch,
  type FetchResult,
  type Graph,
  Operation,
  Tensor,
  type TensorRunner,
  type UpdateRule,
} from './graph.js';
import { initialValue } from './init.js';
import { dependencies } from './node.js';
import { type FetchItem, Plan, RunState } from './plan.js';
import { fitShape, formatShape, sizeOf, type TensorValue, toDense } from './shape.js';

/** Options of `restore`. */
export interface RestoreOptions {
  /**
   * Restore the variables only, leaving optimizer state and the global step as they are
   * (to fine-tune from weights saved without, or with another, optimizer). Default false.
   */
  readonly variablesOnly?: boolean;
}

/** Counters: compiled plans and kernels, and the time spent compiling. */
export interface SessionStats {
  /** Distinct compiled plans (sets of fetches, and shapes in concrete mode). */
  readonly plans: number;
  /** Compiled functions over all plans. */
  readonly kernels: number;
  /** Milliseconds spent expanding and compiling. */
  readonly compileMs: number;
  /** Characters of JavaScript generated. */
  readonly sourceChars: number;
  /** Runs so far. */
  readonly runs: number;
}

interface Entry {
  readonly fetches: readonly Fetch[];
  readonly items: readonly FetchItem[];
  readonly placeholders: readonly Tensor[];
  readonly variables: readonly Tensor[];
  readonly nodes: readonly Tensor[];
  readonly state: RunState;
  row: Plan | undefined;
  separable: boolean | undefined;
  constraints: (readonly [Tensor, Tensor])[] | undefined;
  readonly concrete: Map<string, Plan>;
}

/** A node of the cache of entries keyed by fetch lists (a trie: lookups allocate nothing). */
interface TrieNode {
  entry?: Entry;
  next?: Map<Fetch, TrieNode>;
}

/** Per optimizer: its checkpoint name, slots by variable id and scalar state. */
interface OptimizerState {
  readonly name: string;
  readonly optimizer: UpdateRule;
  readonly slots: Map<number, Float64Array[]>;
  scalars: Float64Array;
  /** Scratch for an update not yet committed. */
  readonly nextSlots: Map<number, Float64Array[]>;
  readonly nextScalars: Float64Array;
}

/**
 * Runs a graph: holds the variables' values and evaluates fetches. `using sess = new
 * Session(g)` closes it at the end of the block.
 *
 * @example
 * ```ts
 * const g = new Graph();
 * const a = g.constant(1), b = g.constant(2), c = g.add(a, b);
 * using sess = new Session(g);
 * sess.run(c);            // 3
 * sess.run([a, b, c]);    // [1, 2, 3]
 * sess.run({ a, c });     // { a: 1, c: 3 }
 * ```
 */
export class Session implements TensorRunner, Trainer {
  readonly graph: Graph;
  private readonly values = new Map<number, Float64Array>();
  private readonly optimizers = new Map<UpdateRule, OptimizerState>();
  private readonly trie = new Map<Fetch, TrieNode>();
  private readonly single = new Map<Fetch, Entry>();
  private readonly nextValues = new Map<number, Float64Array>();
  private step = 0;
  private closed = false;
  private counters = { plans: 0, kernels: 0, compileMs: 0, sourceChars: 0, runs: 0 };

  constructor(graph: Graph) {
    if (graph === null || typeof graph !== 'object' || typeof graph.tensors !== 'function') {
      throw new InvalidArgumentError('Session: expected a Graph');
    }
    this.graph = graph;
  }

  /** The number of train-op runs applied (restored from checkpoints). */
  get globalStep(): number {
    return this.step;
  }

  /** Compilation and run counters (see `SessionStats`). */
  get stats(): SessionStats {
    return { ...this.counters };
  }

  /**
   * Gives variables their initial values (all of the graph's by default, which also resets
   * the optimizers' slots and the global step — TensorFlow's global initializer).
   */
  initialize(varList?: readonly Tensor[]): void {
    this.checkOpen();
    const all = varList === undefined;
    const list = varList ?? this.graph.variables();
    for (const v of list) {
      if (!(v instanceof Tensor) || v.graph !== this.graph || v.def.kind !== 'variable') {
        throw new GraphError(`initialize: '${String(v)}' is not a variable of this graph`);
      }
      const def = v.def;
      let value: Float64Array;
      try {
        value = initialValue(def.init, v.shape as number[], v.name, this.graph.seed);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        throw new GraphError(
          `initialize: cannot allocate variable '${v.name}' of shape ${formatShape(v.shape)}: ${e.message}`,
        );
      }
      const current = this.values.get(v.id);
      if (current === undefined) this.values.set(v.id, value);
      else current.set(value);
    }
    if (all) {
      this.step = 0;
      for (const state of this.optimizers.values()) {
        for (const slots of state.slots.values()) for (const s of slots) s.fill(0);
        state.scalars.set(state.optimizer.initialScalars());
      }
    }
  }

  /**
   * Sets a variable's value (shape-checked), as `tf.assign` / `Variable.load`.
   *
   * @example
   * ```ts
   * sess.assign(w, [[1, 0], [0, 1]]);
   * ```
   */
  assign(variable: Tensor, value: number | readonly unknown[] | Float64Array | TensorValue): void {
    this.checkOpen();
    if (
      !(variable instanceof Tensor) ||
      variable.graph !== this.graph ||
      variable.def.kind !== 'variable'
    ) {
      throw new GraphError(`assign: '${String(variable)}' is not a variable of this graph`);
    }
    const dense = toDense(value, `assign '${variable.name}'`);
    const n = sizeOf(variable.shape as number[]);
    if (fitShape(dense, variable.shape) === undefined && !(dense.data.length === 1 && n === 1)) {
      throw new GraphError(
        `assign '${variable.name}': a value of shape ${formatShape(dense.shape)} does not fit ${formatShape(variable.shape)}`,
      );
    }
    const current = this.values.get(variable.id);
    if (current === undefined) this.values.set(variable.id, Float64Array.from(dense.data));
    else current.set(dense.data);
  }

  /**
   * Evaluates fetches: a tensor (a number if 0-d, else a `TensorValue`), a train op
   * (applies one step; `undefined`), or an array or record of them. Only the subgraph the
   * fetches need runs, so only its placeholders need feeds and its variables values. Each
   * distinct set of fetches is compiled once, on its first run.
   *
   * @example
   * ```ts
   * sess.run(trainOp, { x: xs, y: ys });             // one step
   * const [, loss] = sess.run([trainOp, L], { x: xs, y: ys });
   * ```
   */
  run<F extends Fetch>(fetch: F, feeds?: Feeds): FetchResult<F>;
  run<const F extends readonly Fetch[]>(
    fetches: F,
    feeds?: Feeds,
  ): { -readonly [K in keyof F]: FetchResult<F[K]> };
  run<F extends Readonly<Record<string, Fetch>>>(
    fetches: F,
    feeds?: Feeds,
  ): { -readonly [K in keyof F]: FetchResult<F[K]> };
  run(fetches: Fetch | readonly Fetch[] | Readonly<Record<string, Fetch>>, feeds?: Feeds): unknown {
    this.checkOpen();
    let list: readonly Fetch[];
    let keys: string[] | undefined;
    let entry: Entry;
    const single = fetches instanceof Tensor || fetches instanceof Operation;
    if (single) {
      entry = this.single.get(fetches) ?? this.entry([fetches]);
      list = entry.fetches;
    } else {
      if (Array.isArray(fetches)) {
        list = fetches;
      } else if (typeof fetches === 'object' && fetches !== null) {
        keys = Object.keys(fetches);
        list = keys.map((k) => (fetches as Record<string, Fetch>)[k]);
      } else {
        throw new InvalidArgumentError(
          `run: fetch a tensor, a train op, or an array or record of them (got ${describe(fetches)})`,
        );
      }
      if (list.length === 0) return keys === undefined ? [] : {};
      entry = this.lookup(list) ?? this.entry(list);
    }
    const plan = this.prepare(entry, feeds);
    plan.run(entry.state);
    if (plan.trainSteps.length > 0) this.apply(plan);
    this.counters.runs++;
    if (single) return plan.result(0, entry.state);
    if (keys === undefined) return list.map((_, i) => plan.result(i, entry.state));
    const out: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      out[k] = plan.result(i, entry.state);
    });
    return out;
  }

  /**
   * Trains: `fit(this, trainOp, options)` — epochs of seeded, shuffled mini-batches with
   * progress output (see `fit`).
   *
   * @example
   * ```ts
   * const history = sess.fit(trainOp, { data: { x: xs, y: ys }, batchSize: 64, epochs: 100 });
   * ```
   */
  fit(trainOp: Operation, options: FitOptions): FitHistory {
    return fitBatches(this, trainOp, options);
  }

  /** Writes a checkpoint file atomically (see docs/graph.md for the format). */
  save(path: string): void {
    this.checkOpen();
    writeAtomic(path, this.checkpoint());
  }

  /**
   * Restores a checkpoint file. Everything is read and checked first — format, version,
   * checksum, every variable's presence and shape, the optimizers' slots — so a missing,
   * truncated, corrupt or mismatched file throws `CheckpointError` and changes nothing.
   */
  restore(path: string, options: RestoreOptions = {}): void {
    this.checkOpen();
    this.restoreFrom(readCheckpointFile(path), optionsOf(options, 'restore'), `'${path}'`);
  }

  /** The checkpoint as text (what `save` writes). */
  checkpoint(): string {
    this.checkOpen();
    const variables = this.graph.variables().map((v) => {
      const values = this.values.get(v.id);
      if (values === undefined) throw new UninitializedVariableError(v.name);
      return { name: v.name, shape: v.shape as number[], values };
    });
    const optimizers: CheckpointOptimizer[] = this.graphOptimizers().map(
      ({ optimizer, name, vars }) => {
        const state = this.optimizerState(optimizer, name);
        const scalars = new Map(optimizer.scalarNames().map((k, i) => [k, state.scalars[i]]));
        const slots = new Map(
          vars.map((v) => [
            v.name,
            new Map(optimizer.slotNames.map((s, i) => [s, this.slotsOf(state, v)[i]])),
          ]),
        );
        return { name, type: optimizer.type, scalars, slots };
      },
    );
    return serializeCheckpoint({ globalStep: this.step, variables, optimizers });
  }

  /** Restores from checkpoint text (what `checkpoint()` returns); see `restore`. */
  restoreFrom(text: string, options: RestoreOptions = {}, source = 'text'): void {
    this.checkOpen();
    if (typeof text !== 'string')
      throw new CheckpointError('restoreFrom: expected the checkpoint text');
    options = optionsOf(options, 'restore');
    const data = parseCheckpoint(text, source);
    const assignments = this.match(data, source, options.variablesOnly ?? false);
    // Everything is valid: assign.
    for (const [v, values] of assignments.variables) {
      const current = this.values.get(v.id);
      if (current === undefined) this.values.set(v.id, Float64Array.from(values));
      else current.set(values);
    }
    if (!(options.variablesOnly ?? false)) {
      for (const { state, slots, scalars } of assignments.optimizers) {
        for (const [v, list] of slots) {
          const target = this.slotsOf(state, v);
          for (let i = 0; i < list.length; i++) target[i].set(list[i]);
        }
        state.scalars.set(scalars);
      }
      this.step = data.globalStep;
    }
  }

  /** Frees compiled plans and values; the session cannot run afterwards. */
  close(): void {
    this.closed = true;
    this.trie.clear();
    this.single.clear();
    this.values.clear();
    this.optimizers.clear();
  }

  /** `using sess = new Session(g)` closes the session at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ------------------------------------------------------------------ internals

  private checkOpen(): void {
    if (this.closed) throw new GraphError('the session is closed');
  }

  /** The cached entry for a list of fetches, found without allocating. */
  private lookup(list: readonly Fetch[]): Entry | undefined {
    let level: Map<Fetch, TrieNode> | undefined = this.trie;
    let node: TrieNode | undefined;
    for (let i = 0; i < list.length; i++) {
      node = level?.get(list[i]);
      if (node === undefined) return undefined;
      level = node.next;
    }
    return node?.entry;
  }

  /** Creates (without compiling) and caches the entry for a list of fetches. */
  private entry(list: readonly Fetch[]): Entry {
    for (const f of list) {
      if (f instanceof Tensor || f instanceof Operation) {
        if (f.graph !== this.graph) {
          throw new GraphError(`run: '${f.name}' belongs to another graph`);
        }
      } else {
        throw new InvalidArgumentError(`run: cannot fetch ${describe(f)}`);
      }
    }
    const items: FetchItem[] = list.map((f) =>
      f instanceof Tensor ? { kind: 'tensor', tensor: f } : { kind: 'op', op: f as Operation },
    );
    // The subgraph the fetches need: their tensors, the losses, variables and learning rates.
    const roots: Tensor[] = [];
    for (const item of items) {
      if (item.kind === 'tensor') roots.push(item.tensor);
      else {
        roots.push(item.op.loss, ...item.op.varList);
        const lr = item.op.optimizer.learningRate;
        if (lr instanceof Tensor) roots.push(lr);
      }
    }
    const nodes: Tensor[] = [];
    const seen = new Set<number>();
    const stack = [...roots];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      nodes.push(t);
      stack.push(...dependencies(t));
    }
    nodes.sort((a, b) => a.id - b.id);
    const entry: Entry = {
      fetches: [...list],
      items,
      nodes,
      placeholders: nodes.filter((t) => t.def.kind === 'placeholder'),
      variables: nodes.filter((t) => t.def.kind === 'variable'),
      state: new RunState(),
      row: undefined,
      separable: undefined,
      constraints: undefined,
      concrete: new Map(),
    };
    let level = this.trie;
    let node: TrieNode | undefined;
    for (const f of list) {
      node = level.get(f);
      if (node === undefined) {
        node = {};
        level.set(f, node);
      }
      node.next ??= new Map();
      level = node.next;
    }
    node!.entry = entry;
    if (list.length === 1) this.single.set(list[0], entry);
    return entry;
  }

  /** Checks feeds and variables, and returns the compiled plan for this run. */
  private prepare(entry: Entry, feeds: Feeds | undefined): Plan {
    const state = entry.state;
    this.bindFeeds(entry, feeds);
    for (const v of entry.variables) {
      const values = this.values.get(v.id);
      if (values === undefined) throw new UninitializedVariableError(v.name);
      state.vars[v.id] = values;
    }
    if (entry.separable === undefined) {
      const expansion = rowExpansion(this.graph);
      try {
        entry.row = this.compilePlan(expansion, entry.items);
        entry.separable = true;
        const tensors = this.graph.tensors();
        entry.constraints = entry.nodes.flatMap((t) =>
          (expansion.constraints.get(t.id) ?? []).map(
            ([a, b]) => [tensors[a], tensors[b]] as const,
          ),
        );
      } catch (e) {
        if (!(e instanceof NotSeparable)) throw e;
        entry.separable = false;
      }
    }
    if (entry.separable) {
      for (const [a, b] of entry.constraints!) {
        if (state.n[a.id] !== state.n[b.id]) {
          throw new FeedError(
            `placeholders '${a.name}' and '${b.name}' must have the same batch size (fed ${state.n[a.id]} and ${state.n[b.id]})`,
            b.name,
          );
        }
      }
      return entry.row!;
    }
    let key = '';
    for (const p of entry.placeholders) key += `${state.shapes[p.id].join('x')};`;
    let plan = entry.concrete.get(key);
    if (plan === undefined) {
      const shapes = new Map(entry.placeholders.map((p) => [p.id, state.shapes[p.id]]));
      plan = this.compilePlan(new Expansion('concrete', shapes), entry.items);
      entry.concrete.set(key, plan);
    }
    return plan;
  }

  private compilePlan(expansion: Expansion, items: readonly FetchItem[]): Plan {
    const plan = new Plan(expansion, items);
    this.counters.plans++;
    this.counters.kernels += plan.stats.kernels;
    this.counters.compileMs += plan.stats.compileMs;
    this.counters.sourceChars += plan.stats.sourceChars;
    return plan;
  }

  /** Resolves, converts and checks the feeds; fills the run state (no allocation). */
  private bindFeeds(entry: Entry, feeds: Feeds | undefined): void {
    const state = entry.state;
    const isMap = feeds instanceof Map;
    if (feeds !== undefined && feeds !== null) {
      if (typeof feeds !== 'object') {
        throw new InvalidArgumentError(
          `run: feeds must be an object or a Map, got ${describe(feeds)}`,
        );
      }
      if (isMap) {
        for (const key of (feeds as ReadonlyMap<Tensor | string, FeedValue>).keys()) {
          this.checkFeedKey(key);
        }
      } else {
        for (const key in feeds) if (Object.hasOwn(feeds, key)) this.checkFeedKey(key);
      }
    }
    for (const p of entry.placeholders) {
      let value: FeedValue | undefined;
      if (feeds !== undefined && feeds !== null) {
        if (isMap) {
          const m = feeds as ReadonlyMap<Tensor | string, FeedValue>;
          value = m.get(p) ?? m.get(p.name);
        } else if (Object.hasOwn(feeds, p.name)) {
          value = (feeds as Record<string, FeedValue>)[p.name];
        }
      }
      if (value === undefined) {
        throw new FeedError(
          `missing feed for placeholder '${p.name}' (shape ${formatShape(p.shape)}), needed by this run`,
          p.name,
        );
      }
      this.bindFeed(p, value, state);
    }
  }

  private checkFeedKey(key: Tensor | string): void {
    const t = typeof key === 'string' ? this.graph.get(key) : key;
    const label = typeof key === 'string' ? key : String(key);
    if (!(t instanceof Tensor) || t.graph !== this.graph) {
      throw new FeedError(`feeds: no placeholder named '${label}' in the graph`, label);
    }
    if (t.def.kind !== 'placeholder') {
      throw new FeedError(`feeds: '${t.name}' is a ${t.type}, not a placeholder`, t.name);
    }
  }

  private bindFeed(p: Tensor, value: FeedValue, state: RunState): void {
    let data: Float64Array;
    let shape: number[] | undefined;
    const previous = state.shapes[p.id];
    if (value instanceof Float64Array) {
      data = value;
      // The same length as last time gives the same shape (at most one open dimension).
      shape =
        previous !== undefined &&
        sizeOf(previous) === value.length &&
        p.shape.length > 0 &&
        p.shape.indexOf(null) === p.shape.lastIndexOf(null)
          ? (previous as number[])
          : fitShape({ shape: [value.length], data }, p.shape);
    } else {
      let dense: { shape: readonly number[]; data: Float64Array };
      try {
        dense = toDense(value, `feed for placeholder '${p.name}'`);
      } catch (e) {
        throw new FeedError((e as Error).message, p.name);
      }
      data = dense.data;
      shape = fitShape(dense, p.shape);
      if (shape === undefined) {
        throw new FeedError(
          `feed for placeholder '${p.name}' has shape ${formatShape(dense.shape)}, expected ${formatShape(p.shape)}`,
          p.name,
        );
      }
    }
    if (shape === undefined) {
      throw new FeedError(
        `feed for placeholder '${p.name}': ${data.length} values do not fit shape ${formatShape(p.shape)}`,
        p.name,
      );
    }
    // Reuse the previous shape array when nothing changed (plans key on its identity).
    if (
      previous === undefined ||
      previous.length !== shape.length ||
      previous.some((d, i) => d !== shape[i])
    ) {
      state.shapes[p.id] = shape;
    }
    state.feeds[p.id] = data;
    const axis = p.shape.indexOf(null);
    state.n[p.id] = axis === -1 ? 1 : shape[axis];
  }

  /** Optimizers of the graph's train ops, with their checkpoint names and variables. */
  private graphOptimizers(): { optimizer: UpdateRule; name: string; vars: Tensor[] }[] {
    const byOptimizer = new Map<
      UpdateRule,
      { optimizer: UpdateRule; name: string; vars: Tensor[] }
    >();
    for (const op of this.graph.operations()) {
      let e = byOptimizer.get(op.optimizer);
      if (e === undefined) {
        e = { optimizer: op.optimizer, name: op.name, vars: [] };
        byOptimizer.set(op.optimizer, e);
      }
      for (const v of op.varList) if (!e.vars.includes(v)) e.vars.push(v);
    }
    return [...byOptimizer.values()];
  }

  private optimizerState(optimizer: UpdateRule, name: string): OptimizerState {
    let state = this.optimizers.get(optimizer);
    if (state === undefined) {
      const initial = optimizer.initialScalars();
      state = {
        name,
        optimizer,
        slots: new Map(),
        scalars: Float64Array.from(initial),
        nextSlots: new Map(),
        nextScalars: new Float64Array(initial.length),
      };
      this.optimizers.set(optimizer, state);
    }
    return state;
  }

  /** A variable's slots (zeros when first used, as TF's slot initialisers). */
  private slotsOf(state: OptimizerState, v: Tensor): Float64Array[] {
    let slots = state.slots.get(v.id);
    if (slots === undefined) {
      const n = sizeOf(v.shape as number[]);
      slots = state.optimizer.slotNames.map(() => new Float64Array(n));
      state.slots.set(v.id, slots);
      state.nextSlots.set(
        v.id,
        state.optimizer.slotNames.map(() => new Float64Array(n)),
      );
    }
    return slots;
  }

  /**
   * Applies the plan's train steps: checks the loss and gradients, computes every update
   * into scratch arrays, checks them, and only then commits — so a non-finite value never
   * reaches a variable or a slot.
   */
  private apply(plan: Plan): void {
    const step = this.step + 1;
    const run = ++this.applyRun;
    // Compute every update into scratch arrays and check it… (a variable or optimizer that
    // an earlier train op of this run updated continues from that op's result)
    for (const ts of plan.trainSteps) {
      const { op, gradient } = ts;
      if (!Number.isFinite(gradient.value)) {
        throw new NonFiniteError(
          `step ${step}: the loss '${op.loss.name}' is ${gradient.value}; no variable was updated`,
          step,
          op.loss.name,
        );
      }
      const lr = plan.learningRate(ts);
      if (!Number.isFinite(lr) || lr < 0) {
        throw new NonFiniteError(
          `step ${step}: the learning rate is ${lr}; no variable was updated`,
          step,
          op.loss.name,
        );
      }
      const state = this.optimizerState(op.optimizer, this.optimizerName(op));
      const chainedScalars = this.touched.get(state) === run;
      if (!chainedScalars) state.nextScalars.set(state.scalars);
      this.touched.set(state, run);
      for (let i = 0; i < op.varList.length; i++) {
        const v = op.varList[i];
        const g = ts.views[i];
        const bad = firstNonFinite(g);
        if (bad >= 0) {
          throw new NonFiniteError(
            `step ${step}: the gradient of '${v.name}' is ${g[bad]} at element ${bad}; no variable was updated`,
            step,
            v.name,
          );
        }
        const next = this.scratchFor(v, g.length);
        const chained = this.touched.get(v) === run;
        const theta = chained ? next : this.values.get(v.id)!;
        const committed = this.slotsOf(state, v);
        const nextSlots = state.nextSlots.get(v.id)!;
        const slots = chained && this.touched.get(nextSlots) === run ? nextSlots : committed;
        this.touched.set(v, run);
        this.touched.set(nextSlots, run);
        // Element-wise updates: reading and writing the same scratch array is safe.
        op.optimizer.update(lr, theta, g, slots, state.nextScalars, next, nextSlots);
        const badTheta = firstNonFinite(next);
        let badSlot = -1;
        for (let k = 0; k < nextSlots.length && badSlot < 0; k++) {
          if (firstNonFinite(nextSlots[k]) >= 0) badSlot = k;
        }
        if (badTheta >= 0 || badSlot >= 0) {
          throw new NonFiniteError(
            `step ${step}: the update of '${v.name}' overflows (${badTheta >= 0 ? `value ${next[badTheta]} at element ${badTheta}` : `slot '${op.optimizer.slotNames[badSlot]}'`}); no variable was updated`,
            step,
            v.name,
          );
        }
      }
      op.optimizer.finishStep(state.nextScalars);
    }
    // …then commit them all: a run applies all its train ops or none.
    for (const { op } of plan.trainSteps) {
      const state = this.optimizers.get(op.optimizer)!;
      for (const v of op.varList) {
        this.values.get(v.id)!.set(this.nextValues.get(v.id)!);
        const slots = state.slots.get(v.id)!;
        const nextSlots = state.nextSlots.get(v.id)!;
        for (let k = 0; k < slots.length; k++) slots[k].set(nextSlots[k]);
      }
      state.scalars.set(state.nextScalars);
    }
    this.step = step;
  }

  /** Which run last wrote a scratch value (variables, slot lists, optimizer states). */
  private readonly touched = new Map<object, number>();
  private applyRun = 0;

  private scratchFor(v: Tensor, n: number): Float64Array {
    let next = this.nextValues.get(v.id);
    if (next === undefined) {
      next = new Float64Array(n);
      this.nextValues.set(v.id, next);
    }
    return next;
  }

  /** The checkpoint name of a train op's optimizer (the name of its first train op). */
  private optimizerName(op: Operation): string {
    const state = this.optimizers.get(op.optimizer);
    if (state !== undefined) return state.name;
    return this.graph.operations().find((o) => o.optimizer === op.optimizer)?.name ?? op.name;
  }

  /** Matches checkpoint data against the graph; returns what to assign (nothing assigned yet). */
  private match(
    data: CheckpointData,
    source: string,
    variablesOnly: boolean,
  ): {
    variables: [Tensor, Float64Array][];
    optimizers: {
      state: OptimizerState;
      slots: [Tensor, Float64Array[]][];
      scalars: Float64Array;
    }[];
  } {
    const fail = (why: string): CheckpointError =>
      new CheckpointError(`checkpoint ${source}: ${why}`);
    const byName = new Map(data.variables.map((v) => [v.name, v]));
    const variables: [Tensor, Float64Array][] = [];
    const graphVars = this.graph.variables();
    for (const v of graphVars) {
      const stored = byName.get(v.name);
      if (stored === undefined) throw fail(`variable '${v.name}' is missing`);
      if (stored.shape.length !== v.shape.length || stored.shape.some((d, i) => d !== v.shape[i])) {
        throw fail(
          `variable '${v.name}' has shape ${formatShape(stored.shape)} in the checkpoint, ${formatShape(v.shape)} in the graph`,
        );
      }
      variables.push([v, stored.values]);
    }
    const extra = data.variables.filter((v) => !graphVars.some((g) => g.name === v.name));
    if (extra.length > 0) {
      throw fail(`variables not in the graph: ${extra.map((v) => `'${v.name}'`).join(', ')}`);
    }
    const optimizers: {
      state: OptimizerState;
      slots: [Tensor, Float64Array[]][];
      scalars: Float64Array;
    }[] = [];
    if (variablesOnly) return { variables, optimizers };
    const stored = new Map(data.optimizers.map((o) => [o.name, o]));
    const ours = this.graphOptimizers();
    for (const { optimizer, name, vars } of ours) {
      const o = stored.get(name);
      if (o === undefined)
        throw fail(
          `optimizer '${name}' is missing (restore with { variablesOnly: true } to load the weights only)`,
        );
      if (o.type !== optimizer.type) {
        throw fail(
          `optimizer '${name}' is ${o.type} in the checkpoint, ${optimizer.type} in the graph`,
        );
      }
      const scalarNames = optimizer.scalarNames();
      const scalars = new Float64Array(scalarNames.length);
      scalarNames.forEach((k, i) => {
        const x = o.scalars.get(k);
        if (x === undefined) throw fail(`optimizer '${name}': '${k}' is missing`);
        scalars[i] = x;
      });
      const slots: [Tensor, Float64Array[]][] = [];
      for (const v of vars) {
        const byName = o.slots.get(v.name);
        const list = optimizer.slotNames.map((s) => {
          const values = byName?.get(s);
          if (values === undefined)
            throw fail(`optimizer '${name}': slot ${v.name}/${s} is missing`);
          if (values.length !== sizeOf(v.shape as number[])) {
            throw fail(
              `optimizer '${name}': slot ${v.name}/${s} has ${values.length} values, '${v.name}' has ${sizeOf(v.shape as number[])}`,
            );
          }
          return values;
        });
        slots.push([v, list]);
      }
      optimizers.push({ state: this.optimizerState(optimizer, name), slots, scalars });
    }
    const unknown = data.optimizers.filter((o) => !ours.some((x) => x.name === o.name));
    if (unknown.length > 0) {
      throw fail(`optimizers not in the graph: ${unknown.map((o) => `'${o.name}'`).join(', ')}`);
    }
    return { variables, optimizers };
  }
}

/** Index of the first non-finite element, or −1. */
function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}
