// The fidelity suite: every fixture page is recorded through the script tag
// while a scripted interaction runs, and its replay is compared with the
// live page at each checkpoint and at the end. See README.md.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "../e2e/support/browser.mjs";
import { startIntake } from "../e2e/support/intake.mjs";
import {
  EventType,
  assertSegmentsConsistent,
} from "../e2e/support/segments.mjs";
import { FIXTURES } from "./fixtures.mjs";
import { KNOWN_LIMITATIONS } from "./known-limitations.mjs";
import {
  compareSnapshots,
  describeDifference,
  takeExplainedConsoleProblems,
} from "./support/compare.mjs";
import { CHECKPOINT_TAG, recordFixture } from "./support/record.mjs";
import { replayAtMoments } from "./support/replay-at.mjs";
import { formatFidelityTable } from "./support/table.mjs";

/** How many differences a failure message lists before it cuts off. */
const LISTED_DIFFERENCES = 60;

let intake;
let browser;
const figures = [];

before(async () => {
  intake = await startIntake();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await intake?.stop();
  if (figures.length > 0) console.log(formatFidelityTable(figures));
});

/** The checkpoint marks of one run, in order. */
function checkpointMoments(events, runId) {
  return events
    .filter(
      (event) =>
        event.type === EventType.Custom &&
        event.data.tag === CHECKPOINT_TAG &&
        event.data.payload?.run === runId,
    )
    .sort((a, b) => a.data.payload.n - b.data.payload.n)
    .map((event) => event.timestamp);
}

for (const fixture of FIXTURES) {
  test(`${fixture.name}: the replay matches the live page at every checkpoint`, async () => {
    const recording = await recordFixture(browser, intake, fixture);
    let recorded;
    try {
      await recording.checkpoint();
      for (const step of fixture.steps) {
        await step(recording.page);
        await recording.checkpoint();
      }
      recorded = await recording.finish();
      recording.guard.assertClean();
    } finally {
      await recording.context.close();
    }

    const { events, snapshots, runId, viewSegments } = recorded;
    assertSegmentsConsistent(viewSegments);
    const moments = checkpointMoments(events, runId);
    assert.equal(
      moments.length,
      snapshots.length,
      "every checkpoint reached the intake",
    );

    const replay = await replayAtMoments(browser, intake, events, moments, {
      baseUrl: recording.baseUrl,
    });
    let comparisons;
    let replayProblems;
    try {
      comparisons = snapshots.map((live, index) =>
        compareSnapshots(
          fixture.name,
          index,
          live,
          replay.snapshots[index],
          KNOWN_LIMITATIONS,
        ),
      );
      const explainedConsole = takeExplainedConsoleProblems(
        replay.guard,
        fixture.name,
        KNOWN_LIMITATIONS,
      );
      replayProblems = replay.guard.problems();
      figures.push({
        fixture: fixture.name,
        comparisons,
        explainedConsole,
        unexplainedConsole: replayProblems,
      });
    } finally {
      await replay.context.close();
    }

    const unexplained = [
      ...replayProblems.map(
        (problem) => `replay console ${problem.type}: ${problem.text.trim()}`,
      ),
      ...comparisons.flatMap((comparison, index) =>
        comparison.unexplained.map(
          (difference) =>
            `checkpoint ${index}: ${describeDifference(difference)}`,
        ),
      ),
    ];
    assert.deepEqual(
      unexplained.slice(0, LISTED_DIFFERENCES),
      [],
      `${unexplained.length} difference(s) between the live page and its replay that no known limitation explains`,
    );

    fixture.check?.(events);
  });
}
