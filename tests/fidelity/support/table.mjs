// The fidelity figures of a run as a table: per fixture, the matching
// listed nodes and sampled style values over all its checkpoints, and how
// many differences (console problems of the replay included) known
// limitations explain and how many they do not.

function percent(matching, total) {
  return total === 0 ? "100.0%" : `${((matching / total) * 100).toFixed(1)}%`;
}

/** `figures`: `[{ fixture, comparisons }]` as the suite collects them. */
export function formatFidelityTable(figures) {
  const header = [
    "fixture",
    "checkpoints",
    "nodes",
    "nodes %",
    "styles",
    "styles %",
    "explained",
    "unexplained",
  ];
  const rows = figures.map(
    ({ fixture, comparisons, explainedConsole, unexplainedConsole }) => {
      const sum = (pick) =>
        comparisons.reduce((total, comparison) => total + pick(comparison), 0);
      const nodes = [sum((c) => c.nodes.matching), sum((c) => c.nodes.total)];
      const styles = [
        sum((c) => c.styles.matching),
        sum((c) => c.styles.total),
      ];
      return [
        fixture,
        String(comparisons.length),
        `${nodes[0]}/${nodes[1]}`,
        percent(...nodes),
        `${styles[0]}/${styles[1]}`,
        percent(...styles),
        String(sum((c) => c.explained.length) + explainedConsole.length),
        String(sum((c) => c.unexplained.length) + unexplainedConsole.length),
      ];
    },
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
  return [
    "",
    "Replay fidelity (live page vs rrweb replay, all checkpoints)",
    line(header),
    `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}
