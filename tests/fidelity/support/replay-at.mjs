// Replays a recording with rrweb's Replayer and reads the rebuilt document
// at given moments: the replayer is paused at each one in turn (always
// forward, so it applies the events since the previous moment, as a viewer
// playing the session would) and the document is serialised there.
//
// The setup follows tests/e2e/support/replay.mjs (`showWarning: true`, so
// anything the replayer cannot apply is a console warning the guard fails
// on) and adds the fixture routes, so what the recording points to (a
// cross-origin stylesheet kept as a link) loads as it would for a viewer.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { watchConsole } from "../../e2e/support/console-guard.mjs";
import { serializeDeep } from "./deep-snapshot.mjs";
import { routeFidelityPages } from "./pages.mjs";

const require = createRequire(import.meta.url);
const RRWEB_DIST = path.dirname(require.resolve("rrweb/dist/style.css"));

const PLAYER_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"></head><body><div id="player"></div></body></html>';

/**
 * Replays `events` in a new context of `browser` and returns `{ context,
 * guard, snapshots }`, one snapshot per timestamp of `moments` (epoch ms,
 * ascending): the document with every event up to and including that
 * moment applied. Close `context` when done.
 */
export async function replayAtMoments(
  browser,
  intake,
  events,
  moments,
  { baseUrl },
) {
  const context = await browser.newContext({
    viewport: { width: 1600, height: 1200 },
  });
  await routeFidelityPages(context, intake.url);
  const page = await context.newPage();
  const guard = watchConsole(page, "replay");

  await page.setContent(PLAYER_PAGE);
  await page.addStyleTag({
    content: await readFile(path.join(RRWEB_DIST, "style.css"), "utf8"),
  });
  await page.addScriptTag({
    content: await readFile(path.join(RRWEB_DIST, "rrweb.umd.cjs"), "utf8"),
  });

  await page.evaluate(async (recorded) => {
    window.fidelityReplayer = new window.rrweb.Replayer(recorded, {
      root: document.getElementById("player"),
      showWarning: true,
      mouseTail: false,
    });
    // The constructor sizes the iframe to the first Meta event in a
    // setTimeout(0); a seek before it would let that stale size win.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }, events);

  const snapshots = [];
  for (const moment of moments) {
    await page.evaluate(async (offset) => {
      // A seek applies the events strictly before the target at once.
      window.fidelityReplayer.pause(offset + 1);
      await new Promise((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(resolve)),
      );
    }, moment - events[0].timestamp);
    const frame = page
      .frames()
      .find((candidate) => candidate.parentFrame() === page.mainFrame());
    if (!frame) throw new Error("the Replayer created no iframe");
    snapshots.push(
      await frame.evaluate(serializeDeep, { baseUrl, live: false }),
    );
  }
  return { context, page, guard, snapshots };
}
