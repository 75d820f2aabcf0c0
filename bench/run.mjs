// Tapedeck's benchmark against rrweb, a bare DOM walk (the floor) and no
// recorder (the baseline), in headless Chromium.
//
// Run with `make bench` (builds first) or `node bench/run.mjs [options]`:
//   --quick           one run, 1,000 and 10,000 elements, short runs
//   --runs N          runs per figure (default 5)
//   --sizes A,B,...   static page sizes in elements (default 1000,10000,100000)
//   --frames N        frames of the mutation-heavy run (default 300)
//   --seconds N       seconds of the interactive scenario (default 60)
//   --only LIST       any of snapshot,mutations,interactive
//   --json FILE       also write the raw runs and the summary to FILE
//   --tapedeck-dir D  the built tapedeck to measure (default js-shim/dist)
// Progress goes to stderr, the report to stdout. The exit status is 1 when
// a run failed (the failure is printed); targets missed do not fail it.

import { cp, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { launchBrowser } from "./lib/browser.mjs";
import { CONTESTANTS } from "./lib/contestants.mjs";
import {
  measureSnapshot,
  measureMutations,
  measureInteractive,
} from "./lib/measure.mjs";
import { generatePages } from "./lib/pages.mjs";
import { formatReport } from "./lib/report.mjs";
import { startServer } from "./lib/server.mjs";
import { summarizeResults } from "./lib/summary.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const FULL = {
  runs: 5,
  sizes: [1000, 10000, 100000],
  frames: 300,
  seconds: 60,
};
const QUICK = { runs: 1, sizes: [1000, 10000], frames: 60, seconds: 10 };

const SNAPSHOT_CONTESTANTS = ["floor", "rrweb", "tapedeck"];
const MUTATION_CONTESTANTS = ["baseline", "floor", "rrweb", "tapedeck"];
const INTERACTIVE_CONTESTANTS = ["rrweb", "tapedeck"];

function readConfig() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      sizes: { type: "string" },
      frames: { type: "string" },
      seconds: { type: "string" },
      only: { type: "string" },
      json: { type: "string" },
      "tapedeck-dir": { type: "string" },
    },
  });
  const defaults = values.quick ? QUICK : FULL;
  const number = (text, fallback, name) => {
    if (text === undefined) return fallback;
    const parsed = Number(text);
    if (!Number.isInteger(parsed) || parsed <= 0) {
      throw new Error(`--${name} needs a positive whole number, not "${text}"`);
    }
    return parsed;
  };
  const only = values.only
    ? values.only.split(",")
    : ["snapshot", "mutations", "interactive"];
  for (const part of only) {
    if (!["snapshot", "mutations", "interactive"].includes(part)) {
      throw new Error(
        `--only takes snapshot, mutations or interactive, not "${part}"`,
      );
    }
  }
  return {
    quick: values.quick,
    runs: number(values.runs, defaults.runs, "runs"),
    sizes: values.sizes
      ? values.sizes.split(",").map((size) => number(size, 0, "sizes"))
      : defaults.sizes,
    frames: number(values.frames, defaults.frames, "frames"),
    seconds: number(values.seconds, defaults.seconds, "seconds"),
    only: new Set(only),
    json: values.json,
    tapedeckDir: path.resolve(
      values["tapedeck-dir"] || path.join(ROOT, "js-shim/dist"),
    ),
  };
}

/**
 * Copies the tapedeck build to measure, so every run of this benchmark
 * measures the same build even if it is rebuilt meanwhile.
 */
async function copyBuild(tapedeckDir) {
  const entry = path.join(tapedeckDir, "tapedeck.js");
  const built = await stat(entry).catch(() => null);
  if (!built) {
    throw new Error(
      `no tapedeck build at ${tapedeckDir}; run \`make build\` first`,
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "tapedeck-bench-"));
  await cp(tapedeckDir, dir, { recursive: true });
  return {
    dir,
    builtAt: built.mtime.toISOString().slice(0, 16).replace("T", " "),
  };
}

/** Contestants in a different order each run, so none always goes first. */
function rotate(names, run) {
  const shift = run % names.length;
  return [...names.slice(shift), ...names.slice(0, shift)];
}

function progress(message) {
  process.stderr.write(`${message}\n`);
}

async function main() {
  const config = readConfig();
  const began = Date.now();
  const build = await copyBuild(config.tapedeckDir);
  const server = await startServer({
    mounts: {
      "/tapedeck/": build.dir,
      "/rrweb/": path.join(ROOT, "node_modules/rrweb/dist"),
    },
    pages: generatePages(config.sizes),
  });
  const browser = await launchBrowser();
  const results = { snapshot: {}, mutations: null, interactive: null };
  const failures = [];

  async function attempt(label, measure) {
    progress(`  ${label}`);
    try {
      return await measure();
    } catch (error) {
      failures.push(`${label}: ${error && error.message}`);
      progress(`  ${label} FAILED: ${error && error.message}`);
      return null;
    }
  }

  try {
    if (config.only.has("snapshot")) {
      for (const size of config.sizes) {
        progress(`snapshot, ${size} elements`);
        const byContestant = Object.fromEntries(
          SNAPSHOT_CONTESTANTS.map((name) => [name, []]),
        );
        for (let run = 0; run < config.runs; run++) {
          for (const name of rotate(SNAPSHOT_CONTESTANTS, run)) {
            const contestant = CONTESTANTS[name];
            const result = await attempt(`run ${run + 1} ${name}`, () =>
              measureSnapshot({ browser, server, contestant, size }),
            );
            if (result) byContestant[name].push(result);
          }
        }
        results.snapshot[size] = byContestant;
      }
    }

    if (config.only.has("mutations")) {
      progress(`mutation-heavy page, ${config.frames} frames`);
      results.mutations = Object.fromEntries(
        MUTATION_CONTESTANTS.map((name) => [name, []]),
      );
      for (let run = 0; run < config.runs; run++) {
        for (const name of rotate(MUTATION_CONTESTANTS, run)) {
          const contestant = CONTESTANTS[name];
          const result = await attempt(`run ${run + 1} ${name}`, () =>
            measureMutations({
              browser,
              server,
              contestant,
              frames: config.frames,
            }),
          );
          if (result) results.mutations[name].push(result);
        }
      }
    }

    if (config.only.has("interactive")) {
      progress(`interactive scenario, ${config.seconds} s`);
      results.interactive = Object.fromEntries(
        INTERACTIVE_CONTESTANTS.map((name) => [name, []]),
      );
      for (let run = 0; run < config.runs; run++) {
        for (const name of rotate(INTERACTIVE_CONTESTANTS, run)) {
          const contestant = CONTESTANTS[name];
          const result = await attempt(`run ${run + 1} ${name}`, () =>
            measureInteractive({
              browser,
              server,
              contestant,
              seconds: config.seconds,
            }),
          );
          if (result) results.interactive[name].push(result);
        }
      }
    }

    const reportConfig = {
      ...config,
      date: new Date().toISOString().slice(0, 10),
      machine:
        `${os.cpus()[0]?.model.trim()} x${os.cpus().length}, ` +
        `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
      browser: `Chromium ${browser.version()}`,
      tapedeck: `${config.tapedeckDir}, built ${build.builtAt}`,
    };
    const summary = summarizeResults(results);
    process.stdout.write(formatReport(summary, reportConfig));
    process.stdout.write(
      `\ntook ${((Date.now() - began) / 1000).toFixed(0)} s\n`,
    );

    if (config.json) {
      const { only, ...plainConfig } = reportConfig;
      const document = {
        config: { ...plainConfig, only: [...only] },
        summary,
        results,
      };
      await writeFile(config.json, JSON.stringify(document, null, 2));
    }
  } finally {
    await browser.close();
    await server.close();
    await rm(build.dir, { recursive: true, force: true });
  }

  if (failures.length > 0) {
    progress(`\n${failures.length} run(s) failed:\n${failures.join("\n")}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(
    `bench: ${error && error.stack ? error.stack : error}\n`,
  );
  process.exitCode = 1;
});
