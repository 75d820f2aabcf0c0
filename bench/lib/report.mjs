// Prints the summary as plain-text tables: medians with the min–max spread
// of the runs, the ratios tapedeck/rrweb and tapedeck/floor, and every
// target with met or missed and by how much.

import { checkTargets } from "./targets.mjs";

const CONTESTANT_ORDER = ["baseline", "floor", "rrweb", "tapedeck"];

/** The whole report as text. */
export function formatReport(summary, config) {
  const sections = [header(config)];

  for (const [size, entry] of Object.entries(summary.snapshot)) {
    sections.push(snapshotTable(size, entry));
  }
  if (summary.mutations)
    sections.push(mutationsTable(summary.mutations, config));
  if (summary.interactive)
    sections.push(interactiveTable(summary.interactive, config));
  if (summary.download) sections.push(downloadTable(summary.download));
  sections.push(targetsTable(checkTargets(summary)));
  return sections.join("\n\n") + "\n";
}

function header(config) {
  return [
    `tapedeck benchmark, ${config.date}`,
    `machine: ${config.machine}; browser: ${config.browser}`,
    `tapedeck: ${config.tapedeck}`,
    `runs: ${config.runs} per figure (median, min-max in brackets); ` +
      `mode: ${config.quick ? "quick" : "full"}`,
    "main thread ms: duration of the page's main-thread tasks; CPU ms: their " +
      "CPU time, the fairer figure on a busy machine, used for the snapshot " +
      "targets; script ms: time running script (observers, listeners, timers, " +
      "WebAssembly), used for the mutation target because the page's own " +
      "rendering dominates the other two there.",
  ].join("\n");
}

function snapshotTable(size, entry) {
  const rows = contestants(entry).map((name) => [
    name,
    spread(entry[name].mainThreadMs, 1),
    spread(entry[name].mainThreadCpuMs, 1),
    spread(entry[name].longestTaskMs, 1),
    spread(entry[name].longTaskCount, 0),
    spread(entry[name].heapGrowthBytes, 2, 1e6),
    spread(entry[name].wireBytes, 1, 1e3),
  ]);
  for (const [label, ratios] of [
    ["tapedeck/rrweb", entry.ratios.vsRrweb],
    ["tapedeck/floor", entry.ratios.vsFloor],
  ]) {
    rows.push([
      label,
      times(ratios.mainThreadMs),
      times(ratios.mainThreadCpuMs),
      times(ratios.longestTaskMs),
      "",
      times(ratios.heapGrowthBytes),
      times(ratios.wireBytes),
    ]);
  }
  return table(
    `Initial snapshot, static page of ${entry.elements} elements`,
    [
      "",
      "main thread ms",
      "of it CPU ms",
      "longest task ms",
      "long tasks",
      "heap growth MB",
      "wire kB (zlib)",
    ],
    rows,
  );
}

function mutationsTable(entry, config) {
  const rows = contestants(entry).map((name) => [
    name,
    spread(entry[name].overheadMs, 1),
    spread(entry[name].overheadCpuMs, 1),
    spread(entry[name].overheadScriptMs, 1),
    spread(entry[name].scriptMs, 1),
    spread(entry[name].wireBytes, 1, 1e3),
  ]);
  for (const [label, ratios] of [
    ["tapedeck/rrweb", entry.ratios.vsRrweb],
    ["tapedeck/floor", entry.ratios.vsFloor],
  ]) {
    rows.push([
      label,
      times(ratios.overheadMs),
      times(ratios.overheadCpuMs),
      times(ratios.overheadScriptMs),
      "",
      times(ratios.wireBytes),
    ]);
  }
  return table(
    `Mutation-heavy page, ${config.frames} frames of adds, removes, moves ` +
      `and edits (overheads are over the baseline's median)`,
    [
      "",
      "main thread overhead ms",
      "CPU overhead ms",
      "script overhead ms",
      "script ms",
      "wire kB (zlib)",
    ],
    rows,
  );
}

function interactiveTable(entry, config) {
  const rows = contestants(entry).map((name) => [
    name,
    spread(entry[name].wireBytesPerMinute, 1, 1e3),
    spread(entry[name].batchedBytesPerMinute, 1, 1e3),
    spread(entry[name].rawBytesPerMinute, 1, 1e3),
    spread(entry[name].taskMs, 1),
    spread(entry[name].cpuMs, 1),
  ]);
  rows.push([
    "tapedeck/rrweb",
    times(entry.ratios.vsRrweb.wireBytesPerMinute),
    times(entry.ratios.vsRrweb.batchedBytesPerMinute),
    times(entry.ratios.vsRrweb.rawBytesPerMinute),
    times(entry.ratios.vsRrweb.taskMs),
    times(entry.ratios.vsRrweb.cpuMs),
  ]);
  return table(
    `Interactive scenario, ${config.seconds} s of mouse paths, clicks, typing, ` +
      `scrolling, resizes and page updates (bytes per minute of recording)`,
    [
      "",
      "wire kB/min (zlib)",
      "zlib per 5 s batch",
      "uncompressed kB/min",
      "main thread ms",
      "CPU ms",
    ],
    rows,
  );
}

function downloadTable(download) {
  const row = (name, total, wasm, files) => [
    name,
    kilobytes(total),
    kilobytes(total == null ? null : total - wasm),
    kilobytes(wasm),
    files ? String(files.length) : "-",
  ];
  const rows = [
    row("rrweb", download.rrweb, download.rrwebWasm, download.rrwebFiles),
    row(
      "tapedeck",
      download.tapedeck,
      download.tapedeckWasm,
      download.tapedeckFiles,
    ),
    [
      "tapedeck/rrweb",
      times(download.rrweb ? download.tapedeck / download.rrweb : null),
      "",
      "",
      "",
    ],
  ];
  return table(
    "Downloaded to record (gzip, default level; page, worker and their imports)",
    ["", "total kB", "JS kB", "wasm kB", "files"],
    rows,
  );
}

function targetsTable(checks) {
  const rows = checks.map((check) => [
    check.met == null ? "n/a" : check.met ? "met" : "MISSED",
    check.target,
    check.actual,
    check.limit,
    check.margin,
  ]);
  return table("Targets", ["", "target", "tapedeck", "limit", "by"], rows);
}

function contestants(entry) {
  return CONTESTANT_ORDER.filter((name) => entry[name]);
}

/** "median (min-max)" in `unit`s, or "-" when not measured. */
function spread(summary, digits, unit = 1) {
  if (!summary) return "-";
  const value = (number) => (number / unit).toFixed(digits);
  if (summary.runs === 1 || summary.min === summary.max)
    return value(summary.median);
  return `${value(summary.median)} (${value(summary.min)}-${value(summary.max)})`;
}

function times(ratio) {
  return ratio == null || !Number.isFinite(ratio)
    ? "-"
    : `${ratio.toFixed(2)}x`;
}

function kilobytes(bytes) {
  return bytes == null ? "-" : (bytes / 1e3).toFixed(1);
}

function table(title, headings, rows) {
  const widths = headings.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => String(row[column]).length)),
  );
  const line = (cells) =>
    cells
      .map((cell, column) => String(cell).padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  return [
    title,
    line(headings),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...rows.map(line),
  ].join("\n");
}
