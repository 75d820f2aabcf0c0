// Runs a real tapedeck-intake for one test: port 0, a fresh data folder,
// the built shim, the examples and the viewer, exactly as `make demo` does.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";

import { REPO_ROOT, intakeBinaryPath } from "./paths.mjs";

/** How long the intake may take to print its address. */
const INTAKE_START_TIMEOUT_MS = 15000;

const LISTENING_LINE = /tapedeck-intake listening on (http:\/\/\S+)/;

/** The application ids the test pages and examples record into. */
const TEST_APPLICATIONS = [
  "demo",
  "bundled-demo",
  "fidelity",
  "privacy-test",
  "reliability",
];

/**
 * Starts the intake and resolves with `{ url, dataDir, stop }` once it
 * listens. `stop()` ends the process and deletes the data folder.
 */
export async function startIntake() {
  const binary = intakeBinaryPath();
  if (!existsSync(binary)) {
    throw new Error(
      `the intake binary is missing at ${binary}; build it with ` +
        "`cargo build --release -p tapedeck-intake` or set TAPEDECK_INTAKE_BIN",
    );
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), "tapedeck-e2e-"));
  const child = spawn(
    binary,
    [
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      dataDir,
      "--static-dir",
      "js-shim/dist",
      "--examples-dir",
      "examples",
      "--viewer-dir",
      "crates/intake/viewer",
      // The applications the test pages record into need no ingest key;
      // rate limiting would only make bursts of test uploads flaky.
      ...TEST_APPLICATIONS.flatMap((id) => ["--allow-unkeyed-app", id]),
      "--rate-limit-per-second",
      "0",
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

  let url;
  try {
    url = await waitForAddress(child, () => log);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    await rm(dataDir, { recursive: true, force: true });
  }

  return { url, dataDir, stop, log: () => log };
}

function waitForAddress(child, readLog) {
  return new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      reject(
        new Error(
          `the intake did not print its address within ${INTAKE_START_TIMEOUT_MS} ms:\n${readLog()}`,
        ),
      );
    }, INTAKE_START_TIMEOUT_MS);

    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = LISTENING_LINE.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the intake exited early (code ${code}, signal ${signal}):\n${readLog()}`,
        ),
      );
    });
  });
}
