// Tapedeck's page API as an ES module: the npm package's entry, and what
// the script-tag bundle loads. Everything about what is recorded lives in
// the recorder's WebAssembly; this file loads it, starts the worker and
// makes sure nothing it does can throw into the host page.

import initRecorder, { Recorder } from "./recorder/tapedeck_recorder_wasm.js";

const LOG_PREFIX = "[tapedeck]";

/** How long the worker may take to load its WebAssembly and answer. */
const WORKER_READY_TIMEOUT_MS = 15000;

/**
 * The one recorder of this page and its worker, once `init()` set them up;
 * `startWanted` remembers a `start()` called while `init()` still runs.
 */
const current = {
  recorder: null,
  worker: null,
  starting: null,
  startWanted: false,
};

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
    return new Worker(new URL("./tapedeck-worker.js", import.meta.url), {
      type: "module",
    });
  } catch (error) {
    const moduleUrl = new URL("./tapedeck-worker.js", import.meta.url).href;
    const source = `import ${JSON.stringify(moduleUrl)};`;
    const blob = new Blob([source], { type: "text/javascript" });
    return new Worker(URL.createObjectURL(blob), { type: "module" });
  }
}

/** Adds what the site owner can do about a failure, when it is known. */
function withHint(message) {
  if (
    /unsafe-eval|Content Security Policy|CompileError|WebAssembly/i.test(
      message,
    )
  ) {
    return `${message} (if the page sets a Content-Security-Policy, add 'wasm-unsafe-eval' to script-src)`;
  }
  if (/worker script failed to load/.test(message)) {
    return `${message} (if the page sets a Content-Security-Policy, allow the worker's URL in worker-src, or host tapedeck-worker.js yourself and pass workerUrl)`;
  }
  return message;
}

/** Resolves with the worker once its WebAssembly runs and it says ready. */
function waitUntilReady(worker) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `the worker did not start within ${WORKER_READY_TIMEOUT_MS} ms`,
        ),
      );
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
      reject(
        new Error(
          `the worker script failed to load (${event.message || "blocked or not found"})`,
        ),
      );
    };
  });
}

async function setUp(options) {
  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    warn("this browser lacks WebAssembly or Web Workers; nothing is recorded");
    return { status: "unsupported" };
  }
  const { workerUrl, startManually, ...recorderOptions } =
    options && typeof options === "object" ? options : {};

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

  let worker;
  try {
    worker = await waitUntilReady(createWorker(workerUrl));
  } catch (error) {
    recorder.free();
    throw error;
  }
  current.recorder = recorder;
  current.worker = worker;
  if (startManually && !current.startWanted) {
    return { status: "ready", sessionId };
  }
  recorder.start(worker);
  return { status: "recording", sessionId };
}

/**
 * Starts recording this page. Resolves with `{status, sessionId?, reason?}`
 * and never rejects: a failure is one console warning and a status.
 */
export function init(options) {
  if (current.recorder || current.starting) {
    // A second init() changes nothing; it answers like the first one.
    return (
      current.starting ||
      Promise.resolve({ status: "already-started", sessionId: getSessionId() })
    );
  }
  current.starting = setUp(options)
    .catch((error) => {
      const reason = withHint(describe(error));
      warn(`recording could not start: ${reason}`);
      return { status: "failed", reason };
    })
    .finally(() => {
      current.starting = null;
    });
  return current.starting;
}

/**
 * Starts (or, after `stop()`, restarts) recording; for `init({startManually:
 * true})`. Called while `init()` still runs, recording starts when it ends.
 */
export function start() {
  try {
    if (!current.recorder) {
      current.startWanted = true;
      return;
    }
    current.recorder.start(current.worker);
  } catch (error) {
    warn(`start() failed: ${describe(error)}`);
  }
}

/** Stops recording; what was recorded is still sent. `start()` resumes. */
export function stop() {
  current.startWanted = false;
  try {
    if (current.recorder) current.recorder.stop();
  } catch (error) {
    warn(`stop() failed: ${describe(error)}`);
  }
}

/**
 * Sends everything recorded so far now; in error-triggered mode, sends the
 * buffered last seconds and goes on recording normally.
 */
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
