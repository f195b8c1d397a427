// Time to first step of one contender, in this fresh process (the graph suite spawns it):
// building the model, initialising, compiling or setting up the backend, and one training
// step on a batch. Prints one JSON line: { firstMs, compileMs?, sourceKB? }.
// Usage: node graph-first-step.mjs <sine|spiral|scale> <leibniz|tfjs-cpu|tfjs-wasm> <batch> [inputs] [kernel]
import {
  batchesOf,
  dataFor,
  leibniz,
  leibnizModel,
  MODELS,
  scaleModel,
  tfjs,
} from '../suites/graph.mjs';
import { tfjsTrainer } from './mlp-train.mjs';

const [name, contender, batchText, inputsText, kernel = 'auto'] = process.argv.slice(2);
const batchSize = Number(batchText);
const spec = name === 'scale' ? scaleModel(Number(inputsText)) : MODELS[name];
const dataName = name === 'scale' ? `scale${inputsText}` : name;
const L = await leibniz();
const data = dataFor(L, dataName, spec, batchSize);
const [batch] = batchesOf(spec, data, batchSize, batchSize);
let result;
if (contender === 'leibniz') {
  const t0 = performance.now();
  const model = leibnizModel(L, spec, 0.01, kernel);
  const sess = new L.Session(model.g);
  sess.initialize();
  sess.run(model.trainOp, { x: batch.x, y: batch.y });
  const firstMs = performance.now() - t0;
  result = { firstMs, compileMs: sess.stats.compileMs, sourceKB: sess.stats.sourceChars / 1024 };
} else {
  const backend = contender.slice('tfjs-'.length);
  const t0 = performance.now();
  const tf = await tfjs(backend);
  const weights = spec.sizes
    .slice(1)
    .flatMap((m, l) => [new Float64Array(spec.sizes[l] * m).fill(0.01), new Float64Array(m)]);
  const trainer = tfjsTrainer(tf, spec, weights);
  trainer.step(trainer.batch(batch.x, batch.y, batch.n));
  result = { firstMs: performance.now() - t0 };
}
console.log(JSON.stringify(result));
