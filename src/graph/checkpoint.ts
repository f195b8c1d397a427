/**
 * Checkpoints: a session's variables, optimizer slots and global step as versioned JSON,
 * exact (every float64 round-trips bit for bit, −0 and non-finite values included) and
 * checksummed. Files are written atomically (temporary file, fsync, rename, fsync of the
 * directory) and parsed and validated completely before anything is assigned.
 */
import { CheckpointError } from './errors.js';

/** The `format` field of every checkpoint. */
export const CHECKPOINT_FORMAT = 'leibniz-checkpoint';
/** The version this Leibniz writes and reads. */
export const CHECKPOINT_VERSION = 1;

/** A stored number: a JSON number, or one of these strings for what JSON cannot hold. */
type StoredNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** One variable in a checkpoint. */
export interface CheckpointVariable {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

/** One optimizer's state in a checkpoint. */
export interface CheckpointOptimizer {
  readonly name: string;
  readonly type: string;
  /** Scalar state by name (Adam's `beta1Power`, `beta2Power`). */
  readonly scalars: ReadonlyMap<string, number>;
  /** Slots: variable name → slot name → values. */
  readonly slots: ReadonlyMap<string, ReadonlyMap<string, Float64Array>>;
}

/** The content of a checkpoint. */
export interface CheckpointData {
  readonly globalStep: number;
  readonly variables: readonly CheckpointVariable[];
  readonly optimizers: readonly CheckpointOptimizer[];
}

const encode = (x: number): StoredNumber => {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return x;
};

/**
 * The checkpoint text: one line per variable and slot, and a CRC-32 of the payload as
 * `JSON.stringify` writes it (whitespace outside the payload's values does not matter).
 */
export function serializeCheckpoint(data: CheckpointData): string {
  const payload = {
    globalStep: data.globalStep,
    variables: data.variables.map((v) => ({
      name: v.name,
      shape: [...v.shape],
      values: Array.from(v.values, encode),
    })),
    optimizers: data.optimizers.map((o) => ({
      name: o.name,
      type: o.type,
      scalars: Object.fromEntries([...o.scalars].map(([k, x]) => [k, encode(x)])),
      slots: [...o.slots].flatMap(([variable, byName]) =>
        [...byName].map(([slot, v]) => ({ variable, slot, values: Array.from(v, encode) })),
      ),
    })),
  };
  const checksum = crc32(JSON.stringify(payload));
  // The same JSON, laid out one record a line so a checkpoint stays readable and diffable.
  const optimizerLines = payload.optimizers.map((o) => {
    const head = JSON.stringify({ name: o.name, type: o.type, scalars: o.scalars });
    if (o.slots.length === 0) return ` ${head.slice(0, -1)}, "slots": []}`;
    const slots = o.slots.map((s) => `  ${JSON.stringify(s)}`).join(',\n');
    return ` ${head.slice(0, -1)}, "slots": [\n${slots}\n ]}`;
  });
  const lines = [
    '{',
    `"format": ${JSON.stringify(CHECKPOINT_FORMAT)},`,
    `"version": ${CHECKPOINT_VERSION},`,
    `"checksum": "crc32:${checksum}",`,
    '"payload": {',
    `"globalStep": ${payload.globalStep},`,
    '"variables": [',
    payload.variables.map((v) => ` ${JSON.stringify(v)}`).join(',\n'),
    '],',
    '"optimizers": [',
    optimizerLines.join(',\n'),
    ']',
    '}',
    '}',
    '',
  ];
  return lines.join('\n');
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Parses and checks a checkpoint's text: JSON, format, version, checksum and the shape of
 * every record. Throws `CheckpointError` (naming `source`) for anything wrong; returns data
 * that the caller still matches against its graph.
 */
export function parseCheckpoint(text: string, source: string): CheckpointData {
  const fail = (why: string): CheckpointError =>
    new CheckpointError(`checkpoint ${source}: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw fail(`not valid JSON (truncated or corrupt): ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw fail('not a checkpoint object');
  if (doc.format !== CHECKPOINT_FORMAT) {
    throw fail(`not a Leibniz checkpoint (format ${JSON.stringify(doc.format)})`);
  }
  if (doc.version !== CHECKPOINT_VERSION) {
    throw fail(
      `format version ${JSON.stringify(doc.version)} is not supported (this Leibniz reads version ${CHECKPOINT_VERSION})`,
    );
  }
  if (!isObject(doc.payload)) throw fail('no payload');
  const expected = typeof doc.checksum === 'string' ? doc.checksum : '';
  const actual = `crc32:${crc32(JSON.stringify(doc.payload))}`;
  if (expected !== actual)
    throw fail(`corrupt: checksum ${actual} does not match ${expected || 'none'}`);
  const p = doc.payload;
  const step = p.globalStep;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw fail('globalStep must be a non-negative integer');
  }
  const decodeAll = (xs: unknown, what: string): Float64Array => {
    if (!Array.isArray(xs)) throw fail(`${what}: values must be an array`);
    const out = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (typeof x === 'number') out[i] = x;
      else if (x === 'NaN') out[i] = Number.NaN;
      else if (x === 'Infinity') out[i] = Number.POSITIVE_INFINITY;
      else if (x === '-Infinity') out[i] = Number.NEGATIVE_INFINITY;
      else if (x === '-0') out[i] = -0;
      else throw fail(`${what}: value ${i} is not a number`);
    }
    return out;
  };
  if (!Array.isArray(p.variables)) throw fail('variables must be an array');
  const names = new Set<string>();
  const variables = p.variables.map((v: unknown, i: number): CheckpointVariable => {
    if (!isObject(v) || typeof v.name !== 'string') throw fail(`variable ${i} has no name`);
    if (names.has(v.name)) throw fail(`variable '${v.name}' appears twice`);
    names.add(v.name);
    const shape = v.shape;
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
    ) {
      throw fail(`variable '${v.name}': invalid shape`);
    }
    const vals = decodeAll(v.values, `variable '${v.name}'`);
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (vals.length !== size) {
      throw fail(`variable '${v.name}': ${vals.length} values for shape [${shape.join(', ')}]`);
    }
    return { name: v.name, shape: shape as number[], values: vals };
  });
  if (!Array.isArray(p.optimizers)) throw fail('optimizers must be an array');
  const optimizers = p.optimizers.map((o: unknown, i: number): CheckpointOptimizer => {
    if (!isObject(o) || typeof o.name !== 'string' || typeof o.type !== 'string') {
      throw fail(`optimizer ${i} has no name or type`);
    }
    const what = `optimizer '${o.name}'`;
    if (!isObject(o.scalars)) throw fail(`${what}: scalars must be an object`);
    const scalars = new Map<string, number>();
    for (const [k, x] of Object.entries(o.scalars))
      scalars.set(k, decodeAll([x], `${what} ${k}`)[0]);
    if (!Array.isArray(o.slots)) throw fail(`${what}: slots must be an array`);
    const slots = new Map<string, Map<string, Float64Array>>();
    for (const s of o.slots) {
      if (!isObject(s) || typeof s.variable !== 'string' || typeof s.slot !== 'string') {
        throw fail(`${what}: a slot has no variable or slot name`);
      }
      const byName = slots.get(s.variable) ?? new Map<string, Float64Array>();
      if (byName.has(s.slot)) throw fail(`${what}: slot ${s.variable}/${s.slot} appears twice`);
      byName.set(s.slot, decodeAll(s.values, `${what} slot ${s.variable}/${s.slot}`));
      slots.set(s.variable, byName);
    }
    return { name: o.name, type: o.type, scalars, slots };
  });
  return { globalStep: step, variables, optimizers };
}

/** Node's `fs`, or a clear error where there is none (a browser). */
function nodeFs(): typeof import('node:fs') {
  const fs = globalThis.process?.getBuiltinModule?.('node:fs');
  if (fs === undefined) {
    throw new CheckpointError(
      'checkpoint files need Node.js (node:fs); use session.checkpoint() / session.restoreFrom(text) elsewhere',
    );
  }
  return fs;
}

/** Writes `text` to `path` atomically: a temporary file beside it, fsync, rename, fsync dir. */
export function writeAtomic(path: string, text: string): void {
  if (typeof path !== 'string' || path.length === 0) {
    throw new CheckpointError('save: the path must be a non-empty string');
  }
  const fs = nodeFs();
  const pathMod = globalThis.process.getBuiltinModule('node:path');
  const dir = pathMod.dirname(pathMod.resolve(path));
  const tmp = pathMod.join(
    dir,
    `.${pathMod.basename(path)}.tmp-${globalThis.process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`,
  );
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // the temporary file may not exist
    }
    throw new CheckpointError(`cannot write checkpoint '${path}': ${(e as Error).message}`);
  }
  // Make the rename itself durable; not every platform can fsync a directory.
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // best effort
  }
}

/** Reads a checkpoint file's text (CheckpointError when it cannot be read). */
export function readCheckpointFile(path: string): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new CheckpointError('restore: the path must be a non-empty string');
  }
  const fs = nodeFs();
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new CheckpointError(`cannot read checkpoint '${path}': ${(e as Error).message}`);
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) of the UTF-16 code units' low and high bytes, as 8 hex digits. */
export function crc32(text: string): string {
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    c = CRC_TABLE[(c ^ u) & 0xff] ^ (c >>> 8);
    c = CRC_TABLE[(c ^ (u >>> 8)) & 0xff] ^ (c >>> 8);
  }
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
