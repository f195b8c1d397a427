/**
 * Seeded initialisers for variables. Each variable draws from its own stream, seeded from
 * the graph's seed, the initialiser's seed and the variable's name, so values are the same
 * bit for bit on every run and do not change when other variables are added.
 */
import { describe, InvalidArgumentError, optionsOf } from '../expr/index.js';
import { formatShape, sizeOf } from './shape.js';

/** How a variable gets its first value (see `initializers`). */
export type Initializer =
  | { readonly kind: 'constant'; readonly value: number }
  | {
      readonly kind: 'values';
      readonly value: { readonly shape: readonly number[]; readonly data: Float64Array };
    }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number; readonly seed?: number }
  | {
      readonly kind: 'normal';
      readonly mean: number;
      readonly stddev: number;
      readonly seed?: number;
    }
  | { readonly kind: 'glorotUniform'; readonly seed?: number };

const finite = (x: unknown, what: string): number => {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new InvalidArgumentError(`${what} must be a finite number, got ${describe(x)}`);
  }
  return x;
};

const seedOf = (seed: number | undefined, what: string): number | undefined => {
  if (seed === undefined) return undefined;
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError(`${what}: the seed must be a safe integer, got ${seed}`);
  }
  return seed;
};

/**
 * Initialisers for `graph.variable(name, shape, { init })`. Random ones are seeded: the
 * stream of a variable depends on the graph's `seed`, the initialiser's optional `seed` and
 * the variable's name — never on the order of creation or on the wall clock.
 *
 * @example
 * ```ts
 * const W = g.variable('W', [2, 16], { init: initializers.glorotUniform() });
 * const b = g.variable('b', [16], { init: initializers.zeros() });
 * const s = g.variable('s', [3], { init: initializers.normal({ stddev: 0.1, seed: 7 }) });
 * ```
 */
export const initializers = {
  /** Every element `value`. */
  constant: (value: number): Initializer => ({
    kind: 'constant',
    value: finite(value, 'initializers.constant'),
  }),
  /** Zeros. */
  zeros: (): Initializer => ({ kind: 'zeros' }),
  /** Ones. */
  ones: (): Initializer => ({ kind: 'ones' }),
  /** Uniform on [min, max) (defaults −0.05, 0.05, as TensorFlow's). */
  uniform: (options: { min?: number; max?: number; seed?: number } = {}): Initializer => {
    options = optionsOf(options, 'initializers.uniform');
    const min = finite(options.min ?? -0.05, 'initializers.uniform: min');
    const max = finite(options.max ?? 0.05, 'initializers.uniform: max');
    if (!(min <= max)) throw new InvalidArgumentError('initializers.uniform: needs min ≤ max');
    return { kind: 'uniform', min, max, seed: seedOf(options.seed, 'initializers.uniform') };
  },
  /** Normal with `mean` (default 0) and `stddev` (default 0.05, as TensorFlow's). */
  normal: (options: { mean?: number; stddev?: number; seed?: number } = {}): Initializer => {
    options = optionsOf(options, 'initializers.normal');
    const mean = finite(options.mean ?? 0, 'initializers.normal: mean');
    const stddev = finite(options.stddev ?? 0.05, 'initializers.normal: stddev');
    if (stddev < 0) throw new InvalidArgumentError('initializers.normal: stddev must be ≥ 0');
    return { kind: 'normal', mean, stddev, seed: seedOf(options.seed, 'initializers.normal') };
  },
  /**
   * Glorot (Xavier) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)); for a [in, out]
   * matrix fanIn = in, fanOut = out; for a vector both are its length; for a scalar 1.
   */
  glorotUniform: (options: { seed?: number } = {}): Initializer => ({
    kind: 'glorotUniform',
    seed: seedOf(
      optionsOf(options, 'initializers.glorotUniform').seed,
      'initializers.glorotUniform',
    ),
  }),
} as const;

/**
 * Checks an initialiser given as an object (they may be written by hand as well as made
 * by `initializers`): a known kind with valid fields.
 */
export function checkInitializer(init: Initializer, what: string): Initializer {
  const i = init as { kind: string } & Record<string, unknown>;
  const seed = (): void => {
    seedOf(i.seed as number | undefined, what);
  };
  switch (i.kind) {
    case 'zeros':
    case 'ones':
      return init;
    case 'constant':
      finite(i.value, `${what}: the constant`);
      return init;
    case 'values': {
      const v = i.value as { shape?: unknown; data?: unknown } | undefined;
      if (!(v?.data instanceof Float64Array) || !Array.isArray(v.shape)) {
        throw new InvalidArgumentError(`${what}: values need { shape, data: Float64Array }`);
      }
      return init;
    }
    case 'uniform':
      if (!(finite(i.min, `${what}: min`) <= finite(i.max, `${what}: max`))) {
        throw new InvalidArgumentError(`${what}: needs min ≤ max`);
      }
      seed();
      return init;
    case 'normal':
      finite(i.mean, `${what}: mean`);
      if (finite(i.stddev, `${what}: stddev`) < 0) {
        throw new InvalidArgumentError(`${what}: stddev must be ≥ 0`);
      }
      seed();
      return init;
    case 'glorotUniform':
      seed();
      return init;
    default:
      throw new InvalidArgumentError(`${what}: unknown initialiser kind ${JSON.stringify(i.kind)}`);
  }
}

/** Fan-in and fan-out as Keras and TensorFlow compute them. */
function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = sizeOf(shape.slice(0, -2));
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

/** The first value of a variable, as its initialiser prescribes (a fresh array). */
export function initialValue(
  init: Initializer,
  shape: readonly number[],
  name: string,
  graphSeed: number,
): Float64Array {
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'constant':
      return out.fill(init.value);
    case 'values':
      if (init.value.data.length !== n) {
        throw new InvalidArgumentError(
          `variable '${name}': the initial value has ${init.value.data.length} elements, shape ${formatShape(shape)} needs ${n}`,
        );
      }
      out.set(init.value.data);
      return out;
    case 'uniform': {
      const rng = new Random(streamSeed(graphSeed, init.seed, name));
      for (let i = 0; i < n; i++) out[i] = init.min + (init.max - init.min) * rng.uniform();
      return out;
    }
    case 'normal': {
      const rng = new Random(streamSeed(graphSeed, init.seed, name));
      for (let i = 0; i < n; i++) out[i] = init.mean + init.stddev * rng.normal();
      return out;
    }
    case 'glorotUniform': {
      const [fanIn, fanOut] = fans(shape);
      const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
      const rng = new Random(streamSeed(graphSeed, init.seed, name));
      for (let i = 0; i < n; i++) out[i] = limit * (2 * rng.uniform() - 1);
      return out;
    }
  }
}

/** The text a stream's seed is hashed from. */
const streamSeed = (graphSeed: number, opSeed: number | undefined, name: string): string =>
  `${graphSeed}\u0000${opSeed ?? ''}\u0000${name}`;

/**
 * A small, fast, seeded generator (xoshiro128**, state from four FNV-1a/murmur-mixed
 * hashes of the seed text). `uniform()` gives 53 random bits in [0, 1); `normal()` uses
 * Box–Muller. Deterministic across platforms: only integer arithmetic, `Math.log`,
 * `Math.sqrt` and `Math.cos`.
 *
 * @example
 * ```ts
 * const rng = new Random('my seed');
 * rng.uniform(); // the same number on every run
 * ```
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: string | number) {
    if (typeof seed !== 'string' && typeof seed !== 'number') {
      throw new InvalidArgumentError(
        `Random: the seed must be a string or a number, got ${describe(seed)}`,
      );
    }
    const text = String(seed);
    this.s0 = hash32(text, 0x9e3779b9);
    this.s1 = hash32(text, 0x85ebca6b);
    this.s2 = hash32(text, 0xc2b2ae35);
    this.s3 = hash32(text, 0x27d4eb2f);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller; one draw per call). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** FNV-1a over UTF-16 units, then murmur3's finaliser; `basis` picks one of several. */
function hash32(text: string, basis: number): number {
  let h = (0x811c9dc5 ^ basis) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
