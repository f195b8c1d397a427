#!/usr/bin/env node
// `npm run playground`: builds the playground (web/ → web/dist, one static folder) and serves
// it on localhost, printing the address and the bundle sizes. A plain static server: the
// page needs nothing from a server but its files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, 'dist');

const USAGE = `usage: npm run playground [-- options]
  --port N     port to listen on (default 4173, or the next free one; 0: any free port)
  --host H     address to listen on (default 127.0.0.1)
  --csp        send a strict Content-Security-Policy (no 'unsafe-eval'): the page then
               plots with the interpreter instead of compiled functions, and says so
  --no-build   serve the existing build in web/dist
  --help       this text`;

/**
 * A strict policy: only this origin's files, no inline code, no eval (so no compiled
 * functions), no network beyond the origin.
 */
export const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

function parseArgs(argv) {
  const options = { port: undefined, host: '127.0.0.1', csp: false, build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '--port') {
      const text = value();
      const port = Number(text);
      if (!/^\d+$/.test(text) || port > 65535) usageError(`--port needs 0–65535, got '${text}'`);
      options.port = port;
    } else if (arg === '--host') {
      options.host = value();
    } else if (arg === '--csp') {
      options.csp = true;
    } else if (arg === '--no-build') {
      options.build = false;
    } else {
      usageError(`unknown argument '${arg}'`);
    }
  }
  return options;
}

function usageError(message) {
  console.error(`playground: ${message}\n${USAGE}`);
  process.exit(2);
}

async function build() {
  const { build: viteBuild } = await import('vite');
  const started = performance.now();
  await viteBuild({ configFile: join(here, 'vite.config.ts') });
  return performance.now() - started;
}

/** Bytes and gzip bytes of the build's files, by kind. */
export function measureBuild(dir = dist) {
  const files = readdirSync(join(dir, 'assets')).map((name) => {
    const bytes = readFileSync(join(dir, 'assets', name));
    return { name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const sum = (list) =>
    list.reduce((a, f) => ({ bytes: a.bytes + f.bytes, gzip: a.gzip + f.gzip }), {
      bytes: 0,
      gzip: 0,
    });
  const js = files.filter((f) => f.name.endsWith('.js'));
  const byPrefix = (prefix) => sum(js.filter((f) => f.name.startsWith(prefix)));
  return {
    page: byPrefix('index-'),
    worker: byPrefix('worker-'),
    fallback: byPrefix('compute-'),
    js: sum(js),
    css: sum(files.filter((f) => f.name.endsWith('.css'))),
    woff2: sum(files.filter((f) => f.name.endsWith('.woff2'))),
    folder: sum(files),
  };
}

const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
const both = (s) => `${kB(s.bytes)} (gzip ${kB(s.gzip)})`;

function printSizes(sizes) {
  console.log(
    `  JavaScript loaded: page ${both(sizes.page)} + worker ${both(sizes.worker)}` +
      `; on-page fallback ${both(sizes.fallback)} (loaded only where workers are unavailable)`,
  );
  console.log(
    `  CSS ${both(sizes.css)}; KaTeX fonts (woff2) ${both(sizes.woff2)}, fetched per font as glyphs need them`,
  );
}

function serve(options) {
  const root = resolve(dist);
  const headers = {
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...(options.csp ? { 'Content-Security-Policy': STRICT_CSP } : {}),
  };
  return createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(root, `.${path}`);
    const type = TYPES[extname(file)];
    if (!file.startsWith(root + sep) || type === undefined || path.includes('\0')) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, headers).end('not found');
    }
  });
}

function listen(server, host, port, retries) {
  return new Promise((resolvePort, reject) => {
    const onError = (error) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' && retries > 0) {
        resolvePort(listen(server, host, port + 1, retries - 1));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolvePort(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) {
    const ms = await build();
    console.log(
      `Built the playground in ${(ms / 1000).toFixed(1)} s: ${relative(process.cwd(), dist) || '.'}/ (one static folder)`,
    );
  } else {
    try {
      statSync(join(dist, 'index.html'));
    } catch {
      console.error('playground: no build in web/dist; run without --no-build');
      process.exit(1);
    }
  }
  printSizes(measureBuild());
  const server = serve(options);
  let port;
  try {
    port = await listen(
      server,
      options.host,
      options.port ?? 4173,
      options.port === undefined ? 20 : 0,
    );
  } catch (error) {
    console.error(`playground: cannot listen on ${options.host}:${options.port}: ${error.message}`);
    process.exit(1);
  }
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  console.log(
    `Leibniz playground: http://${shown}:${port}/${options.csp ? '  (strict Content-Security-Policy: no compiled functions)' : ''}`,
  );
  console.log('Press Ctrl+C to stop.');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`playground: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
