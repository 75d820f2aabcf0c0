// The differences between a live page and its replay that the suite
// accepts, each explained in KNOWN_LIMITATIONS.md under its `id`. A
// difference is accepted only when an entry of the same fixture matches it
// (and, when `checkpoints` is given, only at those checkpoints):
// - `kind: "line"` matches a listed line by `pattern`; `side` "-" for a
//   line only in the live page, "+" only in the replay, omitted for either;
// - `kind: "style"` matches a sampled element by `element` (a pattern on
//   `tag#id`) and one of `properties`;
// - `kind: "console"` matches a console problem of the replay page by
//   `pattern` on its text.

export const KNOWN_LIMITATIONS = [
  {
    id: "always-masked-email",
    fixture: "checkout",
    kind: "line",
    pattern: /^\s*@value="(ada@example\.com|\*+)"$/,
  },
  {
    id: "stylesheet-loading-at-snapshot",
    fixture: "stylesheets",
    checkpoints: [0],
    kind: "line",
    side: "-",
    pattern: /^\s*<stylesheet unloaded>$/,
  },
  {
    id: "stylesheet-loading-at-snapshot",
    fixture: "stylesheets",
    checkpoints: [0],
    kind: "line",
    side: "+",
    pattern: /^\s*(<stylesheet>|\[unreadable\])$/,
  },
  {
    id: "stylesheet-loading-at-snapshot",
    fixture: "stylesheets",
    checkpoints: [0],
    kind: "style",
    element: /^(html|p#slow)$/,
    properties: ["width", "height", "background-color", "padding"],
  },
  {
    id: "replayer-media-play-rejection",
    fixture: "media",
    kind: "console",
    pattern:
      /^AbortError: The play\(\) request was interrupted by a call to pause\(\)/,
  },
  {
    id: "replayer-modal-dialog-close",
    fixture: "interaction",
    checkpoints: [3, 4],
    kind: "style",
    element: /^dialog#modal$/,
    properties: ["position", "margin"],
  },
];
