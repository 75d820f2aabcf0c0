// Serves the pages under tests/e2e/fixtures/ as if they were on the intake:
// the browser asks the intake's origin for them and the test answers, so
// they load the real script-tag bundle and post to the real intake.

import { readFile } from "node:fs/promises";
import path from "node:path";

import { REPO_ROOT } from "./paths.mjs";

const FIXTURES_DIR = path.join(REPO_ROOT, "tests/e2e/fixtures");

/**
 * Makes `page` answer `${intakeUrl}/e2e/<name>` with the fixture `name`,
 * and returns that URL.
 */
export async function routeFixturePage(page, intakeUrl, name) {
  const url = `${intakeUrl}/e2e/${name}`;
  const body = await readFile(path.join(FIXTURES_DIR, name), "utf8");
  await page.route(url, (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html; charset=utf-8",
      body,
    }),
  );
  return url;
}
