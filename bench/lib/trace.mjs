// Main-thread tasks from a Chrome trace, measured between two user-timing
// marks the page sets (`bench:snapshot-start`, `bench:snapshot-end`).
//
// A trace is used rather than timing the call in the page because a
// recorder may spread its snapshot over several tasks (or, like tapedeck,
// run it when its worker answers); every task on the page's main thread
// that overlaps the marked span counts.

const CATEGORIES = ["toplevel", "blink.user_timing"];

const TASK_NAMES = new Set(["ThreadControllerImpl::RunTask", "RunTask"]);

/** Starts tracing the page behind `cdp`. */
export async function startTrace(cdp) {
  await cdp.send("Tracing.start", {
    transferMode: "ReturnAsStream",
    traceConfig: {
      recordMode: "recordAsMuchAsPossible",
      includedCategories: CATEGORIES,
    },
  });
}

/** Stops tracing and returns its events. */
export async function stopTrace(cdp) {
  const complete = new Promise((resolve) =>
    cdp.once("Tracing.tracingComplete", resolve),
  );
  await cdp.send("Tracing.end");
  const { stream } = await complete;

  const chunks = [];
  while (true) {
    const { data, eof, base64Encoded } = await cdp.send("IO.read", {
      handle: stream,
      size: 1 << 20,
    });
    chunks.push(
      base64Encoded ? Buffer.from(data, "base64").toString("utf8") : data,
    );
    if (eof) break;
  }
  await cdp.send("IO.close", { handle: stream });

  const parsed = JSON.parse(chunks.join(""));
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/**
 * The marked span's cost: `mainThreadMs` (the tasks overlapping it, each
 * counted whole), `mainThreadCpuMs` (the CPU time of those tasks, which a
 * busy shared machine inflates less than their duration), `longestTaskMs`,
 * `tasks` and `wallMs` (from the start mark to the end of the task that
 * holds it, the time the page is blocked from that call on).
 */
export function measureMarkedSpan(events, startName, endName) {
  const start = findMark(events, startName);
  const end = findMark(events, endName);
  if (end.ts < start.ts)
    throw new Error(`${endName} comes before ${startName} in the trace`);

  const tasks = outermost(
    events.filter(
      (event) =>
        event.ph === "X" &&
        TASK_NAMES.has(event.name) &&
        event.pid === start.pid &&
        event.tid === start.tid &&
        event.ts <= end.ts &&
        event.ts + (event.dur || 0) >= start.ts,
    ),
  );
  if (tasks.length === 0)
    throw new Error("the trace holds no task around the marks");

  const holding = tasks.find(
    (task) => task.ts <= start.ts && task.ts + task.dur >= start.ts,
  );
  const toMs = (micros) => micros / 1000;
  return {
    mainThreadMs: toMs(tasks.reduce((sum, task) => sum + task.dur, 0)),
    mainThreadCpuMs: toMs(
      tasks.reduce((sum, task) => sum + (task.tdur ?? task.dur), 0),
    ),
    longestTaskMs: toMs(Math.max(...tasks.map((task) => task.dur))),
    tasks: tasks.length,
    wallMs: holding
      ? toMs(holding.ts + holding.dur - start.ts)
      : toMs(end.ts - start.ts),
  };
}

function findMark(events, name) {
  const mark = events.find(
    (event) => event.name === name && String(event.cat).includes("user_timing"),
  );
  if (!mark) throw new Error(`the trace lacks the mark ${name}`);
  return mark;
}

/** Drops tasks nested inside another (both task names may be traced). */
function outermost(tasks) {
  const sorted = [...tasks].sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const kept = [];
  for (const task of sorted) {
    const last = kept[kept.length - 1];
    if (last && task.ts + task.dur <= last.ts + last.dur) continue;
    kept.push(task);
  }
  return kept;
}
