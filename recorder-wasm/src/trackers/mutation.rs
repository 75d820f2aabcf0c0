//! DOM mutations, as rrweb Mutation events.
//!
//! A `MutationObserver` callback delivers a batch of records; the batch is
//! turned into one event describing the DOM as it is at the end of it. The
//! replayer applies removes, then adds, then texts, then attributes, so:
//! - a remove is only sent when the replayer still has both nodes: the
//!   parent is connected and not inside a subtree removed in this batch;
//! - adds are sent parent before child and, among siblings, last to first,
//!   so each add's `nextId` names a node the replayer already has;
//! - text and attribute changes are only sent for nodes that existed before
//!   the batch, since added nodes carry their final state.

use std::collections::HashSet;
use std::rc::Rc;

use js_sys::{Array, Set};
use tapedeck_model::node::{write_raw, write_str, write_u32};
use tapedeck_model::IncrementalSource;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    CharacterData, Element, MutationObserver, MutationObserverInit, MutationRecord, Node,
};

use crate::events::write_incremental;
use crate::failure::{self, RecorderError};
use crate::recording::Recording;
use crate::serialize::element::recorded_attribute;
use crate::serialize::privacy_scope::level_at;
use crate::serialize::{describe, text_record, ChildContext};

/// The running observer; dropping it disconnects it.
#[must_use = "mutations stop being recorded as soon as the handle is dropped"]
pub struct MutationTracker {
    observer: MutationObserver,
    recording: Rc<Recording>,
    _callback: Closure<dyn FnMut(Array)>,
}

/// Starts observing the whole document.
pub fn start(recording: &Rc<Recording>) -> Result<MutationTracker, RecorderError> {
    let for_callback = Rc::clone(recording);
    let callback = Closure::<dyn FnMut(Array)>::new(move |records: Array| {
        if !for_callback.is_stopped() {
            process(&for_callback, &records);
        }
    });
    let guarded = failure::guard(callback.as_ref().unchecked_ref());
    let observer = MutationObserver::new(&guarded)?;

    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_attributes(true);
    init.set_character_data(true);
    init.set_subtree(true);
    observer.observe_with_options(&recording.document, &init)?;

    Ok(MutationTracker {
        observer,
        recording: Rc::clone(recording),
        _callback: callback,
    })
}

impl MutationTracker {
    /// Records mutations the observer has queued but not yet delivered, so
    /// nothing is lost when the page is hidden or recording stops.
    pub fn record_pending(&self) {
        let records = self.observer.take_records();
        if records.length() > 0 {
            process(&self.recording, &records);
        }
    }
}

impl Drop for MutationTracker {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// What one batch of records changed, gathered before anything is written.
#[derive(Default)]
struct Changes {
    added: Vec<Node>,
    removed: Vec<(Node, Node)>,
    texts: Vec<Node>,
    attributes: Vec<(Element, String)>,
}

fn gather(records: &Array) -> Changes {
    let mut changes = Changes::default();
    for record in records.iter() {
        let record: MutationRecord = record.unchecked_into();
        let Some(target) = record.target() else {
            continue;
        };
        match record.type_().as_str() {
            "childList" => {
                let added = record.added_nodes();
                for index in 0..added.length() {
                    changes.added.extend(added.item(index));
                }
                let removed = record.removed_nodes();
                for index in 0..removed.length() {
                    if let Some(node) = removed.item(index) {
                        changes.removed.push((target.clone(), node));
                    }
                }
            }
            "characterData" => changes.texts.push(target),
            "attributes" => {
                if let (Some(name), Ok(element)) =
                    (record.attribute_name(), target.dyn_into::<Element>())
                {
                    changes.attributes.push((element, name));
                }
            }
            _ => {}
        }
    }
    changes
}

/// Turns one observer batch into a Mutation event, if anything recordable
/// changed.
pub fn process(recording: &Recording, records: &Array) {
    let changes = gather(records);
    let timestamp = Recording::now();
    let mut data = Vec::new();

    let removed_roots = write_removes(recording, &changes, &mut data);
    let emitted = write_adds(recording, &changes, &mut data);
    let has_texts = write_texts(recording, &changes, &emitted, &mut data);
    let has_attributes = write_attributes(recording, &changes, &emitted, &mut data);

    if removed_roots == 0 && emitted.is_empty() && !has_texts && !has_attributes {
        return;
    }
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::Mutation, |out| {
            out.extend_from_slice(&data)
        });
    });
}

/// Writes `,"removes":[…]` and returns how many removes it wrote.
fn write_removes(recording: &Recording, changes: &Changes, out: &mut Vec<u8>) -> usize {
    let removed_with_ids: Vec<&Node> = changes
        .removed
        .iter()
        .map(|(_, node)| node)
        .filter(|node| recording.id_of(node).is_some())
        .collect();

    write_raw(out, ",\"removes\":[");
    let mut written = HashSet::new();
    for (parent, node) in &changes.removed {
        let (Some(parent_id), Some(id)) = (recording.id_of(parent), recording.id_of(node)) else {
            continue;
        };
        // The replayer forgets a removed node's whole subtree, so a removal
        // from inside one (or from a detached parent) would name a node it
        // no longer has.
        let inside_removed = removed_with_ids
            .iter()
            .any(|root| root.contains(Some(parent)));
        if !parent.is_connected() || inside_removed || !written.insert(id) {
            continue;
        }
        if written.len() > 1 {
            out.push(b',');
        }
        write_raw(out, "{\"parentId\":");
        write_u32(out, parent_id);
        write_raw(out, ",\"id\":");
        write_u32(out, id);
        out.push(b'}');
    }
    out.push(b']');
    written.len()
}

/// Writes `,"adds":[…]` and returns the ids it serialized.
fn write_adds(recording: &Recording, changes: &Changes, out: &mut Vec<u8>) -> HashSet<u32> {
    let candidates = Set::new(&wasm_bindgen::JsValue::UNDEFINED);
    for node in &changes.added {
        if node.is_connected() {
            candidates.add(node);
        }
    }

    // Roots: added nodes not inside another added node, under a parent the
    // replayer has. Later nodes go first so `nextId` always resolves.
    let mut roots: Vec<Node> = Vec::new();
    for node in &changes.added {
        if !candidates.has(node) || roots.iter().any(|root| root == node) {
            continue;
        }
        let mut ancestor = node.parent_node();
        let mut covered = false;
        while let Some(current) = ancestor {
            if candidates.has(&current) {
                covered = true;
                break;
            }
            ancestor = current.parent_node();
        }
        if !covered {
            roots.push(node.clone());
        }
    }
    roots.sort_by(|a, b| {
        let position = a.compare_document_position(b);
        if position & Node::DOCUMENT_POSITION_FOLLOWING != 0 {
            std::cmp::Ordering::Greater
        } else if position & Node::DOCUMENT_POSITION_PRECEDING != 0 {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Equal
        }
    });

    let context = recording.serialize_context();
    let global = recording.options.privacy;
    let mut emitted = HashSet::new();
    write_raw(out, ",\"adds\":[");

    for root in roots {
        let Some(parent) = root.parent_node() else {
            continue;
        };
        let Some(parent_id) = recording.id_of(&parent) else {
            continue;
        };
        let Some((parent_level, parent_context)) = children_scope(recording, &parent, global)
        else {
            continue;
        };

        let mut stack = vec![(root, parent_id, parent_level, parent_context)];
        while let Some((node, parent_id, level, node_context)) = stack.pop() {
            let Some(description) = describe(&context, &node, level, node_context) else {
                continue;
            };
            let id = recording.node_map.id_or_assign(&node);
            let next_id = next_recorded_sibling(recording, &node);

            if !emitted.is_empty() {
                out.push(b',');
            }
            emitted.insert(id);
            write_raw(out, "{\"parentId\":");
            write_u32(out, parent_id);
            write_raw(out, ",\"nextId\":");
            match next_id {
                Some(next_id) => write_u32(out, next_id),
                None => write_raw(out, "null"),
            }
            write_raw(out, ",\"node\":");
            description.record.with_id(id).write_leaf(out);
            out.push(b'}');

            if description.descend {
                let mut child = node.first_child();
                while let Some(current) = child {
                    child = current.next_sibling();
                    stack.push((current, id, description.level, description.child_context));
                }
            }
        }
    }
    out.push(b']');
    emitted
}

/// The level and content kind of children added under `parent`, or `None`
/// when children of that parent are never recorded.
fn children_scope(
    recording: &Recording,
    parent: &Node,
    global: tapedeck_privacy::PrivacyLevel,
) -> Option<(tapedeck_privacy::PrivacyLevel, ChildContext)> {
    let level = level_at(parent, global);
    if level == tapedeck_privacy::PrivacyLevel::Hidden {
        return None;
    }
    let Some(element) = parent.dyn_ref::<Element>() else {
        return Some((level, ChildContext::Normal));
    };
    let _ = recording;
    match element.local_name().to_ascii_lowercase().as_str() {
        "script" | "noscript" | "textarea" => None,
        "style" => Some((level, ChildContext::Style)),
        _ => Some((level, ChildContext::Normal)),
    }
}

fn next_recorded_sibling(recording: &Recording, node: &Node) -> Option<u32> {
    let mut sibling = node.next_sibling();
    while let Some(current) = sibling {
        if let Some(id) = recording.id_of(&current) {
            return Some(id);
        }
        sibling = current.next_sibling();
    }
    None
}

/// Writes `,"texts":[…]`; true when it wrote any.
fn write_texts(
    recording: &Recording,
    changes: &Changes,
    emitted: &HashSet<u32>,
    out: &mut Vec<u8>,
) -> bool {
    let context = recording.serialize_context();
    let global = recording.options.privacy;
    let mut written = HashSet::new();
    write_raw(out, ",\"texts\":[");
    for node in &changes.texts {
        let Some(id) = recording.id_of(node) else {
            continue;
        };
        if emitted.contains(&id) || !node.is_connected() || written.contains(&id) {
            continue;
        }
        let Some(parent) = node.parent_node() else {
            continue;
        };
        if recording.id_of(&parent).is_none() {
            continue;
        }
        let Some((level, parent_context)) = children_scope(recording, &parent, global) else {
            continue;
        };
        let text = node.unchecked_ref::<CharacterData>().data();
        let crate::serialize::NodeRecord::Text { text, .. } =
            text_record(&context, text, level, parent_context)
        else {
            continue;
        };
        if !written.is_empty() {
            out.push(b',');
        }
        written.insert(id);
        write_raw(out, "{\"id\":");
        write_u32(out, id);
        write_raw(out, ",\"value\":");
        write_str(out, &text);
        out.push(b'}');
    }
    out.push(b']');
    !written.is_empty()
}

/// Writes `,"attributes":[…]` grouped per element; true when it wrote any.
fn write_attributes(
    recording: &Recording,
    changes: &Changes,
    emitted: &HashSet<u32>,
    out: &mut Vec<u8>,
) -> bool {
    let context = recording.serialize_context();
    let global = recording.options.privacy;

    // Group by element, keeping first-seen order and one entry per name.
    let mut groups: Vec<(u32, Element, Vec<String>)> = Vec::new();
    for (element, name) in &changes.attributes {
        let Some(id) = recording.id_of(element) else {
            continue;
        };
        if emitted.contains(&id) || !element.is_connected() {
            continue;
        }
        match groups.iter_mut().find(|(existing, _, _)| *existing == id) {
            Some((_, _, names)) if names.contains(name) => {}
            Some((_, _, names)) => names.push(name.clone()),
            None => groups.push((id, element.clone(), vec![name.clone()])),
        }
    }

    let mut wrote_group = false;
    write_raw(out, ",\"attributes\":[");
    for (id, element, names) in groups {
        let level = level_at(element.as_ref(), global);
        if level == tapedeck_privacy::PrivacyLevel::Hidden {
            continue;
        }
        let tag_name = element.local_name().to_ascii_lowercase();
        let mut fields = Vec::new();
        for name in names {
            let value = match element.get_attribute(&name) {
                None => None,
                Some(value) => match recorded_attribute(&context, &tag_name, &name, value, level) {
                    Some(value) => Some(value),
                    None => continue,
                },
            };
            if !fields.is_empty() {
                fields.push(b',');
            }
            write_str(&mut fields, &name);
            fields.push(b':');
            match value {
                Some(value) => write_str(&mut fields, &value),
                None => write_raw(&mut fields, "null"),
            }
        }
        if fields.is_empty() {
            continue;
        }
        if wrote_group {
            out.push(b',');
        }
        wrote_group = true;
        write_raw(out, "{\"id\":");
        write_u32(out, id);
        write_raw(out, ",\"attributes\":{");
        out.extend_from_slice(&fields);
        write_raw(out, "}}");
    }
    out.push(b']');
    wrote_group
}
