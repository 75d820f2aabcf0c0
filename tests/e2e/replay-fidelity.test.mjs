// Page state that must come back in the replay exactly as it was, each
// case reduced to the smallest page that shows it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "./support/browser.mjs";
import { routeFixturePage } from "./support/fixture-pages.mjs";
import { startIntake } from "./support/intake.mjs";
import {
  endRecordingWithMark,
  openRecordingPage,
  settle,
} from "./support/recording.mjs";
import { replayToEnd } from "./support/replay.mjs";
import { eventsOfView } from "./support/segments.mjs";

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
 * Opens the fidelity fixture, lets `act(page)` work on it, and returns
 * `read()` evaluated in the live page and in the replay.
 */
async function liveAndReplayed(act, read) {
  const { page, guard } = await openRecordingPage(browser, null, {
    prepare: (page) => routeFixturePage(page, intake.url, "fidelity.html"),
  });
  await act(page);
  await settle(page);
  const baseUrl = page.url();
  const live = await page.evaluate(read);
  const mark = `end-of-${Math.random().toString(36).slice(2)}`;
  const segments = await endRecordingWithMark(page, intake.dataDir, mark);
  guard.assertClean();
  await page.close();

  // The pages share one origin, so one session; each page load is a view.
  const events = eventsOfView(
    segments,
    segments.find((segment) => segment.raw.includes(mark)).viewId,
  );
  const replay = await replayToEnd(browser, events, { baseUrl });
  try {
    const replayed = await replay.frame.evaluate(read);
    replay.guard.assertClean();
    return { live, replayed };
  } finally {
    await replay.page.close();
  }
}

test("a value the page's script sets replays as set", async () => {
  const { live, replayed } = await liveAndReplayed(
    async (page) => {
      await page.locator("#field").pressSequentially("typed then cleared");
      await page.click("#clear");
    },
    () => document.getElementById("field").value,
  );
  assert.equal(live, "");
  assert.equal(replayed, live);
});

test("checking a checkbox and a radio button keeps their value attributes in the replay", async () => {
  const { live, replayed } = await liveAndReplayed(
    async (page) => {
      await page.check("#agree");
      await page.check("#pick");
    },
    () =>
      ["agree", "pick"].map((id) => [
        document.getElementById(id).value,
        document.getElementById(id).checked,
      ]),
  );
  assert.deepEqual(live, [
    ["yes", true],
    ["blue", true],
  ]);
  assert.deepEqual(replayed, live);
});

test("a scroll right after a viewport resize replays at the scrolled position", async () => {
  const { live, replayed } = await liveAndReplayed(
    async (page) => {
      // At 768 px high the page scrolls at most 232 px; at 500 px, 500 px.
      await page.setViewportSize({ width: 1024, height: 500 });
      await page.evaluate(() => window.scrollTo(0, 400));
    },
    () => [window.innerHeight, Math.round(document.scrollingElement.scrollTop)],
  );
  assert.deepEqual(live, [500, 400]);
  assert.deepEqual(replayed, live);
});
