/**
 * Chromium for the browser tests, from the @sparticuz/chromium npm package: a Chromium
 * build shipped inside the package (brotli-compressed), so `npm ci` installs it like any
 * other file — no download step, no system package. It is unpacked once per version into
 * node_modules/.cache (atomically: a half-unpacked copy is never used). LEIBNIZ_CHROMIUM
 * names another binary instead (e.g. /usr/bin/chromium from Debian's package).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sparticuz from '@sparticuz/chromium';
import { type Browser, chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Flags for a root user on a machine without network or GPU: no sandbox (root), and no
 * background connections (they are refused here, many at a time, and only slow things down).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/** The Chromium binary to use, unpacking the packaged one on first use. */
export async function chromiumPath(): Promise<string> {
  const override = process.env.LEIBNIZ_CHROMIUM;
  if (override !== undefined && override !== '') return override;
  const pkg = join(root, 'node_modules', '@sparticuz', 'chromium', 'package.json');
  const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string };
  const home = join(root, 'node_modules', '.cache', `sparticuz-chromium-${version}`);
  const binary = join(home, 'chromium');
  mkdirSync(dirname(home), { recursive: true });
  removeAbandonedUnpacking(home);
  if (existsSync(binary)) return binary;
  // The package unpacks into os.tmpdir(), and reuses whatever `chromium` it finds there:
  // point it at an empty folder of ours, then move the finished folder into place.
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    const unpacked = await sparticuz.executablePath();
    if (unpacked !== join(staging, 'chromium')) {
      throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, expected ${staging}`);
    }
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
  if (existsSync(binary)) rmSync(staging, { recursive: true, force: true });
  else renameSync(staging, home);
  return binary;
}

/** Deletes half-unpacked copies left by runs that were stopped while unpacking. */
function removeAbandonedUnpacking(home: string): void {
  const prefix = `${basename(home)}.partial-`;
  for (const entry of readdirSync(dirname(home), { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(prefix)) continue;
    const pid = Number(entry.name.slice(prefix.length));
    if (pid === process.pid || isRunning(pid)) continue;
    rmSync(join(dirname(home), entry.name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A headless Chromium driven by Playwright; fails loudly (never skips) when none starts. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromiumPath();
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_FLAGS, timeout: 60_000 });
  } catch (e) {
    throw new Error(
      `Chromium (${executablePath}) did not start: ${e instanceof Error ? e.message : e}\n` +
        'The browser tests need it. Set LEIBNIZ_CHROMIUM to another Chromium binary ' +
        '(e.g. apt-get install chromium; LEIBNIZ_CHROMIUM=/usr/bin/chromium).',
    );
  }
}
