// Epoch time of one Leibniz contender on a scale model, in this fresh process (the graph
// suite spawns it): a scalar-expanded 784-64-10 plan is megabytes of code that V8 keeps
// optimising on background threads for a long time, which would slow every contender
// measured beside it. Prints one JSON line: { ms, loss }.
// Usage: node graph-epoch.mjs <inputs> <kernel: expand|loop|auto> <batch> <samples>
import { contenders, interleave, leibniz, scaleModel } from '../suites/graph.mjs';

const [inputsText, kernel, batchText, samplesText] = process.argv.slice(2);
const inputs = Number(inputsText);
const name = { expand: 'leibniz-expand', loop: 'leibniz-loop', auto: 'leibniz' }[kernel];
const L = await leibniz();
const cs = await contenders(
  L,
  `scale${inputs}`,
  scaleModel(inputs),
  Number(samplesText),
  Number(batchText),
  [name],
);
const r = await interleave(cs, { warm: 3, warmMs: 3000, rounds: 5, maxMs: 40000 });
console.log(JSON.stringify({ ms: r.get(name).ms, loss: r.get(name).loss }));
