/**
 * Shapes and tensor values: shapes with open (`null`) dimensions, NumPy broadcasting with
 * build-time errors that name both shapes, and the conversion of user input (numbers,
 * nested arrays, Float64Arrays, `TensorValue`s) into row-major float64 data.
 */
import { describe, InvalidArgumentError } from '../expr/index.js';
import { ShapeError } from './errors.js';

/** A shape: one entry per axis, `null` for a dimension known only when fed. */
export type Shape = readonly (number | null)[];

/** Nested arrays of numbers (rectangular), as a tensor literal. */
export type NestedArray = number | readonly NestedArray[];

/**
 * What a constant, a feed or an initial value may be: a number (0-d), nested arrays, a
 * `Float64Array` (flat, row-major; its shape taken from the context), or a tensor value —
 * a `TensorValue` or any `{ shape, data }` object.
 */
export type TensorInput =
  | number
  | readonly NestedArray[]
  | Float64Array
  | TensorValue
  | { readonly shape: readonly number[]; readonly data: ArrayLike<number> };

/** `[null, 3]` */
export const formatShape = (shape: Shape): string =>
  `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;

/** Number of elements of a fully known shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a fully known shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** True when every dimension is known. */
export const isFullyKnown = (shape: Shape): shape is readonly number[] =>
  shape.every((d) => d !== null);

/** Checks and copies a user-given shape: non-negative integers or `null`. */
export function checkShape(shape: unknown, what: string, allowNull = true): (number | null)[] {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${what}: the shape must be an array such as [] or [null, 3]`);
  }
  return shape.map((d) => {
    if (d === null && allowNull) return null;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${what}: invalid dimension ${String(d)} in the shape (non-negative integers${allowNull ? ' or null' : ''})`,
      );
    }
    return d;
  });
}

/**
 * The broadcast shape of several operands (NumPy rules, aligned from the right): equal
 * dimensions, or 1 against anything. An open dimension meets 1 or another open one as
 * open, and a known n > 1 as n (checked again when fed).
 */
export function broadcastShapes(op: string, shapes: readonly Shape[]): (number | null)[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: (number | null)[] = [];
  for (let k = 0; k < rank; k++) {
    let dim: number | null = 1;
    for (const s of shapes) {
      const i = s.length - rank + k;
      if (i < 0) continue;
      const d = s[i];
      if (d === 1) continue;
      if (d === null) {
        if (dim === 1) dim = null;
        continue;
      }
      if (dim === 1 || dim === null || dim === d) dim = d;
      else {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(formatShape).join(' and ')} do not broadcast (dimension ${dim} against ${d})`,
        );
      }
    }
    out.push(dim);
  }
  return out;
}

/**
 * A tensor's value: its shape and its elements in row-major order (float64). What `run`
 * returns for a tensor of rank ≥ 1.
 *
 * @example
 * ```ts
 * const v = new TensorValue([2, 2], new Float64Array([1, 2, 3, 4]));
 * v.get(1, 0);  // 3
 * v.toArray();  // [[1, 2], [3, 4]]
 * ```
 */
export class TensorValue {
  readonly shape: readonly number[];
  readonly data: Float64Array;

  constructor(shape: readonly number[], data: Float64Array) {
    const s = checkShape(shape, 'TensorValue', false) as number[];
    if (!(data instanceof Float64Array)) {
      throw new InvalidArgumentError('TensorValue: data must be a Float64Array');
    }
    if (data.length !== sizeOf(s)) {
      throw new ShapeError(
        `TensorValue: shape ${formatShape(s)} needs ${sizeOf(s)} values, got ${data.length}`,
      );
    }
    this.shape = Object.freeze(s);
    this.data = data;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The element at a multi-index (one integer per axis). */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new InvalidArgumentError(
        `TensorValue.get: expected ${this.shape.length} indices for shape ${formatShape(this.shape)}, got ${index.length}`,
      );
    }
    let offset = 0;
    for (let k = 0; k < index.length; k++) {
      const i = index[k];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[k]) {
        throw new InvalidArgumentError(
          `TensorValue.get: index ${i} out of range for axis ${k} of shape ${formatShape(this.shape)}`,
        );
      }
      offset = offset * this.shape[k] + i;
    }
    return this.data[offset];
  }

  /** The elements as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    return nest(this.shape, this.data);
  }

  /** `TensorValue(shape=[2], [1, 2])` */
  toString(): string {
    return `TensorValue(shape=${formatShape(this.shape)}, ${JSON.stringify(this.toArray())})`;
  }
}

/** Row-major data as nested arrays, built level by level (no recursion). */
export function nest(shape: readonly number[], data: ArrayLike<number>): NestedArray {
  if (shape.length === 0) return data[0];
  let level: NestedArray[] = Array.from(data);
  for (let axis = shape.length - 1; axis >= 1; axis--) {
    const d = shape[axis];
    const next: NestedArray[] = [];
    for (let i = 0; i < level.length; i += d) next.push(level.slice(i, i + d));
    level = next;
  }
  return level;
}

/** A value with its shape (shape fully known). */
export interface Dense {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/**
 * Converts user input to row-major data and a shape. Flat arrays (Float64Array, or a
 * plain array of numbers when `flat` is set) come back as 1-d; callers that know the
 * expected shape reshape them. Nested arrays must be rectangular and hold finite or
 * non-finite numbers only; the depth is walked iteratively.
 */
export function toDense(input: unknown, what: string): Dense {
  if (typeof input === 'number') return { shape: [], data: new Float64Array([input]) };
  if (input instanceof TensorValue) return { shape: input.shape, data: input.data };
  if (isShaped(input)) {
    const shape = checkShape(input.shape, what, false) as number[];
    const data = input.data instanceof Float64Array ? input.data : toDense(input.data, what).data;
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(
        `${what}: shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${data.length}`,
      );
    }
    return { shape, data };
  }
  if (input instanceof Float64Array) return { shape: [input.length], data: input };
  if (ArrayBuffer.isView(input) && !(input instanceof DataView)) {
    const a = input as unknown as ArrayLike<number | bigint>;
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
    return { shape: [a.length], data: out };
  }
  if (!Array.isArray(input)) {
    throw new InvalidArgumentError(
      `${what}: expected a number, nested arrays of numbers, a Float64Array or a TensorValue, got ${describe(input)}`,
    );
  }
  // The shape from the first element at each depth, then a check that every element fits.
  const shape: number[] = [];
  let probe: unknown = input;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const size = sizeOf(shape);
  const data = new Float64Array(size);
  let k = 0;
  const stack: Array<{ items: readonly unknown[]; depth: number; next: number }> = [
    { items: input, depth: 0, next: 0 },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === 0 && top.items.length !== shape[top.depth]) {
      throw new ShapeError(
        `${what}: ragged nested arrays: ${top.items.length} entries at depth ${top.depth} where ${shape[top.depth]} were expected`,
      );
    }
    if (top.next >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.next++];
    if (top.depth + 1 < shape.length) {
      if (!Array.isArray(item)) {
        throw new ShapeError(
          `${what}: ragged nested arrays: ${describe(item)} at depth ${top.depth + 1} where an array was expected`,
        );
      }
      stack.push({ items: item, depth: top.depth + 1, next: 0 });
    } else {
      if (typeof item !== 'number') {
        throw new InvalidArgumentError(`${what}: expected numbers, found ${describe(item)}`);
      }
      data[k++] = item;
    }
  }
  return { shape, data };
}

/** A plain `{ shape, data }` object (what `TensorValue` is, structurally). */
function isShaped(x: unknown): x is { shape: unknown; data: unknown } {
  return (
    typeof x === 'object' &&
    x !== null &&
    !Array.isArray(x) &&
    Array.isArray((x as { shape?: unknown }).shape) &&
    'data' in x
  );
}

/**
 * Fits `dense` to `expected` (which may have open dimensions): equal ranks with equal known
 * dimensions; a flat (1-d) input is reshaped row-major when its length fits (exactly one
 * way). Returns the concrete shape, or undefined when it does not fit.
 */
export function fitShape(dense: Dense, expected: Shape): number[] | undefined {
  const { shape } = dense;
  if (
    shape.length === expected.length &&
    shape.every((d, k) => expected[k] === null || expected[k] === d)
  ) {
    return [...shape];
  }
  if (shape.length !== 1 || expected.length === 1) return undefined;
  const n = dense.data.length;
  const open = expected.filter((d) => d === null).length;
  const known = sizeOf(expected.filter((d): d is number => d !== null));
  if (open === 0) return known === n ? (expected as number[]).slice() : undefined;
  if (open > 1 || known === 0 || n % known !== 0) return undefined;
  return expected.map((d) => (d === null ? n / known : d));
}
