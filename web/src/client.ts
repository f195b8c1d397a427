/**
 * The page's side of the compute worker. At most one request is in flight and at most one
 * waits (the newest), so fast typing never queues stale work. A worker that has been busy
 * too long when newer input arrives is terminated and replaced: a slow simplification must
 * not hold the page hostage. Without workers (blocked, or failing to start) the same code
 * runs on the page.
 */
import type { ComputeRequest, ComputeResult, Engine } from './compute.js';
import { detectEngine, type WorkReply, type WorkRequest } from './protocol.js';

/** Where the computation runs. */
export type Host = 'worker' | 'page';

export interface ClientHandlers {
  result(id: number, result: ComputeResult): void;
  engine(engine: Engine, host: Host): void;
  busy(busy: boolean): void;
}

/** A request in flight this long is abandoned when newer input waits. */
const PATIENCE_MS = 1500;

export class ComputeClient {
  private worker: Worker | undefined;
  private ready = false;
  private inFlight: { id: number; since: number } | undefined;
  private waiting: WorkRequest | undefined;
  private onPage: ((request: ComputeRequest) => ComputeResult) | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly handlers: ClientHandlers) {
    this.startWorker();
  }

  /** Computes `request`; replies come through `handlers.result` with the same id. */
  submit(id: number, request: ComputeRequest): void {
    this.waiting = { id, request };
    this.pump();
  }

  private pump(): void {
    if (this.waiting === undefined) return;
    if (this.inFlight !== undefined) {
      this.armWatchdog();
      return;
    }
    const next = this.waiting;
    this.waiting = undefined;
    this.inFlight = { id: next.id, since: performance.now() };
    this.handlers.busy(true);
    if (this.worker !== undefined) this.worker.postMessage(next);
    else void this.computeOnPage(next);
  }

  private armWatchdog(): void {
    if (this.watchdog !== undefined || this.worker === undefined || this.inFlight === undefined) {
      return;
    }
    const wait = Math.max(0, PATIENCE_MS - (performance.now() - this.inFlight.since));
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (this.inFlight === undefined || this.waiting === undefined) return;
      // Newer input is waiting behind a long computation: drop it with its worker.
      this.worker?.terminate();
      this.inFlight = undefined;
      this.startWorker();
      this.pump();
    }, wait);
  }

  private finish(id: number, result: ComputeResult): void {
    if (this.inFlight?.id === id) this.inFlight = undefined;
    if (this.watchdog !== undefined) {
      clearTimeout(this.watchdog);
      this.watchdog = undefined;
    }
    this.handlers.result(id, result);
    if (this.waiting === undefined) this.handlers.busy(false);
    this.pump();
  }

  private startWorker(): void {
    this.ready = false;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    } catch {
      this.useThePage();
      return;
    }
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<WorkReply>) => {
      const reply = event.data;
      if (reply.kind === 'ready') {
        this.ready = true;
        this.handlers.engine(reply.engine, 'worker');
      } else {
        this.finish(reply.id, reply.result);
      }
    };
    worker.onerror = (event) => {
      // A worker that cannot start (blocked script, old browser) is replaced by the page.
      event.preventDefault();
      if (this.worker !== worker) return;
      worker.terminate();
      if (!this.ready) {
        this.useThePage();
      } else {
        this.startWorker();
      }
      const lost = this.inFlight;
      this.inFlight = undefined;
      if (lost !== undefined && this.waiting === undefined) {
        this.handlers.result(lost.id, {
          ok: false,
          expr: '',
          message: 'the computation failed unexpectedly; edit the expression to retry',
        });
      }
      this.pump();
    };
  }

  private useThePage(): void {
    this.worker = undefined;
  }

  private async computeOnPage(work: WorkRequest): Promise<void> {
    if (this.onPage === undefined) {
      const { createComputer } = await import('./compute.js');
      const engine = detectEngine();
      this.onPage = createComputer(engine);
      this.handlers.engine(engine, 'page');
    }
    // Let the page paint the keystroke before blocking it with the computation.
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.finish(work.id, this.onPage(work.request));
  }
}
