/**
 * Scheduling: the order in which a program computes its values. A topological order of the
 * shared DAG (children first, each node once) is common-subexpression elimination for free;
 * batch kernels split it into a loop-invariant prologue and the per-point loop body; large
 * programs are cut into chunks that V8 still optimises. Iterative throughout.
 */
import { postorder } from '../expr/index.js';
import type { IrNode } from './ir.js';

/**
 * The nodes reachable from `outputs` that need a statement (everything but literals and
 * positional inputs), children before parents, in a deterministic order: a depth-first
 * walk over the outputs in order, arguments left to right.
 */
export function topologicalOrder(
  outputs: readonly IrNode[],
  isAtom: (n: IrNode) => boolean,
): IrNode[] {
  return postorder(outputs).filter((n) => !isAtom(n));
}

/**
 * Splits a schedule into the loop-invariant part (no data input below it: hoisted out of a
 * batch loop) and the per-point part, each keeping the topological order.
 */
export function splitInvariant(order: readonly IrNode[]): {
  invariant: IrNode[];
  varying: IrNode[];
} {
  const invariant: IrNode[] = [];
  const varying: IrNode[] = [];
  for (const n of order) (n.varying ? varying : invariant).push(n);
  return { invariant, varying };
}

/**
 * Cost of a statement for chunking: roughly its bytecode, one unit per operand and one for
 * the result. V8 stops optimising functions over ~60 KB of bytecode.
 */
export const statementWeight = (n: IrNode): number => 2 + n.args.length;

/**
 * Cuts a schedule into consecutive chunks of at most `budget` total weight (a statement
 * heavier than the budget gets a chunk of its own). One chunk means no splitting.
 */
export function chunk(order: readonly IrNode[], budget: number): IrNode[][] {
  const chunks: IrNode[][] = [];
  let current: IrNode[] = [];
  let weight = 0;
  for (const n of order) {
    const w = statementWeight(n);
    if (current.length > 0 && weight + w > budget) {
      chunks.push(current);
      current = [];
      weight = 0;
    }
    current.push(n);
    weight += w;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}
