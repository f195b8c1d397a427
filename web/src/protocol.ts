/** Messages between the page and the compute worker. */
import type { ComputeRequest, ComputeResult, Engine } from './compute.js';

/** Page → worker: compute this; `id` orders replies. */
export interface WorkRequest {
  readonly id: number;
  readonly request: ComputeRequest;
}

/** Worker → page: the engine it found (sent once, on start), or a result. */
export type WorkReply =
  | { readonly kind: 'ready'; readonly engine: Engine }
  | { readonly kind: 'result'; readonly id: number; readonly result: ComputeResult };

/**
 * Whether generated code can run here. A Content-Security-Policy without 'unsafe-eval'
 * forbids `new Function`; the check runs once, so the browser reports the refusal once.
 */
export function detectEngine(): Engine {
  try {
    return new Function('return 1')() === 1 ? 'compiled' : 'interpreted';
  } catch {
    return 'interpreted';
  }
}

/** The buffers of a result, to transfer instead of copying. */
export function transferables(result: ComputeResult): ArrayBuffer[] {
  if (!result.ok || !result.plot.ok) return [];
  const { t, values, cuts } = result.plot.samples;
  return [t, ...values, ...cuts].map((a) => a.buffer as ArrayBuffer);
}
