// What the reliability tests share: an intake serving a chosen build of
// the shim, the fixture page served through a route, and numbered marks
// whose arrival proves that nothing was lost or repeated.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { START_VIEWPORT } from "../support/browser.mjs";
import { watchConsole } from "../support/console-guard.mjs";
import { REPO_ROOT, intakeBinaryPath } from "../support/paths.mjs";
import { EventType } from "../support/segments.mjs";

const FIXTURE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "fixtures",
  "page.html",
);
const LISTENING_LINE = /tapedeck-intake listening on (http:\/\/\S+)/;
const INTAKE_START_TIMEOUT_MS = 15000;
const INIT_TIMEOUT_MS = 30000;

/** The application the fixture records into, and its ingest key. */
export const APPLICATION = { id: "reliability", key: "reliability key&+=/" };

/** The intake's config: the application with its key, no rate limit in the way. */
const INTAKE_CONFIG = `rate_limit_per_second = 10000.0
rate_limit_burst = 10000.0

[[applications]]
id = "${APPLICATION.id}"
key = "${APPLICATION.key}"
`;

/** The tag of the numbered marks tests add. */
export const MARK = "mark";

/**
 * Starts the intake on a free port with a fresh data folder, serving the
 * shim from `TAPEDECK_E2E_STATIC_DIR` (default `js-shim/dist`). Resolves
 * with `{ url, dataDir, stop }`.
 */
export async function startIntake() {
  const binary = intakeBinaryPath();
  if (!existsSync(binary))
    throw new Error(`the intake binary is missing at ${binary}`);
  const dataDir = await mkdtemp(
    path.join(os.tmpdir(), "tapedeck-reliability-"),
  );
  const staticDir = process.env.TAPEDECK_E2E_STATIC_DIR || "js-shim/dist";
  const configPath = path.join(dataDir, "intake.toml");
  await writeFile(configPath, INTAKE_CONFIG);
  const storeDir = path.join(dataDir, "store");
  const child = spawn(
    binary,
    [
      "--config",
      configPath,
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      storeDir,
      "--static-dir",
      staticDir,
      "--examples-dir",
      "examples",
    ],
    {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: "warn" },
    },
  );
  let log = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    log += chunk;
  });
  const url = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(
      () => reject(new Error(`the intake did not start:\n${log}`)),
      INTAKE_START_TIMEOUT_MS,
    );
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = LISTENING_LINE.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the intake exited early (${code}):\n${log}`));
    });
  });

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  return { url, dataDir: path.join(dataDir, "store"), stop, log: () => log };
}

/**
 * Serves the fixture page at `{intakeUrl}/reliability/<anything>.html` in
 * `context`, with the response headers `headers` (a CSP, for example).
 */
export async function serveFixture(context, intakeUrl, headers = {}) {
  const html = await readFile(FIXTURE, "utf8");
  await context.route(`${intakeUrl}/reliability/**`, (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html; charset=utf-8",
      headers,
      body: html,
    }),
  );
}

/** The fixture's address with `options` for `init()` (the ingest key added). */
export function fixtureUrl(intakeUrl, options = {}, name = "page") {
  const withKey = { clientKey: APPLICATION.key, ...options };
  return `${intakeUrl}/reliability/${name}.html#${encodeURIComponent(JSON.stringify(withKey))}`;
}

/**
 * Opens the fixture in a new page of `context` and waits for `init()` to
 * resolve. Returns `{ page, guard, status }`.
 */
export async function openFixture(
  context,
  url,
  { expectStatus = "recording" } = {},
) {
  const page = await context.newPage();
  await page.setViewportSize(START_VIEWPORT);
  const guard = watchConsole(page);
  await page.goto(url);
  await page.waitForFunction(() => window.tapedeckStatus, null, {
    timeout: INIT_TIMEOUT_MS,
  });
  const status = await page.evaluate(() => window.tapedeckStatus);
  if (expectStatus)
    assert.equal(
      status.status,
      expectStatus,
      `init() resolved ${JSON.stringify(status)}`,
    );
  return { page, guard, status };
}

/** Adds the marks `from` … `to` (inclusive), `gapMs` apart. */
export async function addMarks(page, from, to, gapMs = 0) {
  await page.evaluate(
    async ({ tag, first, last, gap }) => {
      for (let n = first; n <= last; n++) {
        window.Tapedeck.addEvent(tag, { n });
        document.getElementById("title").textContent = `mark ${n}`;
        if (gap) await new Promise((resolve) => setTimeout(resolve, gap));
      }
    },
    { tag: MARK, first: from, last: to, gap: gapMs },
  );
}

/** The numbers of the stored marks, in stored order. */
export function storedMarks(segments) {
  return segments.flatMap((segment) =>
    segment.events
      .filter(
        (event) => event.type === EventType.Custom && event.data.tag === MARK,
      )
      .map((event) => event.data.payload.n),
  );
}

/**
 * A completeness check for `waitForSegments`: every mark in `numbers` is
 * stored, in the sessions `sessionIds` (any session when omitted).
 */
export function hasMarks(numbers, sessionIds) {
  return (segments) => {
    const ours = sessionIds
      ? segments.filter((segment) => sessionIds.includes(segment.sessionId))
      : segments;
    const stored = new Set(storedMarks(ours));
    return numbers.every((n) => stored.has(n));
  };
}

/** `hasMarks([n], [sessionId])`. */
export function hasMark(n, sessionId) {
  return hasMarks([n], sessionId ? [sessionId] : undefined);
}

/** 1 … `count`. */
export function range(count) {
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** Takes the console lines Chromium writes for requests a test made fail. */
export function takeNetworkErrors(guard) {
  return guard.take((problem) =>
    /Failed to load resource|net::ERR_|status of 5\d\d|status of 413/.test(
      problem.text,
    ),
  );
}

/** Takes tapedeck's own warnings matching `pattern`. */
export function takeWarnings(guard, pattern) {
  return guard.take(
    (problem) =>
      problem.text.startsWith("[tapedeck]") && pattern.test(problem.text),
  );
}
