// Replays recorded events with rrweb's own Replayer, the reference consumer
// of the event format, in a page of the same browser, and reads back the
// document it rebuilt.
//
// The Replayer runs with `showWarning: true`, so everything it cannot apply
// (a node id it does not know, a parent that is missing) is a console
// warning prefixed `[replayer]`, and the page's console guard fails the test
// on it.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { watchConsole } from "./console-guard.mjs";
import { serializeDocument } from "./dom-snapshot.mjs";

const require = createRequire(import.meta.url);
// The UMD build defines `window.rrweb` when loaded as a classic script; the
// package exports only its stylesheet by path, which locates the folder.
const RRWEB_DIST = path.dirname(require.resolve("rrweb/dist/style.css"));

/** The replay page: nothing but the player's root. */
const PLAYER_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"></head><body><div id="player"></div></body></html>';

/**
 * Replays `events` to their end in a new page of `browser` and returns
 * `{ page, frame, guard, snapshot, iframeSize }` (`frame` is the
 * replayed document's): `snapshot` is the rebuilt
 * document serialised with `serializeDocument`; `opaquePaths` usually comes
 * from `opaquePathsOf(liveSnapshot)`.
 * Close `page` when done (after `guard.assertClean()`).
 */
export async function replayToEnd(
  browser,
  events,
  { baseUrl, opaquePaths = {}, omitSelector = null },
) {
  const page = await browser.newPage({
    viewport: { width: 1600, height: 1200 },
  });
  const guard = watchConsole(page, "replay");

  await page.setContent(PLAYER_PAGE);
  await page.addStyleTag({
    content: await readFile(path.join(RRWEB_DIST, "style.css"), "utf8"),
  });
  await page.addScriptTag({
    content: await readFile(path.join(RRWEB_DIST, "rrweb.umd.cjs"), "utf8"),
  });

  const iframeSize = await page.evaluate(async (recorded) => {
    const replayer = new window.rrweb.Replayer(recorded, {
      root: document.getElementById("player"),
      showWarning: true,
      mouseTail: false,
    });
    // The constructor sizes the iframe to the first Meta event in a
    // setTimeout(0); seeking before it ran would have that stale size win
    // over the recorded ViewportResize events.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Seeking applies events strictly before the target time at once and
    // schedules the rest, so the target is one millisecond past the end.
    replayer.pause(recorded.at(-1).timestamp - recorded[0].timestamp + 1);
    // Let the rebuilt document lay out before it is read.
    await new Promise((resolve) =>
      requestAnimationFrame(() => requestAnimationFrame(resolve)),
    );
    const iframe = document.querySelector("#player iframe");
    return { width: Number(iframe.width), height: Number(iframe.height) };
  }, events);

  const frame = page
    .frames()
    .find((candidate) => candidate.parentFrame() === page.mainFrame());
  if (!frame) throw new Error("the Replayer created no iframe");
  const snapshot = await frame.evaluate(serializeDocument, {
    baseUrl,
    opaquePaths,
    omitSelector,
  });
  return { page, frame, guard, snapshot, iframeSize };
}

/** Serialises the live page the same way, for comparison with a replay. */
export function snapshotLivePage(
  page,
  { opaqueIds = [], omitSelector = null } = {},
) {
  return page.evaluate(serializeDocument, {
    baseUrl: page.url(),
    opaqueIds,
    omitSelector,
  });
}

/** The tree positions of a live snapshot's opaque elements, by name. */
export function opaquePathsOf(snapshot) {
  return Object.fromEntries(
    Object.entries(snapshot.opaque).map(([name, described]) => [
      name,
      described.path,
    ]),
  );
}
