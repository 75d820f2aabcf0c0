// Sessions and views across page loads, tabs, inactivity and page exit.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { launchBrowser } from "../support/browser.mjs";
import {
  EventType,
  assertSegmentsConsistent,
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

async function freshContext() {
  const context = await browser.newContext();
  await serveFixture(context, intake.url);
  return context;
}

function ofSession(segments, sessionId) {
  return segments.filter((segment) => segment.sessionId === sessionId);
}

function viewsOf(segments) {
  return [...new Set(segments.map((segment) => segment.viewId))];
}

test("closing the tab mid-session sends the last segment by beacon", async () => {
  const context = await freshContext();
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
  );
  await addMarks(page, 1, 3, 50);
  guard.assertClean();
  // Well within the five-second segment: only the page-exit hand-back can
  // deliver mark 3 now.
  await page.close({ runBeforeUnload: true });

  const segments = ofSession(
    await waitForSegments(intake.dataDir, hasMark(3, status.sessionId)),
    status.sessionId,
  );
  assert.deepEqual(storedMarks(segments), [1, 2, 3]);
  assert.ok(
    segments.some(
      (segment) =>
        ["before_unload", "visibility_hidden"].includes(
          segment.metadata.creation_reason,
        ) || segment.metadata.index_in_view === 0,
    ),
  );
  assertSegmentsConsistent(segments);
  await context.close();
});

test("three page loads are one session with three views, in order", async () => {
  const context = await freshContext();
  const page = await context.newPage();
  const sessionIds = [];
  for (const [index, name] of ["first", "second", "third"].entries()) {
    await page.goto(fixtureUrl(intake.url, {}, name));
    await page.waitForFunction(() => window.tapedeckStatus, null, {
      timeout: 30000,
    });
    sessionIds.push(await page.evaluate(() => window.tapedeckStatus.sessionId));
    await addMarks(page, index + 1, index + 1);
    await sleep(300);
  }
  await page.evaluate(() => window.Tapedeck.flush());

  assert.equal(
    new Set(sessionIds).size,
    1,
    `one session across loads: ${sessionIds}`,
  );
  const allMarks = (all) =>
    [1, 2, 3].every((n) => hasMark(n, sessionIds[0])(all));
  const segments = ofSession(
    await waitForSegments(intake.dataDir, allMarks),
    sessionIds[0],
  );
  assertSegmentsConsistent(segments);
  const summary = segments.map(
    (s) =>
      `${s.viewId}#${s.index} ${s.metadata.creation_reason} ${storedMarks([s])}`,
  );
  assert.equal(
    viewsOf(segments).length,
    3,
    `one view per page load: ${summary.join(", ")}`,
  );
  assert.deepEqual(
    storedMarks(segments),
    [1, 2, 3],
    "views are ordered by their start",
  );
  await context.close();
});

test("two tabs of the origin share one session", async () => {
  const context = await freshContext();
  const first = await openFixture(context, fixtureUrl(intake.url, {}, "tab-a"));
  const second = await openFixture(
    context,
    fixtureUrl(intake.url, {}, "tab-b"),
  );
  assert.equal(second.status.sessionId, first.status.sessionId);

  await addMarks(first.page, 1, 1);
  await addMarks(second.page, 2, 2);
  await first.page.evaluate(() => window.Tapedeck.flush());
  await second.page.evaluate(() => window.Tapedeck.flush());
  const segments = await waitForSegments(intake.dataDir, (all) =>
    hasMarks([1, 2], [first.status.sessionId])(all),
  );
  const ours = ofSession(segments, first.status.sessionId);
  assert.deepEqual(storedMarks(ours).sort(), [1, 2]);
  assert.equal(viewsOf(ours).length, 2);
  first.guard.assertClean();
  second.guard.assertClean();
  await context.close();
});

test("after the inactivity timeout the next activity begins a new session with a full snapshot", async () => {
  const context = await freshContext();
  const url = fixtureUrl(intake.url, { sessionInactivityMs: 1500 });
  const { page, guard, status } = await openFixture(context, url);
  await addMarks(page, 1, 1);

  await sleep(2500);
  await page.click("#add");
  await page.waitForFunction(
    (old) => window.Tapedeck.getSessionId() !== old,
    status.sessionId,
    { timeout: 5000 },
  );
  const renewed = await page.evaluate(() => window.Tapedeck.getSessionId());
  await addMarks(page, 2, 2);
  await page.evaluate(() => window.Tapedeck.flush());

  const segments = await waitForSegments(
    intake.dataDir,
    (all) => hasMark(1, status.sessionId)(all) && hasMark(2, renewed)(all),
  );
  const before = ofSession(segments, status.sessionId);
  const afterTimeout = ofSession(segments, renewed);
  assert.deepEqual(storedMarks(before), [1]);
  assert.deepEqual(storedMarks(afterTimeout), [2]);
  assertSegmentsConsistent(afterTimeout);
  assert.equal(
    afterTimeout[0].events[1].type,
    EventType.FullSnapshot,
    "the new session starts with a full snapshot",
  );
  guard.assertClean();
  await context.close();
});

test("marks added in quick succession arrive once each and in order", async () => {
  const context = await freshContext();
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
  );
  await addMarks(page, 1, 5, 100);
  await page.evaluate(() => window.Tapedeck.flush());
  const segments = ofSession(
    await waitForSegments(intake.dataDir, hasMark(5, status.sessionId)),
    status.sessionId,
  );
  assert.deepEqual(storedMarks(segments), range(5));
  guard.assertClean();
  await context.close();
});

test("a frozen page sends its open segment with creation_reason freeze", async () => {
  const context = await freshContext();
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
  );
  // Segment 0 (always "init") goes first, so the next one says its reason.
  await page.evaluate(() => window.Tapedeck.flush());
  await waitForSegments(intake.dataDir, (all) =>
    all.some((segment) => segment.sessionId === status.sessionId),
  );
  await addMarks(page, 1, 1);
  await sleep(300);
  // Headless Chromium does not freeze pages on request (CDP's
  // setWebLifecycleState fires no event here), so the browser's `freeze`
  // event is dispatched as the Page Lifecycle spec fires it: on the
  // document, not bubbling.
  await page.evaluate(() => document.dispatchEvent(new Event("freeze")));

  // Well within the five-second segment limit: only the freeze sends it.
  const segments = ofSession(
    await waitForSegments(intake.dataDir, hasMark(1, status.sessionId), 3000),
    status.sessionId,
  );
  const withMark = segments.find((segment) => storedMarks([segment]).length);
  assert.equal(withMark.metadata.creation_reason, "freeze");

  await addMarks(page, 2, 2);
  await page.evaluate(() => window.Tapedeck.flush());
  const after = ofSession(
    await waitForSegments(intake.dataDir, hasMark(2, status.sessionId)),
    status.sessionId,
  );
  assert.deepEqual(storedMarks(after), [1, 2]);
  assertSegmentsConsistent(after);
  guard.assertClean();
  await context.close();
});
