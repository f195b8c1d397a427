/**
 * `npm start`: the lecture's story end to end, in a terminal. d/dx sin(x²) and its
 * derivation; the two-layer loss with abstract f1, f2, its partials and chain-rule
 * derivation; the same loss with tanh, compiled, its generated source, a finite-difference
 * check; then a short gradient-descent run that fits it to data. Exits 0.
 */
import {
  checkGradient,
  compileBatch,
  compileGradient,
  derivation,
  diff,
  format,
  grad,
  parse,
  simplify,
  toLatex,
} from '../index.js';

const started = performance.now();
const out = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};
const section = (n: number, title: string): void => {
  out();
  out(`${n}. ${title}`);
  out('─'.repeat(Math.min(88, title.length + 3)));
};
const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `   ${l}`)
    .join('\n');
const fixed = (v: number): string => (v < 0 ? '' : ' ') + v.toFixed(6);

out('Leibniz: exact derivatives, derivations and compiled gradients, the lecture in one run');

section(1, 'How to calculate the derivative of sin(x²)?');
const f = parse('sin(x^2)');
out(`   d/dx sin(x²) = ${format(diff(f, 'x'))}        LaTeX: ${toLatex(diff(f, 'x'))}`);
out('   The chain rule, df/dx = df₁/df₂ · df₂/dx with f₁ = sin, f₂ = x²:');
out(indent(derivation(f, 'x', { name: 'f' }).toString()));

section(2, 'The two-layer loss L(w1, w2) = (f2(w2·f1(w1·x)) − y)²');
const L = parse('(f2(w2*f1(w1*x)) - y)^2');
out('   f1 and f2 are functions Leibniz does not know: they stay symbolic (f1′, f2′).');
const [dw1, dw2] = simplify(grad(L, ['w1', 'w2']));
out(`   ∂L/∂w1 = ${format(dw1)}`);
out(`   ∂L/∂w2 = ${format(dw2)}`);
out();
out('   How ∂L/∂w2 comes about:');
out(indent(derivation(L, 'w2', { name: 'L' }).toString()));
out();
out('   and ∂L/∂w1, one link further down the chain:');
out(indent(derivation(L, 'w1', { name: 'L' }).toString()));

section(3, 'With f1 = f2 = tanh: the compiled gradient');
const loss = parse('(tanh(w2*tanh(w1*x)) - y)^2');
const [gw1, gw2] = simplify(grad(loss, ['w1', 'w2']));
out(`   ∂L/∂w1 = ${format(gw1)}`);
out(`   ∂L/∂w2 = ${format(gw2)}`);
out();
out("   compileGradient(loss, ['w1', 'w2'], { data: ['x', 'y'] }) generates one function that");
out('   computes L and both partials in a single pass (tanh′ = 1 − tanh², reused):');
const step = compileGradient(loss, ['w1', 'w2'], { data: ['x', 'y'] });
const body = step.source.slice(step.source.indexOf('function gradient'));
out(indent(body.slice(0, body.indexOf('\n}') + 2)));

section(4, 'Checked against central differences');
const point = [0.5, -0.3, 1.2, 0.1];
const g = new Float64Array(2);
const value = step(point, g);
out(`   at w1 = 0.5, w2 = −0.3, x = 1.2, y = 0.1: L = ${value.toFixed(6)}`);
const check = checkGradient(loss, ['w1', 'w2', 'x', 'y'], point);
const row = (cells: readonly string[]): void => {
  out(`   ${cells.map((c, i) => c.padEnd([10, 13, 17, 0][i])).join('')}`);
};
row(['variable', 'compiled', 'central diff.', 'relative error']);
for (const c of check.components.slice(0, 2)) {
  row([c.variable, fixed(c.analytic), fixed(c.numeric), c.relError.toExponential(1)]);
}
out(
  `   ${check.ok ? 'agree' : 'DISAGREE'} (max relative error ${check.maxRelError.toExponential(1)})`,
);

section(5, 'Training: gradient descent on 1,000 points');
const n = 1000;
const xs = Float64Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
const ys = xs.map((x) => Math.tanh(0.8 * Math.tanh(1.5 * x)));
out('   data: y = tanh(0.8·tanh(1.5·x)) for x in [−3, 3]; start at w1 = 0.5, w2 = −0.3;');
out('   each step: one compiled batch kernel (mean loss and gradient), then w ← w − 1.0·∇L');
const kernel = compileBatch(loss, { data: ['x', 'y'], params: ['w1', 'w2'], reduce: 'mean' });
const w = [0.5, -0.3];
const trainStart = performance.now();
const steps = 300;
for (let s = 0; s <= steps; s++) {
  const meanLoss = kernel({ x: xs, y: ys }, w, g);
  if (s % 50 === 0) {
    out(
      `   step ${String(s).padStart(3)}   loss ${meanLoss.toExponential(3)}   w1 = ${w[0].toFixed(4)}   w2 = ${w[1].toFixed(4)}`,
    );
  }
  w[0] -= g[0];
  w[1] -= g[1];
}
out(
  `   ${steps} steps over ${n} points in ${(performance.now() - trainStart).toFixed(0)} ms; the data came from w1 = 1.5, w2 = 0.8.`,
);

out();
out(
  `Done in ${((performance.now() - started) / 1000).toFixed(1)} s. More: docs/getting-started.md,`,
);
out('docs/cli.md (the leibniz command), docs/recipes.md.');
