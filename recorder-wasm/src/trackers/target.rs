//! Finding the recorded node an event happened on.

use tapedeck_model::node::DOCUMENT_ID;
use wasm_bindgen::JsCast;
use web_sys::{Event, Node};

use crate::recording::Recording;

/// The id of the event's target, or `None` when the target is not part of
/// the recording (a hidden subtree, a node outside the document).
pub fn target_id(recording: &Recording, event: &Event) -> Option<u32> {
    let target = event.target()?;
    if target.dyn_ref::<web_sys::Window>().is_some() {
        return Some(DOCUMENT_ID);
    }
    let node = target.dyn_ref::<Node>()?;
    recording.id_of(node)
}
