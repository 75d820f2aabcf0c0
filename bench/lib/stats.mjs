// Summaries of repeated runs.

/** `{ median, min, max, runs }` of the numbers in `values`, or null. */
export function summarize(values) {
  const numbers = values.filter(
    (value) => typeof value === "number" && Number.isFinite(value),
  );
  if (numbers.length === 0) return null;
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2
      ? sorted[middle]
      : (sorted[middle - 1] + sorted[middle]) / 2;
  return {
    median,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    runs: sorted.length,
  };
}

/** Summarizes field `field` across a list of run results. */
export function summarizeField(runs, field) {
  return summarize(runs.map((run) => run[field]));
}
