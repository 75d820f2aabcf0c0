// Launches the Chromium the tests drive, headless and quiet.

import { chromium } from "playwright-core";

import { chromiumPath } from "./paths.mjs";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
];

/** A headless Chromium; close it with `browser.close()`. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
  });
}

/** The viewport every recorded page starts with. */
export const START_VIEWPORT = { width: 1024, height: 768 };
