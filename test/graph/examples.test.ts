// The examples, on small sizes: each trains, checkpoints, restores into a new session and
// continues. Full sizes (`npm run example -- <name>`) reach the thresholds; these
// runs check the same path with looser but meaningful ones.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run as sessionBasics } from '../../examples/01-session-basics.js';
import { run as twoLayer } from '../../examples/02-two-layer.js';
import { run as sineMlp } from '../../examples/03-sine-mlp.js';
import { run as spiral } from '../../examples/04-spiral.js';

const checkpointDir = (): string => mkdtempSync(join(tmpdir(), 'leibniz-examples-'));

describe('examples', () => {
  it('1: session basics', () => {
    const lines: string[] = [];
    const v = sessionBasics({ log: (l) => lines.push(l), checkpointDir: checkpointDir() });
    expect(lines.slice(0, 3)).toEqual([
      'Tensor("Const:0", shape=[], dtype=float64)',
      'Tensor("Const_1:0", shape=[], dtype=float64)',
      'Tensor("Add:0", shape=[], dtype=float64)',
    ]);
    expect(v).toMatchObject({ a: 1, b: 2, c: 3, list: [1, 2, 3], record: { a: 1, c: 3 }, eval: 3 });
    expect(v).toMatchObject({ e: 320, restored: 320, continued: 323 });
  });

  it("2: the lecture's two-layer loss, its derivation, training across a restore", () => {
    const lines: string[] = [];
    const r = twoLayer({ steps: 2000, log: (l) => lines.push(l), checkpointDir: checkpointDir() });
    expect(lines[0]).toMatch(/^∂L\/∂w1 = ∂L\/∂\(tanh\(w2\*tanh\(w1\*x\)\)\) · /);
    expect(r.sameGradient).toBe(true);
    expect(r.steps).toBe(2000);
    expect(r.loss).toBeLessThan(r.initialLoss / 100);
    expect(r.w1).toBeCloseTo(0.8, 1);
    expect(r.w2).toBeCloseTo(-1.5, 0);
  });

  it('3: the sine MLP learns (small run)', () => {
    const r = sineMlp({ samples: 512, epochs: 40, hidden: 16, checkpointDir: checkpointDir() });
    expect(r.steps).toBe(40 * 8);
    expect(r.testMse).toBeLessThan(0.05); // sin has variance 0.5: the net explains > 90%
  });

  it('4: the spiral classifier learns (small run)', () => {
    const r = spiral({ samples: 600, epochs: 60, checkpointDir: checkpointDir() });
    expect(r.steps).toBe(60 * 10);
    expect(r.testAccuracy).toBeGreaterThan(0.85);
  });
});
