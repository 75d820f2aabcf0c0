//! Serializing a subtree: the whole document for a full snapshot, one
//! iframe's document when it is attached, or an added node's subtree.
//!
//! The walk keeps an explicit stack instead of recursing, because pages
//! nest deeper than WebAssembly's stack allows, and because a walk that
//! owns its position can later be paused between frames and resumed.
//!
//! An element's open shadow root is walked after its light children, its
//! children marked `isShadow`, as rrweb's replayer expects. Shadow roots and
//! iframes met on the way are collected in [`Walk::discovered`], so the
//! caller can start observing them.

use tapedeck_model::node::Placement;
use tapedeck_model::NodeId;
use tapedeck_privacy::PrivacyLevel;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, Node, ShadowRoot};

use super::{describe, ChildContext, Description, NodeRecord, SerializeContext};
use crate::node_map::NodeMap;

/// A root found during a walk that needs observers of its own.
pub enum Discovered {
    /// An open shadow root, with mutations and scrolls of its own.
    ShadowRoot(ShadowRoot),
    /// An iframe whose document (if readable) is serialized separately.
    Iframe(HtmlIFrameElement),
    /// A same-origin iframe's document, recorded and to be followed.
    IframeDocument(Document),
}

/// Where a walk starts from: the level and content kind of the parent of
/// its root, and whether the root is a direct shadow child.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// The privacy level in force at the root's parent.
    pub level: PrivacyLevel,
    /// How the root's parent reads its children.
    pub child_context: ChildContext,
    /// True when the root is a direct child of a shadow root.
    pub is_shadow: bool,
}

/// One walk over one document's nodes.
pub struct Walk<'a> {
    /// The page facts serialization needs.
    pub context: &'a SerializeContext<'a>,
    /// Where ids come from.
    pub node_map: &'a NodeMap,
    /// The iframe document's id, for nodes outside the top document.
    pub root_id: Option<NodeId>,
    /// Shadow roots and iframes met so far.
    pub discovered: Vec<Discovered>,
}

/// An open node whose children are being written.
struct OpenNode {
    record: NodeRecord,
    id: NodeId,
    level: PrivacyLevel,
    child_context: ChildContext,
    next_child: Option<Node>,
    shadow_root: Option<ShadowRoot>,
    in_shadow: bool,
    wrote_child: bool,
}

/// Where a walk stands: the open nodes from the root down, so a walk can
/// stop between two nodes and go on later.
#[derive(Default)]
pub struct Cursor {
    stack: Vec<OpenNode>,
    skip_recorded: bool,
}

impl Cursor {
    /// True when the whole subtree has been written.
    pub fn is_done(&self) -> bool {
        self.stack.is_empty()
    }

    /// Makes the walk pass over nodes that already have an id. A snapshot
    /// taken in slices needs this: a node moved out of the part already
    /// written into the part still ahead must not be written twice (the
    /// move is sent as a mutation after the snapshot).
    pub fn skipping_recorded(mut self) -> Self {
        self.skip_recorded = true;
        self
    }
}

impl Walk<'_> {
    /// Writes `root` and everything recorded under it as one nested
    /// serialized node. Returns false (and writes nothing) when `root` is
    /// not recorded.
    pub fn write_subtree(&mut self, root: &Node, scope: Scope, out: &mut Vec<u8>) -> bool {
        let Some(mut cursor) = self.begin(root, scope, out) else {
            return false;
        };
        self.advance(&mut cursor, out, || false);
        true
    }

    /// Opens `root`; `None` (and nothing written) when it is not recorded.
    pub fn begin(&mut self, root: &Node, scope: Scope, out: &mut Vec<u8>) -> Option<Cursor> {
        let description = describe(self.context, root, scope.level, scope.child_context)?;
        let first = self.open(root, description, scope.is_shadow, out);
        Some(Cursor {
            stack: vec![first],
            skip_recorded: false,
        })
    }

    /// Writes nodes until the subtree is done or `should_pause` (asked
    /// between nodes) says to stop; the cursor then says where to go on.
    pub fn advance(
        &mut self,
        cursor: &mut Cursor,
        out: &mut Vec<u8>,
        mut should_pause: impl FnMut() -> bool,
    ) {
        let stack = &mut cursor.stack;
        while let Some(top) = stack.last_mut() {
            let child = match top.next_child.take() {
                Some(child) => child,
                None => match top.shadow_root.take() {
                    // Light children are done; the shadow children follow.
                    Some(shadow_root) => {
                        top.in_shadow = true;
                        top.next_child = shadow_root.first_child();
                        continue;
                    }
                    None => {
                        let done = stack
                            .pop()
                            .expect("the loop only runs with a node on the stack");
                        done.record.with_id(done.id).write_close(out);
                        continue;
                    }
                },
            };
            top.next_child = child.next_sibling();

            if cursor.skip_recorded && self.node_map.id_of(&child).is_some() {
                continue;
            }
            let Some(description) = describe(self.context, &child, top.level, top.child_context)
            else {
                continue;
            };
            if top.wrote_child {
                out.push(b',');
            }
            top.wrote_child = true;
            let is_shadow = top.in_shadow;
            let opened = self.open(&child, description, is_shadow, out);
            stack.push(opened);

            if should_pause() {
                return;
            }
        }
    }

    /// Writes one node (without children) as mutation adds carry it, and
    /// returns its id and description, or `None` when it is not recorded.
    pub fn write_leaf(
        &mut self,
        node: &Node,
        scope: Scope,
        out: &mut Vec<u8>,
    ) -> Option<(NodeId, Description)> {
        let description = describe(self.context, node, scope.level, scope.child_context)?;
        let id = self.node_map.id_or_assign(node);
        let placement = self.placement(node, &description, scope.is_shadow);
        description.record.with_id(id).write_leaf(&placement, out);
        Some((id, description))
    }

    fn open(
        &mut self,
        node: &Node,
        description: Description,
        is_shadow: bool,
        out: &mut Vec<u8>,
    ) -> OpenNode {
        let id = self.node_map.id_or_assign(node);
        let placement = self.placement(node, &description, is_shadow);
        description.record.with_id(id).write_open(&placement, out);

        let shadow_root = if placement.is_shadow_host {
            node.unchecked_ref::<Element>().shadow_root()
        } else {
            None
        };
        OpenNode {
            next_child: if description.descend {
                node.first_child()
            } else {
                None
            },
            shadow_root,
            in_shadow: false,
            record: description.record,
            id,
            level: description.level,
            child_context: description.child_context,
            wrote_child: false,
        }
    }

    /// The node's placement, noting shadow roots and iframes to observe.
    fn placement(&mut self, node: &Node, description: &Description, is_shadow: bool) -> Placement {
        // An iframe's document node itself carries no `rootId`: the
        // replayer would wait for that id, which is the node's own.
        let is_document = node.node_type() == Node::DOCUMENT_NODE;
        let mut placement = Placement {
            is_shadow,
            root_id: self.root_id.filter(|_| !is_document),
            is_shadow_host: false,
        };
        let NodeRecord::Element { tag_name, .. } = &description.record else {
            return placement;
        };
        let element = node.unchecked_ref::<Element>();
        if description.descend && description.is_shadow_host {
            if let Some(shadow_root) = element.shadow_root() {
                placement.is_shadow_host = true;
                self.discovered.push(Discovered::ShadowRoot(shadow_root));
            }
        }
        if tag_name == "iframe" && description.level != PrivacyLevel::Hidden {
            self.discovered
                .push(Discovered::Iframe(node.clone().unchecked_into()));
        }
        placement
    }
}

/// The scope of a document's top: no parent level but the page's own.
pub fn document_scope(level: PrivacyLevel) -> Scope {
    Scope {
        level,
        child_context: ChildContext::Normal,
        is_shadow: false,
    }
}
