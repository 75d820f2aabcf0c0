// Closing the page does not lose its last moments: the recorder closes its
// segment on page exit and sends it by beacon.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "./support/browser.mjs";
import { startIntake } from "./support/intake.mjs";
import { plainPageUrl } from "./support/plain-page.mjs";
import { openRecordingPage } from "./support/recording.mjs";
import {
  EventType,
  Source,
  assertSegmentsConsistent,
  someEvent,
  waitForSegments,
} from "./support/segments.mjs";

const EXIT_REASONS = new Set(["visibility_hidden", "before_unload"]);

/** Typed into the to-do field (privacy allow) just before the page closes. */
const LAST_TYPED = "last words marker-exit-z9";

let intake;
let browser;

before(async () => {
  intake = await startIntake();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await intake?.stop();
});

/**
 * Records a little, has the first segment uploaded (the first segment of a
 * view is always labelled `init`, whatever closed it), types the last
 * words, lets `leave(page)` end the page and waits for the exit segment.
 * A page `leave` keeps open is closed only once that segment is stored:
 * closing the tab at once could cancel the beacon still in flight, which
 * is the browser's doing, not the recorder's.
 */
async function assertExitSegmentArrives(leave) {
  const { page, guard } = await openRecordingPage(
    browser,
    plainPageUrl(intake.url),
  );
  await page.click("#open-modal");
  await page.click("#close-modal");
  await page.evaluate(() => window.Tapedeck.flush());
  await waitForSegments(intake.dataDir, (stored) => stored.length > 0);
  const sessionId = await page.evaluate(() => window.Tapedeck.getSessionId());

  await page.locator("#todo-input").pressSequentially(LAST_TYPED);
  await leave(page);
  guard.assertClean();

  const isLastInput = (event) =>
    event.type === EventType.Incremental &&
    event.data.source === Source.Input &&
    event.data.text === LAST_TYPED;
  const segments = (
    await waitForSegments(intake.dataDir, (stored) =>
      stored.some(
        (segment) =>
          segment.sessionId === sessionId &&
          EXIT_REASONS.has(segment.metadata.creation_reason),
      ),
    )
  ).filter((segment) => segment.sessionId === sessionId);
  if (!page.isClosed()) await page.close();

  assertSegmentsConsistent(segments);
  const last = segments.at(-1);
  assert.ok(
    EXIT_REASONS.has(last.metadata.creation_reason),
    `the last segment was closed by the page exit, not ${last.metadata.creation_reason}`,
  );
  assert.ok(
    someEvent([last], isLastInput),
    "the last keystroke before leaving is in the exit segment",
  );
}

test("closing the page sends a page-exit segment holding the last interaction", async () => {
  await assertExitSegmentArrives((page) =>
    page.close({ runBeforeUnload: true }),
  );
});

test("navigating away sends a page-exit segment holding the last interaction", async () => {
  await assertExitSegmentArrives(async (page) => {
    const elsewhere = `${intake.url}/e2e/elsewhere.html`;
    await page.route(elsewhere, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: '<!doctype html><link rel="icon" href="data:,"><p>Elsewhere</p>',
      }),
    );
    await page.goto(elsewhere);
  });
});
