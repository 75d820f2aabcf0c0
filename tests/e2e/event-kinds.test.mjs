// A recording of the plain page holds every kind of event the wire
// contract names, each shaped as rrweb's Replayer expects it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser } from "./support/browser.mjs";
import { startIntake } from "./support/intake.mjs";
import {
  RESIZED_VIEWPORT,
  interactWithPlainPage,
  plainPageUrl,
} from "./support/plain-page.mjs";
import {
  endRecordingWithMark,
  openRecordingPage,
  settle,
} from "./support/recording.mjs";
import {
  EventType,
  MouseInteraction,
  Source,
  assertSegmentsConsistent,
} from "./support/segments.mjs";

let intake;
let browser;
let events;

before(async () => {
  intake = await startIntake();
  browser = await launchBrowser();

  const { page, guard } = await openRecordingPage(
    browser,
    plainPageUrl(intake.url, "allow"),
  );
  await interactWithPlainPage(page);
  // A change of text in place, which the page's own script never makes.
  await page.evaluate(() => {
    document.querySelector("h1").firstChild.data = "Tapedeck demo, edited";
  });
  await settle(page);
  const segments = await endRecordingWithMark(page, intake.dataDir);
  guard.assertClean();
  await page.close();

  assertSegmentsConsistent(segments);
  events = segments.flatMap((segment) => segment.events);
});

after(async () => {
  await browser?.close();
  await intake?.stop();
});

function incremental(source) {
  return events.filter(
    (event) =>
      event.type === EventType.Incremental && event.data.source === source,
  );
}

test("recording starts with Meta carrying the page and viewport, then a FullSnapshot of the document", () => {
  const [meta, full] = events;
  assert.equal(meta.type, EventType.Meta);
  assert.match(
    meta.data.href,
    /\/examples\/plain\/index\.html\?privacy=allow$/,
  );
  assert.ok(meta.data.width > 0 && meta.data.height > 0);
  assert.equal(full.type, EventType.FullSnapshot);
  assert.equal(full.data.node.type, 0, "the snapshot's root is the document");
  assert.equal(full.data.node.id, 1, "the document's id is 1");
  assert.ok(
    Number.isFinite(full.data.initialOffset.top) &&
      Number.isFinite(full.data.initialOffset.left),
  );
});

test("mutations record adds, removes, attribute changes and text changes", () => {
  const mutations = incremental(Source.Mutation).map((event) => event.data);
  const adds = mutations.flatMap((data) => data.adds);
  const removes = mutations.flatMap((data) => data.removes);
  const attributes = mutations.flatMap((data) => data.attributes);
  const texts = mutations.flatMap((data) => data.texts);

  assert.ok(
    adds.some((add) => add.node.type === 2 && add.node.tagName === "li"),
    "adding a to-do is an add of an <li>",
  );
  assert.ok(
    adds.every(
      (add) =>
        Number.isInteger(add.parentId) &&
        (add.nextId === null || Number.isInteger(add.nextId)),
    ),
    "every add names its parent and next sibling",
  );
  assert.ok(
    removes.length > 0 &&
      removes.every(
        (remove) =>
          Number.isInteger(remove.id) && Number.isInteger(remove.parentId),
      ),
  );
  assert.ok(
    attributes.some(
      (change) =>
        "hidden" in change.attributes && change.attributes.hidden === null,
    ),
    "opening the modal removes its hidden attribute",
  );
  assert.ok(
    attributes.some(
      (change) =>
        typeof change.attributes.class === "string" &&
        change.attributes.class.includes("done"),
    ),
    "toggling a to-do changes its class",
  );
  assert.ok(
    texts.some((change) => change.value === "Tapedeck demo, edited"),
    "a text node changed in place is a text mutation",
  );
});

test("mouse moves carry positions with a time offset of zero or less", () => {
  const positions = incremental(Source.MouseMove).flatMap(
    (event) => event.data.positions,
  );
  assert.ok(
    positions.length >= 2,
    `mouse moves were recorded: ${positions.length}`,
  );
  for (const position of positions) {
    assert.ok(
      Number.isFinite(position.x) &&
        Number.isFinite(position.y) &&
        Number.isInteger(position.id),
    );
    assert.ok(
      position.timeOffset <= 0,
      `timeOffset ${position.timeOffset} is not after the event`,
    );
  }
  assert.ok(
    positions.some((position) => position.x === 500 && position.y === 320),
    "the last mouse position is recorded",
  );
});

test("mouse interactions include mousedown, mouseup, click, focus and blur", () => {
  const kinds = new Set(
    incremental(Source.MouseInteraction).map((event) => event.data.type),
  );
  for (const [name, type] of Object.entries(MouseInteraction)) {
    assert.ok(kinds.has(type), `a ${name} interaction was recorded`);
  }
  for (const event of incremental(Source.MouseInteraction)) {
    assert.ok(
      Number.isInteger(event.data.id),
      "each interaction names its target",
    );
  }
});

test("scrolls of the page and of an element are recorded with their positions", () => {
  const scrolls = incremental(Source.Scroll).map((event) => event.data);
  assert.ok(
    scrolls.some((scroll) => scroll.id === 1 && scroll.y === 180),
    "the page scroll is recorded against the document",
  );
  assert.ok(
    scrolls.some((scroll) => scroll.id !== 1 && scroll.y === 240),
    "the feed box scroll is recorded against its element",
  );
});

test("resizing the viewport is a ViewportResize with the new size", () => {
  const resizes = incremental(Source.ViewportResize).map((event) => event.data);
  assert.deepEqual(resizes.at(-1), {
    source: Source.ViewportResize,
    ...RESIZED_VIEWPORT,
  });
});

test("typing, selecting and checking are Input events with the field's state", () => {
  const inputs = incremental(Source.Input).map((event) => event.data);
  assert.ok(
    inputs.some(
      (input) =>
        input.text === "Ada marker-name-q7" && input.isChecked === false,
    ),
  );
  assert.ok(
    inputs.some((input) => input.text === "team"),
    "the selected option is recorded",
  );
  assert.ok(
    inputs.some((input) => input.isChecked === true),
    "a checked box is recorded",
  );
});
