// @ts-check
/**
 * Pool worker of the GEMM (see `pool.ts`). Plain JavaScript so that it loads in a bare Node worker
 * whatever the parent runs under (vitest, `node --import tsx`, compiled output); it imports only the
 * plain-JS compute core next to it.
 *
 * Protocol, all through the shared `Int32Array` control block `ctl` (slots in `CTL`):
 *  - on start: instantiate the wasm module on the shared memory, then set READY_w = 1;
 *  - forever: sleep in `Atomics.wait` until GEN_w changes, claim and run tasks with `runTasks`, then
 *    decrement PENDING (waking the caller when it reaches 0). A task that throws sets ERROR and the
 *    message goes to the caller over `port`; the worker stays alive for the next job.
 * The parent `unref()`s this worker, so a sleeping worker never keeps the process alive.
 */
import { workerData } from 'node:worker_threads';
import { CTL, runTasks } from './gemm-core.mjs';

/** @type {{ memory: WebAssembly.Memory, module: WebAssembly.Module, ctl: Int32Array, index: number, port: import('node:worker_threads').MessagePort }} */
const { memory, module, ctl, index, port } = workerData;
const GEN = CTL.WORKERS + 2 * index;
const READY = GEN + 1;

const instance = new WebAssembly.Instance(module, { env: { memory } });
const kernels = /** @type {any} */ (instance.exports);

// Read the generation before announcing readiness: the caller bumps GEN only after it sees READY, so
// the first job can never slip in between and be missed.
let seen = Atomics.load(ctl, GEN);
Atomics.store(ctl, READY, 1);
Atomics.notify(ctl, READY);

for (;;) {
  Atomics.wait(ctl, GEN, seen);
  seen = Atomics.load(ctl, GEN);
  try {
    Atomics.add(ctl, CTL.WORKER_TASKS, runTasks(kernels, ctl));
  } catch (err) {
    if (Atomics.compareExchange(ctl, CTL.ERROR, 0, index + 1) === 0) {
      port.postMessage(err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
  }
  if (Atomics.sub(ctl, CTL.PENDING, 1) === 1) Atomics.notify(ctl, CTL.PENDING);
}
