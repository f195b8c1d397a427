/**
 * Loop rerolling: a sum of many terms of the same shape whose variables advance by a fixed
 * stride (Rosenbrock's Σ 100(x_{i+1} − x_i²)² + (1 − x_i)²) is compiled as a loop over one
 * template term instead of thousands of straight-line copies — the code a person writes,
 * kilobytes instead of megabytes, and no front-end stalls. Only exact structure is matched:
 * same operators, numbers and sharing, symbols at positions index = base + stride·j.
 */
import { addAll, type Expr, mul, num, postorder, ratToNumber, ratToString } from '../expr/index.js';

/** Fewest terms worth a loop. */
const MIN_GROUP = 8;
/** Largest template (distinct nodes of one term) rerolled. */
const MAX_TEMPLATE = 200;

/** Terms of one shape, as a loop: term j reads input `base[l] + stride[l]·j` for leaf l. */
export interface RerolledGroup {
  /** The first term; its symbols (`leaves`, in first-occurrence order) are the placeholders. */
  readonly template: Expr;
  readonly leaves: readonly Expr[];
  readonly count: number;
  readonly base: readonly number[];
  readonly stride: readonly number[];
}

/** A root sum split into loops and the straight-line rest: f = rest + scale·Σ loops. */
export interface RerolledSum {
  readonly rest: Expr;
  readonly scale: number;
  readonly groups: readonly RerolledGroup[];
}

/**
 * The shape of a term (its DAG with symbols numbered by first occurrence) and its symbols,
 * or undefined for terms not worth matching (too large, unknown functions).
 */
function shapeOf(term: Expr): { key: string; leaves: Expr[] } | undefined {
  const nodes = postorder(term);
  if (nodes.length > MAX_TEMPLATE) return undefined;
  const local = new Map<number, number>();
  const leaves: Expr[] = [];
  const parts: string[] = [];
  for (const n of nodes) {
    local.set(n.id, local.size);
    switch (n.op) {
      case 'num':
        parts.push(`n${ratToString(n.value!)}`);
        break;
      case 'const':
        parts.push(`k${n.name}`);
        break;
      case 'sym':
        parts.push(`s${leaves.length}`);
        leaves.push(n);
        break;
      case 'call':
        return undefined;
      default:
        parts.push(`${n.op}(${n.args.map((a) => local.get(a.id)).join(',')})`);
    }
  }
  return { key: parts.join(' '), leaves };
}

/**
 * Splits `root` (a sum, or a number times a sum) into loops over groups of same-shape terms
 * with affine symbol positions, and the rest. `position` gives a symbol's input index;
 * `sameKind(p, q)` says whether two positions may share a placeholder (for gradients: both
 * differentiated or both data). Undefined when nothing is worth rerolling.
 */
export function rerollSum(
  root: Expr,
  position: (s: Expr) => number,
  sameKind: (p: number, q: number) => boolean,
): RerolledSum | undefined {
  let scale = 1;
  let sum = root;
  let coefficient: Expr | undefined;
  if (
    root.op === 'mul' &&
    root.args.length === 2 &&
    root.args[0].op === 'num' &&
    root.args[1].op === 'add'
  ) {
    coefficient = root.args[0];
    sum = root.args[1];
    scale = ratToNumber(coefficient.value!);
  }
  if (sum.op !== 'add' || sum.args.length < MIN_GROUP) return undefined;
  const byShape = new Map<string, { term: Expr; leaves: Expr[] }[]>();
  for (const term of sum.args) {
    const shape = shapeOf(term);
    if (shape === undefined || shape.leaves.length === 0) continue;
    const list = byShape.get(shape.key);
    if (list) list.push({ term, leaves: shape.leaves });
    else byShape.set(shape.key, [{ term, leaves: shape.leaves }]);
  }
  const groups: RerolledGroup[] = [];
  const rerolled = new Set<number>();
  for (const members of byShape.values()) {
    if (members.length < MIN_GROUP) continue;
    const rows = members.map((m) => ({ m, p: m.leaves.map(position) }));
    rows.sort((a, b) => {
      for (let l = 0; l < a.p.length; l++) if (a.p[l] !== b.p[l]) return a.p[l] - b.p[l];
      return 0;
    });
    const base = rows[0].p;
    const stride = rows[1].p.map((v, l) => v - base[l]);
    const affine = rows.every((r, j) =>
      r.p.every((v, l) => v === base[l] + stride[l] * j && sameKind(v, base[l])),
    );
    if (!affine) continue;
    groups.push({
      template: rows[0].m.term,
      leaves: rows[0].m.leaves,
      count: rows.length,
      base,
      stride,
    });
    for (const r of rows) rerolled.add(r.m.term.id);
  }
  if (groups.length === 0) return undefined;
  const restTerms = sum.args.filter((t) => !rerolled.has(t.id));
  // The rest keeps the coefficient; the loops' sums are scaled when they are added.
  const restSum = restTerms.length === 0 ? num(0) : addAll(restTerms);
  const rest = coefficient === undefined ? restSum : mul(coefficient, restSum);
  return { rest, scale, groups };
}
