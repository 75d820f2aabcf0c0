//! Finding the recorded node an event happened on.

use tapedeck_model::node::DOCUMENT_ID;
use web_sys::Event;

use crate::dom::cast::{as_node, is_window};

use crate::recording::Recording;

/// The id of the event's target, or `None` when the target is not part of
/// the recording (a hidden subtree, a node outside the document).
pub fn target_id(recording: &Recording, event: &Event) -> Option<u32> {
    // Inside a shadow tree the event is retargeted to the host by the time
    // the document sees it; the composed path still starts at the real
    // target.
    let first = event.composed_path().get(0);
    let target: wasm_bindgen::JsValue = if first.is_object() {
        first
    } else {
        event.target()?.into()
    };
    if is_window(&target) {
        return Some(DOCUMENT_ID);
    }
    let node = as_node(&target)?;
    recording.id_of(node)
}
