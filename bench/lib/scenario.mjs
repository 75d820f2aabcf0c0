// The scripted interactive scenario: a user moving the mouse along paths,
// clicking, typing, scrolling and resizing the window while the page's
// ticker changes the DOM a few times a second. Input goes through real
// browser input events, at human speed, so recorders sample it as they
// would in the field; the same seed gives the same session every run.

import { setTimeout as sleep } from "node:timers/promises";

import { VIEWPORT } from "./browser.mjs";
import { seededRandom, randomInt, pick } from "./random.mjs";

/** DOM updates per second made by the page itself. */
export const TICKER_PER_SECOND = 3;

const PHRASES = [
  "order 1042",
  "late delivery",
  "refund please",
  "blue shoes size 42",
];

const VIEWPORTS = [
  VIEWPORT,
  { width: 1280, height: 800 },
  { width: 800, height: 700 },
];

/** Plays the scenario on `page` for about `seconds`. */
export async function playScenario(page, seconds) {
  const random = seededRandom(7);
  const until = Date.now() + seconds * 1000;
  const mouse = { x: 100, y: 100 };
  await page.evaluate(
    (perSecond) => window.__benchStartTicker(perSecond),
    TICKER_PER_SECOND,
  );

  for (let cycle = 0; Date.now() < until; cycle++) {
    await moveAlongCurve(page, mouse, {
      x: 40 + randomInt(random, 700),
      y: 120 + randomInt(random, 500),
    });
    await page.mouse.click(mouse.x, mouse.y);
    if (Date.now() >= until) break;

    await typeInto(
      page,
      cycle % 3 === 2 ? "#comment" : "#query",
      pick(random, PHRASES),
    );
    if (Date.now() >= until) break;

    for (let wheel = 0; wheel < 3; wheel++) {
      await page.mouse.wheel(0, cycle % 4 === 3 ? -400 : 250);
      await sleep(150);
    }

    if (cycle % 4 === 1) {
      await page.setViewportSize(VIEWPORTS[(cycle >> 2) % VIEWPORTS.length]);
      await sleep(200);
    }
    if (cycle % 5 === 4)
      await page.selectOption("#status", cycle % 2 ? "closed" : "open");
  }
}

/** Moves the mouse to `to` in a bowed path of small steps, ~60 per second. */
async function moveAlongCurve(page, mouse, to) {
  const from = { ...mouse };
  const steps = 30;
  const bow = (to.x - from.x) * 0.3;
  for (let step = 1; step <= steps; step++) {
    const t = step / steps;
    const x = from.x + (to.x - from.x) * t + Math.sin(Math.PI * t) * bow * 0.5;
    const y =
      from.y +
      (to.y - from.y) * t -
      Math.sin(Math.PI * t) * Math.abs(bow) * 0.3;
    await page.mouse.move(x, y);
    await sleep(16);
  }
  mouse.x = to.x;
  mouse.y = to.y;
}

/** Clicks a field, clears it and types `text` at about eight keys a second. */
async function typeInto(page, selector, text) {
  await page.click(selector);
  await page.fill(selector, "");
  await page.keyboard.type(text, { delay: 120 });
}
