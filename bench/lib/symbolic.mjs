// Symbolic peer back-ends: how each JS computer-algebra system parses, differentiates,
// prints, counts (its own tree) and compiles. Shared by the isolating worker (which times the
// differentiation under a kill switch) and by peers.mjs (which compiles the result in the
// main thread), so both do exactly the same thing.
//
// A back-end is {name, load(), parse(expr), diff(parsed, v), print(d), nativeNodes(d),
// compile(d, symbols) → (...args) => number | {evaluate(scope)}, calling}. `calling` tells
// peers.mjs how to call compiled partials ('positional' or 'scope').

// Libraries are imported lazily (load()), so the worker for one peer loads only that
// peer: mathjs alone takes over a second to import on a busy 2-core machine.
let math;
async function loadMathjs() {
  if (!math) math = await import('mathjs');
  return math;
}

// nerdamer's package has no ESM entry; import it (and its Calculus add-on, which holds
// diff) lazily so that a module that only wants mathjs doesn't pay for it.
let nerdamerLib;
async function loadNerdamer() {
  if (!nerdamerLib) {
    nerdamerLib = (await import('nerdamer')).default;
    await import('nerdamer/Calculus.js');
  }
  return nerdamerLib;
}

/** nerdamer Symbol tree size: every Symbol object (sums, products, function calls, args,
 *  symbolic exponents); numeric multipliers and powers are fields, not nodes. */
function nerdamerNodes(s) {
  let n = 1;
  if (s.symbols) for (const k in s.symbols) n += nerdamerNodes(s.symbols[k]);
  if (s.args) for (const a of s.args) n += nerdamerNodes(a);
  if (s.power && typeof s.power === 'object' && 'group' in s.power) n += nerdamerNodes(s.power);
  return n;
}

// mathjs' own tree, parentheses excluded (derivative() keeps the input's ParenthesisNodes
// when it does not simplify; they are grouping, not computation).
function mathjsNodes(node) {
  let n = 0;
  node.traverse((x) => {
    if (x.type !== 'ParenthesisNode') n++;
  });
  return n;
}

export const BACKENDS = {
  nerdamer: {
    name: 'nerdamer',
    calling: 'positional',
    load: loadNerdamer,
    // Parsed once outside the timed region (parsing is not differentiation; nerdamer's
    // parse also simplifies, so it is not free). nerdamer(expr) keeps the expression in
    // its global list: one entry per case, harmless.
    parse: (expr) => nerdamerLib(expr),
    diff: (parsed, v) => nerdamerLib.diff(parsed, v),
    print: (d) => d.toString(),
    nativeNodes: (d) => nerdamerNodes(d.symbol),
    // buildFunction(vars) → a JS function with positional parameters in `vars` order.
    compile: (d, symbols) => d.buildFunction(symbols),
  },
  mathjs: {
    name: 'mathjs',
    calling: 'scope',
    load: loadMathjs,
    parse: (expr) => math.parse(expr),
    diff: (parsed, v) => math.derivative(parsed, v), // simplify on: the library default
    print: (d) => d.toString(),
    nativeNodes: mathjsNodes,
    compile: (d) => d.compile(),
  },
  'mathjs-nosimp': {
    name: 'mathjs-nosimp',
    calling: 'scope',
    load: loadMathjs,
    parse: (expr) => math.parse(expr),
    diff: (parsed, v) => math.derivative(parsed, v, { simplify: false }),
    print: (d) => d.toString(),
    nativeNodes: mathjsNodes,
    compile: (d) => d.compile(),
  },
};

/** Differentiate every variable once; returns the peer's derivative objects. */
export function diffAll(backend, parsed, variables) {
  const out = new Array(variables.length);
  for (let i = 0; i < variables.length; i++) out[i] = backend.diff(parsed, variables[i]);
  return out;
}

/**
 * Printed text and native sizes of a list of partials (summed over partials, as the
 * baseline). The tree-node yardstick (treenodes.mjs) is computed from `texts` by the caller.
 */
export function printAll(backend, partials) {
  let printedLength = 0;
  let native = 0;
  const texts = partials.map((d) => backend.print(d));
  for (let i = 0; i < partials.length; i++) {
    printedLength += texts[i].length;
    native += backend.nativeNodes(partials[i]);
  }
  return { texts, printedLength, native };
}
