// The modules of src/graph import one another without a cycle (type-only imports count):
// each module stands on the ones below it, as DESIGN.md asks of the whole library.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = new URL('../../src/graph/', import.meta.url).pathname;
const IMPORT = /^(?:import|export)\s[^;]*?\sfrom\s+'\.\/([\w-]+)\.js'/gms;

/** Sibling modules each module of src/graph imports or re-exports from. */
function importsOf(): Map<string, string[]> {
  const modules = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  return new Map(
    modules.map((file) => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const names = [...text.matchAll(IMPORT)].map((m) => `${m[1]}.ts`);
      return [file, [...new Set(names)]];
    }),
  );
}

describe('src/graph layering', () => {
  it('has no import cycle, type-only imports included', () => {
    const graph = importsOf();
    expect(graph.size).toBeGreaterThan(10);
    for (const targets of graph.values()) {
      for (const t of targets) expect(graph.has(t), `import of ${t}`).toBe(true);
    }
    // Depth-first search with colours; a grey target is a back edge (a cycle).
    const colour = new Map<string, 'grey' | 'black'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      colour.set(file, 'grey');
      for (const t of graph.get(file) ?? []) {
        if (colour.get(t) === 'grey') cycles.push([...path, file, t].join(' → '));
        else if (colour.get(t) === undefined) visit(t, [...path, file]);
      }
      colour.set(file, 'black');
    };
    for (const file of graph.keys()) if (!colour.has(file)) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps nodes below the graph, and the graph below what runs it', () => {
    const graph = importsOf();
    const reaches = (from: string, to: string): boolean => {
      const seen = new Set<string>();
      const stack = [from];
      while (stack.length > 0) {
        const f = stack.pop()!;
        if (f === to) return true;
        if (seen.has(f)) continue;
        seen.add(f);
        stack.push(...(graph.get(f) ?? []));
      }
      return false;
    };
    for (const low of ['node.ts', 'expand.ts', 'dot.ts']) {
      expect(reaches(low, 'graph.ts'), `${low} reaches graph.ts`).toBe(false);
    }
    for (const runner of ['session.ts', 'plan.ts', 'optimizers.ts', 'fit.ts']) {
      expect(reaches('graph.ts', runner), `graph.ts reaches ${runner}`).toBe(false);
    }
    expect(reaches('fit.ts', 'session.ts')).toBe(false);
  });
});
