/**
 * `npm start`: a short tour of Leibniz on the lecture's two examples. Prints to stdout and
 * exits 0; the README's examples are the same calls.
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
  toLatex,
} from '../index.js';

const heading = (text: string): void => console.log(`\n== ${text} ==`);

heading('d/dx sin(x^2)');
const f = parse('sin(x^2)');
console.log(format(diff(f, 'x')));
console.log(derivation(f, 'x').toString());

heading('the two-layer loss L(w1, w2) = (f2(w2*f1(w1*x)) - y)^2');
const loss = parse('(f2(w2*f1(w1*x)) - y)^2');
console.log(derivation(loss, 'w1', { name: 'L' }).toString());

heading('gradient of the tanh network (tanh(w2*tanh(w1*x)) - y)^2');
const net = parse('(tanh(w2*tanh(w1*x)) - y)^2');
for (const [v, g] of ['w1', 'w2'].map((v) => [v, grad(net, [v])[0]] as const)) {
  console.log(`∂L/∂${v} = ${format(g)}`);
}

heading('compiled value and gradient');
const step = compileGradient(net, ['w1', 'w2'], { data: ['x', 'y'] });
const g = new Float64Array(2);
const value = step([0.5, -0.3, 1.2, 0.1], g);
console.log(`L = ${value.toFixed(6)}, ∇L = [${Array.from(g, (v) => v.toFixed(6)).join(', ')}]`);
const check = checkGradient(net, ['w1', 'w2', 'x', 'y'], [0.5, -0.3, 1.2, 0.1]);
console.log(`finite-difference check: max relative error ${check.maxRelError.toExponential(1)}`);

heading('a batch of 10^5 points, averaged (one training step)');
const n = 100_000;
const xs = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
const ys = Float64Array.from(xs, (x) => Math.tanh(0.8 * Math.tanh(1.5 * x)));
const kernel = compileBatch(net, { data: ['x', 'y'], params: ['w1', 'w2'], reduce: 'mean' });
const started = performance.now();
const mean = kernel({ x: xs, y: ys }, [0.5, -0.3], g);
console.log(
  `mean loss ${mean.toFixed(6)}, gradient [${Array.from(g, (v) => v.toFixed(6)).join(', ')}] in ${(performance.now() - started).toFixed(1)} ms`,
);

heading('LaTeX');
console.log(toLatex(diff(f, 'x')));
