// The tree-node yardstick shared by every peer and by Leibniz (see peer-baseline.md §2).
// Its own module so that code which only counts (or only runs nerdamer) doesn't have to
// know where it lives, and the worker for a non-mathjs peer doesn't load mathjs.

import * as math from 'mathjs';

/**
 * Number of nodes of the mathjs parse of a printed expression: the parser builds binary
 * operators (a + b + c is two operator nodes), a function call counts its name node too
 * (sin(x) is 3 nodes), parentheses are not nodes. Accepts `**` (SymPy) as `^`.
 * @param {string} text
 */
export function treeNodesOf(text) {
  const node = math.parse(text.replace(/\*\*/g, '^'));
  let n = 0;
  node.traverse((x) => {
    if (x.type !== 'ParenthesisNode') n++;
  });
  return n;
}
