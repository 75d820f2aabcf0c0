// Nothing the privacy rules mask may reach the intake: for each level, a
// page full of marker strings (in text, attributes, fields, shadow roots,
// iframes, late mutations and values set from script) is recorded through
// the script tag, everything stored is inflated, and each marker is checked
// to be present or absent as its level demands. The recording must also
// replay without a single replayer warning.

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
import { assertSegmentsConsistent } from "./support/segments.mjs";

/** What the test types into each field. */
const TYPED = {
  "#text": "mk-typed-text",
  "#notes": "mk-typed-notes",
  "#password": "mk-typed-password",
  "#email": "mk-typed@example.com",
  "#phone": "5550100123",
  "#card": "4111111111111111",
  "#otp": "918273",
  "#allowed-field": "mk-typed-allowed",
};

/** Where each marker shows up: which levels keep it. */
const KEPT = {
  allow: new Set([
    "mk-page-text",
    "mk-alt-text",
    "mk-title-text",
    "mk-link-query",
    "mk-aria-label",
    "mk-placeholder-text",
    "mk-typed-text",
    "mk-typed-notes",
    "mk-script-set-value",
    "mk-typed-allowed",
    "mk-relaxed-text",
    "mk-shadow-text",
    "mk-iframe-text",
    "mk-mover-initial",
    "mk-typed-shadow",
    "mk-typed-frame",
  ]),
  "mask-user-input": new Set([
    "mk-page-text",
    "mk-alt-text",
    "mk-title-text",
    "mk-link-query",
    "mk-aria-label",
    "mk-placeholder-text",
    "mk-typed-allowed",
    "mk-relaxed-text",
    "mk-shadow-text",
    "mk-iframe-text",
    "mk-mover-initial",
  ]),
  mask: new Set(["mk-typed-allowed", "mk-relaxed-text"]),
};

/** Markers no level may ever record. */
const NEVER = [
  "mk-csrf-token",
  "mk-script-body",
  "mk-noscript-text",
  "mk-typed-password",
  "mk-typed@example.com",
  "5550100123",
  "4111111111111111",
  "918273",
  "mk-hidden-input-value",
  "mk-masked-text",
  "mk-hidden-text",
  "mk-hidden-relaxed-text",
  "mk-typed-hidden",
  "mk-late-masked-text",
  "mk-late-hidden-text",
  "mk-moved-then-changed",
];

const ALL_MARKERS = [
  ...new Set([...Object.values(KEPT).flatMap((set) => [...set]), ...NEVER]),
];

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

async function recordMarkersPage(privacy) {
  let url;
  const { page, guard } = await openRecordingPage(browser, null, {
    prepare: async (page) => {
      url = await routeFixturePage(page, intake.url, "privacy-markers.html");
      return `${url}#privacy=${privacy}`;
    },
  });
  for (const [selector, text] of Object.entries(TYPED)) {
    await page.fill(selector, text);
  }
  await page
    .locator("#shadow-host")
    .locator("#shadow-field")
    .fill("mk-typed-shadow");
  await page
    .frameLocator("#frame")
    .locator("#frame-field")
    .fill("mk-typed-frame");
  await page.locator("#hidden-field").fill("mk-typed-hidden");
  await page.evaluate(() => window.runLateChanges());
  await settle(page);
  const baseUrl = page.url();
  const segments = await endRecordingWithMark(
    page,
    intake.dataDir,
    `end-${privacy}`,
  );
  guard.assertClean();
  await page.close();
  return { segments, baseUrl };
}

for (const privacy of ["allow", "mask-user-input", "mask"]) {
  test(`at privacy ${privacy} only the markers the level keeps reach the intake, and the recording replays cleanly`, async () => {
    const { segments, baseUrl } = await recordMarkersPage(privacy);
    assertSegmentsConsistent(segments);

    const session = segments.filter((segment) =>
      segment.events.some(
        (event) => event.type === 5 && event.data.tag === `end-${privacy}`,
      ),
    );
    assert.ok(session.length > 0, "the recording reached the intake");
    const sessionId = session[0].metadata.session.id;
    const ours = segments.filter(
      (segment) => segment.metadata.session.id === sessionId,
    );
    const stored = Buffer.concat(ours.map((segment) => segment.raw)).toString(
      "utf8",
    );

    for (const marker of ALL_MARKERS) {
      const kept = KEPT[privacy].has(marker);
      assert.equal(
        stored.includes(marker),
        kept,
        `${JSON.stringify(marker)} must ${kept ? "" : "not "}be recorded at ${privacy}`,
      );
    }

    const replay = await replayToEnd(
      browser,
      ours.flatMap((segment) => segment.events),
      { baseUrl },
    );
    try {
      replay.guard.assertClean();
    } finally {
      await replay.page.close();
    }
  });
}
