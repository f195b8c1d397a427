// Training an MLP three ways, for the graph suite: a hand-written float64 JS loop (the
// speed limit a careful programmer reaches without a library), and TensorFlow.js (any
// backend). All take the same initial weights, data and batch order, and apply Adam with
// TF1's formula, so their losses agree (tfjs to float32 precision).

/**
 * @typedef {{ sizes: number[], activation: 'tanh' | 'relu', loss: 'mse' | 'softmax-ce' }} MlpSpec
 * `sizes`: [inputs, hidden…, outputs]. Weights per layer: W [n, m] row-major, b [m].
 */

/** Hand-written trainer: per-sample forward and backward over Float64Arrays, then Adam. */
export function handwrittenTrainer(
  spec,
  weights,
  { learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = {},
) {
  const { sizes, activation, loss } = spec;
  const L = sizes.length - 1;
  const params = weights.map((w) => Float64Array.from(w));
  const grads = params.map((p) => new Float64Array(p.length));
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const acts = sizes.map((n) => new Float64Array(n));
  const deltas = sizes.map((n) => new Float64Array(n));
  let b1p = beta1;
  let b2p = beta2;
  const relu = activation === 'relu';

  /** One step on a batch: x [n·d0], y [n·dL]; returns the mean loss before the step. */
  function step(x, y, n) {
    for (const g of grads) g.fill(0);
    let total = 0;
    const d0 = sizes[0];
    const dL = sizes[L];
    for (let s = 0; s < n; s++) {
      const a0 = acts[0];
      for (let i = 0; i < d0; i++) a0[i] = x[s * d0 + i];
      for (let l = 0; l < L; l++) {
        const W = params[2 * l];
        const b = params[2 * l + 1];
        const a = acts[l];
        const z = acts[l + 1];
        const nIn = sizes[l];
        const nOut = sizes[l + 1];
        for (let j = 0; j < nOut; j++) z[j] = b[j];
        for (let i = 0; i < nIn; i++) {
          const ai = a[i];
          const row = i * nOut;
          for (let j = 0; j < nOut; j++) z[j] += ai * W[row + j];
        }
        if (l < L - 1) {
          if (relu) for (let j = 0; j < nOut; j++) z[j] = Math.max(z[j], 0);
          else for (let j = 0; j < nOut; j++) z[j] = Math.tanh(z[j]);
        }
      }
      // Output delta (∂ℓ/∂z of the last layer) and loss.
      const out = acts[L];
      const dOut = deltas[L];
      if (loss === 'mse') {
        for (let j = 0; j < dL; j++) {
          const r = out[j] - y[s * dL + j];
          total += r * r;
          dOut[j] = (2 * r) / (n * dL);
        }
      } else {
        let mx = out[0];
        for (let j = 1; j < dL; j++) if (out[j] > mx) mx = out[j];
        let sum = 0;
        for (let j = 0; j < dL; j++) sum += Math.exp(out[j] - mx);
        const lse = mx + Math.log(sum);
        let ysum = 0;
        for (let j = 0; j < dL; j++) {
          const yj = y[s * dL + j];
          ysum += yj;
          total += yj * (lse - out[j]);
        }
        for (let j = 0; j < dL; j++) dOut[j] = (Math.exp(out[j] - lse) * ysum - y[s * dL + j]) / n;
      }
      for (let l = L - 1; l >= 0; l--) {
        const W = params[2 * l];
        const gW = grads[2 * l];
        const gb = grads[2 * l + 1];
        const a = acts[l];
        const d = deltas[l + 1];
        const nIn = sizes[l];
        const nOut = sizes[l + 1];
        for (let j = 0; j < nOut; j++) gb[j] += d[j];
        const dPrev = deltas[l];
        for (let i = 0; i < nIn; i++) {
          const ai = a[i];
          const row = i * nOut;
          let s2 = 0;
          for (let j = 0; j < nOut; j++) {
            gW[row + j] += ai * d[j];
            s2 += W[row + j] * d[j];
          }
          if (l > 0) dPrev[i] = relu ? (ai > 0 ? s2 : 0) : s2 * (1 - ai * ai);
        }
      }
    }
    // Adam, TF1's update.
    const lrT = (learningRate * Math.sqrt(1 - b2p)) / (1 - b1p);
    for (let k = 0; k < params.length; k++) {
      const p = params[k];
      const g = grads[k];
      const mk = m[k];
      const vk = v[k];
      for (let i = 0; i < p.length; i++) {
        mk[i] += (g[i] - mk[i]) * (1 - beta1);
        vk[i] += (g[i] * g[i] - vk[i]) * (1 - beta2);
        p[i] -= (mk[i] * lrT) / (Math.sqrt(vk[i]) + epsilon);
      }
    }
    b1p *= beta1;
    b2p *= beta2;
    return total / (loss === 'mse' ? n * dL : n);
  }
  return { step, params };
}

/** A tfjs trainer on the current backend: variables, Adam, one `minimize` per batch. */
export function tfjsTrainer(tf, spec, weights, { learningRate = 0.01 } = {}) {
  const { sizes, activation, loss } = spec;
  const L = sizes.length - 1;
  const vars = weights.map((w, k) => {
    const l = Math.floor(k / 2);
    const shape = k % 2 === 0 ? [sizes[l], sizes[l + 1]] : [sizes[l + 1]];
    return tf.variable(tf.tensor(Float32Array.from(w), shape));
  });
  const optimizer = tf.train.adam(learningRate);
  const forward = (x) => {
    let h = x;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
      h = l < L - 1 ? (activation === 'relu' ? tf.relu(z) : tf.tanh(z)) : z;
    }
    return h;
  };
  const lossOf = (x, y) => {
    const out = forward(x);
    return loss === 'mse'
      ? tf.losses.meanSquaredError(y, out)
      : tf.losses.softmaxCrossEntropy(y, out);
  };
  /** Batch tensors, made once (a tfjs user keeps their dataset on the backend). */
  const batch = (x, y, n) => ({
    x: tf.keep(tf.tensor(Float32Array.from(x), [n, sizes[0]])),
    y: tf.keep(tf.tensor(Float32Array.from(y), [n, sizes[L]])),
  });
  function step(b) {
    const cost = optimizer.minimize(() => lossOf(b.x, b.y), true, vars);
    const value = cost.dataSync()[0];
    cost.dispose();
    return value;
  }
  /** A step without reading the loss back (lets an async backend queue work). */
  function stepQuiet(b) {
    optimizer.minimize(() => lossOf(b.x, b.y), false, vars);
  }
  const sync = () => vars[0].dataSync()[0];
  const dispose = () => {
    for (const v of vars) v.dispose();
    optimizer.dispose();
  };
  return { step, stepQuiet, batch, sync, dispose };
}
