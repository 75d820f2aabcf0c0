// The corpus: each fixture page with the interaction that drives it and,
// where the replayed document alone cannot show it, what the recording
// must hold. A fixture's `steps` each end in a checkpoint; the suite also
// checks the page as first recorded and at the end.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

/** rrweb IncrementalSource values the checks below look for. */
const Source = {
  TouchMove: 6,
  MediaInteraction: 7,
  StyleSheetRule: 8,
  StyleDeclaration: 13,
  Selection: 14,
  AdoptedStyleSheet: 15,
};

const EventType = { Incremental: 3, Custom: 5 };

/** Calls `window.fixture[name](...args)` in the page and awaits it. */
function call(page, name, ...args) {
  return page.evaluate(
    ([method, values]) => window.fixture[method](...values),
    [name, args],
  );
}

function assertHasSource(events, source, what) {
  assert.ok(
    events.some(
      (event) =>
        event.type === EventType.Incremental && event.data.source === source,
    ),
    `the recording holds no ${what} event`,
  );
}

/** Sends a touch gesture through the DevTools protocol (needs hasTouch). */
async function touchDrag(page, points) {
  const session = await page.context().newCDPSession(page);
  const [first, ...rest] = points;
  await session.send("Input.dispatchTouchEvent", {
    type: "touchStart",
    touchPoints: [first],
  });
  for (const point of rest) {
    await session.send("Input.dispatchTouchEvent", {
      type: "touchMove",
      touchPoints: [point],
    });
    await sleep(30);
  }
  await session.send("Input.dispatchTouchEvent", {
    type: "touchEnd",
    touchPoints: [],
  });
  await session.detach();
}

export const FIXTURES = [
  {
    name: "landing",
    page: "landing.html",
    steps: [
      async (page) => {
        await page.click("#menu-button");
        await call(page, "renderTestimonials");
      },
      async (page) => {
        await page.click("#show-pricing");
        await page.evaluate(() => window.scrollTo(0, 400));
      },
      async (page) => {
        await call(page, "highlight", "card-scale");
        await page.click("#menu-button");
      },
    ],
  },
  {
    name: "dashboard",
    page: "dashboard.html",
    steps: [
      async (page) => {
        await call(page, "addRows");
        await call(page, "removeRows");
      },
      async (page) => {
        await call(page, "moveRows");
        await call(page, "editCells");
        await page.locator("#table-wrap").evaluate((box) => {
          box.scrollTop = 180;
        });
      },
      async (page) => {
        await call(page, "sortAndRerender");
      },
    ],
  },
  {
    name: "article",
    page: "article.html",
    steps: [
      async (page) => {
        await page.mouse.wheel(0, 900);
      },
      async (page) => {
        await page.locator("#code-2").evaluate((pre) => {
          pre.scrollLeft = 150;
        });
        await page.evaluate(() => window.scrollTo(0, 2400));
      },
      async (page) => {
        await page.locator("#notes summary").click();
      },
    ],
  },
  {
    name: "checkout",
    page: "checkout.html",
    steps: [
      async (page) => {
        await page.locator("#name").pressSequentially("Ada Lovelace");
        await page.locator("#street").pressSequentially("12 Analytical Row");
        await page.selectOption("#country", "fr");
        await page.check('input[name="speed"][value="express"]');
      },
      async (page) => {
        await call(page, "autofill");
        await page.locator("#note").pressSequentially("Ring twice");
        await page.locator("#coupon").fill("EXPIRED");
        await page.locator("#coupon").press("Tab");
      },
      async (page) => {
        await call(page, "reset");
        await page.uncheck("#same");
        await page.check("#same");
      },
    ],
  },
  {
    name: "chart",
    page: "chart.html",
    steps: [
      async (page) => call(page, "update"),
      async (page) => call(page, "addDays"),
      async (page) => call(page, "dropDays"),
    ],
  },
  {
    name: "components",
    page: "components.html",
    steps: [
      async (page) => {
        await page.locator("#card-alan .nickname").pressSequentially("Prof");
        await call(page, "setNicknameFromScript");
      },
      async (page) => {
        await call(page, "attachLate");
        await call(page, "changeInsideShadow");
      },
      async (page) => {
        await call(page, "scrollFeed");
        await page.locator("#late-host user-card .nickname").fill("Amazing");
      },
    ],
  },
  {
    name: "cssom",
    page: "cssom.html",
    steps: [
      async (page) => call(page, "insertRules"),
      async (page) => call(page, "nestedRules"),
      async (page) => call(page, "deleteAndDeclare"),
    ],
    check(events) {
      assertHasSource(events, Source.StyleSheetRule, "StyleSheetRule");
      assertHasSource(events, Source.StyleDeclaration, "StyleDeclaration");
    },
  },
  {
    name: "adopted",
    page: "adopted.html",
    steps: [
      async (page) => call(page, "replaceAndAdd"),
      async (page) => call(page, "shareWithLateRoot"),
      async (page) => call(page, "changeAdopted"),
    ],
    check(events) {
      assertHasSource(events, Source.AdoptedStyleSheet, "AdoptedStyleSheet");
    },
  },
  {
    name: "stylesheets",
    page: "stylesheets.html",
    // Long enough that the first snapshot is taken while it still loads.
    delays: { "slow.css": 2500 },
    waitUntil: "domcontentloaded",
    steps: [
      async (page) => {
        await page.waitForFunction(() => window.fixture.slowLoaded(), null, {
          timeout: 20000,
        });
      },
      async (page) => call(page, "addLink"),
    ],
  },
  {
    name: "iframes",
    page: "iframes.html",
    steps: [
      async (page) => {
        await call(page, "changeInside");
        await page
          .frameLocator("#frame-srcdoc")
          .locator("#inner-input")
          .pressSequentially("typed in a frame");
      },
      async (page) => call(page, "addFrame"),
      async (page) => call(page, "navigateFrame"),
    ],
  },
  {
    name: "inputs",
    page: "inputs.html",
    steps: [
      async (page) => call(page, "setValues"),
      async (page) => {
        await call(page, "setChoices");
        await page.locator("#editor b").click();
        await page.keyboard.type(" and more text");
      },
      async (page) => {
        await call(page, "undoChoices");
        await page.check("#size-m");
        await page.keyboard.press("Enter");
      },
    ],
  },
  {
    name: "media",
    page: "media.html",
    steps: [
      async (page) => {
        await call(page, "ready");
        await page.click("#play");
        await sleep(300);
        await call(page, "pause");
      },
      async (page) => call(page, "seekAndTune"),
      async (page) => call(page, "playThenPause"),
    ],
    check(events) {
      assertHasSource(events, Source.MediaInteraction, "MediaInteraction");
    },
  },
  {
    name: "interaction",
    page: "interaction.html",
    contextOptions: { hasTouch: true },
    steps: [
      async (page) => {
        await call(page, "selectWords");
        await call(page, "customEvents");
      },
      async (page) => {
        const box = await page.locator("#pad").boundingBox();
        const points = [0, 1, 2, 3, 4, 5].map((step) => ({
          x: Math.round(box.x + 20 + step * 40),
          y: Math.round(box.y + 20 + step * 20),
        }));
        await touchDrag(page, points);
        await page.click("#open");
      },
      async (page) => {
        await page.click("#close");
        await call(page, "showNote");
        // Selects the first word of the paragraph.
        await page.dblclick("#touches", { position: { x: 8, y: 8 } });
      },
    ],
    check(events) {
      assertHasSource(events, Source.TouchMove, "TouchMove");
      assertHasSource(events, Source.Selection, "Selection");
      const custom = events.filter((event) => event.type === EventType.Custom);
      const cart = custom.find((event) => event.data.tag === "cart");
      assert.deepEqual(
        cart?.data.payload,
        { items: 2, total: 19.5, tags: ["a", "b"] },
        "Tapedeck.addEvent('cart', …) is a Custom event with its payload",
      );
      assert.ok(
        custom.some((event) => event.data.tag === "plain-tag"),
        "Tapedeck.addEvent without a payload is recorded",
      );
    },
  },
];
