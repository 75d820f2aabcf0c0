//! The Meta and FullSnapshot events that start every recording, followed by
//! the documents of the page's same-origin iframes.

use tapedeck_model::node::DOCUMENT_ID;

use crate::events::{write_full_snapshot_close, write_full_snapshot_open, write_meta};
use crate::recording::Recording;
use crate::serialize::snapshot::{document_scope, Walk};
use crate::trackers::adopted::record_adopted;
use crate::trackers::iframe;
use crate::trackers::viewport::viewport_size;

/// Records the page's address and size, then the whole document. A
/// replayer needs both, in this order, before any incremental event. Shadow
/// roots and iframes found on the way are queued on the recording for the
/// observers; readable iframe documents are recorded right after.
pub fn record_full_snapshot(recording: &Recording) {
    // The replayer starts over at a full snapshot, so constructed sheets
    // must be sent again.
    recording.node_map.forget_sent_styles();
    let timestamp = Recording::now();
    let href = recording.window.location().href().unwrap_or_default();
    let (width, height) = viewport_size(recording);
    recording.record(timestamp, false, |out| {
        write_meta(out, timestamp, &href, width, height)
    });

    let context = recording.serialize_context();
    let left = recording.window.scroll_x().unwrap_or(0.0);
    let top = recording.window.scroll_y().unwrap_or(0.0);
    let mut walk = Walk {
        context: &context,
        node_map: &recording.node_map,
        root_id: None,
        discovered: Vec::new(),
    };
    recording.record(timestamp, true, |out| {
        write_full_snapshot_open(out);
        let id = recording.node_map.id_or_assign(recording.document.as_ref());
        debug_assert_eq!(
            id, DOCUMENT_ID,
            "the document must be the first node serialized"
        );
        walk.write_subtree(
            recording.document.as_ref(),
            document_scope(recording.options.privacy),
            out,
        );
        write_full_snapshot_close(out, timestamp, left, top);
    });

    let discovered = walk.discovered;
    record_adopted(recording, recording.document.as_ref(), false);
    iframe::attach_discovered(recording, discovered);
}
