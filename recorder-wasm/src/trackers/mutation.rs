//! DOM mutations, as rrweb Mutation events.
//!
//! A `MutationObserver` callback delivers a batch of records; the batch is
//! turned into one event describing the DOM as it is at the end of it. The
//! replayer applies removes, then adds, then texts, then attributes, so:
//! - a remove is only sent when the replayer still has both nodes: the
//!   parent is connected and not inside a subtree removed in this batch;
//! - adds are sent parent before child; an added subtree's root names as
//!   `nextId` a sibling the replayer already has (not one still to be
//!   added), and the nodes below it are appended in document order to the
//!   parents just created for them;
//! - text and attribute changes are only sent for nodes that existed before
//!   the batch, since added nodes carry their final state.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use js_sys::{Array, Set};
use tapedeck_model::node::{write_raw, write_str, write_u32};
use tapedeck_model::IncrementalSource;
use tapedeck_privacy::{level_from_markers, PrivacyLevel};
use wasm_bindgen::JsCast;
use web_sys::{CharacterData, Element, Node};

use crate::dom::cast::{as_element, as_shadow_root};
use crate::dom::records::{added_roots, detached_or_inside, Record, RecordBatch, Value};
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;
use crate::serialize::element::{current_css_text, recorded_attribute};
use crate::serialize::snapshot::{Scope, Walk};
use crate::serialize::{text_record, ChildContext, NodeRecord, SerializeContext};
use crate::sliced_snapshot;
use crate::trackers::iframe::{attach_discovered, root_id_of};
use crate::trackers::roots::RootObservers;

/// The running observers of the document, its shadow roots and iframes;
/// dropping the handle disconnects them all.
#[must_use = "mutations stop being recorded as soon as the handle is dropped"]
pub struct MutationTracker {
    observers: Rc<RefCell<Option<Rc<RootObservers>>>>,
}

/// Starts observing the document, and every shadow root and iframe the
/// snapshot found.
pub fn start(recording: &Rc<Recording>) -> Result<MutationTracker, RecorderError> {
    let observers = follow(recording)?;
    Ok(MutationTracker {
        observers: Rc::new(RefCell::new(Some(observers))),
    })
}

/// Takes the first full snapshot in slices ([`sliced_snapshot`]) and starts
/// observing once it is recorded; until then the recording is paused.
pub fn start_after_sliced_snapshot(
    recording: &Rc<Recording>,
) -> Result<MutationTracker, RecorderError> {
    let slot: Rc<RefCell<Option<Rc<RootObservers>>>> = Rc::default();
    let (for_done, slot_for_done) = (Rc::clone(recording), Rc::clone(&slot));
    sliced_snapshot::start(recording, move || match follow(&for_done) {
        Ok(observers) => *slot_for_done.borrow_mut() = Some(observers),
        Err(error) => for_done.fail(&error),
    })?;
    Ok(MutationTracker { observers: slot })
}

fn follow(recording: &Rc<Recording>) -> Result<Rc<RootObservers>, RecorderError> {
    let observers = RootObservers::new(recording);
    observers.observe_mutations(recording.document.as_ref())?;
    observers.follow_top_document()?;
    observers.follow_discovered();
    Ok(observers)
}

impl MutationTracker {
    /// Records mutations the observers have queued but not yet delivered,
    /// so nothing is lost when the page is hidden or recording stops.
    /// While a sliced snapshot runs there are none yet: the snapshot
    /// collects changes itself.
    pub fn record_pending(&self) {
        let observers = self.observers.borrow().clone();
        if let Some(observers) = observers {
            observers.record_pending();
        }
    }
}

/// What one batch of records changed, gathered before anything is written.
#[derive(Default)]
pub struct Changes {
    /// Nodes added, in record order.
    pub added: Vec<Node>,
    /// `(parent, node)` for each removal.
    pub removed: Vec<(Node, Node)>,
    /// Text and comment nodes whose text changed.
    pub texts: Vec<Node>,
    /// Elements, the name of each attribute that changed, and its value
    /// when the change was gathered.
    pub attributes: Vec<(Element, String, ReadValue)>,
    /// Elements sent again in place because their privacy level changed
    /// (also listed in `removed` and `added`). Unlike moved or new nodes,
    /// they and their descendants keep their scroll offsets.
    pub resent: Vec<Node>,
    /// True when a changed attribute now carries a privacy marker.
    pub markers_appeared: bool,
}

impl Changes {
    /// Adds `other`'s changes after this one's.
    pub fn extend(&mut self, other: Changes) {
        self.added.extend(other.added);
        self.removed.extend(other.removed);
        self.texts.extend(other.texts);
        self.attributes.extend(other.attributes);
        self.resent.extend(other.resent);
        self.markers_appeared |= other.markers_appeared;
    }
}

/// An attribute's value as read when its change was gathered, in the same
/// task as the change was observed: `Some(None)` when the attribute was
/// removed, `None` when it is to be read when written (the derived
/// `_cssText`, or a value the batch reader could not carry).
pub type ReadValue = Option<Option<String>>;

/// Reads a batch of mutation records.
pub fn gather(records: &Array) -> Changes {
    let batch = RecordBatch::read(records);
    let node = |index: u32| batch.node(index);
    let mut changes = Changes::default();
    for record in batch.records() {
        match record {
            Record::ChildList {
                target,
                target_name,
                added,
                removed,
            } => {
                let target = node(target);
                // A <style>'s text is recorded as its `_cssText`; changing
                // the text changes that, not child nodes.
                if is_style(target_name) {
                    changes
                        .attributes
                        .push((target.unchecked_into(), CSS_TEXT.into(), None));
                    continue;
                }
                changes.added.extend(added.map(node));
                for index in removed {
                    changes.removed.push((target.clone(), node(index)));
                }
            }
            Record::CharacterData {
                target,
                parent,
                parent_name,
            } => match (is_style(parent_name), batch.parent(parent)) {
                (true, Some(style)) => {
                    changes
                        .attributes
                        .push((style.unchecked_into(), CSS_TEXT.into(), None))
                }
                _ => changes.texts.push(node(target)),
            },
            Record::Attribute {
                target,
                name,
                old_value,
                value_now,
                markers_now,
            } => {
                let element: Element = node(target).unchecked_into();
                if let Some(now) = &markers_now {
                    changes.markers_appeared |= carries_marker(now);
                }
                let marker_changed =
                    markers_now.is_some_and(|now| privacy_marker_changed(name, &old_value, &now));
                if marker_changed {
                    // A new level applies to the whole subtree: it is sent
                    // again, as if it had been moved where it is.
                    if let Some(parent) = element.parent_node() {
                        changes.removed.push((parent, element.clone().into()));
                        changes.added.push(element.clone().into());
                        changes.resent.push(element.clone().into());
                    }
                }
                let value_now = value_now.known().map(|value| value.map(str::to_owned));
                changes
                    .attributes
                    .push((element, name.to_owned(), value_now));
            }
        }
    }
    changes
}

/// True when changing the privacy marker `name` from `old_value` changed
/// the level the element asks for, given the markers it has now (class,
/// privacy attribute). A value the reader could not carry counts as a
/// change, so the subtree is sent again under whatever level applies.
fn privacy_marker_changed(
    name: &str,
    old_value: &Value<'_>,
    (class_now, privacy_now): &(Value<'_>, Value<'_>),
) -> bool {
    let (Some(class_now), Some(privacy_now), Some(old)) =
        (class_now.known(), privacy_now.known(), old_value.known())
    else {
        return true;
    };
    let (class_before, privacy_before) = if name == "class" {
        (old, privacy_now)
    } else {
        (class_now, old)
    };
    level_from_markers(privacy_before, class_before) != level_from_markers(privacy_now, class_now)
}

/// True when the current markers (class, privacy attribute) ask for a
/// level, or could not be read.
fn carries_marker((class, privacy): &(Value<'_>, Value<'_>)) -> bool {
    match (class.known(), privacy.known()) {
        (Some(class), Some(privacy)) => level_from_markers(privacy, class).is_some(),
        _ => true,
    }
}

/// True for the local name of a `<style>`, whose text is its rules.
fn is_style(local_name: &str) -> bool {
    local_name.eq_ignore_ascii_case("style")
}

/// The derived attribute holding a stylesheet's rules.
const CSS_TEXT: &str = "_cssText";

/// Records a stylesheet element's current rules as a `_cssText` change,
/// for a `<link>` whose sheet finished loading after it was recorded.
pub fn record_css_text_change(recording: &Recording, element: &Element) {
    let changes = Changes {
        attributes: vec![(element.clone(), CSS_TEXT.into(), None)],
        ..Changes::default()
    };
    let mut data = b",\"removes\":[],\"adds\":[],\"texts\":[]".to_vec();
    if !write_attributes(recording, &changes, &HashSet::new(), &mut data) {
        return;
    }
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::Mutation, |out| {
            out.extend_from_slice(&data)
        });
    });
}

/// Turns one observer batch into a Mutation event, if anything recordable
/// changed.
pub fn process(recording: &Recording, records: &Array) {
    process_changes(recording, &gather(records));
}

/// Turns gathered changes into a Mutation event, if anything recordable
/// changed.
pub fn process_changes(recording: &Recording, changes: &Changes) {
    if changes.markers_appeared {
        recording.privacy_markers.mark_seen();
    }
    let timestamp = Recording::now();
    let mut data = Vec::new();

    let removed_roots = write_removes(recording, changes, &mut data);
    let (emitted, discovered) = write_adds(recording, changes, &mut data);
    let has_texts = write_texts(recording, changes, &emitted, &mut data);
    let has_attributes = write_attributes(recording, changes, &emitted, &mut data);

    if removed_roots == 0 && emitted.is_empty() && !has_texts && !has_attributes {
        attach_discovered(recording, discovered);
        return;
    }
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::Mutation, |out| {
            out.extend_from_slice(&data)
        });
    });
    // Iframes and shadow roots that arrived with this batch are recorded
    // after it, once the replayer has their host elements.
    attach_discovered(recording, discovered);
}

/// The id the replayer knows `parent` by, and whether children added to it
/// go into a shadow root (whose host stands for it).
fn parent_id_of(recording: &Recording, parent: &Node) -> Option<(u32, bool)> {
    match as_shadow_root(parent) {
        Some(shadow_root) => Some((recording.id_of(shadow_root.host().as_ref())?, true)),
        None => Some((recording.id_of(parent)?, false)),
    }
}

/// Writes `,"removes":[…]` and returns how many removes it wrote.
fn write_removes(recording: &Recording, changes: &Changes, out: &mut Vec<u8>) -> usize {
    // Removed nodes that are back in the document (moved): a parent inside
    // one of them is connected, yet gone from the replayer. A parent inside
    // a node that stayed removed is disconnected, which is cheaper to ask.
    let moved = Array::new();
    for (_, node) in &changes.removed {
        if node.is_connected() && recording.id_of(node).is_some() {
            moved.push(node);
        }
    }

    write_raw(out, ",\"removes\":[");
    let mut written = HashSet::new();
    for (parent, node) in &changes.removed {
        let (Some((parent_id, is_shadow)), Some(id)) =
            (parent_id_of(recording, parent), recording.id_of(node))
        else {
            continue;
        };
        // The replayer forgets a removed node's whole subtree, so a removal
        // from inside one (or from a detached parent) would name a node it
        // no longer has.
        let gone = detached_or_inside(parent, &moved);
        if gone || !written.insert(id) {
            continue;
        }
        if written.len() > 1 {
            out.push(b',');
        }
        write_raw(out, "{\"parentId\":");
        write_u32(out, parent_id);
        write_raw(out, ",\"id\":");
        write_u32(out, id);
        if is_shadow {
            write_raw(out, ",\"isShadow\":true");
        }
        out.push(b'}');
    }
    out.push(b']');
    written.len()
}

/// Writes `,"adds":[…]` and returns the ids it serialized and the shadow
/// roots and iframes it met.
fn write_adds(
    recording: &Recording,
    changes: &Changes,
    out: &mut Vec<u8>,
) -> (HashSet<u32>, Vec<crate::serialize::snapshot::Discovered>) {
    // Roots: added nodes not inside another added node, under a parent the
    // replayer has. They may be sent in any order: until a root is sent,
    // siblings looking for their `nextId` pass over it (see `pending`).
    let added = Array::new();
    for node in &changes.added {
        added.push(node);
    }
    let found = added_roots(&added);
    let pending = Set::new(&found);
    let roots: Vec<Node> = found.iter().map(JsCast::unchecked_into).collect();

    let mut emitted = HashSet::new();
    let mut discovered = Vec::new();
    write_raw(out, ",\"adds\":[");

    for root in roots {
        let Some(parent) = root.parent_node() else {
            continue;
        };
        let Some((parent_id, into_shadow)) = parent_id_of(recording, &parent) else {
            continue;
        };
        let Some((level, child_context)) = children_scope(recording, &parent) else {
            continue;
        };
        let context = SerializeContext::for_node(&root, &recording.privacy_markers)
            .reading_scroll(changes.resent.contains(&root));
        let mut walk = Walk {
            context: &context,
            node_map: &recording.node_map,
            root_id: root_id_of(recording, &root),
            discovered: Vec::new(),
        };

        let root_scope = Scope {
            level,
            child_context,
            is_shadow: into_shadow,
        };
        let next_id = next_recorded_sibling(recording, &root, &pending);
        let mut adds = Vec::new();
        let written = walk.write_adds(&root, root_scope, parent_id, next_id, &mut adds);
        if written.is_empty() {
            continue;
        }
        pending.delete(&root);
        if !emitted.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(&adds);
        emitted.extend(written);
        discovered.extend(walk.discovered);
    }
    out.push(b']');
    (emitted, discovered)
}

/// The level and content kind of children added under `parent`, or `None`
/// when children of that parent are never recorded.
fn children_scope(recording: &Recording, parent: &Node) -> Option<(PrivacyLevel, ChildContext)> {
    let level = recording.level_at(parent);
    if level == PrivacyLevel::Hidden {
        return None;
    }
    let Some(element) = as_element(parent) else {
        return Some((level, ChildContext::Normal));
    };
    match element.local_name().to_ascii_lowercase().as_str() {
        "script" | "noscript" | "textarea" | "iframe" => None,
        "style" => Some((level, ChildContext::Style)),
        _ => Some((level, ChildContext::Normal)),
    }
}

/// The id of the first sibling after `node` that the replayer will have
/// when `node` is added: recorded, and not a root of this batch still to be
/// sent (a moved node keeps its id but is gone from the replayer until its
/// add arrives).
fn next_recorded_sibling(recording: &Recording, node: &Node, pending: &Set) -> Option<u32> {
    let mut sibling = node.next_sibling();
    while let Some(current) = sibling {
        if let Some(id) = recording.id_of(&current).filter(|_| !pending.has(&current)) {
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
        if parent_id_of(recording, &parent).is_none() {
            continue;
        }
        let Some((level, parent_context)) = children_scope(recording, &parent) else {
            continue;
        };
        let context = SerializeContext::for_node(node, &recording.privacy_markers);
        let text = node.unchecked_ref::<CharacterData>().data();
        let NodeRecord::Text { text, .. } = text_record(&context, text, level, parent_context)
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

/// The attribute changes of one element: its id, the element, and each
/// changed attribute's name with its value as read last.
type AttributeGroup<'a> = (u32, Element, Vec<(&'a str, &'a ReadValue)>);

/// Writes `,"attributes":[…]` grouped per element; true when it wrote any.
fn write_attributes(
    recording: &Recording,
    changes: &Changes,
    emitted: &HashSet<u32>,
    out: &mut Vec<u8>,
) -> bool {
    // Group by element, keeping first-seen order and one entry per name,
    // with the value read last.
    let mut groups: Vec<AttributeGroup> = Vec::new();
    for (element, name, value) in &changes.attributes {
        let Some(id) = recording.id_of(element) else {
            continue;
        };
        if emitted.contains(&id) || !element.is_connected() {
            continue;
        }
        let group = match groups
            .iter_mut()
            .position(|(existing, _, _)| *existing == id)
        {
            Some(index) => &mut groups[index].2,
            None => {
                groups.push((id, element.clone(), Vec::new()));
                &mut groups.last_mut().expect("just pushed").2
            }
        };
        match group.iter_mut().find(|(existing, _)| *existing == name) {
            Some(entry) => entry.1 = value,
            None => group.push((name, value)),
        }
    }

    let mut wrote_group = false;
    write_raw(out, ",\"attributes\":[");
    for (id, element, names) in groups {
        let level = recording.level_at(element.as_ref());
        if level == PrivacyLevel::Hidden {
            continue;
        }
        let context = SerializeContext::for_node(element.as_ref(), &recording.privacy_markers);
        let tag_name = element.local_name().to_ascii_lowercase();
        let mut fields = Vec::new();
        for (name, read) in names {
            let value = if name == CSS_TEXT {
                match current_css_text(&context, &element) {
                    Some(text) => Some(text),
                    None => continue,
                }
            } else {
                let current = match read {
                    Some(value) => value.clone(),
                    None => element.get_attribute(name),
                };
                match current {
                    None => None,
                    Some(value) => {
                        match recorded_attribute(&context, &tag_name, name, value, level) {
                            Some(value) => Some(value),
                            None => continue,
                        }
                    }
                }
            };
            if !fields.is_empty() {
                fields.push(b',');
            }
            let opened_dialog = tag_name == "dialog" && name == "open" && value.is_some();
            write_str(&mut fields, name);
            fields.push(b':');
            match value {
                Some(value) => write_str(&mut fields, &value),
                None => write_raw(&mut fields, "null"),
            }
            // The replayer shows a dialog as modal only when told so.
            if opened_dialog {
                let modal = element.matches(":modal").unwrap_or(false);
                write_raw(&mut fields, ",\"rr_open_mode\":");
                write_str(&mut fields, if modal { "modal" } else { "non-modal" });
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

#[cfg(test)]
mod tests {
    use tapedeck_privacy::level::PRIVACY_ATTRIBUTE;

    use super::*;

    #[test]
    fn a_class_or_attribute_naming_a_level_is_a_marker() {
        let plain = (Value::Present("row active"), Value::Missing);
        let classed = (Value::Present("row tapedeck-privacy-mask"), Value::Missing);
        let attributed = (Value::Missing, Value::Present("hidden"));
        let misspelt = (Value::Missing, Value::Present("hiden"));
        let unreadable = (Value::Unknown, Value::Missing);
        assert!(!carries_marker(&plain));
        assert!(carries_marker(&classed));
        assert!(carries_marker(&attributed));
        assert!(!carries_marker(&misspelt));
        assert!(carries_marker(&unreadable));
    }

    #[test]
    fn only_a_change_of_the_asked_level_resends_the_subtree() {
        let now = (Value::Present("card tapedeck-privacy-mask"), Value::Missing);
        assert!(privacy_marker_changed(
            "class",
            &Value::Present("card"),
            &now
        ));
        let same_level = (
            Value::Present("card wide tapedeck-privacy-mask"),
            Value::Missing,
        );
        assert!(!privacy_marker_changed(
            "class",
            &Value::Present("card tapedeck-privacy-mask"),
            &same_level
        ));
        let attribute_now = (Value::Present("card"), Value::Present("allow"));
        assert!(privacy_marker_changed(
            PRIVACY_ATTRIBUTE,
            &Value::Missing,
            &attribute_now
        ));
    }
}
