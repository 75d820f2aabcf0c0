// Opening a page that records itself, and ending its recording so that
// everything it did is at the intake.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

import { START_VIEWPORT } from "./browser.mjs";
import { watchConsole } from "./console-guard.mjs";
import { EventType, someEvent, waitForSegments } from "./segments.mjs";

/** How long `init()` may take to resolve (wasm compile on a busy machine). */
const INIT_TIMEOUT_MS = 30000;

/**
 * Trackers batch and throttle (mouse moves, scrolls); this pause lets the
 * last of them be recorded before the page is read. It is a wait for work
 * to finish, never an assertion about timing.
 */
const SETTLE_MS = 700;

/**
 * Opens `url` in a new page of `browser` and waits until the page has set
 * `window.tapedeckStatus`. `prepare(page)` runs before the page loads
 * and may return the URL to open
 * instead (a routed fixture page).
 * Returns `{ page, guard, status }`.
 */
export async function openRecordingPage(
  browser,
  url,
  { expectStatus = "recording", prepare } = {},
) {
  const page = await browser.newPage({ viewport: START_VIEWPORT });
  const guard = watchConsole(page);
  const address = prepare ? await prepare(page) : url;
  await page.goto(address ?? url);
  await page.waitForFunction(() => window.tapedeckStatus, null, {
    timeout: INIT_TIMEOUT_MS,
  });
  const status = await page.evaluate(() => window.tapedeckStatus);
  if (expectStatus)
    assert.equal(
      status.status,
      expectStatus,
      `init() resolved ${JSON.stringify(status)}`,
    );
  return { page, guard, status };
}

/** Gives throttled trackers time to record the last interactions. */
export async function settle(page) {
  await page.evaluate(
    () =>
      new Promise((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(resolve)),
      ),
  );
  await sleep(SETTLE_MS);
}

/** True when a Custom event tagged `tag` was stored. */
export function hasCustomEvent(tag) {
  return (segments) =>
    someEvent(
      segments,
      (event) => event.type === EventType.Custom && event.data.tag === tag,
    );
}

/**
 * Marks the end of the recording with a Custom event through the script-tag
 * API, flushes, and waits until the mark is stored. Returns the segments.
 */
export async function endRecordingWithMark(page, dataDir, tag = "e2e-end") {
  await page.evaluate((markTag) => {
    window.Tapedeck.addEvent(markTag, { at: "end" });
    window.Tapedeck.flush();
  }, tag);
  return waitForSegments(dataDir, hasCustomEvent(tag));
}
