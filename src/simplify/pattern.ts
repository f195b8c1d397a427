/**
 * Patterns: expressions with `?name` wildcards, compiled from Leibniz syntax, and a matcher
 * that works modulo the associativity and commutativity of `+` and `*`. Invariant: matching
 * enumerates subject arguments in canonical order and pattern parts in a fixed order, so
 * the first match (and thus every rewrite) is deterministic. Recursion is bounded by the
 * pattern's depth and arity (patterns are small; subjects are never walked beyond them).
 */
import {
  add,
  compareExprs,
  type Expr,
  InvalidArgumentError,
  identityOf,
  isInteger,
  isOne,
  isZero,
  mul,
  num,
  type Op,
  parse,
  postorder,
  pow,
  type Rational,
  ratInv,
  ratMul,
  rebuild,
  ZERO,
} from '../expr/index.js';
import { NodeCache } from './memo.js';

/** A compiled pattern. */
export type Pattern =
  /** A subexpression without wildcards: matches exactly that (interned) node. */
  | { readonly kind: 'lit'; readonly expr: Expr }
  /** A wildcard: matches any node; a second occurrence must match the same node. */
  | { readonly kind: 'var'; readonly name: string }
  /** Any other operator (`pow`, a known or unknown function) with argument patterns. */
  | {
      readonly kind: 'node';
      readonly op: Op;
      readonly name: string | undefined;
      readonly partials: readonly number[] | undefined;
      readonly args: readonly Pattern[];
    }
  /**
   * A sum or product: `number` is its numeric literal (a coefficient or constant term),
   * `parts` match distinct arguments of the subject, and `rest` (at most one bare wildcard)
   * absorbs the arguments no part took (the identity when none is left).
   */
  | {
      readonly kind: 'ac';
      readonly op: 'add' | 'mul';
      readonly number: Rational | undefined;
      readonly parts: readonly Pattern[];
      readonly rest: string | undefined;
      /** Each part as written (for instantiating it once its wildcards are bound). */
      readonly sources: readonly Expr[];
      /** Each part's wildcard names. */
      readonly vars: readonly (readonly string[])[];
      /** Head keys each part needs on a subject argument or one of its factors (a quick reject). */
      readonly needs: readonly (readonly string[])[];
    };

/**
 * Wildcard bindings by name (without the `?`).
 *
 * @example
 * ```ts
 * rule('show', 'f(?x)', (b: Bindings) => b.x); // f(y + 1) → y + 1
 * ```
 */
export type Bindings = Readonly<Record<string, Expr>>;

const WILDCARD = /\?([A-Za-z_][A-Za-z0-9_]*)/g;
const MAX_PATTERN_DEPTH = 64;

/** The wildcard named by a symbol name (`?x` or `?x#3`), or undefined for a plain symbol. */
export function wildcardOf(name: string | undefined): string | undefined {
  if (name === undefined || !name.startsWith('?')) return undefined;
  const hash = name.indexOf('#');
  return hash < 0 ? name.slice(1) : name.slice(1, hash);
}

/**
 * Parses a pattern written in Leibniz syntax with `?name` wildcards. Each occurrence of a
 * wildcard becomes its own symbol (`?x#1`, `?x#2`) so that the canonical builders cannot
 * merge them (`?x^?a * ?x^?b` would otherwise become `?x^(?a+?b)`); the compiler maps them
 * back to one name, which makes repeated wildcards non-linear constraints.
 */
export function parsePatternText(text: string): Expr {
  let k = 0;
  return parse(text.replace(WILDCARD, (_, name: string) => `\`?${name}#${++k}\``));
}

/** Parses a template: wildcards become the symbols `?name` (merging them is harmless). */
export function parseTemplateText(text: string): Expr {
  return parse(text.replace(WILDCARD, (_, name: string) => `\`?${name}\``));
}

/** The wildcard names occurring in an expression (pattern or template). */
export function wildcardsIn(e: Expr): Set<string> {
  const out = new Set<string>();
  const stack = [e];
  const seen = new Set<Expr>();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.op === 'sym') {
      const w = wildcardOf(n.name);
      if (w !== undefined) out.add(w);
    }
    for (const a of n.args) stack.push(a);
  }
  return out;
}

/** Compiles a parsed pattern. Throws InvalidArgumentError for unsupported shapes. */
export function compilePattern(e: Expr): Pattern {
  return compile(e, 0);
}

function compile(e: Expr, depth: number): Pattern {
  if (depth > MAX_PATTERN_DEPTH) throw new InvalidArgumentError('pattern nested too deeply');
  if (wildcardsIn(e).size === 0) return { kind: 'lit', expr: e };
  if (e.op === 'sym') return { kind: 'var', name: wildcardOf(e.name)! };
  if (e.op === 'add' || e.op === 'mul') {
    let number: Rational | undefined;
    let rest: string | undefined;
    const parts: { pattern: Pattern; source: Expr }[] = [];
    for (const a of e.args) {
      if (a.op === 'num') number = a.value;
      else if (a.op === 'sym' && wildcardOf(a.name) !== undefined) {
        if (rest !== undefined) {
          throw new InvalidArgumentError(
            `a ${e.op === 'add' ? 'sum' : 'product'} pattern may hold at most one bare wildcard (?${rest}, ?${wildcardOf(a.name)})`,
          );
        }
        rest = wildcardOf(a.name);
      } else parts.push({ pattern: compile(a, depth + 1), source: a });
    }
    // Most selective parts first: fewer candidates to backtrack over.
    parts.sort(
      (x, y) => specificity(x.pattern) - specificity(y.pattern) || compareExprs(x.source, y.source),
    );
    return {
      kind: 'ac',
      op: e.op,
      number,
      parts: parts.map((p) => p.pattern),
      rest,
      sources: parts.map((p) => p.source),
      vars: parts.map((p) => [...wildcardsIn(p.source)]),
      needs: parts.map((p) => partNeeds(p.pattern)),
    };
  }
  return {
    kind: 'node',
    op: e.op,
    name: e.name,
    partials: e.partials,
    args: e.args.map((a) => compile(a, depth + 1)),
  };
}

const specificity = (p: Pattern): number =>
  p.kind === 'lit' ? 0 : p.kind === 'node' ? 1 : p.kind === 'ac' ? 2 : 3;

const headKey = (op: Op, name: string | undefined): string => (op === 'call' ? `call:${name}` : op);

/** Head keys a subject argument offers (its operator; for powers also the base's). */
function argKeys(a: Expr): string[] {
  if (a.op !== 'pow') return [headKey(a.op, a.name)];
  const bk = headKey(a.args[0].op, a.args[0].name);
  return ['pow', `^${bk}`, bk];
}

/** The head of a pattern when it is a known or unknown function (undefined otherwise). */
function functionHead(p: Pattern): string | undefined {
  const op = p.kind === 'node' ? p.op : p.kind === 'lit' ? p.expr.op : undefined;
  if (op === undefined || ['num', 'sym', 'const', 'add', 'mul', 'pow'].includes(op))
    return undefined;
  return headKey(op, p.kind === 'node' ? p.name : p.kind === 'lit' ? p.expr.name : undefined);
}

/** The head key a pattern part requires of some subject argument, if it has a fixed head. */
export function requiredKey(p: Pattern): string | undefined {
  const isPow = (p.kind === 'node' && p.op === 'pow') || (p.kind === 'lit' && p.expr.op === 'pow');
  if (!isPow) return functionHead(p);
  const base: Pattern =
    p.kind === 'node' ? p.args[0] : { kind: 'lit', expr: (p as { expr: Expr }).expr.args[0] };
  const head = functionHead(base);
  return head === undefined ? 'pow' : `^${head}`;
}

/** Keys a part needs on its subject argument (or, for a nested product, on one of its factors). */
function partNeeds(p: Pattern): string[] {
  const k = requiredKey(p);
  if (k !== undefined) return [k];
  if (p.kind !== 'ac' || p.op !== 'mul') return [];
  return p.parts.map(requiredKey).filter((x): x is string => x !== undefined);
}

const ARG_KEYS = new NodeCache<ReadonlySet<string>>();

/** The keys of an argument and, when it is a product, of its factors (cached per node). */
function deepArgKeys(a: Expr): ReadonlySet<string> {
  let keys = ARG_KEYS.get(a);
  if (keys === undefined) {
    const set = new Set(argKeys(a));
    if (a.op === 'mul') for (const f of a.args) for (const k of argKeys(f)) set.add(k);
    keys = set;
    ARG_KEYS.settle().set(a, keys);
  }
  return keys;
}

/** Head keys a top-level sum/product pattern needs: of its parts, and of its nested products' parts. */
export interface RequiredKeys {
  /** Keys some argument of the subject must offer. */
  readonly direct: readonly string[];
  /** Keys some argument, or some factor of a product argument, must offer. */
  readonly nested: readonly string[];
}

/** The keys a top-level AC pattern requires (a cheap, sound filter before matching). */
export function requiredKeys(p: Extract<Pattern, { kind: 'ac' }>): RequiredKeys {
  const direct: string[] = [];
  const nested: string[] = [];
  for (const part of p.parts) {
    const k = requiredKey(part);
    if (k !== undefined) direct.push(k);
    else if (part.kind === 'ac' && part.op === 'mul') {
      for (const q of part.parts) {
        const kq = requiredKey(q);
        if (kq !== undefined) nested.push(kq);
      }
    }
  }
  return { direct, nested };
}

/** True when argument `a` offers key `k` (as argKeys would list it), without allocating. */
function offers(a: Expr, k: string): boolean {
  if (a.op !== 'pow') return headKey(a.op, a.name) === k;
  if (k === 'pow') return true;
  const b = a.args[0];
  const bk = headKey(b.op, b.name);
  return k === bk || (k.charCodeAt(0) === 94 /* ^ */ && k.slice(1) === bk);
}

/**
 * True when the subject could host every keyed part of the top-level AC pattern: a scan of
 * its few arguments per required key (no allocation: this runs for every rule at every node).
 */
export function mayMatchAC(keys: RequiredKeys, s: Expr): boolean {
  // Each part takes its own argument, so a key needed twice needs two arguments offering
  // it (an integer power counts as many times as its exponent: a part may take some of it).
  for (let i = 0; i < keys.direct.length; i++) {
    const k = keys.direct[i];
    let needed = 0;
    for (let j = 0; j <= i; j++) if (keys.direct[j] === k) needed++;
    let offered = 0;
    for (const a of s.args) {
      if (!offers(a, k)) continue;
      offered += a.op === 'pow' && a.args[1].op === 'num' ? multiplicity(a.args[1]) : 1;
      if (offered >= needed) break;
    }
    if (offered < needed) return false;
  }
  for (const k of keys.nested) {
    const found = s.args.some(
      (a) => offers(a, k) || (a.op === 'mul' && a.args.some((f) => offers(f, k))),
    );
    if (!found) return false;
  }
  return true;
}

/**
 * {@link mayMatchAC} for a subject argument under a fixed-shape pattern (the `u` of
 * `exp(?k*log(?u))`): a sum or product of the pattern's operator is scanned as usual, any
 * other node stands for a sum or product of one argument.
 */
export function mayMatchACArgument(keys: RequiredKeys, op: Op, s: Expr): boolean {
  if (s.op === op) return mayMatchAC(keys, s);
  for (const k of keys.direct) if (!offers(s, k)) return false;
  for (const k of keys.nested)
    if (!offers(s, k) && !(s.op === 'mul' && s.args.some((f) => offers(f, k)))) return false;
  return true;
}

/** How many parts an argument with this exponent may serve: |n| for an integer n, else 1. */
function multiplicity(e: Expr): number {
  const v = e.value!;
  if (v.den !== 1n) return 1;
  const n = v.num < 0n ? -v.num : v.num;
  return n > 64n ? 64 : Number(n);
}

/** A mutable binding environment with an undo trail. */
export class Env {
  private readonly names: string[] = [];
  private readonly values: Expr[] = [];
  /** Counts match steps; the matcher stops when it reaches `limit`. */
  steps = 0;
  constructor(readonly limit: number) {}

  get(name: string): Expr | undefined {
    for (let i = this.names.length - 1; i >= 0; i--)
      if (this.names[i] === name) return this.values[i];
    return undefined;
  }

  /** Binds `name` (or checks an existing binding is the same node). */
  bind(name: string, value: Expr): boolean {
    const old = this.get(name);
    if (old !== undefined) return old === value;
    this.names.push(name);
    this.values.push(value);
    return true;
  }

  mark(): number {
    return this.names.length;
  }

  undo(mark: number): void {
    this.names.length = mark;
    this.values.length = mark;
  }

  snapshot(): Record<string, Expr> {
    const out: Record<string, Expr> = {};
    this.names.forEach((n, i) => {
      out[n] = this.values[i];
    });
    return out;
  }

  exhausted(): boolean {
    return ++this.steps > this.limit;
  }
}

/** The leftover arguments of a top-level sum or product match, to put back around the result. */
export interface Leftover {
  readonly args: readonly Expr[];
  readonly number: Rational;
}

type Done = () => boolean;

/**
 * Matches `p` against `s`, calling `k` on each match until it returns true. Returns true
 * when `k` accepted a match (bindings then stay in `env`); otherwise `env` is restored.
 */
export function match(p: Pattern, s: Expr, env: Env, k: Done): boolean {
  if (env.exhausted()) return false;
  switch (p.kind) {
    case 'lit':
      return s === p.expr && k();
    case 'var': {
      const m = env.mark();
      if (env.bind(p.name, s) && k()) return true;
      env.undo(m);
      return false;
    }
    case 'node': {
      if (s.op !== p.op || s.args.length !== p.args.length) return false;
      if (p.op === 'call' && (s.name !== p.name || !samePartials(s.partials, p.partials)))
        return false;
      return matchArgs(p.args, s.args, 0, env, k);
    }
    case 'ac':
      return matchAC(p, s, env, false, () => k());
  }
}

function samePartials(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function matchArgs(
  ps: readonly Pattern[],
  ss: readonly Expr[],
  i: number,
  env: Env,
  k: Done,
): boolean {
  if (i === ps.length) return k();
  return match(ps[i], ss[i], env, () => matchArgs(ps, ss, i + 1, env, k));
}

/** Builds `op(args…, number)` through the canonical builders. */
export function combineAC(op: 'add' | 'mul', args: readonly Expr[], number: Rational): Expr {
  if (op === 'add') return isZero(number) ? add(...args) : add(...args, num(number));
  return isOne(number) ? mul(...args) : mul(num(number), ...args);
}

/**
 * Matches a sum/product pattern against a node. Nested (`top` false), every subject argument
 * must be taken by a part or the rest wildcard; at the top, leftovers go to `k` to be put back.
 */
export function matchAC(
  p: Extract<Pattern, { kind: 'ac' }>,
  s: Expr,
  env: Env,
  top: boolean,
  k: (left: Leftover) => boolean,
): boolean {
  const op = p.op;
  if (s.op === op) {
    const lead = s.args[0].op === 'num';
    return matchACList(
      p,
      lead ? s.args.slice(1) : s.args,
      lead ? s.args[0].value! : identityOf(op),
      env,
      top,
      k,
    );
  }
  if (top) return false;
  if (s.op === 'num') return matchACList(p, [], s.value!, env, top, k);
  // A lone term is a sum/product of one argument: `?a*sin(?u)^2` matches `sin(x)^2`, a = 1.
  return matchACList(p, [s], identityOf(op), env, top, k);
}

/** From this many terms on, sum parts whose wildcards are all bound are looked up, not scanned. */
const LOOKUP_FROM = 8;

/**
 * State shared by successive top-level matches in one sum, so that rewriting all disjoint
 * matches costs one pass, not one pass (and one leftover list) per match.
 */
export interface Batch {
  /** Arguments taken by earlier matches (and, during a match, by this one). */
  readonly consumed: boolean[];
  /** Lookup from argument to index, built once. */
  index?: Map<Expr, number>;
  /**
   * Where the first part's scan resumes: a first-part candidate that found no partners
   * will not find them later, when even more arguments are consumed.
   */
  cursor?: number;
}

/**
 * {@link matchAC} on an argument list: the non-numeric arguments and the numeric one. With
 * `batch` (top-level sums only), arguments a successful match takes stay marked in
 * `batch.consumed` and `k` gets no leftover arguments: the caller collects them at the end.
 */
export function matchACList(
  p: Extract<Pattern, { kind: 'ac' }>,
  sArgs: readonly Expr[],
  sNum: Rational,
  env: Env,
  top: boolean,
  k: (left: Leftover) => boolean,
  batch?: Batch,
): boolean {
  const op = p.op;
  let restNum = sNum;
  if (p.number !== undefined) {
    if (op === 'mul') {
      if (isZero(p.number)) return false;
      restNum = ratMul(sNum, ratInv(p.number));
    } else {
      // A constant in a sum pattern must match the subject's constant exactly (taking part
      // of it would let `1 - sin²u → cos²u` fire on `−sin²u` and grow the result).
      if (sNum.num !== p.number.num || sNum.den !== p.number.den) return false;
      restNum = ZERO;
    }
  }
  const used = batch?.consumed ?? new Array<boolean>(sArgs.length).fill(false);
  const extra: Expr[] = [];
  // In a large sum, a part whose wildcards are all bound denotes one definite (interned)
  // node: find it by identity instead of trying every term, so `a·sin²u + a·cos²u` over a
  // 10⁴-term sum is linear, not quadratic. (Products keep scanning: a factor may be part
  // of a power there.)
  let index = batch?.index;
  if (index === undefined && op === 'add' && sArgs.length >= LOOKUP_FROM) {
    const byArg = new Map<Expr, number>();
    sArgs.forEach((a, j) => {
      byArg.set(a, j);
    });
    index = byArg;
    if (batch !== undefined) batch.index = byArg;
  }

  const finish = (): boolean => {
    if (batch !== undefined && p.rest === undefined) return k({ args: [], number: restNum });
    const left: Expr[] = [];
    sArgs.forEach((a, j) => {
      if (!used[j]) left.push(a);
    });
    left.push(...extra);
    if (p.rest !== undefined) {
      const m = env.mark();
      if (env.bind(p.rest, combineAC(op, left, restNum)) && k({ args: [], number: identityOf(op) }))
        return true;
      env.undo(m);
      return false;
    }
    if (top) return k({ args: left, number: restNum });
    const identity = identityOf(op);
    return (
      left.length === 0 &&
      restNum.num === identity.num &&
      restNum.den === identity.den &&
      k({ args: [], number: identity })
    );
  };

  const assign = (i: number): boolean => {
    if (i === p.parts.length) return finish();
    const part = p.parts[i];
    if (index !== undefined && p.vars[i].every((v) => env.get(v) !== undefined)) {
      env.steps++;
      const j = index.get(instantiate(p.sources[i], env));
      if (j === undefined || used[j]) return false;
      used[j] = true;
      if (assign(i + 1)) return true;
      used[j] = false;
      return false;
    }
    const needs = p.needs[i];
    for (let j = i === 0 ? (batch?.cursor ?? 0) : 0; j < sArgs.length; j++) {
      if (used[j]) continue;
      if (i === 0 && batch !== undefined) batch.cursor = j;
      if (needs.length > 0) {
        const have = deepArgKeys(sArgs[j]);
        if (!needs.every((key) => have.has(key))) continue;
      }
      used[j] = true;
      if (match(part, sArgs[j], env, () => assign(i + 1))) return true;
      if (op === 'mul') {
        const split = splitPower(part, sArgs[j]);
        if (split !== undefined) {
          extra.push(split.remainder);
          if (match(part, split.piece, env, () => assign(i + 1))) return true;
          extra.pop();
        }
      }
      used[j] = false;
      if (env.steps > env.limit) return false;
    }
    return false;
  };

  return assign(0);
}

/** Substitutes bound wildcards (`?x` or `?x#k`) in `t`, rebuilding canonically. */
export function instantiate(t: Expr, b: Env | Bindings): Expr {
  const lookup = b instanceof Env ? (n: string) => b.get(n) : (n: string) => b[n];
  const image = new Map<Expr, Expr>();
  for (const n of postorder(t)) {
    const w = n.op === 'sym' ? wildcardOf(n.name) : undefined;
    if (w !== undefined) {
      const v = lookup(w);
      if (v === undefined) throw new InvalidArgumentError(`template wildcard ?${w} is unbound`);
      image.set(n, v);
      continue;
    }
    const args = n.args.map((a) => image.get(a)!);
    image.set(n, args.every((a, i) => a === n.args[i]) ? n : rebuild(n, args));
  }
  return image.get(t)!;
}

/**
 * Lets a factor pattern take part of a power: `f` from `f^3` (leaving `f^2`), `f^-1` from
 * `f^-2`. Only integer exponents of the same sign, so the remainder is exact.
 */
function splitPower(part: Pattern, s: Expr): { piece: Expr; remainder: Expr } | undefined {
  if (s.op !== 'pow') return undefined;
  const [b, e] = s.args;
  if (e.op !== 'num' || !isInteger(e.value!)) return undefined;
  const n = e.value!.num;
  let k = 1n;
  if (part.kind === 'node' && part.op === 'pow') {
    const pe = part.args[1];
    if (pe.kind !== 'lit' || pe.expr.op !== 'num' || !isInteger(pe.expr.value!)) return undefined;
    k = pe.expr.value!.num;
  } else if (part.kind === 'lit' && part.expr.op === 'pow') {
    return undefined;
  } else if (part.kind === 'var' || (part.kind === 'lit' && part.expr.op === 'num')) {
    return undefined;
  }
  const same = (n > 0n && k > 0n) || (n < 0n && k < 0n);
  if (!same || (n < 0n ? -n : n) <= (k < 0n ? -k : k)) return undefined;
  return { piece: pow(b, num(k)), remainder: pow(b, num(n - k)) };
}
