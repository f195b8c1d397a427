/**
 * The compute worker: all algebra, code generation and plot sampling happen here, so the
 * page stays responsive however long a simplification takes (the page restarts a worker
 * that takes too long). Nothing escapes as an uncaught exception.
 */
import { createComputer, messageOf } from './compute.js';
import { detectEngine, transferables, type WorkReply, type WorkRequest } from './protocol.js';

const engine = detectEngine();
const compute = createComputer(engine);

const post = (reply: WorkReply, transfer: Transferable[] = []) =>
  self.postMessage(reply, { transfer });

self.onmessage = (event: MessageEvent<WorkRequest>) => {
  const { id, request } = event.data;
  try {
    const result = compute(request);
    post({ kind: 'result', id, result }, transferables(result));
  } catch (e) {
    // compute() reports failures as results; this is the last line of defence.
    post({
      kind: 'result',
      id,
      result: { ok: false, expr: request.state.expr, message: messageOf(e) },
    });
  }
};

post({ kind: 'ready', engine });
