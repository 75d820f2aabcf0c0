// Fails a test on anything a page says is wrong.
//
// Every console error and warning and every uncaught page error is kept,
// from the page and from its workers. A test that expects a warning takes
// it out with `take()` and checks it; whatever is left fails
// `assertClean()`. There is deliberately no allow-list: a message that
// shows up in a passing run is either a bug or an expectation a test states.

import assert from "node:assert/strict";

const PROBLEM_TYPES = new Set(["error", "warning"]);

/** Starts listening to `page`; returns the guard. */
export function watchConsole(page, label = "page") {
  const problems = [];

  function onConsole(source) {
    return (message) => {
      if (!PROBLEM_TYPES.has(message.type())) return;
      const location = message.location();
      problems.push({
        source,
        type: message.type(),
        text: message.text(),
        where:
          location && location.url
            ? `${location.url}:${location.lineNumber}`
            : "",
      });
    };
  }

  page.on("console", onConsole(label));
  page.on("pageerror", (error) => {
    problems.push({
      source: label,
      type: "pageerror",
      text: String(error && error.stack ? error.stack : error),
    });
  });
  page.on("worker", (worker) => {
    if (typeof worker.on === "function")
      worker.on("console", onConsole(`${label} worker`));
  });

  return {
    /** What was seen so far and not taken. */
    problems() {
      return problems.slice();
    },

    /** Removes and returns the problems `matches` accepts. */
    take(matches) {
      const taken = [];
      for (let index = problems.length - 1; index >= 0; index--) {
        if (matches(problems[index]))
          taken.unshift(...problems.splice(index, 1));
      }
      return taken;
    },

    /** Fails with every problem that is left. */
    assertClean() {
      assert.deepEqual(
        problems.map(describe),
        [],
        `${label} reported console errors, warnings or page errors`,
      );
    },
  };
}

function describe(problem) {
  const where = problem.where ? ` (${problem.where})` : "";
  return `[${problem.source} ${problem.type}] ${problem.text}${where}`;
}
