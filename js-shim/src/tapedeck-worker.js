// Tapedeck's worker bootstrap: loads the worker's WebAssembly and hands
// control to it. A failure to load is reported to the page as a message,
// never thrown.
import initWorker, { start_worker } from "./worker/tapedeck_worker_wasm.js";

try {
  await initWorker();
  start_worker();
} catch (error) {
  self.postMessage({
    kind: "failed",
    message: `the worker's WebAssembly could not start: ${error && error.message ? error.message : error}`,
  });
}
