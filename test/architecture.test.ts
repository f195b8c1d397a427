// The pipeline's shape, kept: which folders of src/ may import which, and no import cycles
// between files (type-only imports included), read from the sources themselves.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** What each room of src/ may import (besides itself). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  expr: [],
  diff: ['expr'],
  simplify: ['expr'],
  codegen: ['expr', 'diff'],
  graph: ['expr', 'diff', 'simplify', 'codegen'],
  cli: ['expr', 'diff', 'simplify', 'codegen', 'graph', 'index.ts'],
  'index.ts': ['expr', 'diff', 'simplify', 'codegen', 'graph'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const roomOf = (file: string): string => relative(SRC, file).split('/')[0];

/** The src files a file imports (static `import … from` and `export … from`, types included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
    out.push(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
  }
  return out;
}

const all = files(SRC);
const edges = new Map(all.map((f) => [f, importsOf(f).filter((g) => g.startsWith(SRC))]));

describe('architecture', () => {
  it('every room imports only the rooms below it', () => {
    const wrong: string[] = [];
    for (const [file, targets] of edges) {
      const from = roomOf(file);
      for (const target of targets) {
        const to = roomOf(target);
        if (to !== from && !(ALLOWED[from] ?? []).includes(to)) {
          wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no file imports itself through others (no cycles, type-only imports included)', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    for (const start of all) {
      if (state.has(start)) continue;
      // Iterative depth-first search with an explicit path.
      const stack: Array<[string, number]> = [[start, 0]];
      state.set(start, 'open');
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const targets = edges.get(top[0]) ?? [];
        if (top[1] < targets.length) {
          const next = targets[top[1]++];
          if (state.get(next) === 'open') {
            const path = stack.map(([f]) => f);
            cycles.push(
              [...path.slice(path.indexOf(next)), next].map((f) => relative(SRC, f)).join(' → '),
            );
          } else if (!state.has(next)) {
            state.set(next, 'open');
            stack.push([next, 0]);
          }
        } else {
          state.set(top[0], 'done');
          stack.pop();
        }
      }
    }
    expect(cycles).toEqual([]);
  });
});
