// Whatever goes wrong with tapedeck, the host page keeps working: init()
// resolves with a status and one prefixed warning, and never throws.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { launchBrowser } from "./support/browser.mjs";
import { routeFixturePage } from "./support/fixture-pages.mjs";
import { startIntake } from "./support/intake.mjs";
import { openRecordingPage } from "./support/recording.mjs";
import { readStoredSegments } from "./support/segments.mjs";

/** How long the page is watched for uploads that must not happen. */
const QUIET_PERIOD_MS = 1500;

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

/** Records every request the page makes to the intake's upload route. */
function watchUploads(page) {
  const uploads = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/v1/replay")
      uploads.push(request.url());
  });
  return uploads;
}

async function assertPageScriptWorks(page) {
  await page.click("#click-me");
  await page.click("#click-me");
  assert.equal(
    await page.textContent("#clicks"),
    "2",
    "the page's own script still handles clicks",
  );
}

function isTapedeckWarning(problem) {
  return problem.type === "warning" && problem.text.startsWith("[tapedeck] ");
}

test("init with invalid options resolves invalid-options with exactly one tapedeck warning and posts nothing", async () => {
  let uploads = [];
  const { page, guard, status } = await openRecordingPage(browser, null, {
    expectStatus: "invalid-options",
    prepare: (page) => {
      uploads = watchUploads(page);
      return routeFixturePage(page, intake.url, "invalid-options.html");
    },
  });

  assert.match(status.reason, /privacy/, "the reason names the refused option");
  await assertPageScriptWorks(page);
  await page.evaluate(() => {
    window.Tapedeck.addEvent("ignored", {});
    window.Tapedeck.flush();
    window.Tapedeck.stop();
  });
  await sleep(QUIET_PERIOD_MS);

  const warnings = guard.take(isTapedeckWarning);
  assert.equal(
    warnings.length,
    1,
    `exactly one tapedeck warning: ${JSON.stringify(warnings)}`,
  );
  assert.match(warnings[0].text, /privacy/);
  guard.assertClean();
  assert.deepEqual(uploads, [], "nothing is posted to the intake");
  assert.deepEqual(
    await readStoredSegments(intake.dataDir),
    [],
    "nothing is stored",
  );
  await page.close();
});

test("init whose worker script is missing resolves failed with one tapedeck warning while the page keeps working", async () => {
  let uploads = [];
  const { page, guard, status } = await openRecordingPage(browser, null, {
    expectStatus: "failed",
    prepare: (page) => {
      uploads = watchUploads(page);
      return routeFixturePage(page, intake.url, "missing-worker.html");
    },
  });

  assert.equal(typeof status.reason, "string");
  await assertPageScriptWorks(page);
  await page.evaluate(() => window.Tapedeck.flush());
  await sleep(QUIET_PERIOD_MS);

  const warnings = guard.take(isTapedeckWarning);
  assert.equal(
    warnings.length,
    1,
    `exactly one tapedeck warning: ${JSON.stringify(warnings)}`,
  );
  assert.match(warnings[0].text, /worker/);
  guard.assertClean();
  assert.deepEqual(uploads, [], "nothing is posted to the intake");
  await page.close();
});
