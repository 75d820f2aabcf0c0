// Small formatting helpers shared by the viewer's pages.

/** Epoch milliseconds as a local date and time. */
export function formatTime(epochMs) {
  return new Date(epochMs).toLocaleString();
}

/** Milliseconds as `1h 02m 03s`, `2m 03s` or `3.4s`. */
export function formatDuration(ms) {
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) {
    return `${totalSeconds.toFixed(1)}s`;
  }
  const seconds = Math.floor(totalSeconds % 60);
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600);
  const pad = (n) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}h ${pad(minutes)}m ${pad(seconds)}s` : `${minutes}m ${pad(seconds)}s`;
}

/** A gap of missing segment indexes, as `view abc: 3–5`. */
export function formatGap(gap) {
  const range =
    gap.first_missing === gap.last_missing
      ? `${gap.first_missing}`
      : `${gap.first_missing}–${gap.last_missing}`;
  return `view ${gap.view_id.slice(0, 8)}: segment ${range} missing`;
}

/** Creates an element with text content; never parses HTML. */
export function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) {
    node.textContent = text;
  }
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  return node;
}
