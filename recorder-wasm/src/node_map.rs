//! The ids the recorder gives DOM nodes.
//!
//! Ids live in a `WeakMap` keyed by the node, so a node keeps its id as long
//! as it exists (removed and re-inserted nodes replay as the same node) and
//! the map never keeps a removed node alive.

use std::cell::Cell;

use js_sys::WeakMap;
use tapedeck_model::node::DOCUMENT_ID;
use tapedeck_model::NodeId;
use wasm_bindgen::JsValue;
use web_sys::Node;

/// Node ids of one recording.
pub struct NodeMap {
    ids: WeakMap,
    next_id: Cell<NodeId>,
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
        }
    }

    /// The node's id, if it has been serialized.
    pub fn id_of(&self, node: &Node) -> Option<NodeId> {
        let value = self.ids.get(node.as_ref());
        value.as_f64().map(|id| id as NodeId)
    }

    /// The node's id, giving it the next free one if it has none yet.
    pub fn id_or_assign(&self, node: &Node) -> NodeId {
        if let Some(id) = self.id_of(node) {
            return id;
        }
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.ids.set(node.as_ref(), &JsValue::from(id));
        id
    }

    /// Forgets a node's id, for nodes that must be serialized afresh.
    pub fn forget(&self, node: &Node) {
        self.ids.delete(node.as_ref());
    }
}
