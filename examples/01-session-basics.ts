/**
 * Example 1: the lecture's session basics — constants, `add`, `run`, `eval`, printing
 * tensors — then a placeholder, a variable, and a checkpoint restored into a new session.
 *
 *   npm run example -- session-basics
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Graph, Session } from '../src/index.js';

/** Runs the example; `log` receives what it prints. Returns the values it computed. */
export function run(options: { log?: (line: string) => void; checkpointDir?: string } = {}) {
  const log = options.log ?? (() => {});
  const g = new Graph();
  const a = g.constant(1);
  const b = g.constant(2);
  const c = g.add(a, b);
  // Tensors print like TensorFlow's: name, shape, dtype. They have no value yet.
  log(String(a)); // Tensor("Const:0", shape=[], dtype=float64)
  log(String(b)); // Tensor("Const_1:0", shape=[], dtype=float64)
  log(String(c)); // Tensor("Add:0", shape=[], dtype=float64)

  // Values live in a session; `using` closes it at the end of the block.
  const values: Record<string, unknown> = {};
  {
    using sess = new Session(g);
    values.a = sess.run(a);
    values.b = sess.run(b);
    values.c = sess.run(c);
    values.list = sess.run([a, b, c]);
    values.record = sess.run({ a, c });
    values.eval = c.eval(sess); // the same as sess.run(c)
    log(`run(a) = ${values.a}, run(b) = ${values.b}, run(c) = ${values.c}`);
    log(
      `run([a, b, c]) = ${JSON.stringify(values.list)}, run({ a, c }) = ${JSON.stringify(values.record)}`,
    );
    log(`c.eval(sess) = ${values.eval}`);
  }

  // A placeholder is fed at run time; only the subgraph a fetch needs runs, so fetching c
  // needs no feed while fetching d does.
  const x = g.placeholder('x', [null]);
  const d = g.mul(c, x);
  const w = g.variable('w', [2], { init: [0.5, -1] });
  const e = g.reduceSum(g.mul(w, g.constant([10, 100])));
  const dir = options.checkpointDir ?? mkdtempSync(join(tmpdir(), 'leibniz-basics-'));
  const path = join(dir, 'basics.ckpt.json');
  {
    using sess = new Session(g);
    values.d = sess.run(d, { x: [1, 2, 3] });
    log(`d = c·x for x = [1, 2, 3]: ${values.d}`);
    sess.initialize(); // gives w its initial value
    sess.assign(w, [2, 3]);
    values.e = sess.run(e);
    log(`e = Σ w·[10, 100] = ${values.e}`);
    sess.save(path);
  }
  // A new session restores w from the checkpoint and carries on.
  using sess = new Session(g);
  sess.restore(path);
  values.restored = sess.run(e);
  values.continued = sess.run(g.add(e, c));
  log(`after restore: e = ${values.restored}, e + c = ${values.continued}`);
  return values;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run({ log: console.log });
}
