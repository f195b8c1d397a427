/**
 * Printing shared by the emitters of languages with C's expression syntax (JavaScript and C
 * today; GLSL, CUDA or WGSL would fit): sums, products, affine indices and infix arithmetic,
 * given how the language writes a number. Deterministic; prints only what it is given.
 */
import { InvalidArgumentError, type KernelPrimitive } from '../../expr/index.js';
import type { IrNode } from '../ir.js';
import type { Operand } from '../layout.js';
import type { Index } from '../program.js';

/** How one language writes what this module cannot know. */
export interface Dialect {
  /** A number literal (negative ones parenthesised, so `a - (-2)` stays an expression). */
  readonly number: (x: number) => string;
  /** A call of another generated function with the caller's argument names. */
  readonly call: (fn: string, args: readonly string[]) => string;
  /** A kernel primitive applied to operand texts. */
  readonly primitive: (op: KernelPrimitive, args: readonly string[]) => string;
}

/** The expression computing IR node `n` from its operands' texts. */
export function nodeText(n: IrNode, args: readonly string[], d: Dialect): string {
  switch (n.op) {
    case 'sum':
      return sumText(n, args);
    case 'prod':
      return productText(n, args, d);
    case 'in':
    case 'lit':
      throw new InvalidArgumentError('emit: inputs and literals are not statements');
    default:
      return d.primitive(n.op, args);
  }
}

/** `t0 + t1 - t2` for a `sum` node over operand texts. */
export function sumText(n: IrNode, args: readonly string[]): string {
  let text = n.neg[0] ? `-${args[0]}` : args[0];
  for (let i = 1; i < args.length; i++) text += `${n.neg[i] ? ' - ' : ' + '}${args[i]}`;
  return text;
}

/** `c * a * b / (d * e)` for a `prod` node over operand texts. */
export function productText(n: IrNode, args: readonly string[], d: Dialect): string {
  const nNum = args.length - n.den;
  const coef = n.coef;
  const factors = args.slice(0, nNum);
  if (coef !== 1 && coef !== -1) factors.unshift(d.number(coef));
  let text = factors.length === 0 ? d.number(1) : factors.join(' * ');
  if (coef === -1) text = `-${text}`;
  const den = args.slice(nNum);
  if (den.length === 1) text += ` / ${den[0]}`;
  else if (den.length > 1) text += ` / (${den.join(' * ')})`;
  return text;
}

/** An integer index: `i`, `i + 1`, `3 * i + 2`, `-i + 7`, `5`. */
export function indexText(index: Index): string {
  let text = '';
  for (const { coef, variable } of index.terms) {
    const magnitude = Math.abs(coef) === 1 ? variable : `${Math.abs(coef)} * ${variable}`;
    text +=
      text === ''
        ? coef < 0
          ? `-${magnitude}`
          : magnitude
        : coef < 0
          ? ` - ${magnitude}`
          : ` + ${magnitude}`;
  }
  if (text === '') return `${index.offset}`;
  if (index.offset > 0) text += ` + ${index.offset}`;
  else if (index.offset < 0) text += ` - ${-index.offset}`;
  return text;
}

const PRECEDENCE = { '+': 1, '-': 1, '*': 2, '/': 2 } as const;

/**
 * An operand as an expression. Infix arithmetic keeps the left-to-right evaluation of the
 * tree exactly: a right operand of the same precedence is parenthesised (`a + (b + c)` is
 * not `a + b + c` in floats).
 */
export function operandText(o: Operand, d: Dialect): string {
  switch (o.kind) {
    case 'name':
      return o.name;
    case 'lit':
      return d.number(o.value);
    case 'load':
      return `${o.array}[${indexText(o.index)}]`;
    case 'call':
      return d.call(o.fn, o.args);
    case 'binary': {
      const p = PRECEDENCE[o.op];
      const side = (x: Operand, strict: boolean): string => {
        const text = operandText(x, d);
        if (x.kind !== 'binary') return text;
        const q = PRECEDENCE[x.op];
        return q < p || (strict && q === p) ? `(${text})` : text;
      };
      return `${side(o.left, false)} ${o.op} ${side(o.right, true)}`;
    }
  }
}
