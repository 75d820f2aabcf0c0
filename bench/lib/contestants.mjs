// The four contestants. Each loads into a fresh page, starts (taking its
// snapshot between the marks `bench:snapshot-start` and `-end`), and can
// hand back what it would put on the wire.
//
// - baseline: no recorder;
// - floor: a bare walk that reads every node (type, name, attributes,
//   text) and a MutationObserver that reads every record: the least any
//   recorder must do;
// - rrweb: `record` from the npm package's UMD build, events kept in memory;
// - tapedeck: the script-tag bundle, uploading to the benchmark's server.

import { deflateSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * tapedeck's segment duration limit (docs/ARCHITECTURE.md), used to batch
 * rrweb's events the same way for a like-for-like compressed size.
 */
const SEGMENT_DURATION_MS = 5000;

/** How long tapedeck may take to hand its full snapshot to the worker. */
const SNAPSHOT_TIMEOUT_MS = 60000;

/** How long uploads may take to arrive after tapedeck is stopped. */
const UPLOAD_TIMEOUT_MS = 20000;

/** Quiet time after which no more uploads are expected. */
const UPLOAD_QUIET_MS = 800;

/**
 * Runs `body` in a task of the page's own event loop, the way a page
 * script would call it. Code run directly by the DevTools protocol is not
 * reported as a long task, so the PerformanceObserver figures would miss
 * it.
 */
function runInPageTask(page, body) {
  return page.evaluate(inPageTask, body.toString());
}

/** Runs in the page: calls the function whose source is `source`. */
function inPageTask(source) {
  const run = new Function(`return (${source})`)();
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        run();
        resolve();
      } catch (error) {
        reject(error);
      }
    }, 0);
  });
}

export const baseline = {
  name: "baseline",
  downloadPrefix: null,
  async load() {},
  async start(page) {
    await page.evaluate(() => {
      performance.mark("bench:snapshot-start");
      performance.mark("bench:snapshot-end");
    });
  },
  async wireBytes() {
    return null;
  },
  async memoryOutsideJsHeap() {
    return 0;
  },
};

// Runs in the page; reads each node the way a serializer must, and sums
// what it read so nothing can be skipped as unused.
const FLOOR_SCRIPT = () => {
  window.__benchWalk = function () {
    let checksum = 0;
    let node = document;
    while (node) {
      checksum += node.nodeType + node.nodeName.length;
      if (node.nodeType === 1) {
        const attributes = node.attributes;
        for (let index = 0; index < attributes.length; index++) {
          checksum +=
            attributes[index].name.length + attributes[index].value.length;
        }
      } else if (node.nodeType === 3 || node.nodeType === 8) {
        checksum += node.data.length;
      }
      if (node.firstChild) {
        node = node.firstChild;
      } else {
        while (node && !node.nextSibling) node = node.parentNode;
        node = node && node.nextSibling;
      }
    }
    return checksum;
  };

  window.__benchObserve = function () {
    window.__benchChecksum = 0;
    new MutationObserver((records) => {
      for (const record of records) {
        window.__benchChecksum +=
          record.type.length + record.target.nodeName.length;
        for (const added of record.addedNodes)
          window.__benchChecksum += added.nodeType;
        for (const removed of record.removedNodes)
          window.__benchChecksum += removed.nodeType;
        if (record.attributeName)
          window.__benchChecksum += record.attributeName.length;
      }
    }).observe(document, {
      childList: true,
      subtree: true,
      attributes: true,
      characterData: true,
    });
  };
};

export const floor = {
  name: "floor",
  downloadPrefix: null,
  async load(page) {
    await page.evaluate(FLOOR_SCRIPT);
  },
  async start(page) {
    await runInPageTask(page, () => {
      performance.mark("bench:snapshot-start");
      window.__benchChecksum = window.__benchWalk();
      window.__benchObserve();
      performance.mark("bench:snapshot-end");
    });
  },
  async wireBytes() {
    return null;
  },
  async memoryOutsideJsHeap() {
    return 0;
  },
};

export const rrweb = {
  name: "rrweb",
  downloadPrefix: "/rrweb/",
  async load(page, origin) {
    await page.addScriptTag({ url: `${origin}/rrweb/rrweb.umd.min.cjs` });
  },
  async start(page) {
    await runInPageTask(page, () => {
      window.__benchEvents = [];
      performance.mark("bench:snapshot-start");
      window.__benchStopRrweb = window.rrweb.record({
        emit(event) {
          window.__benchEvents.push(event);
        },
      });
      performance.mark("bench:snapshot-end");
    });
  },
  /**
   * All events so far as one JSON array, zlib-compressed (default level);
   * and, for comparison with tapedeck's segments, compressed in batches of
   * the same duration.
   */
  async wireBytes(page) {
    const json = await page.evaluate(() => {
      window.__benchStopRrweb();
      return JSON.stringify(window.__benchEvents);
    });
    return {
      compressedBytes: deflateSync(Buffer.from(json, "utf8")).length,
      batchedCompressedBytes: compressInBatches(JSON.parse(json)),
      rawBytes: Buffer.byteLength(json, "utf8"),
    };
  },
  async memoryOutsideJsHeap() {
    return 0;
  },
};

export const tapedeck = {
  name: "tapedeck",
  downloadPrefix: "/tapedeck/",
  async load(page, origin) {
    await page.addScriptTag({ url: `${origin}/tapedeck/tapedeck.js` });
  },
  async start(page) {
    const result = await page.evaluate(async (timeoutMs) => {
      const result = await window.Tapedeck.init({
        endpoint: location.origin,
        applicationId: "bench",
        privacy: "allow",
      });
      if (result.status !== "recording") return result;
      // The end mark relies on the worker messages in docs/ARCHITECTURE.md;
      // should they change, the run fails instead of waiting forever.
      const late = new Promise((resolve) =>
        setTimeout(resolve, timeoutMs, { status: "no-snapshot-batch" }),
      );
      return Promise.race([window.__benchSnapshotEnd.then(() => result), late]);
    }, SNAPSHOT_TIMEOUT_MS);
    if (result.status !== "recording") {
      throw new Error(
        `tapedeck did not start: ${result.status} ${result.reason || ""}`,
      );
    }
  },
  /** The compressed segments the worker uploaded, once it is stopped. */
  async wireBytes(page, server) {
    await page.evaluate(() => window.Tapedeck.stop());
    const segments = await waitForUploads(server);
    return {
      compressedBytes: segments.reduce(
        (sum, segment) => sum + segment.compressed.length,
        0,
      ),
      rawBytes: segments.reduce(
        (sum, segment) => sum + segment.metadata.raw_segment_size,
        0,
      ),
      batchedCompressedBytes: segments.reduce(
        (sum, segment) => sum + segment.compressed.length,
        0,
      ),
      segments: segments.length,
    };
  },
  /**
   * The recorder's WebAssembly memory: the DevTools heap figures leave it
   * out, and the recorder keeps its node map there. Importing the glue
   * again gives the module tapedeck already loaded, and its init hands
   * back the running instance's exports.
   */
  async memoryOutsideJsHeap(page) {
    return page.evaluate(async () => {
      const glue = await import(
        new URL("/tapedeck/recorder/tapedeck_recorder_wasm.js", location.href)
      );
      const exports = await glue.default();
      return exports.memory.buffer.byteLength;
    });
  },
};

export const CONTESTANTS = { baseline, floor, rrweb, tapedeck };

/** Collects uploads until the last segment of the view has arrived. */
async function waitForUploads(server) {
  const segments = [];
  const deadline = Date.now() + UPLOAD_TIMEOUT_MS;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const arrived = server.takeSegments();
    if (arrived.length > 0) {
      segments.push(...arrived);
      quietSince = Date.now();
    }
    if (isComplete(segments) && Date.now() - quietSince >= UPLOAD_QUIET_MS) {
      return segments;
    }
    await sleep(100);
  }
  throw new Error(
    `tapedeck's segments did not arrive within ${UPLOAD_TIMEOUT_MS} ms`,
  );
}

/** True when the segments hold the full snapshot and no index is missing. */
function isComplete(segments) {
  const indexes = segments
    .map((segment) => segment.metadata.index_in_view)
    .sort((a, b) => a - b);
  return (
    segments.some((segment) => segment.metadata.has_full_snapshot) &&
    indexes.every((index, position) => index === position)
  );
}

/** Bytes of `events` compressed as one zlib stream per segment duration. */
function compressInBatches(events) {
  const batches = new Map();
  const first = events.length > 0 ? events[0].timestamp : 0;
  for (const event of events) {
    const index = Math.floor((event.timestamp - first) / SEGMENT_DURATION_MS);
    if (!batches.has(index)) batches.set(index, []);
    batches.get(index).push(event);
  }
  let bytes = 0;
  for (const batch of batches.values()) {
    bytes += deflateSync(Buffer.from(JSON.stringify(batch), "utf8")).length;
  }
  return bytes;
}
