// Tapedeck's page API as an ES module: the npm package's entry, and what
// the script-tag bundle loads. Everything about what is recorded lives in
// the recorder's WebAssembly; this file loads it, starts the worker and
// makes sure nothing it does can throw into the host page.

import initRecorder, { Recorder } from "./recorder/tapedeck_recorder_wasm.js";

const LOG_PREFIX = "[tapedeck]";

/** How long the worker may take to load its WebAssembly and answer. */
const WORKER_READY_TIMEOUT_MS = 15000;

/** The one recording of this page, or null. */
const current = { recorder: null, starting: null };

function warn(message) {
  console.warn(`${LOG_PREFIX} ${message}`);
}

function describe(error) {
  if (error && typeof error.message === "string") return error.message;
  return String(error);
}

/**
 * Starts the dedicated worker. The literal `new Worker(new URL(...))` form
 * lets bundlers (Vite, webpack) find and bundle the worker; when the script
 * is served from another origin than the page, browsers refuse that form,
 * so a same-origin blob bootstrap imports the worker module instead.
 */
function createWorker(workerUrl) {
  if (workerUrl) {
    return new Worker(new URL(workerUrl, document.baseURI), { type: "module" });
  }
  try {
    return new Worker(new URL("./tapedeck-worker.js", import.meta.url), { type: "module" });
  } catch (error) {
    const moduleUrl = new URL("./tapedeck-worker.js", import.meta.url).href;
    const source = `import ${JSON.stringify(moduleUrl)};`;
    const blob = new Blob([source], { type: "text/javascript" });
    return new Worker(URL.createObjectURL(blob), { type: "module" });
  }
}

/** Resolves with the worker once its WebAssembly runs and it says ready. */
function waitUntilReady(worker) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the worker did not start within ${WORKER_READY_TIMEOUT_MS} ms`));
    }, WORKER_READY_TIMEOUT_MS);
    worker.onmessage = (event) => {
      const kind = event.data && event.data.kind;
      if (kind === "ready") {
        clearTimeout(timer);
        resolve(worker);
      } else if (kind === "failed") {
        clearTimeout(timer);
        reject(new Error(event.data.message));
      }
    };
    worker.onerror = (event) => {
      clearTimeout(timer);
      event.preventDefault();
      reject(new Error(`the worker script failed to load (${event.message || "blocked or not found"})`));
    };
  });
}

async function start(options) {
  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    warn("this browser lacks WebAssembly or Web Workers; nothing is recorded");
    return { status: "unsupported" };
  }
  const { workerUrl, ...recorderOptions } = options && typeof options === "object" ? options : {};

  await initRecorder();
  let recorder;
  try {
    recorder = new Recorder(JSON.stringify(recorderOptions));
  } catch (error) {
    warn(`init() refused its options: ${describe(error)}; nothing is recorded`);
    return { status: "invalid-options", reason: describe(error) };
  }

  const sessionId = recorder.sessionId();
  if (!recorder.isSampled()) {
    recorder.free();
    return { status: "not-sampled", sessionId };
  }

  const worker = await waitUntilReady(createWorker(workerUrl));
  recorder.start(worker);
  current.recorder = recorder;
  return { status: "recording", sessionId };
}

/**
 * Starts recording this page. Resolves with `{status, sessionId?, reason?}`
 * and never rejects: a failure is one console warning and a status.
 */
export function init(options) {
  if (current.recorder || current.starting) {
    return current.starting || Promise.resolve({ status: "already-started", sessionId: getSessionId() });
  }
  current.starting = start(options)
    .catch((error) => {
      warn(`recording could not start: ${describe(error)}`);
      return { status: "failed", reason: describe(error) };
    })
    .finally(() => {
      current.starting = null;
    });
  return current.starting;
}

/** Stops recording; what was recorded is still sent. */
export function stop() {
  const recorder = current.recorder;
  current.recorder = null;
  if (!recorder) return;
  try {
    recorder.stop();
  } catch (error) {
    warn(`stop() failed: ${describe(error)}`);
  }
}

/** Sends everything recorded so far now. */
export function flush() {
  try {
    if (current.recorder) current.recorder.flush();
  } catch (error) {
    warn(`flush() failed: ${describe(error)}`);
  }
}

/** The current session's id, or undefined before recording starts. */
export function getSessionId() {
  try {
    return current.recorder ? current.recorder.sessionId() : undefined;
  } catch (error) {
    return undefined;
  }
}

/** Adds a Custom event with a tag and a JSON-serializable payload. */
export function addEvent(tag, payload) {
  try {
    if (!current.recorder) return;
    const json = JSON.stringify(payload === undefined ? null : payload);
    current.recorder.addEvent(String(tag), json);
  } catch (error) {
    warn(`addEvent() ignored an event: ${describe(error)}`);
  }
}
