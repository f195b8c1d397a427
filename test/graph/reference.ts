// An independent oracle for the graph tests: evaluates a graph tensor by tensor, NumPy
// style (broadcasting, matmul, reductions, softmax written out directly over Float64Arrays,
// element-wise templates through the core interpreter) — no scalar expansion, no batch
// sums, no code generation. Gradients are checked against central differences of it.
import { type Expr, evaluate } from '../../src/expr/index.js';
import type { Graph, Session, Tensor, TensorValue } from '../../src/index.js';

export interface Value {
  readonly shape: number[];
  readonly data: Float64Array;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

function index(k: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = k % shape[i];
    k = Math.floor(k / shape[i]);
  }
  return out;
}

/** NumPy broadcasting of several values through `f` applied per element. */
export function broadcast(values: readonly Value[], f: (xs: number[]) => number): Value {
  const rank = Math.max(0, ...values.map((v) => v.shape.length));
  const shape: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const v of values) {
      const i = v.shape.length - rank + k;
      if (i < 0 || v.shape[i] === 1) continue;
      if (d !== 1 && d !== v.shape[i]) throw new Error('reference: shapes do not broadcast');
      d = v.shape[i];
    }
    shape.push(d);
  }
  const out = new Float64Array(size(shape));
  const st = values.map((v) => strides(v.shape));
  for (let q = 0; q < out.length; q++) {
    const idx = index(q, shape);
    const args = values.map((v, j) => {
      let off = 0;
      for (let k = 0; k < rank; k++) {
        const i = v.shape.length - rank + k;
        if (i < 0 || v.shape[i] === 1) continue;
        off += idx[k] * st[j][i];
      }
      return v.data[off];
    });
    out[q] = f(args);
  }
  return { shape, data: out };
}

export function matmul(a: Value, b: Value, ta = false, tb = false): Value {
  const A = ta ? transpose(a, [1, 0]) : a;
  const B = tb ? transpose(b, [1, 0]) : b;
  const [m, k] = A.shape;
  const n = B.shape[1];
  if (B.shape[0] !== k) throw new Error('reference: matmul shapes');
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += A.data[i * k + t] * B.data[t * n + j];
      out[i * n + j] = s;
    }
  return { shape: [m, n], data: out };
}

export function transpose(a: Value, perm: readonly number[]): Value {
  const shape = perm.map((p) => a.shape[p]);
  const st = strides(a.shape);
  const out = new Float64Array(a.data.length);
  for (let q = 0; q < out.length; q++) {
    const idx = index(q, shape);
    let off = 0;
    perm.forEach((p, k) => {
      off += idx[k] * st[p];
    });
    out[q] = a.data[off];
  }
  return { shape, data: out };
}

export function reduce(a: Value, axes: readonly number[], keepDims: boolean, mean: boolean): Value {
  const shape = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(size(shape));
  const st = strides(shape);
  for (let q = 0; q < a.data.length; q++) {
    const idx = index(q, a.shape);
    let off = 0;
    idx.forEach((v, i) => {
      if (!axes.includes(i)) off += v * st[i];
    });
    out[off] += a.data[q];
  }
  const count = size(axes.map((i) => a.shape[i]));
  if (mean) for (let i = 0; i < out.length; i++) out[i] /= count;
  return { shape: keepDims ? shape : a.shape.filter((_, i) => !axes.includes(i)), data: out };
}

/** Applies `f` to every slice along `axis` (in place in a copy). */
function alongAxis(a: Value, axis: number, f: (xs: number[]) => number[]): Value {
  const out = Float64Array.from(a.data);
  const st = strides(a.shape);
  const len = a.shape[axis];
  for (let q = 0; q < a.data.length; q++) {
    const idx = index(q, a.shape);
    if (idx[axis] !== 0) continue;
    const offs = Array.from({ length: len }, (_, j) => q + j * st[axis]);
    const ys = f(offs.map((o) => a.data[o]));
    offs.forEach((o, j) => {
      out[o] = ys[j];
    });
  }
  return { shape: a.shape, data: out };
}

export function softmax(a: Value, axis: number, log: boolean): Value {
  return alongAxis(a, axis, (z) => {
    const m = Math.max(...z);
    const s = z.reduce((acc, v) => acc + Math.exp(v - m), 0);
    return z.map((v) => (log ? v - m - Math.log(s) : Math.exp(v - m) / s));
  });
}

export function crossEntropy(labels: Value, logits: Value, axis: number): Value {
  const both = broadcast([labels, logits], ([y]) => y);
  const z = broadcast([labels, logits], ([, l]) => l);
  const ls = softmax(z, axis, true);
  const prod = { shape: both.shape, data: both.data.map((y, i) => -y * ls.data[i]) };
  return reduce(prod, [axis], false, false);
}

/** The value of `t` given feeds (by placeholder name) and variable values (by name). */
export function referenceRun(
  t: Tensor,
  feeds: Readonly<Record<string, Value>>,
  variables: Readonly<Record<string, Value>>,
): Value {
  const memo = new Map<number, Value>();
  const go = (n: Tensor): Value => {
    const hit = memo.get(n.id);
    if (hit) return hit;
    const ins = n.inputs.map(go);
    const def = n.def;
    let v: Value;
    switch (def.kind) {
      case 'constant':
        v = { shape: [...def.value.shape], data: def.value.data };
        break;
      case 'variable':
        v = variables[n.name];
        break;
      case 'placeholder':
        v = feeds[n.name];
        break;
      case 'elementwise':
        v = broadcast(ins, (xs) => elementwise(def.template, xs));
        break;
      case 'matmul':
        v = matmul(ins[0], ins[1], def.transposeA, def.transposeB);
        break;
      case 'transpose':
        v = transpose(ins[0], def.perm);
        break;
      case 'reshape': {
        const total = ins[0].data.length;
        const known = def.shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        v = { shape: def.shape.map((d) => (d === -1 ? total / known : d)), data: ins[0].data };
        break;
      }
      case 'reduce':
        v = reduce(ins[0], def.axes, def.keepDims, def.op === 'mean');
        break;
      case 'softmax':
        v = softmax(ins[0], def.axis, def.log);
        break;
      case 'softmaxCrossEntropy':
        v = crossEntropy(ins[0], ins[1], def.axis);
        break;
      default:
        throw new Error(`reference: ${def.kind} is not evaluated here (use differences)`);
    }
    if (v === undefined) throw new Error(`reference: no value for ${n.name}`);
    memo.set(n.id, v);
    return v;
  };
  return go(t);
}

const templateEnv = new Map<number, Record<string, number>>();

function elementwise(template: Expr, xs: number[]): number {
  let env = templateEnv.get(xs.length);
  if (env === undefined) {
    env = {};
    templateEnv.set(xs.length, env);
  }
  xs.forEach((x, i) => {
    env[`#${i}`] = x;
  });
  return evaluate(template, env);
}

/** A seeded uniform generator for test data (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value of `shape` with entries uniform in [lo, hi). */
export function randomValue(shape: number[], next: () => number, lo = -1, hi = 1): Value {
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * next();
  return { shape, data };
}

/** |a − b| ≤ tol·max(1, |a|, |b|) elementwise; returns the worst scaled error. */
export function worstError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(a[i]), Math.abs(b[i]));
    const e = Math.abs(a[i] - b[i]) / scale;
    if (!(e <= worst)) worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  }
  return worst;
}

/** A fetched value as a (copied) Float64Array: a number becomes one element. */
export const asArray = (r: unknown): Float64Array =>
  typeof r === 'number' ? new Float64Array([r]) : Float64Array.from((r as TensorValue).data);

/** Every variable's current value in a session, as reference values by name. */
export function variableValues(sess: Session, g: Graph): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const v of g.variables()) {
    const r = sess.run(v);
    out[v.name] =
      typeof r === 'number'
        ? { shape: [], data: new Float64Array([r]) }
        : { shape: [...r.shape], data: Float64Array.from(r.data) };
  }
  return out;
}

/** Random feeds for every placeholder of `g`, open dimensions set to n. */
export function randomFeeds(
  g: Graph,
  n: number,
  seed: number,
  domain: [number, number] = [-1, 1],
): Record<string, Value> {
  const next = rng(seed);
  const feeds: Record<string, Value> = {};
  for (const p of g.placeholders()) {
    feeds[p.name] = randomValue(
      p.shape.map((d) => (d === null ? n : d)),
      next,
      ...domain,
    );
  }
  return feeds;
}
