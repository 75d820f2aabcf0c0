import assert from "node:assert/strict";
import { test } from "node:test";

import { summarize } from "./stats.mjs";

test("the median of an even count is the mean of the middle two", () => {
  assert.deepEqual(summarize([4, 1, 3, 2]), {
    median: 2.5,
    min: 1,
    max: 4,
    runs: 4,
  });
});

test("missing values are left out and none at all gives null", () => {
  assert.deepEqual(summarize([null, 5, undefined, NaN]), {
    median: 5,
    min: 5,
    max: 5,
    runs: 1,
  });
  assert.equal(summarize([null]), null);
});
