//! The ids the recorder gives DOM nodes, and constructed stylesheets.
//!
//! Ids live in a `WeakMap` keyed by the node, so a node keeps its id as long
//! as it exists (removed and re-inserted nodes replay as the same node) and
//! the map never keeps a removed node alive.

use std::cell::{Cell, RefCell};

use js_sys::{WeakMap, WeakSet};
use tapedeck_model::node::DOCUMENT_ID;
use tapedeck_model::NodeId;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

/// Node ids of one recording. Constructed stylesheets (which are not
/// nodes) get ids from a separate sequence, as rrweb's `styleId`.
pub struct NodeMap {
    ids: WeakMap,
    next_id: Cell<NodeId>,
    style_ids: WeakMap,
    next_style_id: Cell<u32>,
    sent_styles: RefCell<WeakSet>,
}

impl Default for NodeMap {
    fn default() -> Self {
        Self::new()
    }
}

impl NodeMap {
    /// An empty map whose first id is the document's.
    pub fn new() -> Self {
        Self {
            ids: WeakMap::new(),
            next_id: Cell::new(DOCUMENT_ID),
            style_ids: WeakMap::new(),
            next_style_id: Cell::new(1),
            sent_styles: RefCell::new(WeakSet::new()),
        }
    }

    /// The node's id, if it has been serialized.
    pub fn id_of(&self, node: &Node) -> Option<NodeId> {
        NodeId::try_from(crate::dom::read::id_in(&self.ids, node)).ok()
    }

    /// The node's id, giving it the next free one if it has none yet.
    pub fn id_or_assign(&self, node: &Node) -> NodeId {
        // One call instead of a lookup and a store: the snapshot does this
        // for every node.
        let next = self.next_id.get();
        let id = crate::dom::read::assign_id(&self.ids, node, next);
        if id == next {
            self.next_id.set(next + 1);
        }
        id
    }

    /// Takes the next free id, for a node whose id the caller stores in
    /// [`Self::ids`] itself (a batched walk stores a batch's ids at once).
    pub fn reserve_id(&self) -> NodeId {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// The map from nodes to their ids.
    pub fn ids(&self) -> &WeakMap {
        &self.ids
    }

    /// A constructed stylesheet's id.
    pub fn style_id(&self, sheet: &JsValue) -> u32 {
        if let Some(id) = self.style_ids.get(sheet.unchecked_ref()).as_f64() {
            return id as u32;
        }
        let id = self.next_style_id.get();
        self.next_style_id.set(id + 1);
        self.style_ids
            .set(sheet.unchecked_ref(), &JsValue::from(id));
        id
    }

    /// Notes that a constructed sheet's rules were sent; true the first
    /// time since the last full snapshot.
    pub fn mark_style_sent(&self, sheet: &JsValue) -> bool {
        let sent = self.sent_styles.borrow();
        let object = sheet.unchecked_ref::<js_sys::Object>();
        if sent.has(object) {
            return false;
        }
        sent.add(object);
        true
    }

    /// True when a constructed sheet's rules were sent since the last full
    /// snapshot.
    pub fn is_style_sent(&self, sheet: &JsValue) -> bool {
        self.sent_styles.borrow().has(sheet.unchecked_ref())
    }

    /// Forgets which sheets were sent, after a full snapshot: the replayer
    /// starts over, so their rules must be sent again (under the same ids).
    pub fn forget_sent_styles(&self) {
        *self.sent_styles.borrow_mut() = WeakSet::new();
    }

    /// Forgets a node's id, for nodes that must be serialized afresh.
    pub fn forget(&self, node: &Node) {
        self.ids.delete(node.as_ref());
    }
}
