// The examples of docs/codegen.md and of the codegen TSDoc, run as written (with the
// builders standing in for `parse` where the parser is not needed); the C example's header
// excerpt and main.c are read from the page, compiled with cc and run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkGradient,
  compile,
  compileBatch,
  compileGradient,
  compileHessian,
  compileHessianVector,
  emitModule,
} from '../../src/codegen/index.js';
import { parse } from '../../src/expr/parse.js';

const PAGE = readFileSync(new URL('../../docs/codegen.md', import.meta.url), 'utf8');
const cBlocks = [...PAGE.matchAll(/```c\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('documented examples', () => {
  it('docs/codegen.md: the two-layer loss', () => {
    const loss = parse('(tanh(w2*tanh(w1*x)) - y)^2');
    const f = compileGradient(loss, ['w1', 'w2'], { data: ['x', 'y'] });
    const g = new Float64Array(2);
    const a = Math.tanh(0.5 * 1.2);
    const b = Math.tanh(-0.3 * a);
    expect(f([0.5, -0.3, 1.2, 0.1], g)).toBe((b - 0.1) ** 2);
    expect(g[1]).toBeCloseTo(2 * (b - 0.1) * (1 - b * b) * a, 15);
    // The generated code shown in the doc.
    expect(f.source).toContain('const t7 = (Math.abs(t3) < 0.9999 ? 1 - t3 * t3 :');
    expect(f.source).toContain('g[1] = t13;');
  });

  it('compile', () => {
    expect(compile(parse('sin(x^2) + y'), ['x', 'y'])(2, 1)).toBe(Math.sin(4) + 1);
    const g = compile([parse('x*y'), parse('x+y')], ['x', 'y'], { input: 'vector' });
    expect([...g([2, 3])]).toEqual([6, 5]);
  });

  it('Hessians', () => {
    expect([...compileHessian(parse('x^2*y'), ['x', 'y'])([3, 5])]).toEqual([10, 6, 6, 0]);
    expect([...compileHessianVector(parse('x^2*y'), ['x', 'y'])([3, 5], [1, 0])]).toEqual([10, 6]);
  });

  it('compileBatch and checkGradient', () => {
    const step = compileBatch(parse('(tanh(w2*tanh(w1*x)) - y)^2'), {
      data: ['x', 'y'],
      params: ['w1', 'w2'],
      reduce: 'mean',
    });
    const xs = new Float64Array([0.5, -1, 2]);
    const ys = new Float64Array([0.1, 0.2, -0.3]);
    const g = new Float64Array(2);
    expect(Number.isFinite(step({ x: xs, y: ys }, [0.5, -0.3], g))).toBe(true);
    // Constants, per-point data partials, no value-only version.
    const k = compileBatch(parse('s*(w*x - y)^2'), {
      data: ['x', 'y'],
      params: ['w'],
      constants: ['s'],
      dataGradient: ['x'],
      gradOut: 'required',
    });
    const xs2 = Float64Array.from([0.5, -1, 2]);
    const ys2 = Float64Array.from([1, 0, 3]);
    const dx = new Float64Array(3);
    expect(k({ x: xs2, y: ys2 }, [0.5, 2], g, dx)).toBe(9.625);
    expect([g[0], ...dx]).toEqual([-15.5, -1.5, -1, -4]);
    const r = checkGradient(parse('sin(x*y)'), ['x', 'y'], [0.3, 2]);
    expect(r.ok).toBe(true);
    expect(r.maxRelError).toBeLessThan(1e-8);
  });

  it('docs/codegen.md: the C module, its header and main.c, compiled and run', () => {
    const loss = parse('(tanh(w2*tanh(w1*x)) - y)^2');
    const { c, h } = emitModule(
      [
        {
          name: 'loss_grad',
          kind: 'gradient',
          expr: loss,
          variables: ['w1', 'w2'],
          data: ['x', 'y'],
        },
        {
          name: 'loss_step',
          kind: 'batch',
          expr: loss,
          options: { data: ['x', 'y'], params: ['w1', 'w2'], reduce: 'mean' },
        },
      ],
      { language: 'c' },
    );
    const [header, main] = cBlocks;
    expect(h).toContain(header.trim());
    const dir = mkdtempSync(join(tmpdir(), 'leibniz-doc-c-'));
    try {
      writeFileSync(join(dir, 'loss.c'), c);
      writeFileSync(join(dir, 'loss.h'), h);
      writeFileSync(join(dir, 'main.c'), main);
      execFileSync('cc', ['-std=c99', '-O2', '-o', 'train', 'main.c', 'loss.c', '-lm'], {
        cwd: dir,
      });
      const out = execFileSync(join(dir, 'train')).toString().trim().split(/\s+/).map(Number);
      const g = new Float64Array(2);
      const value = compileGradient(loss, ['w1', 'w2'], { data: ['x', 'y'] })(
        [0.5, -0.3, 1.2, 0.1],
        g,
      );
      const step = compileBatch(loss, { data: ['x', 'y'], params: ['w1', 'w2'], reduce: 'mean' });
      const mean = step(
        { x: Float64Array.from([0.5, -1, 2]), y: Float64Array.from([0.1, 0.2, -0.3]) },
        [0.5, -0.3],
      );
      const want = [value, g[0], g[1], mean];
      expect(out.length).toBe(4);
      out.forEach((v, k) => {
        expect(Math.abs(v - want[k])).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want[k])));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
