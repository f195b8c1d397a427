/**
 * Per-node caches that outlive a run (a node's weight or keys never change), faster than a
 * WeakMap: V8's WeakMap costs several times a Map per fresh key (its ephemeron table), and
 * the simplifier asks about every node it meets. Entries live in two generations; when the
 * young one has grown past `limit` at a safe point ({@link NodeCache.settle}, called before
 * a walk starts, never during one), it becomes the old one and the previous old one is
 * dropped. So a cache keeps at most about 2·limit nodes alive (plus one walk's worth), and
 * an entry read again moves back to the young generation. Values are pure functions of the
 * node: a dropped entry is recomputed, never different.
 */
import type { Expr, Memo } from '../expr/index.js';

export class NodeCache<V> implements Memo<Expr, V> {
  private young = new Map<Expr, V>();
  private old = new Map<Expr, V>();

  constructor(private readonly limit = 1 << 15) {}

  has(key: Expr): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  get(key: Expr): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined || this.old.size === 0) return v;
    const w = this.old.get(key);
    if (w !== undefined) this.young.set(key, w);
    return w;
  }

  set(key: Expr, value: V): this {
    this.young.set(key, value);
    return this;
  }

  /** Ages the generations when the young one is full. Call only between walks. */
  settle(): this {
    if (this.young.size > this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
    return this;
  }
}
