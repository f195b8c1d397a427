// The playground in a real browser: `npm run playground` builds and serves it, Chromium
// (Playwright) types into it, reads what KaTeX rendered and what the canvas drew, and checks
// that no exception reaches the console and no request leaves the page's own origin — once
// as served normally, once under a strict Content-Security-Policy that forbids compiled code.
// Screenshots and measurements go to test-output/ (not committed).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVE_COLORS, MARGIN, panelRows, verticalRange } from '../../web/src/scale.js';
import { PRESETS } from '../../web/src/state.js';
import { launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const output = join(root, 'test-output');

interface Served {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly stdout: () => string;
}

/** Starts a command that prints the playground's address, and waits for the address. */
function startServer(command: string, args: readonly string[]): Promise<Served> {
  // Own process group, so stopping it also stops what `npm run` started.
  const child = spawn(command, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop(child);
      reject(new Error(`no address within 90 s:\n${stdout}\n${stderr}`));
    }, 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /Leibniz playground: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, origin: m[1], stdout: () => stdout });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited (${code}):\n${stdout}\n${stderr}`));
    });
  });
}

/** Stops a server and what it started (npm does not pass SIGTERM on to its script). */
function stop(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Console errors, page errors and foreign requests of one page, for the final checks. */
interface Watch {
  readonly errors: string[];
  readonly requests: string[];
  readonly dialogs: string[];
}

async function openPage(
  browser: Browser,
  url: string,
): Promise<{ page: Page; watch: Watch; context: BrowserContext }> {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 1000 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(url).origin,
  });
  const page = await context.newPage();
  const watch: Watch = { errors: [], requests: [], dialogs: [] };
  const onConsole = (where: string) => (m: { type(): string; text(): string }) => {
    if (m.type() === 'error' || m.type() === 'assert')
      watch.errors.push(`${where} console: ${m.text()}`);
  };
  page.on('console', onConsole('page'));
  page.on('pageerror', (e) => watch.errors.push(`page error: ${e.message}`));
  page.on('worker', (w) => w.on('console', onConsole('worker')));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  context.on('request', (r) => watch.requests.push(r.url()));
  await page.goto(url);
  return { page, watch, context };
}

/**
 * The checks every page ends with, then closes it: no console error, page error or dialog
 * (`allowed` names browser reports that are expected), and every request to the page's own
 * origin (or made by the page itself: blob:, data:).
 */
async function closeClean(
  opened: { watch: Watch; context: BrowserContext; page: Page },
  allowed?: RegExp,
): Promise<void> {
  const { watch, context, page } = opened;
  const origin = new URL(page.url()).origin;
  expect(watch.dialogs).toEqual([]);
  expect(watch.errors.filter((e) => allowed === undefined || !allowed.test(e))).toEqual([]);
  const foreign = watch.requests.filter(
    (u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'),
  );
  expect(foreign).toEqual([]);
  await context.close();
}

/** How many of KaTeX's font faces the page has loaded (from its own origin). */
const katexFontsLoaded = (page: Page) =>
  page.evaluate(
    () =>
      [...document.fonts].filter((f) => f.family.includes('KaTeX') && f.status === 'loaded').length,
  );

/** The LaTeX source KaTeX rendered into `selector` (its MathML annotation). */
const latexIn = (page: Page, selector: string) =>
  page.locator(`${selector} annotation[encoding="application/x-tex"]`).textContent();

/** What a reader sees in `selector`'s KaTeX output, without spacing characters. */
async function visibleMath(page: Page, selector: string): Promise<string> {
  const text = (await page.locator(`${selector} .katex-html`).textContent()) ?? '';
  return text.replace(/[\s\u200b]/g, '');
}

/** Replaces the input's text key by key, as a person types. */
async function typeExpression(page: Page, text: string): Promise<void> {
  await page.fill('#expr', '');
  await page.locator('#expr').pressSequentially(text);
}

async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([sel, expected]) => document.querySelector(sel)?.textContent === expected,
    [selector, text] as const,
    { timeout: 15_000 },
  );
}

async function waitForDerivative(page: Page, latex: string): Promise<void> {
  await page.waitForFunction(
    (expected) =>
      document
        .querySelector('#derivative-math annotation[encoding="application/x-tex"]')
        ?.textContent?.includes(expected) === true,
    latex,
    { timeout: 15_000 },
  );
}

/** Pixels of each curve colour in the f panel (top) and the f′ panel (bottom) of the canvas. */
async function curvePixels(
  page: Page,
): Promise<{ top: number[]; bottom: number[]; blank: number }> {
  const height = await page.evaluate(() => document.querySelector('#plot')!.clientHeight);
  const rows = panelRows(height);
  return page.evaluate(
    ([colors, panels]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('#plot')!;
      const ratio = canvas.height / canvas.clientHeight;
      const g = canvas.getContext('2d')!;
      const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
      const rgb = colors.map((c) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16)));
      const counts = [
        [0, 0],
        [0, 0],
      ];
      let blank = 0;
      for (let y = 0; y < height; y++) {
        const panel = panels.findIndex(([top, bottom]) => y >= top * ratio && y < bottom * ratio);
        for (let x = 0; x < width; x++) {
          const k = 4 * (y * width + x);
          const px = [data[k], data[k + 1], data[k + 2]];
          if (px.every((v) => v === 255)) blank++;
          if (panel < 0) continue;
          rgb.forEach((c, i) => {
            if (c.every((v, j) => Math.abs(v - px[j]) <= 24)) counts[panel][i]++;
          });
        }
      }
      return { top: counts[0], bottom: counts[1], blank };
    },
    [CURVE_COLORS, rows] as const,
  );
}

/**
 * Pixels of curve `channel`'s colour inside a region of its panel: `t` between `tFrom` and
 * `tTo` (plot coordinates), rows between `yFrom` and `yTo` (the panel's value scale, `lo`
 * and `hi` being the range it shows).
 */
async function pixelsInRegion(
  page: Page,
  channel: 0 | 1,
  region: { t: [number, number]; y: [number, number] },
  plot: { from: number; to: number; lo: number; hi: number },
): Promise<number> {
  const size = await page.evaluate(() => {
    const c = document.querySelector('#plot')!;
    return [c.clientWidth, c.clientHeight] as const;
  });
  const [top, bottom] = panelRows(size[1])[channel];
  const x0 = MARGIN.left;
  const x1 = size[0] - MARGIN.right;
  const toX = (t: number) => x0 + ((t - plot.from) / (plot.to - plot.from)) * (x1 - x0);
  const toY = (y: number) => bottom - ((y - plot.lo) / (plot.hi - plot.lo)) * (bottom - top);
  const box = {
    left: Math.round(toX(region.t[0])),
    right: Math.round(toX(region.t[1])),
    top: Math.round(Math.max(top, toY(region.y[1]))),
    bottom: Math.round(Math.min(bottom, toY(region.y[0]))),
  };
  return page.evaluate(
    ([color, b]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('#plot')!;
      const ratio = canvas.height / canvas.clientHeight;
      const w = Math.max(1, Math.round((b.right - b.left) * ratio));
      const h = Math.max(1, Math.round((b.bottom - b.top) * ratio));
      const { data } = canvas
        .getContext('2d')!
        .getImageData(Math.round(b.left * ratio), Math.round(b.top * ratio), w, h);
      const rgb = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
      let n = 0;
      for (let k = 0; k < data.length; k += 4) {
        if (rgb.every((v, j) => Math.abs(v - data[k + j]) <= 40)) n++;
      }
      return n;
    },
    [CURVE_COLORS[channel], box] as const,
  );
}

/** Waits until the canvas shows the plot of `expr` (the input's text by default). */
async function waitForPlot(page: Page, expr?: string): Promise<void> {
  const wanted = expr ?? (await page.inputValue('#expr'));
  await page.waitForFunction(
    (e) => document.querySelector<HTMLElement>('#plot')?.dataset.drawn === e,
    wanted,
    { timeout: 15_000 },
  );
}

describe('playground in Chromium', () => {
  let playground: Served;
  let strict: Served;
  let browser: Browser;
  const metrics: Record<string, unknown> = {};

  beforeAll(async () => {
    mkdirSync(output, { recursive: true });
    // `npm run playground` builds web/ and serves it; the strict server reuses that build.
    [playground, browser] = await Promise.all([
      startServer('npm', ['run', 'playground', '--', '--port', '0']),
      launchChromium(),
    ]);
    strict = await startServer(process.execPath, [
      'web/serve.mjs',
      '--no-build',
      '--csp',
      '--port',
      '0',
    ]);
  }, 180_000);

  afterAll(async () => {
    stop(playground?.child);
    stop(strict?.child);
    await browser?.close();
    writeFileSync(join(output, 'playground-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  });

  it('`npm run playground` builds, prints the address and the sizes, and serves the page', async () => {
    const out = playground.stdout();
    expect(out).toMatch(/Built the playground in [\d.]+ s: web\/dist\/ \(one static folder\)/);
    const js =
      /page ([\d.]+) kB \(gzip ([\d.]+) kB\) \+ worker ([\d.]+) kB \(gzip ([\d.]+) kB\)/.exec(out);
    expect(js).not.toBeNull();
    metrics.bundle = {
      pageKB: Number(js![1]),
      pageGzipKB: Number(js![2]),
      workerKB: Number(js![3]),
      workerGzipKB: Number(js![4]),
      report: out.split('\n').filter((l) => l.startsWith('  ')),
    };
    const res = await fetch(`${playground.origin}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Leibniz playground</title>');
    expect(res.headers.get('content-security-policy')).toBeNull();
    const csp = (await fetch(`${strict.origin}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect((await fetch(`${playground.origin}/../package.json`)).status).toBe(404);
    expect((await fetch(`${playground.origin}/%2e%2e/package.json`)).status).toBe(404);
  });

  it('types sin(x^2): derivative, steps, plot, copy, download, parse errors', async () => {
    const opened = await openPage(browser, `${playground.origin}/#f=x%5E3`);
    const { page } = opened;
    await waitForDerivative(page, '3 x^{2}');
    await expect(page.locator('#engine').getAttribute('data-engine')).resolves.toBe('compiled');

    await typeExpression(page, 'sin(x^2)');
    await waitForDerivative(page, '2 x \\cos\\left(x^{2}\\right)');
    expect(await visibleMath(page, '#derivative-math')).toBe('∂x∂f=2xcos(x2)');
    expect(
      await page.locator('#derivative-math .katex-html .msupsub').first().textContent(),
    ).toContain('2');
    expect(new URL(page.url()).hash).toContain('f=sin%28x%5E2%29');

    // The steps: the lecture's chain of partials, then the product.
    await page.click('#steps summary');
    await page.waitForSelector('#steps-math .katex');
    const steps = (await latexIn(page, '#steps-math')) ?? '';
    expect(steps).toContain(
      '\\frac{\\partial f}{\\partial x} &= \\frac{\\partial f}{\\partial \\left(x^{2}\\right)} \\cdot \\frac{\\partial \\left(x^{2}\\right)}{\\partial x}',
    );
    expect(steps).toContain('&= 2 x \\cos\\left(x^{2}\\right)');

    // The plot: both curves drawn, in their panels, on a mostly white canvas.
    await waitForPlot(page);
    const pixels = await curvePixels(page);
    expect(pixels.top[0]).toBeGreaterThan(300);
    expect(pixels.bottom[1]).toBeGreaterThan(300);
    expect(pixels.top[1] + pixels.bottom[0]).toBeLessThan(20);
    expect(pixels.blank).toBeGreaterThan(100_000);

    // KaTeX's own fonts, from this origin.
    expect(await katexFontsLoaded(page)).toBeGreaterThan(0);

    // Copy LaTeX puts exactly the shown LaTeX on the clipboard.
    await page.click('#derivative-block button[data-form="latex"]');
    await page.waitForFunction(
      () =>
        document.querySelector('#derivative-block button[data-form="latex"]')?.textContent ===
        'Copied',
    );
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      await latexIn(page, '#derivative-math'),
    );

    // The generated module downloads, imports in Node and computes the derivative.
    await page.click('#code-panel summary');
    await expect(page.locator('#code').textContent()).resolves.toContain('function gradient(x, g)');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#download-module'),
    ]);
    expect(download.suggestedFilename()).toBe('f-gradient.mjs');
    const saved = join(output, 'f-gradient.mjs');
    await download.saveAs(saved);
    const source = readFileSync(saved, 'utf8');
    const mod = (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as {
      gradient: (x: number[], g: Float64Array) => number;
    };
    const g = new Float64Array(1);
    expect(mod.gradient([0.7], g)).toBeCloseTo(Math.sin(0.49), 14);
    expect(g[0]).toBeCloseTo(1.4 * Math.cos(0.49), 14);

    await page.screenshot({ path: join(output, 'playground-sin.png'), fullPage: true });

    // Raw and simplified.
    await typeExpression(page, '(x^2 - 1)/(x - 1)');
    await waitForDerivative(page, '\\frac{\\partial f}{\\partial x} = 1');
    await page.check('#raw');
    await waitForDerivative(page, '\\frac{2 x}{x - 1}');
    expect(new URL(page.url()).hash).toContain('raw=1');
    await page.uncheck('#raw');
    await waitForDerivative(page, '\\frac{\\partial f}{\\partial x} = 1');

    // A broken expression: the caret under the offending place, the last result kept.
    await typeExpression(page, 'sin(x^');
    await waitForText(page, '#parse-error', 'sin(x^\n      ^\nunexpected end of input (column 7)');
    await expect(page.locator('#expr').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#result-card').getAttribute('class')).resolves.toContain('stale');
    await typeExpression(page, '2*x)');
    await waitForText(page, '#parse-error', "2*x)\n   ^\nunmatched ')' (column 4)");
    await typeExpression(page, 'x^2');
    await waitForDerivative(page, '2 x');
    expect(await page.locator('#parse-error').isHidden()).toBe(true);

    // Text that looks like markup stays text; unknown functions differentiate, plot says why not.
    await typeExpression(page, '`<img src=x onerror=alert(1)>` * h(x)');
    await waitForDerivative(page, "h'");
    await expect(page.locator('#plot-note').textContent()).resolves.toMatch(/No plot: .*'h'/);
    expect(await page.locator('#var-list').textContent()).toContain('<img src=x onerror=alert(1)>');

    // Library kernels embedded in compiled code (erf calls erfc; log(1 + e^x) is softplus).
    await typeExpression(page, 'erf(x) + log(1 + exp(x))');
    await waitForPlot(page);
    const kernels = await curvePixels(page);
    expect(kernels.top[0]).toBeGreaterThan(300);
    expect(kernels.bottom[1]).toBeGreaterThan(300);
    await expect(page.locator('#plot-note').textContent()).resolves.not.toMatch(/No plot/);

    await closeClean(opened);
  });

  it('draws no line across a jump, and nothing where f is not real', async () => {
    const opened = await openPage(browser, `${playground.origin}/#f=sign(x)&range=-1,1`);
    const { page } = opened;
    await waitForPlot(page, 'sign(x)');
    const [lo, hi] = verticalRange(Float64Array.from([-1, 1]));
    const plot = { from: -1, to: 1, lo, hi };
    // Either side of the jump the curve is drawn...
    expect(
      await pixelsInRegion(page, 0, { t: [-0.9, -0.1], y: [-1.05, -0.95] }, plot),
    ).toBeGreaterThan(100);
    expect(await pixelsInRegion(page, 0, { t: [0.1, 0.9], y: [0.95, 1.05] }, plot)).toBeGreaterThan(
      100,
    );
    // ...but nothing joins the two levels at 0.
    expect(await pixelsInRegion(page, 0, { t: [-0.05, 0.05], y: [-0.8, 0.8] }, plot)).toBe(0);

    // sqrt: nothing left of 0, for f and for f′ = 1/(2√x).
    await page.evaluate(() => {
      location.hash = '#f=sqrt(x)&range=-1,1';
    });
    await waitForPlot(page, 'sqrt(x)');
    const everywhere = { from: -1, to: 1, lo: -1e9, hi: 1e9 };
    expect(await pixelsInRegion(page, 0, { t: [-0.9, -0.02], y: [-1e9, 1e9] }, everywhere)).toBe(0);
    expect(await pixelsInRegion(page, 1, { t: [-0.9, -0.02], y: [-1e9, 1e9] }, everywhere)).toBe(0);
    expect(
      await pixelsInRegion(page, 0, { t: [0.05, 0.95], y: [-1e9, 1e9] }, everywhere),
    ).toBeGreaterThan(100);

    // tan: both poles cut, and the curve still drawn between them.
    await page.evaluate(() => {
      location.hash = '#f=tan(x)&range=-3,3';
    });
    await waitForPlot(page, 'tan(x)');
    // In panel fractions (lo = -1, hi = 1: the middle 60% of the rows), near each pole.
    const fractions = { from: -3, to: 3, lo: -1, hi: 1 };
    for (const pole of [-Math.PI / 2, Math.PI / 2]) {
      const t: [number, number] = [pole - 0.03, pole + 0.03];
      expect(await pixelsInRegion(page, 0, { t, y: [-0.6, 0.6] }, fractions)).toBe(0);
    }
    expect(
      await pixelsInRegion(page, 0, { t: [-1, 1], y: [-0.6, 0.6] }, fractions),
    ).toBeGreaterThan(100);
    await page.screenshot({ path: join(output, 'playground-tan.png'), fullPage: true });
    await closeClean(opened);
  });

  it('stays responsive: a long computation is abandoned for newer input', async () => {
    const opened = await openPage(browser, `${playground.origin}/#f=x`);
    const { page } = opened;
    await waitForDerivative(page, '\\frac{\\partial f}{\\partial x} = 1');
    let started = 0;
    page.on('worker', () => {
      started++;
    });
    // Differentiating a 6000-deep chain takes the library many seconds.
    await page.fill('#expr', `${'tanh('.repeat(6000)}x${')'.repeat(6000)}`);
    await page.fill('#expr', 'x^3');
    await waitForDerivative(page, '3 x^{2}');
    // The busy worker was replaced rather than waited for; its result never showed.
    expect(started).toBe(1);
    expect(await latexIn(page, '#fn-math')).toBe('f = x^{3}');
    await page.click('#steps summary');
    await page.waitForSelector('#steps-math .katex');
    await closeClean(opened);
  });

  it('loads presets from the URL hash, the buttons and shared links', async () => {
    const opened = await openPage(browser, `${playground.origin}/#preset=rosenbrock`);
    const { page, context } = opened;
    const rosenbrock = PRESETS.find((p) => p.id === 'rosenbrock')!.state;
    await waitForDerivative(page, '\\frac{\\partial f}{\\partial y} &= 200');
    expect(await page.inputValue('#expr')).toBe(rosenbrock.expr);
    expect(await page.locator('#derivative-title').textContent()).toBe('Gradient');
    await page.waitForSelector('#hessian-math .katex');
    expect(await latexIn(page, '#hessian-math')).toMatch(
      /\\begin\{pmatrix\}.*x\^\{2\}.*200 \\end\{pmatrix\}/,
    );
    await waitForPlot(page);
    await page.screenshot({ path: join(output, 'playground-rosenbrock.png'), fullPage: true });

    // The link the page wrote reproduces the view in a fresh page.
    const link = page.url();
    expect(link).toContain('hessian=1');
    const shared = await context.newPage();
    await shared.goto(link);
    await waitForDerivative(shared, '\\frac{\\partial f}{\\partial y} &= 200');
    expect(await latexIn(shared, '#derivative-math')).toBe(await latexIn(page, '#derivative-math'));

    // A preset button, then a hash typed into the address bar of the open page.
    await page.click('#presets button[data-preset="two-layer"]');
    await waitForDerivative(page, '\\frac{\\partial L}{\\partial w_{1}}');
    expect(page.url()).toContain('by=w1&by=w2');
    await page.click('#steps summary');
    await page.waitForSelector('#steps-math .katex');
    await waitForPlot(page);
    // The README's picture (docs/playground.png is a copy of this one).
    await page.screenshot({ path: join(output, 'playground-two-layer.png'), fullPage: true });
    await page.click('#steps summary');
    await page.evaluate(() => {
      location.hash = '#preset=logistic';
    });
    await waitForDerivative(page, '\\frac{\\partial L}{\\partial b}');
    expect(await page.inputValue('#expr')).toBe('log(1 + exp(-y*(w*x + b)))');
    await page.click('#steps summary');
    await page.waitForSelector('#steps-math .katex');
    await waitForPlot(page);
    await page.screenshot({ path: join(output, 'playground-logistic.png'), fullPage: true });

    await closeClean(opened);
  });

  it('measures keystroke to rendered derivative for the two-layer loss', async () => {
    const opened = await openPage(browser, `${playground.origin}/#preset=two-layer`);
    const { page } = opened;
    const loss = '(tanh(w2*tanh(w1*x)) - y)^2';
    await waitForDerivative(page, '\\frac{\\partial L}{\\partial w_{1}}');
    await page.click('#steps summary');
    // Typed whole, key by key: the figure for the last key.
    await typeExpression(page, loss);
    await waitForDerivative(page, '\\frac{\\partial L}{\\partial w_{2}}');
    await page.waitForFunction(() =>
      document.querySelector('#status')?.textContent?.startsWith('derivative rendered'),
    );
    const typedWhole = Number(await page.locator('#status').getAttribute('data-keystroke-ms'));
    // The last key alone, repeatedly, each time with a fresh symbol so that nothing is
    // cached: the loss as typed, its target renamed (the same work).
    const lastKey: number[] = [];
    const algebra: number[] = [];
    const rendering: number[] = [];
    for (let i = 0; i < 9; i++) {
      const fresh = loss.replace('y', `y${i}`);
      await page.fill('#expr', fresh.slice(0, -1));
      await waitForText(
        page,
        '#parse-error',
        `${fresh.slice(0, -1)}\n${' '.repeat(fresh.length - 1)}^\nunexpected end of input (column ${fresh.length})`,
      );
      await page.evaluate(() => {
        delete document.querySelector<HTMLElement>('#status')!.dataset.keystrokeMs;
      });
      await page.locator('#expr').press('2');
      await page.waitForSelector('#status[data-keystroke-ms]');
      expect(await latexIn(page, '#derivative-math')).toContain(`y_{${i}}`);
      lastKey.push(Number(await page.locator('#status').getAttribute('data-keystroke-ms')));
      const status = (await page.locator('#status').textContent()) ?? '';
      algebra.push(Number(/algebra ([\d.]+) ms/.exec(status)?.[1]));
      rendering.push(Number(/typesetting and drawing ([\d.]+) ms/.exec(status)?.[1]));
    }
    lastKey.sort((a, b) => a - b);
    algebra.sort((a, b) => a - b);
    rendering.sort((a, b) => a - b);
    metrics.keystrokeToRenderMs = {
      expression: loss,
      typedWhole,
      lastKeyMedian: lastKey[Math.floor(lastKey.length / 2)],
      lastKeyMin: lastKey[0],
      lastKeyMax: lastKey[lastKey.length - 1],
      workerAlgebraMedian: algebra[Math.floor(algebra.length / 2)],
      pageRenderMedian: rendering[Math.floor(rendering.length / 2)],
      note:
        'ms from the keystroke event to the gradient, the open derivation, the code and the plot updated on the page; ' +
        'lastKey*: cold (fresh symbol each time), typedWhole: the last key when typing the whole loss (Chromium headless, software rendering)',
    };
    console.log('keystroke to rendered derivative (two-layer loss):', metrics.keystrokeToRenderMs);
    for (const ms of lastKey) expect(ms).toBeGreaterThan(0);
    await closeClean(opened);
  });

  it('works under a strict Content-Security-Policy: interpreter plots, and says so', async () => {
    const opened = await openPage(browser, `${strict.origin}/#preset=two-layer`);
    const { page } = opened;
    await waitForDerivative(page, '\\frac{\\partial L}{\\partial w_{1}}');
    await page.waitForSelector('#engine[data-engine="interpreted"]');
    expect(await page.locator('#engine').textContent()).toMatch(
      /Compiled functions are not allowed here: .*Content-Security-Policy.*interpreter \(evaluate\)/,
    );
    await waitForPlot(page);
    const pixels = await curvePixels(page);
    expect(pixels.top[0]).toBeGreaterThan(300);
    expect(pixels.bottom[1]).toBeGreaterThan(300);

    await typeExpression(page, 'sin(x^2)');
    await waitForDerivative(page, '2 x \\cos\\left(x^{2}\\right)');
    await page.click('#steps summary');
    await page.waitForSelector('#steps-math .katex');
    await typeExpression(page, 'sin(x^');
    await page.waitForSelector('#parse-error:not([hidden])');
    await page.click('#code-panel summary');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#download-module'),
    ]);
    expect(download.suggestedFilename()).toBe('L-gradient.mjs');
    expect(await katexFontsLoaded(page)).toBeGreaterThan(0);
    await page.screenshot({ path: join(output, 'playground-csp.png'), fullPage: true });

    // The browser reports the refused eval (the worker's one check); nothing else.
    await closeClean(opened, /Refused to evaluate a string as JavaScript/);
  });

  it('is linked from the README, with its screenshot and docs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('](docs/playground.md)');
    expect(readme).toContain('![The Leibniz playground](docs/playground.png)');
    // A committed copy of test-output/playground-two-layer.png, taken above.
    const png = readFileSync(join(root, 'docs', 'playground.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1100); // the test's viewport width
    expect(readFileSync(join(root, 'docs', 'playground.md'), 'utf8')).toContain(
      'npm run playground',
    );
  });
});
