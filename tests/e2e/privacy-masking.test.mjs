// With the default privacy level (mask-user-input) what visitors type never
// leaves the page, yet the replay shows the page's own text and where
// something was typed.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "./support/browser.mjs";
import { startIntake } from "./support/intake.mjs";
import {
  TYPED,
  interactWithPlainPage,
  plainPageUrl,
} from "./support/plain-page.mjs";
import {
  endRecordingWithMark,
  openRecordingPage,
  settle,
} from "./support/recording.mjs";
import { replayToEnd } from "./support/replay.mjs";
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

test("default privacy keeps typed values out of the stored bytes and replays them as stars of the same length with page text kept", async () => {
  const { page, guard } = await openRecordingPage(
    browser,
    plainPageUrl(intake.url),
  );
  await interactWithPlainPage(page);
  await settle(page);
  const baseUrl = page.url();
  const segments = await endRecordingWithMark(page, intake.dataDir);
  guard.assertClean();
  await page.close();

  assertSegmentsConsistent(segments);
  const stored = Buffer.concat(segments.map((segment) => segment.raw)).toString(
    "utf8",
  );
  for (const secret of [
    TYPED.name,
    TYPED.notes,
    "marker-name-q7",
    "marker-notes-k3",
  ]) {
    assert.ok(
      !stored.includes(secret),
      `the typed ${JSON.stringify(secret)} never reaches the intake`,
    );
  }
  // The to-do field opts in with data-tapedeck-privacy="allow".
  assert.ok(
    stored.includes(TYPED.todos[0]),
    "what is typed in a field marked allow is recorded",
  );

  const replay = await replayToEnd(
    browser,
    segments.flatMap((segment) => segment.events),
    { baseUrl },
  );
  try {
    const fields = await replay.frame.evaluate(() => ({
      name: document.getElementById("name").value,
      notes: document.getElementById("notes").value,
      heading: document.querySelector("h1").textContent,
      todos: Array.from(
        document.querySelectorAll("#todo-list li"),
        (item) => item.textContent,
      ),
      feed: document.getElementById("feed-box").textContent,
      masked: document.getElementById("masked-text").textContent,
    }));
    assert.equal(
      fields.name,
      "*".repeat(TYPED.name.length),
      "a typed value replays as stars of its length",
    );
    assert.equal(
      fields.notes,
      "*".repeat(TYPED.notes.length),
      "a typed textarea value replays as stars of its length",
    );
    assert.equal(fields.heading, "Tapedeck demo", "page text is kept");
    assert.deepEqual(
      fields.todos,
      ["Try the demo", "Open the replay", ...TYPED.todos],
      "page text is kept",
    );
    assert.match(
      fields.feed,
      /^Feed item 1Feed item 2.*Feed item 40$/s,
      "text added by the page's script is kept",
    );
    assert.match(
      fields.masked,
      /^[x\s]+$/,
      "an element marked mask stays masked",
    );
    replay.guard.assertClean();
  } finally {
    await replay.page.close();
  }
});
