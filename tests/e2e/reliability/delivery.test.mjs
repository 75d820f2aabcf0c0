// Delivery under a failing intake: down then up, slow, 500s and 413s, and
// a queue that overflows. Failures are made on purpose with a route in
// front of the real intake.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { launchBrowser } from "../support/browser.mjs";
import { replayToEnd } from "../support/replay.mjs";
import {
  EventType,
  assertSegmentsConsistent,
  readStoredSegments,
  waitForSegments,
} from "../support/segments.mjs";
import {
  addMarks,
  fixtureUrl,
  hasMark,
  hasMarks,
  openFixture,
  range,
  serveFixture,
  startIntake,
  storedMarks,
  takeNetworkErrors,
  takeWarnings,
} from "./harness.mjs";

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

/** A context whose uploads go through `handle(route, request)`. */
async function contextWithUploads(handle) {
  const context = await browser.newContext();
  await serveFixture(context, intake.url);
  await context.route(`${intake.url}/api/v1/replay**`, handle);
  return context;
}

/** Text that compresses poorly, so segments have a predictable size. */
function randomText(length) {
  let text = "";
  while (text.length < length) text += Math.random().toString(36).slice(2);
  return text.slice(0, length);
}

function sessionSegments(segments, sessionId) {
  return segments.filter((segment) => segment.sessionId === sessionId);
}

test("intake down then up: every mark arrives exactly once and in order", async () => {
  let refused = 0;
  let down = true;
  const context = await contextWithUploads((route) => {
    if (down) {
      refused++;
      return route.abort("connectionrefused");
    }
    return route.continue();
  });
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
  );

  await addMarks(page, 1, 20, 300);
  await page.evaluate(() => window.Tapedeck.flush());
  await sleep(1000);
  assert.ok(
    refused >= 2,
    `the worker tried while the intake was down (${refused} attempts)`,
  );
  down = false;

  const segments = sessionSegments(
    await waitForSegments(intake.dataDir, hasMark(20, status.sessionId), 60000),
    status.sessionId,
  );
  assert.deepEqual(
    storedMarks(segments),
    range(20),
    "marks arrive once each, in order",
  );
  assertSegmentsConsistent(segments);
  takeNetworkErrors(guard);
  takeWarnings(guard, /intake is unreachable/);
  guard.assertClean();
  await context.close();
});

test("a slow intake still gets every mark once and in order", async () => {
  const context = await contextWithUploads(async (route) => {
    await sleep(1500);
    return route.continue();
  });
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
  );
  await addMarks(page, 1, 12, 400);
  await page.evaluate(() => window.Tapedeck.flush());

  const segments = sessionSegments(
    await waitForSegments(intake.dataDir, hasMark(12, status.sessionId), 60000),
    status.sessionId,
  );
  assert.deepEqual(storedMarks(segments), range(12));
  assertSegmentsConsistent(segments);
  guard.assertClean();
  await context.close();
});

test("500s are retried; a 413 drops one segment, is reported with the next upload and is followed by a full snapshot", async () => {
  let uploads = 0;
  const bodies = [];
  const context = await contextWithUploads(async (route, request) => {
    uploads++;
    if (uploads <= 2) return route.fulfill({ status: 500, body: "{}" });
    if (uploads === 3)
      return route.fulfill({
        status: 413,
        contentType: "application/json",
        body: '{"error":"too large"}',
      });
    bodies.push(
      (request.postDataBuffer() || Buffer.alloc(0)).toString("latin1"),
    );
    return route.continue();
  });
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
  );

  // Segment 0 (the first full snapshot) is answered 500, 500, then 413.
  await page.evaluate(() => window.Tapedeck.flush());
  await addMarks(page, 1, 3, 100);
  await page.evaluate(() => window.Tapedeck.flush());

  const segments = sessionSegments(
    await waitForSegments(
      intake.dataDir,
      (all) =>
        hasMark(3, status.sessionId)(all) &&
        all.some(
          (segment) =>
            segment.sessionId === status.sessionId &&
            segment.metadata.creation_reason !== "init" &&
            segment.metadata.has_full_snapshot,
        ),
      60000,
    ),
    status.sessionId,
  );
  assert.deepEqual(
    storedMarks(segments),
    [1, 2, 3],
    "the marks after the refused segment arrive",
  );
  assert.ok(
    bodies.some((body) =>
      /"dropped_segments":1,"dropped_bytes":\d+/.test(body),
    ),
    "an upload after the 413 reports the dropped segment",
  );
  assert.ok(
    segments.some(
      (segment) =>
        segment.metadata.has_full_snapshot &&
        segment.events[0].type === EventType.Meta,
    ),
    "a full snapshot follows the loss, so the rest replays",
  );
  takeNetworkErrors(guard);
  // The worker's warning shows up for the page and for its worker.
  assert.ok(
    takeWarnings(guard, /refused segment 0 .* status 413/).length >= 1,
    "the site owner is told about the refusal",
  );
  guard.assertClean();
  await context.close();
});

test("queue overflow keeps memory bounded, reports the loss and the replay still plays", async () => {
  let down = true;
  const bodies = [];
  const context = await contextWithUploads((route, request) => {
    if (down) return route.abort("connectionrefused");
    bodies.push(
      (request.postDataBuffer() || Buffer.alloc(0)).toString("latin1"),
    );
    return route.continue();
  });
  const url = fixtureUrl(intake.url, { queueBytesLimit: 3000 });
  const { page, guard, status } = await openFixture(context, url);

  // Segments of ~600 random bytes each while the intake is down: far more
  // than the 3000-byte queue holds.
  for (let round = 1; round <= 8; round++) {
    await page.fill("#field", `round ${round} ${randomText(600)}`);
    await page.click("#add");
    await addMarks(page, round, round);
    await page.evaluate(() => window.Tapedeck.flush());
    await sleep(150);
  }
  down = false;
  await addMarks(page, 9, 9);
  await page.evaluate(() => window.Tapedeck.flush());

  const all = sessionSegments(
    await waitForSegments(intake.dataDir, hasMark(9, status.sessionId), 60000),
    status.sessionId,
  );
  const marks = storedMarks(all);
  assert.ok(
    marks.length < 9,
    `old segments were dropped (stored marks ${marks})`,
  );
  assert.equal(marks.at(-1), 9);
  assert.ok(
    bodies.some((body) =>
      /"dropped_segments":\d+,"dropped_bytes":\d+/.test(body),
    ),
    "the intake is told how much was dropped",
  );

  // The replay from the newest full snapshot on plays without warnings.
  const start = all.findLastIndex(
    (segment) => segment.metadata.has_full_snapshot,
  );
  const events = all.slice(start).flatMap((segment) => segment.events);
  assert.equal(events[0].type, EventType.Meta);
  const replay = await replayToEnd(browser, events, { baseUrl: page.url() });
  try {
    replay.guard.assertClean();
  } finally {
    await replay.page.close();
  }
  takeNetworkErrors(guard);
  takeWarnings(
    guard,
    /dropped \d+ of the oldest segments|intake is unreachable/,
  );
  guard.assertClean();
  await context.close();
});

test("without a failing route every mark arrives unchanged (harness check)", async () => {
  // Guards the harness: without interception, segments arrive unchanged.
  const context = await browser.newContext();
  await serveFixture(context, intake.url);
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
  );
  await addMarks(page, 1, 2);
  await page.evaluate(() => window.Tapedeck.flush());
  const segments = sessionSegments(
    await waitForSegments(intake.dataDir, hasMark(2, status.sessionId)),
    status.sessionId,
  );
  assert.deepEqual(storedMarks(segments), [1, 2]);
  assert.ok(
    (await readStoredSegments(intake.dataDir)).length >= segments.length,
  );
  guard.assertClean();
  await context.close();
});

test("segments unsent when the tab closes are sent by the next page load of the origin", async () => {
  let down = true;
  const context = await contextWithUploads((route) =>
    down ? route.abort("connectionrefused") : route.continue(),
  );
  const first = await openFixture(context, fixtureUrl(intake.url, {}, "first"));
  await addMarks(first.page, 1, 3, 50);
  await first.page.evaluate(() => window.Tapedeck.flush());
  // Let the worker try (and keep the segment in IndexedDB) before closing.
  await sleep(1500);
  await first.page.close({ runBeforeUnload: true });
  assert.ok(
    !(await readStoredSegments(intake.dataDir)).some(
      (segment) => segment.sessionId === first.status.sessionId,
    ),
    "nothing arrived while the intake was down",
  );

  down = false;
  const second = await openFixture(
    context,
    fixtureUrl(intake.url, {}, "second"),
  );
  const segments = sessionSegments(
    await waitForSegments(
      intake.dataDir,
      hasMarks([1, 2, 3], [first.status.sessionId]),
    ),
    first.status.sessionId,
  );
  assert.deepEqual(storedMarks(segments), [1, 2, 3]);
  second.guard.assertClean();
  await context.close();
});
