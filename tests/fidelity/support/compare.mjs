// Compares a live snapshot with the replayed one: the listed lines by their
// longest common subsequence (so one missing node counts once, not as a
// shift of everything after it) and the sampled computed styles property
// by property. Differences a known limitation explains are set apart.

/** Lines only in `live` (`-`) and only in `replayed` (`+`), in order. */
export function diffLines(live, replayed) {
  const rows = live.length + 1;
  const cols = replayed.length + 1;
  const table = new Uint32Array(rows * cols);
  for (let i = live.length - 1; i >= 0; i--) {
    for (let j = replayed.length - 1; j >= 0; j--) {
      table[i * cols + j] =
        live[i] === replayed[j]
          ? table[(i + 1) * cols + j + 1] + 1
          : Math.max(table[(i + 1) * cols + j], table[i * cols + j + 1]);
    }
  }

  const differences = [];
  let i = 0;
  let j = 0;
  while (i < live.length || j < replayed.length) {
    if (i < live.length && j < replayed.length && live[i] === replayed[j]) {
      i += 1;
      j += 1;
    } else if (
      j === replayed.length ||
      (i < live.length && table[(i + 1) * cols + j] >= table[i * cols + j + 1])
    ) {
      differences.push({ side: "-", line: live[i], at: i });
      i += 1;
    } else {
      differences.push({ side: "+", line: replayed[j], at: j });
      j += 1;
    }
  }
  return { matching: table[0], differences };
}

/** Each sampled property whose value differs, or whose element is gone. */
export function diffStyles(live, replayed) {
  const differences = [];
  let total = 0;
  for (const [key, sample] of Object.entries(live)) {
    const other = replayed[key];
    for (const [property, value] of Object.entries(sample.values)) {
      total += 1;
      const replayedValue = other ? other.values[property] : undefined;
      if (replayedValue !== value) {
        differences.push({
          key,
          element: sample.element,
          property,
          live: value,
          replayed: replayedValue ?? "(element missing)",
        });
      }
    }
  }
  return { total, matching: total - differences.length, differences };
}

/** True when `limitation` explains `difference` of `fixture`. */
function explains(limitation, fixture, checkpoint, difference) {
  if (limitation.fixture !== fixture) return false;
  if (limitation.checkpoints && !limitation.checkpoints.includes(checkpoint))
    return false;
  if (difference.property !== undefined) {
    return (
      limitation.kind === "style" &&
      limitation.element.test(difference.element) &&
      limitation.properties.includes(difference.property)
    );
  }
  return (
    limitation.kind === "line" &&
    (limitation.side === undefined || limitation.side === difference.side) &&
    limitation.pattern.test(difference.line)
  );
}

/**
 * Compares one checkpoint and sorts its differences into explained (with
 * the limitation's id) and unexplained ones.
 */
export function compareSnapshots(
  fixture,
  checkpoint,
  live,
  replayed,
  limitations,
) {
  const nodes = diffLines(live.lines, replayed.lines);
  const styles = diffStyles(live.styles, replayed.styles);
  const explained = [];
  const unexplained = [];
  for (const difference of [...nodes.differences, ...styles.differences]) {
    const limitation = limitations.find((candidate) =>
      explains(candidate, fixture, checkpoint, difference),
    );
    if (limitation)
      explained.push({ ...difference, limitation: limitation.id });
    else unexplained.push(difference);
  }
  return {
    nodes: {
      matching: nodes.matching,
      total: Math.max(live.lines.length, replayed.lines.length),
    },
    styles: { matching: styles.matching, total: styles.total },
    explained,
    unexplained,
  };
}

/** One difference as a line a person can read in a failure message. */
export function describeDifference(difference) {
  if (difference.property !== undefined) {
    return `style ${difference.element} [${difference.key}] ${difference.property}: live ${JSON.stringify(difference.live)}, replay ${JSON.stringify(difference.replayed)}`;
  }
  return `${difference.side === "-" ? "only live  " : "only replay"} #${difference.at}: ${difference.line}`;
}

/**
 * Takes the console problems of `guard` that a `kind: "console"`
 * limitation of `fixture` explains, and returns them with its id.
 */
export function takeExplainedConsoleProblems(guard, fixture, limitations) {
  const accepted = limitations.filter(
    (limitation) =>
      limitation.kind === "console" && limitation.fixture === fixture,
  );
  return guard
    .take((problem) =>
      accepted.some((limitation) => limitation.pattern.test(problem.text)),
    )
    .map((problem) => ({
      ...problem,
      limitation: accepted.find((limitation) =>
        limitation.pattern.test(problem.text),
      ).id,
    }));
}
