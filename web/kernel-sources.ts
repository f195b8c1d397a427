/**
 * Vite plugin: keeps the library's embedded numeric kernels working in a bundle.
 *
 * Leibniz embeds kernels (softplus, erf, …) into generated code as `fn.toString()`, which
 * assumes the function keeps its own name and its callees theirs. A bundler breaks that:
 * scope hoisting renames `softplus` (it collides with the `softplus` builder) and the
 * minifier renames everything, so compiled code that calls `softplus(u)` throws
 * ReferenceError. This plugin replaces each `f.toString()` of a top-level function of a
 * library module by the function's own source text as a string literal, taken before
 * bundling, so the generated code is the same as under Node.
 */
import type { Plugin } from 'vite';

interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';

/** Every node of the tree, iteratively (no recursion limit to meet). */
function* nodes(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const v of value) if (isNode(v)) stack.push(v);
      if (isNode(value)) stack.push(value);
    }
  }
}

const name = (node: unknown): string | undefined =>
  isNode(node) && node.type === 'Identifier' ? (node.name as string) : undefined;

export function kernelSources(libraryDir: string): Plugin {
  return {
    name: 'leibniz-kernel-sources',
    enforce: 'post',
    transform(code, id) {
      if (!id.startsWith(libraryDir) || !code.includes('.toString()')) return null;
      const program = this.parse(code) as unknown as Node;
      const functions = new Map<string, string>();
      const body = program.body as Node[];
      for (const statement of body) {
        const declaration =
          statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
        const fnName =
          isNode(declaration) && declaration.type === 'FunctionDeclaration'
            ? name(declaration.id)
            : undefined;
        if (fnName !== undefined && isNode(declaration)) {
          functions.set(fnName, code.slice(declaration.start, declaration.end));
        }
      }
      const replacements: { start: number; end: number; text: string }[] = [];
      for (const node of nodes(program)) {
        if (node.type !== 'CallExpression' || (node.arguments as unknown[]).length !== 0) continue;
        const callee = node.callee;
        if (!isNode(callee) || callee.type !== 'MemberExpression' || callee.computed) continue;
        if (name(callee.property) !== 'toString') continue;
        const source = functions.get(name(callee.object) ?? '');
        if (source !== undefined) {
          replacements.push({ start: node.start, end: node.end, text: JSON.stringify(source) });
        }
      }
      if (replacements.length === 0) return null;
      replacements.sort((a, b) => b.start - a.start);
      let out = code;
      for (const r of replacements) out = out.slice(0, r.start) + r.text + out.slice(r.end);
      return { code: out, map: null };
    },
  };
}
