// Starting up: a worker or WebAssembly blocked by the page's CSP leaves the
// page alone; manual start; the error-triggered mode.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { launchBrowser } from "../support/browser.mjs";
import {
  EventType,
  readStoredSegments,
  waitForSegments,
} from "../support/segments.mjs";
import {
  addMarks,
  fixtureUrl,
  hasMark,
  openFixture,
  serveFixture,
  startIntake,
  storedMarks,
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

async function contextWithCsp(csp) {
  const context = await browser.newContext();
  await serveFixture(
    context,
    intake.url,
    csp ? { "Content-Security-Policy": csp } : {},
  );
  return context;
}

async function assertPageStillWorks(page) {
  await page.fill("#field", "still here");
  await page.click("#add");
  assert.equal(await page.textContent("#list li"), "still here");
}

test("a worker blocked by worker-src resolves init with failed, one warning, and the page works", async () => {
  const context = await contextWithCsp("worker-src 'none'");
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
    { expectStatus: "failed" },
  );
  assert.match(status.reason, /worker/);
  await assertPageStillWorks(page);
  const warnings = takeWarnings(
    guard,
    /recording could not start: .*worker-src/,
  );
  assert.equal(warnings.length, 1, JSON.stringify(guard.problems()));
  guard.take((problem) =>
    /Content Security Policy|Refused to/.test(problem.text),
  );
  guard.assertClean();
  await context.close();
});

test("WebAssembly blocked by script-src resolves init with failed and names wasm-unsafe-eval", async () => {
  const context = await contextWithCsp("script-src 'self' 'unsafe-inline'");
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url),
    { expectStatus: "failed" },
  );
  assert.match(status.reason, /wasm-unsafe-eval/);
  await assertPageStillWorks(page);
  assert.equal(
    takeWarnings(guard, /wasm-unsafe-eval/).length,
    1,
    JSON.stringify(guard.problems()),
  );
  guard.take((problem) =>
    /Content Security Policy|Refused to/.test(problem.text),
  );
  guard.assertClean();
  await context.close();
});

test("with a CSP that allows the worker and wasm, recording works from workerUrl", async () => {
  const context = await contextWithCsp(
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'",
  );
  const url = fixtureUrl(intake.url, {
    workerUrl: "/tapedeck/tapedeck-worker.js",
  });
  const { page, guard, status } = await openFixture(context, url);
  await addMarks(page, 1, 1);
  await page.evaluate(() => window.Tapedeck.flush());
  const segments = await waitForSegments(
    intake.dataDir,
    hasMark(1, status.sessionId),
  );
  assert.ok(segments.some((segment) => segment.sessionId === status.sessionId));
  guard.assertClean();
  await context.close();
});

test("startManually records nothing until start(), and stop() then start() resumes", async () => {
  const context = await contextWithCsp(null);
  const { page, guard, status } = await openFixture(
    context,
    fixtureUrl(intake.url, { startManually: true }),
    {
      expectStatus: "ready",
    },
  );
  await addMarks(page, 1, 1);
  await page.evaluate(() => window.Tapedeck.start());
  await addMarks(page, 2, 2);
  await page.evaluate(() => window.Tapedeck.stop());
  await addMarks(page, 3, 3);
  await page.evaluate(() => window.Tapedeck.start());
  await addMarks(page, 4, 4);
  await page.evaluate(() => window.Tapedeck.flush());

  const segments = (
    await waitForSegments(intake.dataDir, hasMark(4, status.sessionId))
  ).filter((s) => s.sessionId === status.sessionId);
  assert.deepEqual(storedMarks(segments), [2, 4]);
  guard.assertClean();
  await context.close();
});

test("error-triggered mode sends nothing until an uncaught error, then the last seconds from a full snapshot", async () => {
  const context = await contextWithCsp(null);
  let uploads = 0;
  await context.route(`${intake.url}/api/v1/replay**`, (route) => {
    uploads++;
    return route.continue();
  });
  const url = fixtureUrl(intake.url, {
    mode: "error-triggered",
    bufferSeconds: 4,
  });
  const { page, guard, status } = await openFixture(context, url);

  // 12 s of marks, well past the 4 s buffer and its 2 s checkouts.
  await addMarks(page, 1, 24, 500);
  await sleep(300);
  assert.equal(uploads, 0, "nothing is sent before the error");
  assert.ok(
    !(await readStoredSegments(intake.dataDir)).some(
      (s) => s.sessionId === status.sessionId,
    ),
  );

  await page.evaluate(() =>
    setTimeout(() => {
      throw new Error("boom from the page");
    }),
  );
  const segments = (
    await waitForSegments(intake.dataDir, (all) =>
      all.some(
        (s) =>
          s.sessionId === status.sessionId &&
          s.events.some(
            (e) => e.type === EventType.Custom && e.data.tag === "error",
          ),
      ),
    )
  ).filter((s) => s.sessionId === status.sessionId);

  const marks = storedMarks(segments);
  assert.ok(
    marks.length > 0 && marks.at(-1) === 24,
    `the newest marks are sent: ${marks}`,
  );
  assert.ok(
    !marks.includes(1),
    `the oldest marks fell out of the buffer: ${marks}`,
  );
  assert.equal(
    segments[0].events[0].type,
    EventType.Meta,
    "the buffer starts with Meta",
  );
  assert.equal(
    segments[0].events[1].type,
    EventType.FullSnapshot,
    "then a full snapshot",
  );
  const error = segments
    .flatMap((s) => s.events)
    .find((e) => e.type === EventType.Custom && e.data.tag === "error");
  assert.match(error.data.payload.message, /boom from the page/);
  guard.take(
    (problem) =>
      problem.type === "pageerror" && /boom from the page/.test(problem.text),
  );

  // Then it records normally.
  await addMarks(page, 25, 25);
  await page.evaluate(() => window.Tapedeck.flush());
  await waitForSegments(intake.dataDir, hasMark(25, status.sessionId));
  guard.assertClean();
  await context.close();
});
