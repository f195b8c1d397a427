/**
 * `fit`: the lecture's training loop — epochs over seeded, shuffled mini-batches — with a
 * progress bar on a terminal and plain log lines otherwise. The shuffle of epoch e depends
 * only on the seed and e, so restoring a checkpoint and continuing from `initialEpoch`
 * repeats an uninterrupted run bit for bit.
 */
import { InvalidArgumentError } from '../expr/index.js';
import { FeedError } from './errors.js';
import { type Feeds, type Fetch, type FetchResult, Operation, Tensor } from './graph.js';
import { Random } from './init.js';
import { formatShape, type TensorInput, toDense } from './shape.js';

/** What `fit` trains in: a `Session` (it runs the train op and the loss on each batch). */
export interface Trainer {
  /** Runs fetches on `feeds` (`fit` fetches the train op and the loss before the step). */
  run<const F extends readonly Fetch[]>(
    fetches: F,
    feeds?: Feeds,
  ): { -readonly [K in keyof F]: FetchResult<F[K]> };
  /** Train-op runs applied so far. */
  readonly globalStep: number;
}

/** What one epoch reports to `onEpochEnd` (and `fit` returns per epoch). */
export interface EpochLog {
  /** 0-based epoch index. */
  readonly epoch: number;
  /** Mean of the batch losses, weighted by batch size (the loss before each step). */
  readonly loss: number;
  /** The session's global step after the epoch. */
  readonly step: number;
  /** Wall time of the epoch. */
  readonly seconds: number;
}

/** Options of `fit`. */
export interface FitOptions {
  /**
   * The training data by placeholder name: the first axis indexes samples (equal counts
   * for every entry). Flat Float64Arrays are split by the placeholder's shape.
   */
  readonly data: Readonly<Record<string, TensorInput>>;
  /** Further feeds, the same for every batch (a learning rate, a flag). */
  readonly feeds?: Readonly<Record<string, TensorInput>>;
  /** Samples per batch (default 32; the last batch of an epoch may be smaller). */
  readonly batchSize?: number;
  /** Epochs to run (default 1). */
  readonly epochs?: number;
  /** Index of the first epoch (to continue after `restore`; default 0). */
  readonly initialEpoch?: number;
  /** Shuffle the samples each epoch (default true). */
  readonly shuffle?: boolean;
  /** Seed of the shuffle (default 0). */
  readonly seed?: number;
  /** The loss to report (default the train op's loss). */
  readonly loss?: Tensor;
  /** Called after each epoch; return `false` to stop early. */
  readonly onEpochEnd?: (log: EpochLog) => undefined | boolean;
  /**
   * `'auto'` (default): a progress bar when `stream` is a terminal, else one line per
   * epoch; `'bar'`, `'lines'`, or `'none'` for silence.
   */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
  /** Where progress goes (default `process.stdout`). */
  readonly stream?: { write(text: string): unknown; isTTY?: boolean };
}

/** The result of `fit`: one log per epoch run. */
export interface FitHistory {
  readonly epochs: readonly EpochLog[];
  /** The loss of each epoch, in order. */
  readonly loss: readonly number[];
}

interface Column {
  readonly name: string;
  readonly data: Float64Array;
  /** Values per sample. */
  readonly width: number;
  /** Batch buffer, and views for the full and the last (partial) batch. */
  readonly buffer: Float64Array;
  readonly last: Float64Array;
}

/**
 * Trains: runs `trainOp` over shuffled mini-batches for `epochs` epochs.
 *
 * @example
 * ```ts
 * const history = fit(sess, trainOp, {
 *   data: { x: xs, y: ys }, batchSize: 64, epochs: 200, seed: 1,
 * });
 * history.loss.at(-1); // the last epoch's mean loss
 * ```
 */
export function fit(session: Trainer, trainOp: Operation, options: FitOptions): FitHistory {
  if (!(trainOp instanceof Operation)) {
    throw new InvalidArgumentError(
      'fit: the second argument must be a train op (optimizer.minimize)',
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('fit: options with at least { data } are required');
  }
  const batchSize = options.batchSize ?? 32;
  const epochs = options.epochs ?? 1;
  const initialEpoch = options.initialEpoch ?? 0;
  for (const [k, v] of [
    ['batchSize', batchSize],
    ['epochs', epochs],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new InvalidArgumentError(`fit: ${k} must be a positive integer`);
  }
  if (!Number.isSafeInteger(initialEpoch) || initialEpoch < 0) {
    throw new InvalidArgumentError('fit: initialEpoch must be a non-negative integer');
  }
  const seed = options.seed ?? 0;
  const shuffle = options.shuffle ?? true;
  const loss = options.loss ?? trainOp.loss;
  if (!(loss instanceof Tensor)) throw new InvalidArgumentError('fit: loss must be a tensor');
  const graph = trainOp.graph;
  if (typeof options.data !== 'object' || options.data === null) {
    throw new InvalidArgumentError('fit: data must be an object of arrays by placeholder name');
  }
  // Split every data entry into samples.
  let count = -1;
  const columns: Column[] = [];
  for (const name of Object.keys(options.data)) {
    const p = graph.get(name);
    if (p === undefined || p.def.kind !== 'placeholder') {
      throw new FeedError(`fit: no placeholder named '${name}' in the graph`, name);
    }
    const dense = toDense(options.data[name], `fit data '${name}'`);
    const sampleShape = p.shape.slice(1);
    if (p.shape.length === 0 || p.shape[0] !== null || sampleShape.includes(null)) {
      throw new FeedError(
        `fit: placeholder '${name}' must have an open first dimension (the samples), has ${formatShape(p.shape)}`,
        name,
      );
    }
    const width = (sampleShape as number[]).reduce((a, b) => a * b, 1);
    let n: number;
    if (dense.shape.length === 1 && p.shape.length > 1) {
      if (width === 0 || dense.data.length % width !== 0) {
        throw new FeedError(
          `fit: ${dense.data.length} values for '${name}' do not split into samples of ${formatShape(sampleShape)}`,
          name,
        );
      }
      n = dense.data.length / width;
    } else {
      const ok =
        dense.shape.length === p.shape.length &&
        dense.shape.slice(1).every((d, i) => d === sampleShape[i]);
      if (!ok) {
        throw new FeedError(
          `fit: data for '${name}' has shape ${formatShape(dense.shape)}, expected ${formatShape(p.shape)}`,
          name,
        );
      }
      n = dense.shape[0];
    }
    if (count >= 0 && n !== count) {
      throw new FeedError(
        `fit: '${name}' has ${n} samples, '${columns[0].name}' has ${count}`,
        name,
      );
    }
    count = n;
    const buffer = new Float64Array(Math.min(batchSize, n) * width);
    const lastSize = n % batchSize;
    columns.push({
      name,
      data: dense.data,
      width,
      buffer,
      last: lastSize === 0 ? buffer : buffer.subarray(0, lastSize * width),
    });
  }
  if (count <= 0) throw new InvalidArgumentError('fit: no training samples');
  const feeds: Record<string, TensorInput> = { ...(options.feeds ?? {}) };
  const mode = progressMode(options);
  const stream = options.stream ?? globalThis.process?.stdout;
  const order = new Int32Array(count);
  const batches = Math.ceil(count / batchSize);
  const logs: EpochLog[] = [];
  const fetches = [trainOp, loss] as const;
  for (let e = initialEpoch; e < initialEpoch + epochs; e++) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) order[i] = i;
    if (shuffle) {
      const rng = new Random(`fit\u0000${seed}\u0000${e}`);
      for (let i = count - 1; i > 0; i--) {
        const j = rng.below(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    let total = 0;
    let lastDraw = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const size = Math.min(batchSize, count - start);
      for (const c of columns) {
        const view = size === batchSize || size === count ? c.buffer : c.last;
        const w = c.width;
        for (let i = 0; i < size; i++) {
          const src = order[start + i] * w;
          for (let k = 0; k < w; k++) view[i * w + k] = c.data[src + k];
        }
        feeds[c.name] = view;
      }
      const [, value] = session.run(fetches, feeds);
      total += (value as number) * size;
      if (mode === 'bar' && stream !== undefined) {
        const now = performance.now();
        if (now - lastDraw > 100 || b === batches - 1) {
          lastDraw = now;
          stream.write(
            `\r${bar(e, initialEpoch + epochs, b + 1, batches, total / (start + size))}`,
          );
        }
      }
    }
    const log: EpochLog = {
      epoch: e,
      loss: total / count,
      step: session.globalStep,
      seconds: (performance.now() - t0) / 1000,
    };
    logs.push(log);
    if (stream !== undefined) {
      if (mode === 'bar')
        stream.write(
          `\r${bar(e, initialEpoch + epochs, batches, batches, log.loss)} ${log.seconds.toFixed(2)} s\n`,
        );
      else if (mode === 'lines') {
        stream.write(
          `epoch ${e + 1}/${initialEpoch + epochs}: loss ${fmt(log.loss)} (${log.seconds.toFixed(2)} s)\n`,
        );
      }
    }
    if (options.onEpochEnd?.(log) === false) break;
  }
  return { epochs: logs, loss: logs.map((l) => l.loss) };
}

function progressMode(options: FitOptions): 'bar' | 'lines' | 'none' {
  const p = options.progress ?? 'auto';
  if (p === 'none' || p === 'bar' || p === 'lines') return p;
  if (p !== 'auto') throw new InvalidArgumentError(`fit: unknown progress mode '${String(p)}'`);
  const stream = options.stream ?? globalThis.process?.stdout;
  return stream?.isTTY === true ? 'bar' : 'lines';
}

const fmt = (x: number): string =>
  Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(5) : x.toExponential(4);

/** `epoch 3/20 [=========>          ] 45/100 loss 0.01234` */
function bar(epoch: number, epochs: number, done: number, total: number, loss: number): string {
  const width = 24;
  const filled = Math.round((width * done) / total);
  const arrow = filled < width ? '>' : '';
  const body = `${'='.repeat(Math.max(0, filled - arrow.length))}${arrow}`.padEnd(width, ' ');
  return `epoch ${epoch + 1}/${epochs} [${body}] ${done}/${total} loss ${fmt(loss)}`;
}
