/**
 * Per-node caches that outlive a run (a node's weight or keys never change), faster than a
 * WeakMap: V8's WeakMap costs several times a Map per fresh key (its ephemeron table), and
 * the simplifier asks about every node it meets. The cache holds its nodes strongly, so it
 * is bounded: at a safe point ({@link NodeCache.settle}, called before a walk starts,
 * never during one) a cache grown past `limit` entries is emptied. Values are pure
 * functions of the node: a dropped entry is recomputed, never different.
 */
import type { Expr, Memo } from '../expr/index.js';

export class NodeCache<V> implements Memo<Expr, V> {
  private map = new Map<Expr, V>();

  constructor(private readonly limit = 1 << 12) {}

  has(key: Expr): boolean {
    return this.map.has(key);
  }

  get(key: Expr): V | undefined {
    return this.map.get(key);
  }

  set(key: Expr, value: V): this {
    this.map.set(key, value);
    return this;
  }

  /** Empties the cache when it is full. Call only between walks. */
  settle(): this {
    if (this.map.size > this.limit) this.map = new Map();
    return this;
  }
}
