// Reads what reached the intake straight from its data folder, the way an
// independent consumer would: each stored `.zlib` file is inflated as an
// RFC 1950 stream and parsed as a JSON array of rrweb events, and its
// metadata is checked against that content.
//
// Layout (written by the intake's file store):
//   <data dir>/sessions/<session id>/<view id>-<index, 6 digits>.zlib
//   <data dir>/sessions/<session id>/<view id>-<index, 6 digits>.json
// The `.json` record is written last, so a segment counts as stored once it
// exists.

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { inflateSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";

const SEGMENT_FILE = /^(.+)-(\d{6})\.json$/;

/** How often the data folder is looked at while waiting. */
const POLL_INTERVAL_MS = 100;

/** How long uploads may take to arrive; generous, the machine is shared. */
export const ARRIVAL_TIMEOUT_MS = 20000;

export const EventType = {
  DomContentLoaded: 0,
  Load: 1,
  FullSnapshot: 2,
  Incremental: 3,
  Meta: 4,
  Custom: 5,
};

export const Source = {
  Mutation: 0,
  MouseMove: 1,
  MouseInteraction: 2,
  Scroll: 3,
  ViewportResize: 4,
  Input: 5,
};

export const MouseInteraction = {
  MouseUp: 0,
  MouseDown: 1,
  Click: 2,
  Focus: 5,
  Blur: 6,
};

/**
 * Every stored segment, ordered by session, view (by first event) and
 * index. Each is `{ sessionId, viewId, index, metadata, compressed, raw,
 * events }`; `raw` is the inflated bytes.
 */
export async function readStoredSegments(dataDir) {
  const sessionsDir = path.join(dataDir, "sessions");
  const segments = [];
  for (const sessionId of await listOrEmpty(sessionsDir)) {
    const sessionDir = path.join(sessionsDir, sessionId);
    for (const name of await listOrEmpty(sessionDir)) {
      const match = SEGMENT_FILE.exec(name);
      if (!match) continue;
      const [, viewId, index] = match;
      const record = JSON.parse(
        await readFile(path.join(sessionDir, name), "utf8"),
      );
      const compressed = await readFile(
        path.join(sessionDir, `${viewId}-${index}.zlib`),
      );
      const raw = inflateSync(compressed);
      const events = JSON.parse(raw.toString("utf8"));
      segments.push({
        sessionId,
        viewId,
        index: Number(index),
        metadata: record.metadata,
        compressed,
        raw,
        events,
      });
    }
  }

  const viewStart = new Map();
  for (const segment of segments) {
    const key = `${segment.sessionId}/${segment.viewId}`;
    viewStart.set(
      key,
      Math.min(viewStart.get(key) ?? Infinity, segment.metadata.start),
    );
  }
  return segments.sort(
    (a, b) =>
      a.sessionId.localeCompare(b.sessionId) ||
      viewStart.get(`${a.sessionId}/${a.viewId}`) -
        viewStart.get(`${b.sessionId}/${b.viewId}`) ||
      a.viewId.localeCompare(b.viewId) ||
      a.index - b.index,
  );
}

async function listOrEmpty(folder) {
  try {
    return (await readdir(folder)).sort();
  } catch (error) {
    if (error.code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Polls the data folder until `isComplete(segments)` holds and returns
 * the segments; fails with what did arrive after `timeoutMs`.
 */
export async function waitForSegments(
  dataDir,
  isComplete,
  timeoutMs = ARRIVAL_TIMEOUT_MS,
) {
  const deadline = Date.now() + timeoutMs;
  let segments = [];
  while (Date.now() < deadline) {
    segments = await readStoredSegments(dataDir);
    if (isComplete(segments)) return segments;
    await sleep(POLL_INTERVAL_MS);
  }
  const summary = segments.map(
    (s) =>
      `${s.viewId}#${s.index} ${s.metadata.creation_reason} (${s.events.length} events)`,
  );
  assert.fail(
    `the expected segments did not arrive within ${timeoutMs} ms; stored: ${JSON.stringify(summary)}`,
  );
}

/** True when some stored event satisfies `matches`. */
export function someEvent(segments, matches) {
  return segments.some((segment) => segment.events.some(matches));
}

/** The events of one view, in order, across its segments. */
export function eventsOfView(segments, viewId) {
  return segments
    .filter((segment) => segment.viewId === viewId)
    .flatMap((segment) => segment.events);
}

/**
 * Checks every segment's metadata against its content, and each view's
 * segments as a whole: indexes 0, 1, 2 … without gaps, the first segment
 * holding the full snapshot and starting with Meta then FullSnapshot, and
 * timestamps never going back.
 */
export function assertSegmentsConsistent(segments) {
  assert.ok(segments.length > 0, "no segment was stored");

  for (const segment of segments) {
    const { metadata, events } = segment;
    const name = `segment ${segment.viewId}#${segment.index}`;
    assert.ok(
      Array.isArray(events) && events.length > 0,
      `${name} holds no events`,
    );
    assert.equal(metadata.session.id, segment.sessionId, `${name}: session.id`);
    assert.equal(metadata.view.id, segment.viewId, `${name}: view.id`);
    assert.equal(
      metadata.index_in_view,
      segment.index,
      `${name}: index_in_view`,
    );
    assert.equal(
      metadata.records_count,
      events.length,
      `${name}: records_count`,
    );
    assert.equal(
      metadata.start,
      events[0].timestamp,
      `${name}: start is the first event's timestamp`,
    );
    assert.equal(
      metadata.end,
      events.at(-1).timestamp,
      `${name}: end is the last event's timestamp`,
    );
    assert.equal(
      metadata.has_full_snapshot,
      events.some((event) => event.type === EventType.FullSnapshot),
      `${name}: has_full_snapshot`,
    );
    assert.equal(
      metadata.raw_segment_size,
      segment.raw.length,
      `${name}: raw_segment_size`,
    );
    assert.equal(
      metadata.compressed_segment_size,
      segment.compressed.length,
      `${name}: compressed_segment_size`,
    );
    assert.equal(
      typeof metadata.creation_reason,
      "string",
      `${name}: creation_reason`,
    );
    for (const event of events) {
      assert.ok(
        Number.isFinite(event.type) && Number.isFinite(event.timestamp),
        `${name}: malformed event`,
      );
    }
  }

  const views = new Map();
  for (const segment of segments) {
    const key = `${segment.sessionId}/${segment.viewId}`;
    if (!views.has(key)) views.set(key, []);
    views.get(key).push(segment);
  }
  for (const [key, viewSegments] of views) {
    assert.deepEqual(
      viewSegments.map((segment) => segment.index),
      viewSegments.map((_, position) => position),
      `view ${key}: index_in_view runs 0, 1, 2 … without gaps`,
    );
    const first = viewSegments[0];
    assert.equal(
      first.metadata.has_full_snapshot,
      true,
      `view ${key}: the first segment has the full snapshot`,
    );
    assert.equal(
      first.events[0].type,
      EventType.Meta,
      `view ${key}: the stream starts with Meta`,
    );
    assert.equal(
      first.events[1].type,
      EventType.FullSnapshot,
      `view ${key}: Meta is followed by FullSnapshot`,
    );

    const timestamps = viewSegments.flatMap((segment) =>
      segment.events.map((event) => event.timestamp),
    );
    const firstBackStep = timestamps.findIndex(
      (timestamp, position) =>
        position > 0 && timestamp < timestamps[position - 1],
    );
    assert.equal(
      firstBackStep,
      -1,
      `view ${key}: timestamps are sorted (event ${firstBackStep} goes back)`,
    );
  }
}
