// Records one fixture page: opens it in its own browser context (touch
// fixtures need `hasTouch`), runs its steps, and at each checkpoint marks
// the recording with a Custom event and reads the live page in the same
// task, so nothing can change between the mark and the reading.

import assert from "node:assert/strict";

import { START_VIEWPORT } from "../../e2e/support/browser.mjs";
import { watchConsole } from "../../e2e/support/console-guard.mjs";
import { hasCustomEvent, settle } from "../../e2e/support/recording.mjs";
import { eventsOfView, waitForSegments } from "../../e2e/support/segments.mjs";
import { serializeDeep } from "./deep-snapshot.mjs";
import { routeFidelityPages } from "./pages.mjs";

/** How long `init()` may take to resolve (wasm compile on a busy machine). */
const INIT_TIMEOUT_MS = 30000;

/** The Custom event tag of a checkpoint. */
export const CHECKPOINT_TAG = "checkpoint";

/**
 * Opens `fixture.page` recording itself and resolves with `{ context,
 * page, guard, checkpoint, finish }`: `checkpoint()` settles the page,
 * marks the recording and returns the live snapshot; `finish()` does the
 * same for the end, flushes, waits for the upload and returns `{ events,
 * snapshots, runId, viewSegments }` of this page's view.
 */
export async function recordFixture(browser, intake, fixture) {
  const context = await browser.newContext({
    viewport: START_VIEWPORT,
    ...(fixture.contextOptions ?? {}),
  });
  await routeFidelityPages(context, intake.url, fixture.delays);
  const page = await context.newPage();
  const guard = watchConsole(page);
  await page.goto(`${intake.url}/fidelity/${fixture.page}`, {
    waitUntil: fixture.waitUntil ?? "load",
  });
  await page.waitForFunction(() => window.tapedeckStatus, null, {
    timeout: INIT_TIMEOUT_MS,
  });
  const status = await page.evaluate(() => window.tapedeckStatus);
  assert.equal(
    status.status,
    "recording",
    `init() resolved ${JSON.stringify(status)}`,
  );

  const snapshots = [];
  const runId = Math.random().toString(36).slice(2);

  async function checkpoint() {
    await settle(page);
    const n = snapshots.length;
    // Marking and reading happen in one task of the page.
    const snapshot = await page.evaluate(
      `(() => {
        window.Tapedeck.addEvent(${JSON.stringify(CHECKPOINT_TAG)}, { n: ${n}, run: ${JSON.stringify(runId)} });
        return (${serializeDeep.toString()})({ baseUrl: location.href, live: true });
      })()`,
    );
    snapshots.push(snapshot);
    return snapshot;
  }

  async function finish() {
    await checkpoint();
    const endTag = `fidelity-end-${runId}`;
    await page.evaluate((tag) => {
      window.Tapedeck.addEvent(tag, {});
      window.Tapedeck.flush();
    }, endTag);
    // The end mark's segment may overtake earlier ones of the view on the
    // way to the intake; wait until the view has no gaps up to it.
    const segments = await waitForSegments(intake.dataDir, (stored) => {
      if (!hasCustomEvent(endTag)(stored)) return false;
      const last = stored.find((segment) => segment.raw.includes(endTag));
      const indexes = new Set(
        stored
          .filter((segment) => segment.viewId === last.viewId)
          .map((segment) => segment.index),
      );
      return Array.from({ length: last.index + 1 }, (_, i) => i).every((i) =>
        indexes.has(i),
      );
    });
    const viewId = segments.find((segment) =>
      segment.raw.includes(endTag),
    ).viewId;
    return {
      events: eventsOfView(segments, viewId),
      snapshots,
      runId,
      viewSegments: segments.filter((segment) => segment.viewId === viewId),
    };
  }

  return { context, page, guard, checkpoint, finish, baseUrl: page.url() };
}
