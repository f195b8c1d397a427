/**
 * Runs an example by name: `npm run example -- <name>` (compiles src and examples first).
 * Without a name it lists them.
 */
const EXAMPLES: Record<string, { file: string; about: string }> = {
  'session-basics': {
    file: './01-session-basics.js',
    about: 'constants, add, run, eval, printing',
  },
  'two-layer': { file: './02-two-layer.js', about: "the lecture's two-layer loss and derivation" },
  'sine-mlp': { file: './03-sine-mlp.js', about: 'a 1-32-32-1 tanh MLP fits a noisy sine' },
  spiral: { file: './04-spiral.js', about: 'a 2-16-16-2 ReLU classifier of two spirals' },
};

const args = process.argv.slice(2);
const usage = `usage: npm run example -- <name>\n\n${Object.entries(EXAMPLES)
  .map(([name, e]) => `  ${name.padEnd(16)}${e.about}`)
  .join('\n')}`;
if (args.length === 0) {
  console.log(usage);
} else if (args.length > 1 || !Object.hasOwn(EXAMPLES, args[0])) {
  console.error(`unknown example '${args.join(' ')}'\n\n${usage}`);
  process.exitCode = 2;
} else {
  const module = (await import(EXAMPLES[args[0]].file)) as {
    run: (options: { log: (line: string) => void }) => unknown;
  };
  const t0 = performance.now();
  module.run({ log: console.log });
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
