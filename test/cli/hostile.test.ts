// The `leibniz` command against a hostile user: words that are not what they look like,
// absurd option values and inputs that used to give a wrong answer with exit status 0 or
// hang. Each case is one that did, before its fix.
import { describe, expect, it } from 'vitest';
import { leibniz } from './run-cli.js';

/** Expects a usage error: exit 64, nothing on stdout, the word on stderr. */
async function expectUsageError(argv: string[], word: string): Promise<void> {
  const r = await leibniz(argv);
  expect(r.code, r.stderr).toBe(64);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(word);
}

describe.concurrent('leibniz: a variable is a name, not an expression that reduces to one', () => {
  it('an option after "--" is not taken for a variable', async () => {
    await expectUsageError(['diff', 'x^2', 'x', '--', '--json'], "'--json' is not a variable name");
    await expectUsageError(['diff', 'x^2', '--', '--x'], "'--x' is not a variable name");
    await expectUsageError(['grad', 'x*y', '--wrt', '+x,y'], "'+x' is not a variable name");
    await expectUsageError(['compile', 'x*y', '--data', '(y)'], "'(y)' is not a variable name");
    await expectUsageError(['eval', 'x', '--', '-x=1'], "'-x' is not a variable name");
    await expectUsageError(['eval', 'x', 'x*1=2'], "'x*1' is not a variable name");
  });

  it('quoted and Unicode names still work', async () => {
    expect((await leibniz(['diff', '`my var`^2', '`my var`'])).stdout).toBe('2*`my var`\n');
    expect((await leibniz(['diff', 'x^2', '`x`'])).stdout).toBe('2*x\n');
    expect((await leibniz(['eval', 'θ^2 + x_1', 'θ=3', ' x_1 =1'])).stdout).toBe('10\n');
  });
});
