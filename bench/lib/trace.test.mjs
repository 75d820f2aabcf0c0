import assert from "node:assert/strict";
import { test } from "node:test";

import { measureMarkedSpan } from "./trace.mjs";

const MAIN = { pid: 1, tid: 1 };

function task(ts, dur, tdur, thread = MAIN) {
  return {
    ph: "X",
    name: "ThreadControllerImpl::RunTask",
    cat: "toplevel",
    ts,
    dur,
    tdur,
    ...thread,
  };
}

function mark(name, ts) {
  return { ph: "I", name, cat: "blink.user_timing", ts, ...MAIN };
}

test("every main-thread task overlapping the marks counts whole, others do not", () => {
  const events = [
    task(0, 50, 40), // ends before the start mark
    task(100, 300, 200), // holds the start mark
    task(150, 20, 20), // nested in the one above
    task(500, 100, 90), // between the marks
    task(700, 40, 30), // holds the end mark
    task(900, 1000, 1000), // after the end mark
    task(120, 5000, 5000, { pid: 1, tid: 2 }), // another thread
    mark("bench:snapshot-start", 200),
    mark("bench:snapshot-end", 710),
  ];

  const span = measureMarkedSpan(
    events,
    "bench:snapshot-start",
    "bench:snapshot-end",
  );

  assert.equal(span.tasks, 3);
  assert.equal(span.mainThreadMs, 0.44);
  assert.equal(span.mainThreadCpuMs, 0.32);
  assert.equal(span.longestTaskMs, 0.3);
  assert.equal(span.wallMs, 0.2);
});

test("a missing mark is an error that names it", () => {
  assert.throws(
    () =>
      measureMarkedSpan(
        [mark("bench:snapshot-start", 1)],
        "bench:snapshot-start",
        "bench:snapshot-end",
      ),
    /lacks the mark bench:snapshot-end/,
  );
});
