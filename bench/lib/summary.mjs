// Turns the raw runs into medians with their spread, overheads over the
// baseline and the ratios tapedeck/rrweb and tapedeck/floor.

import { summarize, summarizeField } from "./stats.mjs";

const SNAPSHOT_FIELDS = [
  "mainThreadMs",
  "mainThreadCpuMs",
  "longestTaskMs",
  "wallMs",
  "longTaskCount",
  "longTaskMaxMs",
  "heapGrowthBytes",
  "heapGrowthJsBytes",
  "wireBytes",
  "downloadGzipBytes",
];

/** The summary the report prints and the targets are checked against. */
export function summarizeResults(results) {
  const summary = {
    snapshot: {},
    mutations: null,
    interactive: null,
    download: null,
    wireByPage: {},
  };

  for (const [size, byContestant] of Object.entries(results.snapshot)) {
    const entry = { elements: firstValue(byContestant, "elements") };
    for (const [name, runs] of Object.entries(byContestant)) {
      entry[name] = fields(runs, SNAPSHOT_FIELDS);
    }
    entry.ratios = ratios(entry, [
      "mainThreadMs",
      "mainThreadCpuMs",
      "longestTaskMs",
      "heapGrowthBytes",
      "wireBytes",
    ]);
    summary.snapshot[size] = entry;
    addWire(summary, `static-${size}`, entry, "wireBytes");
  }

  if (results.mutations) {
    summary.mutations = summarizeMutations(results.mutations);
    addWire(summary, "mutations", summary.mutations, "wireBytes");
  }

  if (results.interactive) {
    const entry = {};
    for (const [name, runs] of Object.entries(results.interactive)) {
      entry[name] = fields(runs, [
        "wireBytesPerMinute",
        "batchedBytesPerMinute",
        "rawBytesPerMinute",
        "taskMs",
        "cpuMs",
        "recordedSeconds",
      ]);
    }
    entry.ratios = ratios(entry, [
      "wireBytesPerMinute",
      "batchedBytesPerMinute",
      "rawBytesPerMinute",
      "taskMs",
      "cpuMs",
    ]);
    summary.interactive = entry;
    addWire(summary, "interactive (per minute)", entry, "wireBytesPerMinute");
  }

  const firstSize = Object.values(results.snapshot)[0];
  if (firstSize) {
    const of = (name, field) => firstValue({ [name]: firstSize[name] }, field);
    summary.download = {
      rrweb: of("rrweb", "downloadGzipBytes"),
      tapedeck: of("tapedeck", "downloadGzipBytes"),
      rrwebWasm: of("rrweb", "downloadWasmGzipBytes"),
      tapedeckWasm: of("tapedeck", "downloadWasmGzipBytes"),
      rrwebFiles: of("rrweb", "downloadFiles"),
      tapedeckFiles: of("tapedeck", "downloadFiles"),
    };
  }
  return summary;
}

/**
 * Overhead is each run's main-thread task time (and CPU time, and script
 * time) minus the baseline's median.
 */
function summarizeMutations(byContestant) {
  const entry = {};
  for (const [name, runs] of Object.entries(byContestant)) {
    entry[name] = fields(runs, ["taskMs", "cpuMs", "scriptMs", "wireBytes"]);
    for (const [field, overhead] of [
      ["taskMs", "overheadMs"],
      ["cpuMs", "overheadCpuMs"],
      ["scriptMs", "overheadScriptMs"],
    ]) {
      const baseline = summarizeField(byContestant.baseline || [], field);
      entry[name][overhead] = baseline
        ? summarize(runs.map((run) => run[field] - baseline.median))
        : null;
    }
  }
  entry.ratios = ratios(entry, [
    "overheadMs",
    "overheadCpuMs",
    "overheadScriptMs",
    "wireBytes",
  ]);
  return entry;
}

function fields(runs, names) {
  const entry = {};
  for (const name of names) entry[name] = summarizeField(runs, name);
  return entry;
}

/** tapedeck's median over rrweb's and over the floor's, per field. */
function ratios(entry, names) {
  const ratio = (other, name) => {
    const mine = entry.tapedeck?.[name]?.median;
    const theirs = entry[other]?.[name]?.median;
    return mine == null || theirs == null || theirs === 0
      ? null
      : mine / theirs;
  };
  const vsRrweb = {};
  const vsFloor = {};
  for (const name of names) {
    vsRrweb[name] = ratio("rrweb", name);
    vsFloor[name] = ratio("floor", name);
  }
  return { vsRrweb, vsFloor };
}

function addWire(summary, page, entry, field) {
  const tapedeck = entry.tapedeck?.[field]?.median;
  const rrweb = entry.rrweb?.[field]?.median;
  if (tapedeck != null && rrweb != null)
    summary.wireByPage[page] = { tapedeck, rrweb };
}

function firstValue(byContestant, field) {
  for (const runs of Object.values(byContestant)) {
    for (const run of runs || []) if (run[field] != null) return run[field];
  }
  return null;
}
