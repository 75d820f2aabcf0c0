// Where the end-to-end tests find the repository's pieces.

import { fileURLToPath } from "node:url";
import path from "node:path";

/** The repository's root folder. */
export const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../..",
);

/**
 * The intake binary: `TAPEDECK_INTAKE_BIN` when set (relative paths are
 * taken from the repository root), else the release build in `target/`.
 */
export function intakeBinaryPath() {
  const configured =
    process.env.TAPEDECK_INTAKE_BIN || "target/release/tapedeck-intake";
  return path.resolve(REPO_ROOT, configured);
}

/** The Chromium the tests drive: `CHROMIUM_BIN` when set, else Debian's. */
export function chromiumPath() {
  return process.env.CHROMIUM_BIN || "/usr/bin/chromium";
}
