//! The full snapshot: the whole document as one serialized tree.
//!
//! The walk keeps an explicit stack instead of recursing, because pages
//! nest deeper than WebAssembly's stack allows, and because a walk that
//! owns its position can later be paused between frames and resumed.

use tapedeck_model::node::DOCUMENT_ID;
use tapedeck_privacy::PrivacyLevel;
use web_sys::{Document, Node};

use super::{describe, ChildContext, NodeRecord, SerializeContext};
use crate::node_map::NodeMap;

/// An open node whose children are being written.
struct OpenNode {
    record: NodeRecord,
    id: u32,
    level: PrivacyLevel,
    child_context: ChildContext,
    next_child: Option<Node>,
    wrote_child: bool,
}

/// Writes `document` and everything recorded under it as one serialized
/// node into `out`, giving each node an id in `node_map`.
pub fn write_document(
    context: &SerializeContext<'_>,
    node_map: &NodeMap,
    document: &Document,
    global_level: PrivacyLevel,
    out: &mut Vec<u8>,
) {
    let root: &Node = document.as_ref();
    let id = node_map.id_or_assign(root);
    debug_assert_eq!(
        id, DOCUMENT_ID,
        "the document must be the first node serialized"
    );
    write_subtree(
        context,
        node_map,
        root,
        global_level,
        ChildContext::Normal,
        out,
    );
}

/// Writes `root` and its recorded descendants as one nested serialized
/// node. Returns false (and writes nothing) when `root` is not recorded.
pub fn write_subtree(
    context: &SerializeContext<'_>,
    node_map: &NodeMap,
    root: &Node,
    parent_level: PrivacyLevel,
    parent_context: ChildContext,
    out: &mut Vec<u8>,
) -> bool {
    let Some(description) = describe(context, root, parent_level, parent_context) else {
        return false;
    };
    let mut stack = vec![open(node_map, root, description, out)];

    while let Some(top) = stack.last_mut() {
        let Some(child) = top.next_child.take() else {
            let done = stack
                .pop()
                .expect("the loop only runs with a node on the stack");
            done.record.with_id(done.id).write_close(out);
            continue;
        };
        top.next_child = child.next_sibling();

        let Some(description) = describe(context, &child, top.level, top.child_context) else {
            continue;
        };
        if top.wrote_child {
            out.push(b',');
        }
        top.wrote_child = true;
        stack.push(open(node_map, &child, description, out));
    }
    true
}

fn open(
    node_map: &NodeMap,
    node: &Node,
    description: super::Description,
    out: &mut Vec<u8>,
) -> OpenNode {
    let id = node_map.id_or_assign(node);
    description.record.with_id(id).write_open(out);
    OpenNode {
        next_child: if description.descend {
            node.first_child()
        } else {
            None
        },
        record: description.record,
        id,
        level: description.level,
        child_context: description.child_context,
        wrote_child: false,
    }
}
