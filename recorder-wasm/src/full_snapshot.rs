//! The Meta and FullSnapshot events that start every recording.

use crate::events::{write_full_snapshot_close, write_full_snapshot_open, write_meta};
use crate::recording::Recording;
use crate::serialize::snapshot::write_document;
use crate::trackers::viewport::viewport_size;

/// Records the page's address and size, then the whole document. A
/// replayer needs both, in this order, before any incremental event.
pub fn record_full_snapshot(recording: &Recording) {
    let timestamp = Recording::now();
    let href = recording.window.location().href().unwrap_or_default();
    let (width, height) = viewport_size(recording);
    recording.record(timestamp, false, |out| {
        write_meta(out, timestamp, &href, width, height)
    });

    let context = recording.serialize_context();
    let left = recording.window.scroll_x().unwrap_or(0.0);
    let top = recording.window.scroll_y().unwrap_or(0.0);
    recording.record(timestamp, true, |out| {
        write_full_snapshot_open(out);
        write_document(
            &context,
            &recording.node_map,
            &recording.document,
            recording.options.privacy,
            out,
        );
        write_full_snapshot_close(out, timestamp, left, top);
    });
}
