//! Recording the documents of same-origin iframes.
//!
//! rrweb's replayer receives an iframe's document as a Mutation event that
//! adds a whole Document node under the iframe element (`isAttachIframe`),
//! every node in it carrying the document's id as `rootId`. This happens
//! after each full snapshot (which wipes the replay) and each time the
//! iframe loads a new document.

use tapedeck_model::node::{write_raw, write_u32};
use tapedeck_model::IncrementalSource;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlIFrameElement, Node};

use crate::events::write_incremental;
use crate::recording::Recording;
use crate::serialize::snapshot::{document_scope, Discovered, Walk};
use crate::serialize::SerializeContext;
use crate::trackers::adopted::record_adopted;

/// Queues what a walk discovered and records the documents of discovered
/// iframes that are ready, including iframes nested inside them.
pub fn attach_discovered(recording: &Recording, discovered: Vec<Discovered>) {
    let mut work = discovered;
    while let Some(item) = work.pop() {
        match &item {
            Discovered::Iframe(iframe) => work.extend(record_iframe_document(recording, iframe)),
            Discovered::ShadowRoot(shadow_root) => record_adopted(recording, shadow_root, false),
            Discovered::IframeDocument(document) => record_adopted(recording, document, false),
        }
        recording.queue_discovered([item]);
    }
}

/// The iframe's document when the recorder may read it and it has loaded
/// what the iframe points to.
pub fn readable_document(iframe: &HtmlIFrameElement) -> Option<Document> {
    let document = iframe.content_document()?;
    let src = iframe.get_attribute("src").unwrap_or_default();
    let still_blank = document
        .url()
        .map(|url| url == "about:blank")
        .unwrap_or(true)
        && !src.trim().is_empty()
        && src.trim() != "about:blank";
    (!still_blank).then_some(document)
}

/// Records the iframe's document as an attach event and returns what the
/// walk found inside it; nothing when the document is not readable yet.
pub fn record_iframe_document(
    recording: &Recording,
    iframe: &HtmlIFrameElement,
) -> Vec<Discovered> {
    let Some(iframe_id) = recording.id_of(iframe.as_ref()) else {
        return Vec::new();
    };
    let Some(document) = readable_document(iframe) else {
        return Vec::new();
    };

    let context = SerializeContext::for_document(&document, &recording.privacy_markers);
    let document_node: &Node = document.as_ref();
    let document_id = recording.node_map.id_or_assign(document_node);
    let mut walk = Walk {
        context: &context,
        node_map: &recording.node_map,
        root_id: Some(document_id),
        discovered: Vec::new(),
    };
    let level = recording.level_at(iframe.as_ref());

    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::Mutation, |out| {
            write_raw(out, ",\"adds\":[{\"parentId\":");
            write_u32(out, iframe_id);
            write_raw(out, ",\"nextId\":null,\"node\":");
            walk.write_subtree(document_node, document_scope(level), out);
            write_raw(
                out,
                "}],\"removes\":[],\"texts\":[],\"attributes\":[],\"isAttachIframe\":true",
            );
        });
    });

    let mut discovered = walk.discovered;
    discovered.push(Discovered::IframeDocument(document));
    discovered
}

/// The id of the iframe document `node` lives in, or `None` in the top
/// document.
pub fn root_id_of(recording: &Recording, node: &Node) -> Option<u32> {
    let owner = node.owner_document()?;
    if owner == recording.document {
        return None;
    }
    recording.id_of(owner.unchecked_ref())
}
