// The browser every contestant runs in, and the fresh page each run gets.

import { chromium } from "playwright-core";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
];

export const VIEWPORT = { width: 1024, height: 768 };

/** Headless Chromium; close it with `browser.close()`. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
}

// Runs before any page script. It keeps long-task entries, and marks the
// start and end of tapedeck's snapshot from the messages the recorder posts
// to its worker (docs/ARCHITECTURE.md): `start` comes right before the
// snapshot, and the first `records` batch with `has_full_snapshot` carries
// it. The other contestants mark their snapshot around their own call.
const PAGE_PROBES = () => {
  window.__benchLongTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__benchLongTasks.push({
        start: entry.startTime,
        duration: entry.duration,
      });
    }
  }).observe({ type: "longtask", buffered: true });

  let snapshotEnded;
  window.__benchSnapshotEnd = new Promise(
    (resolve) => (snapshotEnded = resolve),
  );
  const postMessage = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, transfer) {
    const kind = message && message.kind;
    if (kind === "start") performance.mark("bench:snapshot-start");
    const result = postMessage.apply(this, arguments);
    if (
      kind === "records" &&
      /"has_full_snapshot":\s*true/.test(message.meta)
    ) {
      performance.mark("bench:snapshot-end");
      snapshotEnded();
    }
    return result;
  };
};

/**
 * A page in a context of its own (no shared cache or storage), with the
 * probes installed and a DevTools session for metrics and tracing.
 */
export async function freshPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(PAGE_PROBES);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(message.text());
    }
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  return {
    page,
    cdp,
    problems,
    close: () => context.close(),
  };
}
