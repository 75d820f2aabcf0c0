// A large page is snapshotted in slices while its own script keeps moving,
// adding, removing and editing nodes: the replay must still match the live
// page exactly, with no replayer warning (no node lost or written twice).

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";

import { launchBrowser } from "./support/browser.mjs";
import { routeFixturePage } from "./support/fixture-pages.mjs";
import { startIntake } from "./support/intake.mjs";
import {
  endRecordingWithMark,
  openRecordingPage,
  settle,
} from "./support/recording.mjs";
import { replayToEnd, snapshotLivePage } from "./support/replay.mjs";
import { assertSegmentsConsistent, eventsOfView } from "./support/segments.mjs";

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

test("a page that changes during a sliced snapshot replays exactly as it ended", async () => {
  const { page, guard } = await openRecordingPage(browser, null, {
    prepare: (page) =>
      routeFixturePage(page, intake.url, "sliced-snapshot.html"),
  });
  // Let the page's own changes run out, then read it.
  await page.waitForFunction(() => window.churnDone === true);
  await sleep(100);
  await settle(page);
  const baseUrl = page.url();
  const live = await snapshotLivePage(page);
  const mark = "end-of-sliced-snapshot";
  const segments = await endRecordingWithMark(page, intake.dataDir, mark);
  guard.assertClean();
  await page.close();

  assertSegmentsConsistent(segments);
  const view = segments.find((segment) => segment.raw.includes(mark)).viewId;
  const events = eventsOfView(segments, view);

  // The page changed while the walk ran: those changes are recorded right
  // after the full snapshot, in the same task, so they come next.
  const snapshotAt = events.findIndex((event) => event.type === 2);
  const next = events[snapshotAt + 1];
  assert.equal(next?.type, 3, "an incremental event follows the snapshot");
  assert.equal(next.data.source, 0, "it is the changes made during the walk");
  const replay = await replayToEnd(browser, events, { baseUrl });
  try {
    replay.guard.assertClean();
    assert.deepEqual(replay.snapshot.lines, live.lines);
  } finally {
    await replay.page.close();
  }
});
