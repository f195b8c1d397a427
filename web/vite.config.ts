// Builds the playground into one static folder (web/dist): relative URLs, so it can be served
// from any path; every asset a file (no data: URLs), so a strict Content-Security-Policy
// (default-src 'self') allows all of it, KaTeX's fonts included.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { kernelSources } from './kernel-sources.js';

const library = fileURLToPath(new URL('../src/', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  plugins: [kernelSources(library)],
  worker: { format: 'es', plugins: () => [kernelSources(library)] },
  logLevel: 'warn',
});
