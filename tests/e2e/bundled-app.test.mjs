// The npm package works through a bundler: examples/bundled-app, built with
// Vite, loads its bundled worker and WebAssembly, records, and replays to
// the live document like the script-tag page does.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { launchBrowser } from "./support/browser.mjs";
import { startIntake } from "./support/intake.mjs";
import { REPO_ROOT } from "./support/paths.mjs";
import {
  hasCustomEvent,
  openRecordingPage,
  settle,
} from "./support/recording.mjs";
import { replayToEnd, snapshotLivePage } from "./support/replay.mjs";
import {
  assertSegmentsConsistent,
  waitForSegments,
} from "./support/segments.mjs";

const APP_DIR = path.join(REPO_ROOT, "examples/bundled-app");

/** What is typed, each a marker that can be searched for. */
const ITEMS = ["Bread marker-item-p4", "Olives marker-item-r8"];
const NAME = "Grace";

let intake;
let browser;

before(async () => {
  assert.ok(
    existsSync(path.join(APP_DIR, "node_modules/.bin/vite")),
    "examples/bundled-app needs its dependencies: run `npm ci` there",
  );
  await promisify(execFile)("npm", ["run", "build"], { cwd: APP_DIR });
  intake = await startIntake();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await intake?.stop();
});

test("bundled app built with Vite loads its bundled worker, records and replays to the live document", async () => {
  const url = `${intake.url}/examples/bundled-app/dist/index.html?privacy=allow`;
  const { page, guard } = await openRecordingPage(browser, url);
  const requested = [];
  page.on("request", (request) =>
    requested.push(new URL(request.url()).pathname),
  );

  for (let click = 0; click < 3; click++) await page.click("#increment");
  for (const item of ITEMS) {
    await page.locator("#item-input").pressSequentially(item);
    await page.click("#item-add");
  }
  await page.locator("#greet-name").pressSequentially(NAME);
  await settle(page);

  const baseUrl = page.url();
  const live = await snapshotLivePage(page);
  await page.click("#send-now");
  const segments = await waitForSegments(
    intake.dataDir,
    hasCustomEvent("send-now"),
  );
  guard.assertClean();
  await page.close();

  assert.ok(
    !requested.some((pathname) => pathname.startsWith("/tapedeck/")),
    "nothing is loaded from the script-tag bundle",
  );
  assertSegmentsConsistent(segments);
  assert.equal(segments[0].metadata.application.id, "bundled-demo");
  const events = segments.flatMap((segment) => segment.events);
  assert.equal(
    events.filter(
      (event) => event.type === 5 && event.data.tag === "item-added",
    ).length,
    ITEMS.length,
    "addEvent() from the app is recorded",
  );

  const replay = await replayToEnd(browser, events, { baseUrl });
  try {
    assert.equal(
      replay.snapshot.lines.join("\n"),
      live.lines.join("\n"),
      "the replayed document differs from the live one",
    );
    replay.guard.assertClean();
  } finally {
    await replay.page.close();
  }
});
