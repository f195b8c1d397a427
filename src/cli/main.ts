#!/usr/bin/env node
/**
 * The `leibniz` executable: wires `run` (run.ts) to the process. Output is written with
 * the exit status set, not `process.exit`, so a large result is flushed to a pipe in full.
 */
import { readFileSync } from 'node:fs';
import { run } from './run.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

// A reader that went away (`leibniz grad … | head -1`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

process.exitCode = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  readStdin,
  stdinIsTTY: process.stdin.isTTY === true,
  version,
});
