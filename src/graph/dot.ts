/**
 * Graphviz DOT for a graph: one node per tensor and train op, styled by kind (constants,
 * variables, placeholders, ops, gradient nodes, train ops), edges labelled with shapes.
 * Deterministic text; labels are escaped.
 */

import type { GraphNode } from './node.js';
import { formatShape } from './shape.js';

const STYLE = {
  constant: 'shape=box, style=filled, fillcolor="#e0e0e0"',
  variable: 'shape=ellipse, style=filled, fillcolor="#c8e6c9"',
  placeholder: 'shape=box, style="filled,rounded", fillcolor="#bbdefb"',
  op: 'shape=ellipse',
  gradient: 'shape=ellipse, style="filled,dashed", fillcolor="#ffe0b2"',
  train: 'shape=octagon, style=filled, fillcolor="#f8bbd0"',
} as const;

/** A DOT string literal. */
const quote = (s: string): string => `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;

/** What the drawing shows of a train op. */
export interface TrainOpNode {
  readonly name: string;
  readonly loss: GraphNode;
  readonly gradients: readonly GraphNode[];
  readonly varList: readonly GraphNode[];
}

/** The DOT text of `tensors` and train `ops`. */
export function toDot(tensors: readonly GraphNode[], ops: readonly TrainOpNode[]): string {
  const lines = ['digraph G {', '  rankdir=BT;', '  node [fontname="Helvetica", fontsize=11];'];
  lines.push('  edge [fontname="Helvetica", fontsize=9];');
  for (const t of tensors) {
    const label =
      t.name === t.type
        ? `${t.name}\n${formatShape(t.shape)}`
        : `${t.name}\n${t.type} ${formatShape(t.shape)}`;
    lines.push(`  t${t.id} [label=${quote(label)}, ${STYLE[t.kind]}];`);
  }
  for (const t of tensors) {
    for (const input of t.inputs) {
      lines.push(`  t${input.id} -> t${t.id} [label=${quote(formatShape(input.shape))}];`);
    }
    if (t.def.kind === 'gradient' || t.def.kind === 'hessian') {
      lines.push(
        `  t${t.def.wrt.id} -> t${t.id} [style=dashed, label=${quote(`∂/∂${t.def.wrt.name}`)}];`,
      );
    }
  }
  ops.forEach((op, k) => {
    lines.push(
      `  op${k} [label=${quote(`${op.name}\nminimize ${op.loss.name}`)}, ${STYLE.train}];`,
    );
    for (const g of op.gradients) lines.push(`  t${g.id} -> op${k};`);
    for (const v of op.varList) {
      lines.push(`  op${k} -> t${v.id} [style=dotted, label="update", constraint=false];`);
    }
  });
  lines.push('}');
  return lines.join('\n');
}
