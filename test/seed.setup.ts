// Property tests run from a fixed seed, so `npm test` (and CI) is reproducible: a failure
// is a fact about the code, not about the day. `FC_SEED=random npm test` (or any number)
// explores other inputs; a failure prints the seed and path to replay it.
import fc from 'fast-check';

const setting = process.env.FC_SEED;
const seed =
  setting === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(setting ?? 20261201);
fc.configureGlobal({ seed: Number.isFinite(seed) ? seed : 20261201 });
