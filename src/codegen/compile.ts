/**
 * Turning generated source into functions: `new Function`, cached by source text so that
 * compiling the same program twice reuses the parsed factory (and V8's optimised code).
 * Each call of a factory makes fresh closures, so scratch buffers are never shared between
 * two compiled functions. Only text built by emit.ts ever reaches `new Function`.
 */
import { InvalidArgumentError } from '../expr/index.js';

/** The parameter names of every factory: the error class generated checks throw. */
export const FACTORY_PARAMS = ['E'] as const;

type Factory = (error: typeof InvalidArgumentError) => unknown;

/** Cached factories by source; the oldest entries go once the total source exceeds the cap. */
const cache = new Map<string, Factory>();
const MAX_CACHED_CHARS = 16 * 1024 * 1024;
const MAX_CACHED_ENTRIES = 512;
let cachedChars = 0;

/**
 * Instantiates a factory body (text from the code generator; it returns the function) and
 * returns what it returns. Argument checks inside generated code throw
 * `InvalidArgumentError`.
 */
export function instantiate(body: string): unknown {
  let factory = cache.get(body);
  if (factory === undefined) {
    factory = new Function(...FACTORY_PARAMS, body) as Factory;
    cache.set(body, factory);
    cachedChars += body.length;
    for (const [key] of cache) {
      if (cachedChars <= MAX_CACHED_CHARS && cache.size <= MAX_CACHED_ENTRIES) break;
      if (key === body) continue;
      cache.delete(key);
      cachedChars -= key.length;
    }
  } else {
    // Refresh: Map iteration order is insertion order, so this keeps the cache LRU.
    cache.delete(body);
    cache.set(body, factory);
  }
  return factory(InvalidArgumentError);
}
