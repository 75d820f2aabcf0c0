// One measured run of one contestant on one page, each on a fresh page:
// the initial snapshot of a static page, the mutation-heavy run, and the
// interactive scenario.

import { setTimeout as sleep } from "node:timers/promises";

import { freshPage } from "./browser.mjs";
import { startTrace, stopTrace, measureMarkedSpan } from "./trace.mjs";
import {
  heapAfterGc,
  mainThreadCounters,
  counterDelta,
  longTasksDuringSnapshot,
  elementCount,
  gzipSizeOf,
} from "./metrics.mjs";
import { playScenario } from "./scenario.mjs";

/** Time for deferred work (batch timers, observers) to run after a step. */
const SETTLE_MS = 600;

/**
 * Snapshot of `/pages/static-<size>.html`: main-thread time and longest
 * task (trace), long tasks (PerformanceObserver), heap growth from the
 * page without a recorder to the page recording (JS heap, ArrayBuffers
 * and WebAssembly memory of the page's main thread), what the recorder
 * downloaded, and the snapshot's compressed bytes.
 */
export async function measureSnapshot({ browser, server, contestant, size }) {
  const { page, cdp, problems, close } = await freshPage(browser);
  try {
    await page.goto(`${server.origin}/pages/static-${size}.html`, {
      waitUntil: "load",
    });
    const elements = await elementCount(page);
    const heapBefore = await heapAfterGc(cdp);
    server.takeServed();

    await contestant.load(page, server.origin);
    await startTrace(cdp);
    await contestant.start(page);
    await sleep(100);
    const span = measureMarkedSpan(
      await stopTrace(cdp),
      "bench:snapshot-start",
      "bench:snapshot-end",
    );
    const longTasks = await longTasksDuringSnapshot(page);
    const download = contestant.downloadPrefix
      ? gzipSizeOf(server.takeServed(), contestant.downloadPrefix)
      : null;

    await sleep(SETTLE_MS);
    const heapAfter = await heapAfterGc(cdp);
    const outsideJsHeap = await contestant.memoryOutsideJsHeap(page);
    const wire = await contestant.wireBytes(page, server);
    assertNoProblems(problems, contestant, `static-${size}`);

    return {
      elements,
      ...span,
      longTaskCount: longTasks.count,
      longTaskMaxMs: longTasks.longestMs,
      heapGrowthBytes:
        heapAfter.totalBytes - heapBefore.totalBytes + outsideJsHeap,
      heapGrowthJsBytes: heapAfter.jsBytes - heapBefore.jsBytes,
      wasmMemoryBytes: outsideJsHeap,
      downloadGzipBytes: download ? download.gzipBytes : null,
      downloadWasmGzipBytes: download ? download.wasmGzipBytes : null,
      downloadFiles: download ? download.files : null,
      wireBytes: wire ? wire.compressedBytes : null,
    };
  } finally {
    await close();
  }
}

/**
 * The mutation-heavy page: main-thread task and script time over `frames`
 * animation frames of adds, removes, moves and edits, once the recorder
 * has started and settled.
 */
export async function measureMutations({
  browser,
  server,
  contestant,
  frames,
}) {
  const { page, cdp, problems, close } = await freshPage(browser);
  try {
    await page.goto(`${server.origin}/pages/mutations.html`, {
      waitUntil: "load",
    });
    await contestant.load(page, server.origin);
    await contestant.start(page);
    await sleep(SETTLE_MS);

    const before = await mainThreadCounters(cdp);
    await page.evaluate((count) => window.__benchMutate(count), frames);
    await sleep(SETTLE_MS);
    const after = await mainThreadCounters(cdp);

    const wire = await contestant.wireBytes(page, server);
    assertNoProblems(problems, contestant, "mutations");
    return {
      ...counterDelta(before, after),
      wireBytes: wire ? wire.compressedBytes : null,
    };
  } finally {
    await close();
  }
}

/**
 * The interactive scenario for `seconds`: bytes on the wire (including
 * the initial snapshot), normalised to one minute of recording, also with
 * rrweb's events compressed in batches as long as tapedeck's segments.
 */
export async function measureInteractive({
  browser,
  server,
  contestant,
  seconds,
}) {
  const { page, cdp, problems, close } = await freshPage(browser);
  try {
    await page.goto(`${server.origin}/pages/interactive.html`, {
      waitUntil: "load",
    });
    await contestant.load(page, server.origin);

    const started = Date.now();
    await contestant.start(page);
    const before = await mainThreadCounters(cdp);
    await playScenario(page, seconds);
    const after = await mainThreadCounters(cdp);
    const recordedSeconds = (Date.now() - started) / 1000;
    const wire = await contestant.wireBytes(page, server);

    assertNoProblems(problems, contestant, "interactive");
    return {
      recordedSeconds,
      ...counterDelta(before, after),
      wireBytes: wire ? wire.compressedBytes : null,
      wireBytesPerMinute: wire
        ? (wire.compressedBytes * 60) / recordedSeconds
        : null,
      batchedBytesPerMinute: wire
        ? (wire.batchedCompressedBytes * 60) / recordedSeconds
        : null,
      rawBytesPerMinute: wire ? (wire.rawBytes * 60) / recordedSeconds : null,
    };
  } finally {
    await close();
  }
}

/** A run in which the page reported an error does not count. */
function assertNoProblems(problems, contestant, pageName) {
  if (problems.length > 0) {
    throw new Error(
      `${contestant.name} on ${pageName}: the page reported ${problems.join(" | ")}`,
    );
  }
}
