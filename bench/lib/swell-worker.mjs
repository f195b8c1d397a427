// One cold measurement of `diff` or `grad` on one family at one size, in a process of its
// own: the intern table starts empty (nothing is reused from an earlier run) and the peak
// memory is this run's. Usage: node swell-worker.mjs FAMILY N OP   (OP: diff | grad)
// Prints one JSON line: { ms, size, heapMB, rssMB }.
import { add, cos, diff, grad, mul, pow, sin, size, sub, sym, tanh } from '../../dist/index.js';

/** The benchmark families; each returns [f, variables]. */
export const FAMILIES = {
  'sin/cos chain': (n) => {
    const x = sym('x');
    let e = x;
    for (let i = 0; i < n; i++) e = i % 2 === 0 ? sin(e) : cos(e);
    return [e, [x]];
  },
  'tanh chain': (n) => {
    const x = sym('x');
    let e = x;
    for (let i = 0; i < n; i++) e = tanh(e);
    return [e, [x]];
  },
  'logistic map': (n) => {
    const x = sym('x');
    let l = x;
    for (let i = 0; i < n; i++) l = mul(4, l, sub(1, l));
    return [l, [x]];
  },
  Rosenbrock: (n) => {
    const xs = Array.from({ length: n }, (_, i) => sym(`x${i}`));
    const terms = [];
    for (let i = 0; i + 1 < n; i++) {
      terms.push(mul(100, pow(sub(xs[i + 1], pow(xs[i], 2)), 2)), pow(sub(1, xs[i]), 2));
    }
    return [add(...terms), xs];
  },
  'MLP loss': (n) => {
    const x = sym('x');
    const y = sym('y');
    const ps = { w: [], b: [], v: [] };
    const units = [];
    for (let j = 1; j <= n; j++) {
      const [w, b, v] = ['w', 'b', 'v'].map((p) => sym(`${p}${j}`));
      ps.w.push(w);
      ps.b.push(b);
      ps.v.push(v);
      units.push(mul(v, tanh(add(mul(w, x), b))));
    }
    return [pow(sub(add(...units), y), 2), [...ps.w, ...ps.b, ...ps.v]];
  },
  'deep tanh network': (n) => {
    const x = sym('x');
    let f = x;
    const ws = [];
    for (let k = 1; k <= n; k++) {
      const w = sym(`w${k}`);
      ws.push(w);
      f = tanh(mul(w, f));
    }
    return [pow(sub(f, sym('y')), 2), ws];
  },
};

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [family, nText, op] = process.argv.slice(2);
  const [f, vars] = FAMILIES[family](Number(nText));
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  const out = op === 'diff' ? diff(f, vars[0]) : grad(f, vars);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const heapMB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  const rssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, size: size(out), heapMB, rssMB }));
}
