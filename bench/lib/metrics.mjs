// Figures read from the browser through the DevTools protocol and from the
// page itself: heap after garbage collection, main-thread time counters,
// long-task entries, and the compressed size of what a page downloaded.

import { gzipSync } from "node:zlib";

/**
 * Bytes held after a full garbage collection: the JS heap plus ArrayBuffer
 * backing stores, where WebAssembly memory lives (tapedeck's recorder keeps
 * its node map there, so the JS heap alone would flatter it).
 */
export async function heapAfterGc(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const usage = await cdp.send("Runtime.getHeapUsage");
  return {
    jsBytes: usage.usedSize,
    bufferBytes: usage.backingStorageSize || 0,
    totalBytes: usage.usedSize + (usage.backingStorageSize || 0),
  };
}

/**
 * Main-thread counters (seconds, cumulative) from `Performance.getMetrics`:
 * task duration, script duration and the thread's CPU time.
 */
export async function mainThreadCounters(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const value = (name) =>
    metrics.find((metric) => metric.name === name)?.value ?? 0;
  return {
    taskSeconds: value("TaskDuration"),
    scriptSeconds: value("ScriptDuration"),
    cpuSeconds: value("ThreadTime"),
  };
}

/**
 * Milliseconds of main-thread task time, its CPU time, and script time
 * between two counters.
 */
export function counterDelta(before, after) {
  return {
    taskMs: (after.taskSeconds - before.taskSeconds) * 1000,
    cpuMs: (after.cpuSeconds - before.cpuSeconds) * 1000,
    scriptMs: (after.scriptSeconds - before.scriptSeconds) * 1000,
  };
}

/**
 * Long-task entries (over 50 ms) between the page's two snapshot marks,
 * as `{ count, longestMs }`; a cross-check of the trace.
 */
export function longTasksDuringSnapshot(page) {
  return page.evaluate(() => {
    const [start] = performance.getEntriesByName("bench:snapshot-start");
    const [end] = performance.getEntriesByName("bench:snapshot-end");
    const inside = window.__benchLongTasks.filter(
      (task) =>
        task.start <= end.startTime &&
        task.start + task.duration >= start.startTime,
    );
    return {
      count: inside.length,
      longestMs: inside.reduce(
        (longest, task) => Math.max(longest, task.duration),
        0,
      ),
    };
  });
}

/** Number of elements in the page, to report the real size of each page. */
export function elementCount(page) {
  return page.evaluate(() => document.getElementsByTagName("*").length);
}

/**
 * The gzip size (default level, as a web server would send it) of every
 * file in `served` whose path starts with `prefix`, in total and for the
 * WebAssembly alone, and the files.
 */
export function gzipSizeOf(served, prefix) {
  const files = new Map();
  for (const file of served) {
    if (file.path.startsWith(prefix)) files.set(file.path, file.bytes);
  }
  let gzipBytes = 0;
  let wasmGzipBytes = 0;
  for (const [filePath, bytes] of files) {
    const size = gzipSync(bytes).length;
    gzipBytes += size;
    if (filePath.endsWith(".wasm")) wasmGzipBytes += size;
  }
  return { gzipBytes, wasmGzipBytes, files: [...files.keys()] };
}
