// Builds dist/ for the tests that run the built `leibniz` command and package, the way a
// user gets them. Like make: only when dist/ is missing or older than a source (after
// `npm ci`, whose `prepare` builds it, nothing is rebuilt).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.NaN;
  }
}

function isStale(): boolean {
  const config = Math.max(
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => mtime(join(ROOT, f))),
  );
  for (const entry of readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = join(entry.parentPath, entry.name);
    const built = join(
      ROOT,
      'dist',
      source.slice(join(ROOT, 'src').length).replace(/\.ts$/, '.js'),
    );
    const builtAt = mtime(built);
    // NaN (missing) compares false, so `!(builtAt >= …)` catches it.
    if (!(builtAt >= mtime(source) && builtAt >= config)) return true;
  }
  return false;
}

export default function setup(): void {
  if (isStale()) execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
