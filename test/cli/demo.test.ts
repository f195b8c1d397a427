// `npm start`'s demo (dist/cli/demo.js, built by test/build.global.ts): it tells the whole
// story, its derivative and derivation are the library's, and the training loss goes down.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { derivation, parse } from '../../src/index.js';
import { ROOT } from './run-cli.js';

const DEMO = fileURLToPath(new URL('../../dist/cli/demo.js', import.meta.url));

it('runs the lecture end to end and the training loss decreases', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [DEMO], { cwd: ROOT });
  expect(stderr).toBe('');
  const titles = [...stdout.matchAll(/^(\d)\. (.*)$/gm)].map((m) => m[2]);
  expect(titles).toHaveLength(5);
  expect(stdout).toContain('d/dx sin(x²) = 2*x*cos(x^2)');
  const chain = derivation(parse('(f2(w2*f1(w1*x)) - y)^2'), 'w1', { name: 'L' }).toString();
  expect(stdout).toContain(chain.split('\n').join('\n   '));
  expect(stdout).toContain('function gradient(x, g) {');
  expect(stdout).toMatch(/^ {3}agree \(max relative error/m);
  const losses = [...stdout.matchAll(/ loss (\d\.\d+e[-+]\d+)/g)].map((m) => Number(m[1]));
  expect(losses.length).toBeGreaterThan(4);
  for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
  expect(losses.at(-1)!).toBeLessThan(losses[0] * 1e-3);
});
