/**
 * Layout: turns a program (program.ts) into straight-line functions, deciding where each
 * value is computed and kept. Values are computed once, in topological order; loop-invariant
 * values before the loop; each unordered write right after its value; inputs read just
 * before their first use; programs too large for one function are cut into chunk functions
 * that pass values through scratch memory (preallocated, so a call allocates nothing). A
 * loop cut into chunks runs in blocks of points, each chunk looping over the block with the
 * loop-invariant values and its accumulators in locals (see `BLOCK_POINTS`). The result is
 * still data: an emitter only prints it.
 */
import { InvalidArgumentError } from '../expr/index.js';
import { type InputSource, IrNode } from './ir.js';
import {
  type ArgumentsStatement,
  at,
  type Extent,
  type FillStatement,
  type IfMissingStatement,
  type Index,
  type InputLocation,
  index,
  type LoopStatement,
  nodesOf,
  type Param,
  type Program,
  type ProgramFunction,
  type ReturnStatement,
  type SetStatement,
  type Stmt,
  type StoreStatement,
  type Value,
} from './program.js';
import { chunk, topologicalOrder } from './schedule.js';

/**
 * Statement weight per chunk function: 2,500 units ≈ 700 statements ≈ 20 KB of bytecode,
 * well under V8's 60 KB limit for optimisation, and small enough that the optimising
 * compiler (superlinear in function size) finishes each chunk in a fraction of a second.
 */
export const DEFAULT_CHUNK_BUDGET = 2500;

/**
 * Points per block of a loop cut into chunks. Calling every chunk once per point would
 * re-read the parameters and spill the accumulators to memory on every point; instead each
 * chunk runs over a block of points, reading its loop-invariant values once into locals and
 * keeping its accumulators in locals, and passes per-point values to later chunks in block
 * memory (one row of `BLOCK_POINTS` per value).
 */
export const BLOCK_POINTS = 32;

/**
 * Statement weight per chunk of a blocked loop. A chunk that loops over its block is
 * optimised by V8 as a loop (often twice: once more for on-stack replacement), and the
 * optimising compiler's time grows faster than the function: finer chunks reach full speed
 * sooner (the sine MLP example trains in two thirds of the time it takes with 2,500-unit
 * chunks) for about 10 % of the speed they reach.
 */
const BLOCK_CHUNK_BUDGET = 1000;

/**
 * Blocking pays when a loop's chunks read at least this many loop-invariant values and
 * accumulators per value that crosses chunks (see `blockingPays`). Measured on MLP training
 * kernels: from about 7 they ran 1.2–1.5× faster blocked; at 2.6–4 (one wide hidden layer
 * feeding a softmax) 1.1–1.3× slower.
 */
export const BLOCK_GAIN = 5;

/**
 * Doubles of block memory at most (128 KB; C keeps it on the stack): a program with many
 * values crossing chunks gets smaller blocks.
 */
const BLOCK_MEMORY = 1 << 14;

/** An operand of a laid-out statement. */
export type Operand =
  /** A local, a number parameter, a scalar or a size. */
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'lit'; readonly value: number }
  /** An array element or a cell of scratch memory, read in place. */
  | { readonly kind: 'load'; readonly array: string; readonly index: Index }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly string[] }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: Operand;
      readonly right: Operand;
    };

/**
 * A laid-out statement: every value has a name, every store a place. Besides the
 * statements of programs: computing a value, defining a name, declaring scalars, running a
 * chunk function.
 */
export type Line =
  | StoreStatement<Operand>
  | SetStatement<Operand>
  | FillStatement
  | LoopStatement<Line>
  | ArgumentsStatement
  | IfMissingStatement<Line>
  | ReturnStatement<Operand>
  /** `const name = node.op(args)`: one value of the IR (its op, signs, coefficient). */
  | {
      readonly kind: 'compute';
      readonly name: string;
      readonly node: IrNode;
      readonly args: readonly Operand[];
    }
  /** `const name = value` (an input read, a value fetched from scratch memory). */
  | { readonly kind: 'define'; readonly name: string; readonly value: Operand }
  /** Mutable scalars, each starting at 0. */
  | { readonly kind: 'declare'; readonly names: readonly string[] }
  /** A call of chunk function `fn` with the main function's names `args`. */
  | { readonly kind: 'run'; readonly fn: string; readonly args: readonly ChunkParam[] }
  /**
   * A loop in blocks: `for (from = 0; from < count; from += size)` with
   * `to = min(count, from + size)`, then `body` (the calls of the chunks that loop over the
   * block).
   */
  | {
      readonly kind: 'blocks';
      readonly count: Extent;
      readonly size: number;
      readonly from: string;
      readonly to: string;
      readonly body: readonly Line[];
    }
  /** `for (variable = from; variable < to; variable++)`: a chunk's loop over its block. */
  | {
      readonly kind: 'range';
      readonly variable: string;
      readonly from: string;
      readonly to: string;
      readonly body: readonly Line[];
    };

/** A parameter of a chunk function: something of the main function it uses. */
export type ChunkParam =
  | { readonly kind: 'array'; readonly name: string; readonly access: 'read' | 'write' }
  /** A loop variable. */
  | { readonly kind: 'index'; readonly name: string }
  /** Scratch memory of the main function. */
  | { readonly kind: 'memory'; readonly name: string };

/** A function of the program as laid out. */
export interface MainFunction {
  readonly name: string;
  readonly params: readonly Param[];
  readonly returns: 'number' | 'array' | 'void';
  readonly body: readonly Line[];
}

/** A piece of a main function, run by `run` lines of the main function. */
export interface ChunkFunction {
  readonly name: string;
  readonly params: readonly ChunkParam[];
  readonly body: readonly Line[];
}

/** Scratch memory: `size` doubles, one block per main function. */
export interface Memory {
  readonly name: string;
  readonly size: number;
}

/** One program function: its main function, its chunks (in call order) and its memory. */
export interface LaidUnit {
  readonly main: MainFunction;
  readonly chunks: readonly ChunkFunction[];
  readonly memory: readonly Memory[];
}

/** A laid-out program: units in the program's order (callees first). */
export interface LaidProgram {
  readonly units: readonly LaidUnit[];
  readonly entry: string;
  /** Number of chunk functions over all units (0: nothing was split). */
  readonly chunks: number;
}

/**
 * Lays out every function of `program`; `budget` is the statement weight per chunk
 * function and `blockGain` the gain a chunked loop must promise to run in blocks (tests pass
 * a tiny budget to exercise chunking on small programs, and a gain of 0 to block every loop
 * that can be).
 */
export function layout(
  program: Program,
  budget = DEFAULT_CHUNK_BUDGET,
  blockGain = BLOCK_GAIN,
): LaidProgram {
  const units = program.functions.map((f) => new FunctionLayout(f, budget, blockGain).unit());
  return {
    units,
    entry: program.entry,
    chunks: units.reduce((k, u) => k + u.chunks.length, 0),
  };
}

const isAtom = (n: IrNode): boolean => n.op === 'lit' || n.op === 'in';
const INPUT_PREFIX: { readonly [S in InputSource]: string } = {
  x: 'x',
  v: 'v',
  param: 'p',
  data: 'c',
};

type Assignment = Extract<Stmt, { kind: 'store' | 'set' }>;
type Write = Assignment & { readonly value: IrNode };
type Loop = Extract<Stmt, { kind: 'loop' }>;

/** True for a store or set of an IR value: a member of an unordered run. */
const isWrite = (s: Stmt): s is Write =>
  (s.kind === 'store' || s.kind === 'set') && s.value instanceof IrNode;

/** The IR values a statement uses (inside loops and branches too), in order. */
function* statementNodes(s: Stmt): Generator<IrNode> {
  switch (s.kind) {
    case 'store':
    case 'set':
    case 'return':
      yield* nodesOf(s.value);
      return;
    case 'loop':
      for (const t of s.body) yield* statementNodes(t);
      return;
    case 'ifMissing':
      for (const t of s.body) yield* statementNodes(t);
      return;
    default:
      return;
  }
}

const usesValues = (s: Stmt): boolean => !statementNodes(s).next().done;

/** The run of writes where a region's values are computed: [start, end), start −1 if none. */
function computeRun(stmts: readonly Stmt[]): { start: number; end: number } {
  const start = stmts.findIndex(usesValues);
  if (start < 0) return { start, end: start };
  let end = start;
  while (end < stmts.length && isWrite(stmts[end])) end++;
  return { start, end };
}

/**
 * True when a loop body is only writes that keep to their point: each scalar set by one
 * statement, and each array written at `coef·v + offset` with one coef > 0 per array and
 * distinct offsets below it (row v of the array). Running such a body chunk by chunk over a
 * block of points gives every location its values in the same order as point by point.
 */
function writesPerPoint(body: readonly Stmt[], variable: string): boolean {
  const scalars = new Set<string>();
  const arrays = new Map<string, { coef: number; offsets: Set<number> }>();
  for (const s of body) {
    if (s.kind === 'set') {
      if (scalars.has(s.scalar)) return false;
      scalars.add(s.scalar);
      continue;
    }
    if (s.kind !== 'store') return false;
    const { offset, terms } = s.index;
    if (terms.length !== 1 || terms[0].variable !== variable) return false;
    const coef = terms[0].coef;
    if (coef <= 0 || offset < 0 || offset >= coef) return false;
    let rows = arrays.get(s.array);
    if (rows === undefined) {
      rows = { coef, offsets: new Set() };
      arrays.set(s.array, rows);
    }
    if (rows.coef !== coef || rows.offsets.has(offset)) return false;
    rows.offsets.add(offset);
  }
  return true;
}

/**
 * Whether a loop cut into `chunks` runs faster in blocks. Blocking reads each chunk's
 * loop-invariant values once per block instead of once per point and keeps accumulators in
 * locals, but moves every per-point value that crosses chunks from one scratch cell to a
 * row of block memory. It pays when the first outweigh the second `gain` times.
 */
function blockingPays(chunks: readonly IrNode[][], body: readonly Stmt[], gain: number): boolean {
  const home = new Map<number, number>();
  chunks.forEach((c, k) => {
    for (const n of c) home.set(n.id, k);
  });
  const crossing = new Set<number>();
  let invariant = 0;
  chunks.forEach((c, k) => {
    const read = new Set<number>();
    for (const n of c) {
      for (const a of n.args) {
        if (a.op === 'lit') continue;
        if (!a.varying) {
          if (!read.has(a.id)) invariant++;
          read.add(a.id);
        } else {
          const h = home.get(a.id);
          if (h !== undefined && h !== k) crossing.add(a.id);
        }
      }
    }
  });
  const accumulators = body.filter((s) => s.kind === 'set').length;
  return invariant + accumulators >= gain * crossing.size;
}

/** Region −1 is the function body outside loops; region k ≥ 0 the body of the k-th loop. */
const TOP = -1;

/** The layout of one program function. */
class FunctionLayout {
  private readonly loops: Loop[];
  private readonly names = new Map<number, string>();
  private readonly pre: IrNode[];
  private readonly loopOrders: IrNode[][];
  /** Chunks of each region (TOP first), and where each node is computed per region. */
  private readonly preChunks: IrNode[][];
  private readonly loopChunks: IrNode[][][];
  private readonly preFn = new Map<number, number>();
  private readonly loopFn: Map<number, number>[];
  private readonly chunkRegion: number[] = [];
  private readonly chunkNodes: IrNode[][] = [];
  /** Writes run right after their value, per region. */
  private readonly after = new Map<number, Map<number, Write[]>>();
  private readonly late = new Map<number, Write[]>();
  private readonly slots = new Map<number, number>();
  /** Block-memory rows of per-point values that cross chunks of blocked loops. */
  private readonly pointSlots = new Map<number, number>();
  /** Per loop: whether it runs in blocks (see `BLOCK_POINTS`). */
  private readonly blocked: boolean[];
  /** Points per block (known once every slot is claimed). */
  private blockSize = BLOCK_POINTS;
  private readonly memoryScalars = new Map<string, number>();
  private readonly positional: Map<string, number>;
  /** Number parameters some function reads through the positional copy. */
  private readonly copied = new Set<string>();
  private readonly scratch: string;
  private readonly accumulators: string;
  private readonly positionalCopy: string;
  private readonly blockMemory: string;
  /** Scalars a blocked chunk keeps in locals while it is written (else they live in memory). */
  private localScalars: ReadonlySet<string> = new Set();

  constructor(
    private readonly fn: ProgramFunction,
    budget: number,
    blockGain: number,
  ) {
    const body = fn.body;
    this.loops = body.filter((s): s is Loop => s.kind === 'loop');
    for (const l of this.loops) {
      if (l.body.some((s) => s.kind === 'loop')) {
        throw new InvalidArgumentError(`layout: nested loops are not supported (${fn.name})`);
      }
    }
    // The returned values first (the forward pass), then everything in statement order
    // (the backward sweep that reuses it).
    const roots: IrNode[] = [];
    for (const s of body) if (s.kind === 'return') roots.push(...nodesOf(s.value));
    for (const s of body) roots.push(...statementNodes(s));
    const order = topologicalOrder(roots, isAtom);
    order.forEach((n, k) => {
      this.names.set(n.id, `t${k}`);
    });
    this.pre = order.filter((n) => !n.varying);
    this.loopOrders = this.loops.map((l) => {
      const needed = new Set(
        topologicalOrder(
          l.body.flatMap((s) => [...statementNodes(s)]),
          isAtom,
        ).map((n) => n.id),
      );
      return order.filter((n) => n.varying && needed.has(n.id));
    });
    const loopNodes = new Set(this.loopOrders.flat().map((n) => n.id));
    if (order.some((n) => n.varying && !loopNodes.has(n.id))) {
      throw new InvalidArgumentError(`layout: a per-point value outside a loop (${fn.name})`);
    }

    this.preChunks = chunk(this.pre, budget);
    // A loop too large for one function runs in blocks when its body is nothing but writes
    // of per-point values that keep to their point (nothing is left for the main function
    // to do per point); its chunks are cut finer (see `BLOCK_CHUNK_BUDGET`).
    const blockable = this.loops.map((l) => {
      const run = computeRun(l.body);
      return (
        run.start === 0 &&
        run.end === l.body.length &&
        l.body.every((w) => isWrite(w) && !isAtom(w.value) && w.value.varying) &&
        writesPerPoint(l.body, l.variable)
      );
    });
    this.blocked = this.loops.map(() => false);
    this.loopChunks = this.loopOrders.map((o, l) => {
      const chunks = chunk(o, budget);
      if (!blockable[l] || chunks.length <= 1) return chunks;
      const fine = chunk(o, Math.min(budget, BLOCK_CHUNK_BUDGET));
      if (!blockingPays(fine, this.loops[l].body, blockGain)) return chunks;
      this.blocked[l] = true;
      return fine;
    });
    this.loopFn = this.loops.map(() => new Map());
    const place = (chunks: IrNode[][], region: number, where: Map<number, number>): void => {
      const split = chunks.length > 1;
      for (const c of chunks) {
        let k = 0;
        if (split) {
          this.chunkRegion.push(region);
          this.chunkNodes.push(c);
          k = this.chunkNodes.length;
        }
        for (const n of c) where.set(n.id, k);
      }
    };
    place(this.preChunks, TOP, this.preFn);
    this.loopChunks.forEach((c, l) => {
      place(c, l, this.loopFn[l]);
    });

    // Writes of the compute runs go right after their value when it is computed in the
    // same region; the others run at the end of the run, in the main function.
    const assign = (stmts: readonly Stmt[], region: number): void => {
      const { start, end } = computeRun(stmts);
      const after = new Map<number, Write[]>();
      const late: Write[] = [];
      for (let k = Math.max(start, 0); k < end; k++) {
        const w = stmts[k] as Write;
        if (w.value.varying && region === TOP) {
          throw new InvalidArgumentError(`layout: a per-point value outside a loop (${fn.name})`);
        }
        if (!isAtom(w.value) && w.value.varying === (region !== TOP)) {
          const list = after.get(w.value.id);
          if (list) list.push(w);
          else after.set(w.value.id, [w]);
          if (w.kind === 'set' && this.fnOf(w.value, region) !== 0) {
            if (!this.memoryScalars.has(w.scalar)) {
              this.memoryScalars.set(w.scalar, this.memoryScalars.size);
            }
          }
        } else late.push(w);
      }
      this.after.set(region, after);
      this.late.set(region, late);
    };
    assign(body, TOP);
    this.loops.forEach((l, k) => {
      assign(l.body, k);
    });

    const numbers = fn.params.filter((p) => p.kind === 'number');
    this.positional = new Map(
      this.chunkNodes.length > 0 ? numbers.map((p, k) => [p.name, k] as const) : [],
    );
    this.scratch = `${fn.name}_S`;
    this.accumulators = `${fn.name}_A`;
    this.positionalCopy = `${fn.name}_X`;
    this.blockMemory = `${fn.name}_P`;
  }

  /** True when `n`, seen from `region`, is a per-point value of a blocked loop. */
  private inBlock(n: IrNode, region: number): boolean {
    return region !== TOP && this.blocked[region] && n.varying;
  }

  /** Names of a blocked loop's block bounds (its variable with a suffix: never a program name). */
  private bounds(region: number): { from: string; to: string } {
    const v = this.loops[region].variable;
    return { from: `${v}_from`, to: `${v}_to` };
  }

  /** The function computing `n` as seen from `region`: 0 for main, k ≥ 1 for chunk k. */
  private fnOf(n: IrNode, region: number): number | undefined {
    return n.varying ? this.loopFn[region]?.get(n.id) : this.preFn.get(n.id);
  }

  private location(n: IrNode): InputLocation {
    const loc = this.fn.inputs.get(n);
    if (loc === undefined) {
      throw new InvalidArgumentError(`layout: input ${n.source}${n.index} has no location`);
    }
    return loc;
  }

  /** Inputs read straight from a number parameter need no statement. */
  private isDirect(n: IrNode): boolean {
    const loc = this.location(n);
    return loc.kind === 'param' && !this.positional.has(loc.name);
  }

  private atomName(n: IrNode): string {
    if (n.op === 'in') {
      const loc = this.location(n);
      if (loc.kind === 'param' && !this.positional.has(loc.name)) return loc.name;
      return `${INPUT_PREFIX[n.source!]}${n.index}`;
    }
    return this.names.get(n.id)!;
  }

  /** How a function refers to `n` after computing, importing or reading it. */
  private ref(n: IrNode): Operand {
    if (n.op === 'lit') return { kind: 'lit', value: n.value };
    return { kind: 'name', name: this.atomName(n) };
  }

  /** Claims (once) the memory that carries `n` between functions, as seen from `region`. */
  private slotOf(n: IrNode, region: number): number {
    const slots = this.inBlock(n, region) ? this.pointSlots : this.slots;
    let s = slots.get(n.id);
    if (s === undefined) {
      s = slots.size;
      slots.set(n.id, s);
    }
    return s;
  }

  /** Where `n` is kept between functions: scratch memory, or its row of block memory. */
  private slotPlace(n: IrNode, region: number): { array: string; index: Index } {
    const slot = this.slotOf(n, region);
    if (!this.inBlock(n, region)) return { array: this.scratch, index: at(slot) };
    const { from } = this.bounds(region);
    const v = this.loops[region].variable;
    return {
      array: this.blockMemory,
      index: index(slot * this.blockSize, { coef: 1, variable: v }, { coef: -1, variable: from }),
    };
  }

  private readLine(n: IrNode): Line {
    const loc = this.location(n);
    if (loc.kind === 'param') this.copied.add(loc.name);
    const value: Operand =
      loc.kind === 'element'
        ? { kind: 'load', array: loc.array, index: loc.index }
        : { kind: 'load', array: this.positionalCopy, index: at(this.positional.get(loc.name)!) };
    return { kind: 'define', name: this.atomName(n), value };
  }

  /** Reads of the inputs among `refs` not yet in `done` (sorted: deterministic, readable). */
  private reads(refs: Iterable<IrNode>, done: Set<number>, keep = (_: IrNode) => true): Line[] {
    const inputs = new Map<number, IrNode>();
    for (const n of refs) {
      if (n.op === 'in' && !done.has(n.id) && !this.isDirect(n) && keep(n)) inputs.set(n.id, n);
    }
    const sorted = [...inputs.values()].sort((p, q) =>
      p.source! < q.source! ? -1 : p.source! > q.source! ? 1 : p.index - q.index,
    );
    for (const n of sorted) done.add(n.id);
    return sorted.map((n) => this.readLine(n));
  }

  /** A write of the value named by `value`. */
  private writeLine(w: Assignment, value: Operand): Line {
    if (w.kind === 'store') {
      return { kind: 'store', array: w.array, index: w.index, value, add: w.add };
    }
    const cell = this.memoryScalars.get(w.scalar);
    if (cell !== undefined && !this.localScalars.has(w.scalar)) {
      return { kind: 'store', array: this.accumulators, index: at(cell), value, add: w.add };
    }
    return { kind: 'set', scalar: w.scalar, value, add: w.add };
  }

  /** How the main function refers to `n` outside its computations (late writes, glue). */
  private mainRef(n: IrNode, region: number): Operand {
    if (isAtom(n)) return this.ref(n);
    const k = this.fnOf(n, region);
    if (k === undefined) throw new InvalidArgumentError('layout: a value used outside its loop');
    if (k === 0) return this.ref(n);
    return { kind: 'load', ...this.slotPlace(n, region) };
  }

  private valueOperand(v: Value, region: number): Operand {
    if (v instanceof IrNode) return this.mainRef(v, region);
    switch (v.kind) {
      case 'scalar': {
        const cell = this.memoryScalars.get(v.name);
        return cell === undefined
          ? { kind: 'name', name: v.name }
          : { kind: 'load', array: this.accumulators, index: at(cell) };
      }
      case 'call':
        return v;
      case 'binary':
        return {
          kind: 'binary',
          op: v.op,
          left: this.valueOperand(v.left, region),
          right: this.valueOperand(v.right, region),
        };
    }
  }

  /** A statement the main function runs as written (not a placed write, not a loop). */
  private translate(s: Stmt, region: number): Line {
    switch (s.kind) {
      case 'store':
      case 'set':
        return this.writeLine(s, this.valueOperand(s.value, region));
      case 'return':
        return {
          kind: 'return',
          ...(s.value !== undefined ? { value: this.valueOperand(s.value, region) } : {}),
          ...(s.array !== undefined ? { array: s.array } : {}),
        };
      case 'ifMissing':
        return {
          kind: 'ifMissing',
          param: s.param,
          body: s.body.map((t) => this.translate(t, region)),
        };
      case 'loop':
        throw new InvalidArgumentError('layout: nested loops are not supported');
      default:
        return s;
    }
  }

  /**
   * Values `fn` uses but another function computes: claimed slots, read once at its top.
   */
  private imports(fnIndex: number, nodes: readonly IrNode[], region: number): Line[] {
    const lines: Line[] = [];
    const done = new Set<number>();
    for (const n of nodes) {
      for (const a of n.args) {
        if (isAtom(a) || done.has(a.id)) continue;
        const k = this.fnOf(a, region);
        if (k === fnIndex) continue;
        done.add(a.id);
        lines.push({
          kind: 'define',
          name: this.atomName(a),
          value: { kind: 'load', ...this.slotPlace(a, region) },
        });
      }
    }
    return lines;
  }

  /** The statements computing `nodes` (reading inputs at first use), with placed writes. */
  private block(nodes: readonly IrNode[], region: number, done: Set<number>): Line[] {
    const lines: Line[] = [];
    const after = this.after.get(region)!;
    for (const n of nodes) {
      // Reading every input up front would keep hundreds of values live (spilled) across a
      // long straight-line function; reading at first use keeps them short-lived.
      lines.push(...this.reads(n.args, done));
      lines.push({
        kind: 'compute',
        name: this.atomName(n),
        node: n,
        args: n.args.map((a) => this.ref(a)),
      });
      for (const w of after.get(n.id) ?? []) lines.push(this.writeLine(w, this.ref(n)));
      const slotted = (this.inBlock(n, region) ? this.pointSlots : this.slots).has(n.id);
      if (slotted) {
        lines.push({ kind: 'store', ...this.slotPlace(n, region), value: this.ref(n), add: false });
      }
    }
    return lines;
  }

  unit(): LaidUnit {
    const fn = this.fn;
    const body = fn.body;
    const top = computeRun(body);
    // Pass 1: every reference across functions claims its scratch slot before any block
    // is written (a block stores exactly the slotted values it computes). The block size
    // follows from the number of per-point values that cross chunks, so those are claimed
    // first and the chunks' imports written after.
    this.chunkNodes.forEach((nodes, k) => {
      if (this.blocked[this.chunkRegion[k]]) this.imports(k + 1, nodes, this.chunkRegion[k]);
    });
    this.blockSize = Math.max(
      1,
      Math.min(BLOCK_POINTS, Math.floor(BLOCK_MEMORY / Math.max(1, this.pointSlots.size))),
    );
    const chunkImports = this.chunkNodes.map((nodes, k) =>
      this.imports(k + 1, nodes, this.chunkRegion[k]),
    );
    const inlineLoopImports = this.loops.map((_, l) =>
      this.loopChunks[l].length > 1 ? [] : this.imports(0, this.loopOrders[l], l),
    );
    const lateTop = this.late.get(TOP)!;
    const lateTopLines = lateTop.map((w) => this.writeLine(w, this.mainRef(w.value, TOP)));
    // Statements that stay where they are written: all but loops and the placed writes.
    const glue = (stmts: readonly Stmt[], run: { start: number; end: number }) =>
      stmts.flatMap((s, k) =>
        s.kind === 'loop' || (k >= run.start && k < run.end) ? [] : [{ s, k }],
      );
    const topGlue = glue(body, top);
    const topGlueLines = new Map(topGlue.map(({ s, k }) => [k, this.translate(s, TOP)]));
    const loopParts = this.loops.map((l, li) => {
      const run = computeRun(l.body);
      const late = this.late.get(li)!;
      return {
        late,
        lateLines: late.map((w) => this.writeLine(w, this.mainRef(w.value, li))),
        tail: glue(l.body, run).map(({ s }) => this.translate(s, li)),
        tailNodes: glue(l.body, run).flatMap(({ s }) => [...statementNodes(s)]),
      };
    });

    // Inputs the main function reads up front: those its late writes and other statements
    // use, and the loop-invariant ones the loop bodies it computes itself use (hoisted).
    const mainRead = new Set<number>();
    const upfront = this.reads(
      [
        ...lateTop.map((w) => w.value),
        ...topGlue.flatMap(({ s }) => [...statementNodes(s)]),
        ...this.loops.flatMap((_, l) =>
          this.loopChunks[l].length > 1 ? [] : this.loopOrders[l].flatMap((n) => n.args),
        ),
        ...loopParts.flatMap((p) => [...p.late.map((w) => w.value), ...p.tailNodes]),
      ],
      mainRead,
      (n) => !n.varying,
    );

    // Pass 2: the chunk functions and the main function.
    const chunks: ChunkFunction[] = this.chunkNodes.map((nodes, k) => {
      const region = this.chunkRegion[k];
      const name = `${fn.name}_c${k + 1}`;
      if (region !== TOP && this.blocked[region]) {
        return this.blockedChunk(name, nodes, region, chunkImports[k]);
      }
      const lines = [...chunkImports[k], ...this.block(nodes, region, new Set())];
      const v = region === TOP ? undefined : this.loops[region].variable;
      return { name, params: this.chunkParams(lines, v), body: lines };
    });
    const run = (first: number, count: number): Line[] =>
      chunks.slice(first, first + count).map((c) => ({ kind: 'run', fn: c.name, args: c.params }));

    const main: Line[] = [];
    const scalars = fn.scalars.filter((s) => !this.memoryScalars.has(s));
    // Number parameters that chunk functions read are copied to memory first (known once
    // every function is written).
    let copyAt = 0;
    const setUp = (): void => {
      copyAt = main.length;
      if (scalars.length > 0) main.push({ kind: 'declare', names: scalars });
      if (this.memoryScalars.size > 0) {
        main.push({
          kind: 'fill',
          array: this.accumulators,
          from: 0,
          to: this.memoryScalars.size,
          value: 0,
        });
      }
    };
    if (top.start < 0) setUp();
    let chunkIndex = this.preChunks.length > 1 ? this.preChunks.length : 0;
    let loopIndex = 0;
    body.forEach((s, k) => {
      if (k === top.start) {
        setUp();
        main.push(...upfront);
        if (this.preChunks.length > 1) main.push(...run(0, this.preChunks.length));
        else main.push(...this.block(this.preChunks[0], TOP, mainRead));
        main.push(...lateTopLines);
      }
      if (s.kind === 'loop') {
        const l = loopIndex++;
        const part = loopParts[l];
        if (this.blocked[l]) {
          const count = this.loopChunks[l].length;
          main.push({
            kind: 'blocks',
            count: s.count,
            size: this.blockSize,
            ...this.bounds(l),
            body: run(chunkIndex, count),
          });
          chunkIndex += count;
          return;
        }
        const done = new Set(mainRead);
        const inner: Line[] = [
          ...this.reads(
            [...part.late.map((w) => w.value), ...part.tailNodes],
            done,
            (n) => n.varying,
          ),
        ];
        const loopChunks = this.loopChunks[l];
        if (loopChunks.length > 1) {
          inner.push(...run(chunkIndex, loopChunks.length));
          chunkIndex += loopChunks.length;
        } else {
          main.push(...inlineLoopImports[l]);
          inner.push(...this.block(this.loopOrders[l], l, done));
        }
        inner.push(...part.lateLines, ...part.tail);
        main.push({ kind: 'loop', variable: s.variable, count: s.count, body: inner });
        return;
      }
      const line = topGlueLines.get(k);
      if (line !== undefined) main.push(line);
    });

    main.splice(
      copyAt,
      0,
      ...[...this.positional]
        .filter(([name]) => this.copied.has(name))
        .map(
          ([name, k]): Line => ({
            kind: 'store',
            array: this.positionalCopy,
            index: at(k),
            value: { kind: 'name', name },
            add: false,
          }),
        ),
    );
    const memory: Memory[] = [];
    if (this.slots.size > 0) memory.push({ name: this.scratch, size: this.slots.size });
    if (this.copied.size > 0) {
      memory.push({ name: this.positionalCopy, size: this.positional.size });
    }
    if (this.memoryScalars.size > 0) {
      memory.push({ name: this.accumulators, size: this.memoryScalars.size });
    }
    if (this.pointSlots.size > 0) {
      memory.push({ name: this.blockMemory, size: this.pointSlots.size * this.blockSize });
    }
    return {
      main: { name: fn.name, params: fn.params, returns: fn.returns, body: main },
      chunks,
      memory,
    };
  }

  /**
   * A chunk of a blocked loop: loop-invariant values (imported, and inputs that do not
   * vary) read once, its accumulators in locals, then its nodes for every point of the
   * block `[from, to)`, per-point values crossing chunks in block memory.
   */
  private blockedChunk(
    name: string,
    nodes: readonly IrNode[],
    region: number,
    imports: readonly Line[],
  ): ChunkFunction {
    const { from, to } = this.bounds(region);
    const perPoint = (line: Line): boolean =>
      line.kind === 'define' && line.value.kind === 'load' && line.value.array === this.blockMemory;
    const done = new Set<number>();
    const invariant = [
      ...imports.filter((line) => !perPoint(line)),
      ...this.reads(
        nodes.flatMap((n) => n.args),
        done,
        (n) => !n.varying,
      ),
    ];
    const after = this.after.get(region)!;
    const scalars = [
      ...new Set(
        nodes.flatMap((n) =>
          (after.get(n.id) ?? []).flatMap((w) =>
            w.kind === 'set' && this.memoryScalars.has(w.scalar) ? [w.scalar] : [],
          ),
        ),
      ),
    ];
    this.localScalars = new Set(scalars);
    const points = [...imports.filter(perPoint), ...this.block(nodes, region, done)];
    this.localScalars = new Set();
    const cell = (scalar: string): Index => at(this.memoryScalars.get(scalar)!);
    const body: Line[] = [
      ...invariant,
      ...(scalars.length > 0 ? [{ kind: 'declare', names: scalars } as const] : []),
      ...scalars.map(
        (x): Line => ({
          kind: 'set',
          scalar: x,
          value: { kind: 'load', array: this.accumulators, index: cell(x) },
          add: false,
        }),
      ),
      { kind: 'range', variable: this.loops[region].variable, from, to, body: points },
      ...scalars.map(
        (x): Line => ({
          kind: 'store',
          array: this.accumulators,
          index: cell(x),
          value: { kind: 'name', name: x },
          add: false,
        }),
      ),
    ];
    const params = this.chunkParams(body, undefined);
    return {
      name,
      params: [{ kind: 'index', name: from }, { kind: 'index', name: to }, ...params],
      body,
    };
  }

  /**
   * What a chunk uses of its main function, in a fixed order: the loop variable `v` (if the
   * chunk runs inside that loop and uses it), the arrays (in parameter order) and the
   * scratch memory.
   */
  private chunkParams(lines: readonly Line[], v: string | undefined): ChunkParam[] {
    const arrays = new Set<string>();
    const variables = new Set<string>();
    const noteIndex = (i: Index): void => {
      for (const t of i.terms) variables.add(t.variable);
    };
    const noteOperand = (o: Operand): void => {
      if (o.kind === 'load') {
        arrays.add(o.array);
        noteIndex(o.index);
      } else if (o.kind === 'binary') {
        noteOperand(o.left);
        noteOperand(o.right);
      }
    };
    const note = (list: readonly Line[]): void => {
      for (const line of list) {
        if (line.kind === 'define' || line.kind === 'set') noteOperand(line.value);
        else if (line.kind === 'store') {
          arrays.add(line.array);
          noteIndex(line.index);
          noteOperand(line.value);
        } else if (line.kind === 'range') note(line.body);
      }
    };
    note(lines);
    const params: ChunkParam[] = [];
    if (v !== undefined && variables.has(v)) params.push({ kind: 'index', name: v });
    for (const p of this.fn.params) {
      if (p.kind === 'array' && arrays.has(p.name)) {
        params.push({ kind: 'array', name: p.name, access: p.access });
      } else if (p.kind === 'columns') {
        for (const c of p.columns) {
          if (arrays.has(c)) params.push({ kind: 'array', name: c, access: 'read' });
        }
      }
    }
    for (const m of [this.scratch, this.positionalCopy, this.accumulators, this.blockMemory]) {
      if (arrays.has(m)) params.push({ kind: 'memory', name: m });
    }
    return params;
  }
}
