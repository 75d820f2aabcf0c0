// The targets tapedeck is held to (issue 7), checked against the medians.
// Each check says whether the target is met and by how much it is met or
// missed.

const KB = 1000;

/**
 * Every target as `{ target, actual, limit, met, margin }`; `actual` and
 * `limit` are already formatted. A target whose figures are missing (a
 * size left out with --sizes) is reported as not measured.
 */
export function checkTargets(summary) {
  const checks = [];
  const atMost = (target, actual, limit, format) => {
    if (actual == null || limit == null) {
      checks.push({
        target,
        actual: "not measured",
        limit: format(limit),
        met: null,
        margin: "",
      });
      return;
    }
    const met = actual <= limit;
    checks.push({
      target,
      actual: format(actual),
      limit: format(limit),
      met,
      margin: met
        ? `${percent(1 - actual / limit)} under`
        : `${percent(actual / limit - 1)} over (${(actual / limit).toFixed(2)}x the limit)`,
    });
  };
  const ratio = (value) => (value == null ? "?" : `${value.toFixed(2)}x`);
  const ms = (value) => (value == null ? "?" : `${value.toFixed(1)} ms`);
  const kb = (value) => (value == null ? "?" : `${(value / KB).toFixed(1)} kB`);

  for (const size of [10000, 100000]) {
    const snapshot = summary.snapshot[size];
    atMost(
      `snapshot main-thread CPU time at ${size} elements <= 0.25x rrweb`,
      snapshot?.ratios.vsRrweb.mainThreadCpuMs,
      0.25,
      ratio,
    );
    atMost(
      `snapshot main-thread CPU time at ${size} elements <= 1.5x the bare walk`,
      snapshot?.ratios.vsFloor.mainThreadCpuMs,
      1.5,
      ratio,
    );
  }

  atMost(
    "no task over 50 ms during the 100000-element snapshot",
    summary.snapshot[100000]?.tapedeck.longestTaskMs?.median,
    50,
    ms,
  );

  atMost(
    "mutation-heavy script-time overhead <= 0.5x rrweb's",
    summary.mutations?.ratios.vsRrweb.overheadScriptMs,
    0.5,
    ratio,
  );

  atMost(
    "interactive scenario < 50 kB per minute on the wire",
    summary.interactive?.tapedeck.wireBytesPerMinute?.median,
    50 * KB,
    kb,
  );

  for (const [page, wire] of Object.entries(summary.wireByPage)) {
    atMost(
      `wire bytes smaller than rrweb + zlib on ${page}`,
      wire.tapedeck,
      wire.rrweb,
      kb,
    );
  }

  atMost(
    "everything downloaded to record <= 40 kB gzip",
    summary.download?.tapedeck,
    40 * KB,
    kb,
  );
  return checks;
}

function percent(fraction) {
  return `${(fraction * 100).toFixed(0)}%`;
}
