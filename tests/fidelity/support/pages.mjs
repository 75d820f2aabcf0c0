// Serves tests/fidelity/pages/ to a page as if the files were on a site:
// `${origin}/fidelity/<file>` for the intake's origin (where the recorder
// and its intake live) and for a second origin on the same port
// (`localhost` instead of `127.0.0.1`), so a fixture can hold cross-origin
// stylesheets and iframes. The replay page gets the same routes: a viewer
// fetches what a recording points to (a cross-origin stylesheet kept as a
// link) from the site, as this one does.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { REPO_ROOT } from "../../e2e/support/paths.mjs";

export const PAGES_DIR = path.join(REPO_ROOT, "tests/fidelity/pages");

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The intake's origin and the second origin on the same port. */
export function originsOf(intakeUrl) {
  const url = new URL(intakeUrl);
  return {
    site: url.origin,
    other: `${url.protocol}//localhost:${url.port}`,
  };
}

/**
 * Answers `/fidelity/*` on both origins of `intakeUrl` from the pages
 * folder. `delays` maps a file name to milliseconds to wait before
 * answering it (a stylesheet that finishes loading after the snapshot).
 */
export async function routeFidelityPages(target, intakeUrl, delays = {}) {
  const { site, other } = originsOf(intakeUrl);
  for (const origin of [site, other]) {
    await target.route(`${origin}/fidelity/**`, async (route) => {
      const name = new URL(route.request().url()).pathname.replace(
        /^\/fidelity\//,
        "",
      );
      const file = path.join(PAGES_DIR, name);
      if (!file.startsWith(PAGES_DIR + path.sep)) {
        await route.fulfill({ status: 404, body: "outside the pages" });
        return;
      }
      let body;
      try {
        body = await readFile(file);
      } catch {
        await route.fulfill({ status: 404, body: `no page ${name}` });
        return;
      }
      if (delays[name]) await sleep(delays[name]);
      await route
        .fulfill({
          status: 200,
          contentType:
            CONTENT_TYPES[path.extname(name)] ?? "application/octet-stream",
          body,
        })
        // The page may be gone by the time a delayed answer is ready.
        .catch(() => {});
    });
  }
}
