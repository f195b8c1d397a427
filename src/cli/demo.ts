/**
 * `npm start`: a short tour of Leibniz on the lecture's two examples. Prints to stdout and
 * exits 0; the README's examples are the same calls.
 */
import { derivation, diff, format, grad, parse, toLatex } from '../index.js';

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

heading('LaTeX');
console.log(toLatex(diff(f, 'x')));
