// The plain example page, recorded with privacy "allow" through the
// script tag, replays to the very document the visitor left behind.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "./support/browser.mjs";
import { startIntake } from "./support/intake.mjs";
import {
  PRIVATE_ELEMENT_IDS,
  SECRET_META,
  interactWithPlainPage,
  plainPageUrl,
} from "./support/plain-page.mjs";
import {
  endRecordingWithMark,
  openRecordingPage,
  settle,
} from "./support/recording.mjs";
import {
  opaquePathsOf,
  replayToEnd,
  snapshotLivePage,
} from "./support/replay.mjs";
import { assertSegmentsConsistent } from "./support/segments.mjs";

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

test("plain page recorded via script tag with privacy allow replays to the live document, except masked and hidden elements", async () => {
  const { page, guard } = await openRecordingPage(
    browser,
    plainPageUrl(intake.url, "allow"),
  );
  await interactWithPlainPage(page);
  await settle(page);

  const baseUrl = page.url();
  const viewport = page.viewportSize();
  const live = await snapshotLivePage(page, {
    opaqueIds: PRIVATE_ELEMENT_IDS,
    omitSelector: SECRET_META,
  });
  const segments = await endRecordingWithMark(page, intake.dataDir);
  guard.assertClean();
  await page.close();

  assertSegmentsConsistent(segments);
  assert.ok(
    !segments.some((segment) =>
      segment.raw.includes("example-csrf-token-never-recorded"),
    ),
    "the CSRF token never reaches the intake",
  );

  const events = segments.flatMap((segment) => segment.events);
  const replay = await replayToEnd(browser, events, {
    baseUrl,
    opaquePaths: opaquePathsOf(live),
    omitSelector: SECRET_META,
  });
  try {
    assert.equal(
      replay.snapshot.lines.join("\n"),
      live.lines.join("\n"),
      "the replayed document differs from the live one",
    );
    assert.deepEqual(
      replay.iframeSize,
      viewport,
      "the replay has the last viewport size",
    );

    const liveMasked = live.opaque["masked-text"];
    const replayMasked = replay.snapshot.opaque["masked-text"];
    assert.equal(
      replayMasked.attributes.id,
      "masked-text",
      "a masked element keeps its attributes",
    );
    assert.equal(
      replayMasked.text,
      liveMasked.text.replace(/\S/g, "x"),
      "masked text is x's of the same length, spaces kept",
    );

    const replayHidden = replay.snapshot.opaque["hidden-box"];
    assert.equal(
      replayHidden.childCount,
      0,
      "the hidden box is replayed without children",
    );
    assert.equal(
      replayHidden.attributes.id,
      undefined,
      "the hidden box keeps none of its attributes",
    );
    assert.ok(
      replayHidden.width > 0 && replayHidden.height > 0,
      "the hidden box keeps a box",
    );

    replay.guard.assertClean();
  } finally {
    await replay.page.close();
  }
});
