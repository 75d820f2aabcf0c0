//! Serializing a subtree: the whole document for a full snapshot, one
//! iframe's document when it is attached, or an added node's subtree.
//!
//! The DOM is read in batches by [`SubtreeReader`]: one call across the
//! boundary per batch of nodes, instead of several per node, which is what
//! a snapshot's time went to. What is recorded of each node, its id and
//! its privacy are decided here, from what the reader saw. The walk keeps
//! an explicit stack instead of recursing, because pages nest deeper than
//! WebAssembly's stack allows, and because a walk that owns its position
//! can be paused between frames and resumed.
//!
//! An element's open shadow root is walked after its light children, its
//! children marked `isShadow`, as rrweb's replayer expects. Shadow roots and
//! iframes met on the way are collected in [`Walk::discovered`], so the
//! caller can start observing them.

use tapedeck_model::node::{write_children_end, write_raw, write_u32, Placement};
use tapedeck_model::NodeId;
use tapedeck_privacy::PrivacyLevel;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, Node, ShadowRoot};

use super::{describe_read, ChildContext, Description, NodeRecord, SerializeContext};
use crate::dom::read::{NodeRead, SubtreeReader, Token, Tokens};
use crate::dom::scrollable;
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

/// How many nodes the reader reads per call: enough that the calls cost
/// little, few enough that a sliced walk can stop on time.
const BATCH_NODES: u32 = 128;

/// A node the reader has opened, whose children (and perhaps shadow
/// children) are being read.
struct OpenNode {
    /// Its id (meaningless when it is not recorded).
    id: NodeId,
    /// False when the node is not recorded: nothing inside it is either.
    recorded: bool,
    /// Whether its children are recorded.
    descend: bool,
    /// The privacy level inside it.
    level: PrivacyLevel,
    /// How its children are read.
    child_context: ChildContext,
    /// True once the reader has moved on to its shadow root's children.
    in_shadow: bool,
    /// True once a child has been written (the next needs a comma).
    wrote_child: bool,
}

/// Where a walk stands: the reader's place in the DOM and the open nodes
/// from the root down, so a walk can stop between two batches and go on
/// later.
pub struct Cursor {
    reader: SubtreeReader,
    stack: Vec<OpenNode>,
    scope: Scope,
    started: bool,
    adds: Option<AddsOutput>,
}

/// How a walk writes a subtree as the `adds` of a Mutation event: one add
/// per node, each node without its children, parents before children.
///
/// Every node below the root goes into a parent the replayer has just
/// created empty, so appending the children in document order (`nextId`
/// null) rebuilds it exactly; only the root needs a real `nextId`.
struct AddsOutput {
    /// The id of the root's parent.
    parent_id: NodeId,
    /// The id of the node the root goes before, if any.
    next_id: Option<NodeId>,
    /// Ids of the nodes written, in order.
    written: Vec<NodeId>,
}

impl Cursor {
    /// True when the whole subtree has been written.
    pub fn is_done(&self) -> bool {
        self.started && self.stack.is_empty()
    }

    /// Makes the walk pass over nodes that already have an id. A snapshot
    /// taken in slices needs this: a node moved out of the part already
    /// written into the part still ahead must not be written twice (the
    /// move is sent as a mutation after the snapshot).
    pub fn skipping_recorded(self) -> Self {
        self.reader.set_skip_recorded(true);
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
        let cursor = self.new_cursor(root, scope, None);
        self.begin_with(cursor, out)
    }

    /// Writes `root` and everything recorded under it as the `adds` of a
    /// Mutation event (comma-separated, without brackets), the root going
    /// into `parent_id` before `next_id`. Returns the ids written, in
    /// order; none (and nothing written) when `root` is not recorded.
    pub fn write_adds(
        &mut self,
        root: &Node,
        scope: Scope,
        parent_id: NodeId,
        next_id: Option<NodeId>,
        out: &mut Vec<u8>,
    ) -> Vec<NodeId> {
        let adds = AddsOutput {
            parent_id,
            next_id,
            written: Vec::new(),
        };
        let cursor = self.new_cursor(root, scope, Some(adds));
        let Some(mut cursor) = self.begin_with(cursor, out) else {
            return Vec::new();
        };
        self.advance(&mut cursor, out, || false);
        cursor.adds.map(|adds| adds.written).unwrap_or_default()
    }

    fn new_cursor(&self, root: &Node, scope: Scope, adds: Option<AddsOutput>) -> Cursor {
        let reads_scroll = self.context.reads_scroll;
        let scrollable = reads_scroll.then(|| scrollable::candidates(root)).flatten();
        Cursor {
            reader: SubtreeReader::new(
                root,
                self.node_map.ids(),
                false,
                reads_scroll,
                scrollable.as_ref(),
            ),
            stack: Vec::new(),
            scope,
            started: false,
            adds,
        }
    }

    fn begin_with(&mut self, mut cursor: Cursor, out: &mut Vec<u8>) -> Option<Cursor> {
        // The first batch is written aside: nothing is written when the
        // root turns out not to be recorded (nothing inside it is then).
        let mut written = Vec::new();
        self.write_batch(&mut cursor, BATCH_NODES, &mut written);
        let root_recorded = cursor
            .stack
            .first()
            .map_or(!written.is_empty(), |root| root.recorded);
        if !root_recorded {
            return None;
        }
        out.extend_from_slice(&written);
        Some(cursor)
    }

    /// Writes nodes until the subtree is done or `should_pause` (asked
    /// between batches of nodes) says to stop; the cursor then says where
    /// to go on.
    pub fn advance(
        &mut self,
        cursor: &mut Cursor,
        out: &mut Vec<u8>,
        mut should_pause: impl FnMut() -> bool,
    ) {
        while !cursor.is_done() {
            self.write_batch(cursor, BATCH_NODES, out);
            if should_pause() {
                return;
            }
        }
    }

    /// Reads the next batch of at most `budget` nodes and writes what is
    /// recorded of them.
    fn write_batch(&mut self, cursor: &mut Cursor, budget: u32, out: &mut Vec<u8>) {
        let batch = cursor.reader.read(budget);
        cursor.started = true;
        // Ids given in this batch, as (node index, id) pairs, stored in
        // one call at the end.
        let mut new_ids = Vec::new();
        for token in Tokens::new(&batch) {
            match token {
                Token::Shadow => {
                    if let Some(top) = cursor.stack.last_mut() {
                        top.in_shadow = true;
                    }
                }
                Token::Close => {
                    let done = cursor
                        .stack
                        .pop()
                        .expect("the reader closes only nodes it opened");
                    if done.recorded && cursor.adds.is_none() {
                        write_children_end(done.id, out);
                    }
                }
                Token::Node { index, known, read } => {
                    let opens = read.opens();
                    let written =
                        self.write_read_node(cursor, index, known, read, &mut new_ids, out);
                    if opens {
                        cursor.stack.push(written.unwrap_or(OpenNode {
                            id: 0,
                            recorded: false,
                            descend: false,
                            level: PrivacyLevel::Hidden,
                            child_context: ChildContext::Normal,
                            in_shadow: false,
                            wrote_child: false,
                        }));
                    }
                }
            }
        }
        if !new_ids.is_empty() {
            cursor.reader.store_ids(self.node_map.ids(), &new_ids);
        }
    }

    /// Writes one node the reader saw, when it is recorded, and returns
    /// what its children need to know.
    fn write_read_node(
        &mut self,
        cursor: &mut Cursor,
        index: u32,
        known: Option<NodeId>,
        read: NodeRead<'_>,
        new_ids: &mut Vec<u32>,
        out: &mut Vec<u8>,
    ) -> Option<OpenNode> {
        let (level, child_context, is_shadow) = match cursor.stack.last() {
            Some(parent) if !(parent.recorded && parent.descend) => return None,
            Some(parent) => (parent.level, parent.child_context, parent.in_shadow),
            None => (
                cursor.scope.level,
                cursor.scope.child_context,
                cursor.scope.is_shadow,
            ),
        };
        let reader = &cursor.reader;
        let node = || reader.node(index);
        let description = describe_read(self.context, read, &node, level, child_context)?;

        let id = known.unwrap_or_else(|| {
            let id = self.node_map.reserve_id();
            new_ids.extend([index, id]);
            id
        });
        let placement = self.placement(&node, &description, is_shadow);
        let serialized = description.record.with_id(id);
        match &mut cursor.adds {
            Some(adds) => {
                if !adds.written.is_empty() {
                    out.push(b',');
                }
                adds.written.push(id);
                let (parent_id, next_id) = match cursor.stack.last() {
                    Some(parent) => (parent.id, None),
                    None => (adds.parent_id, adds.next_id),
                };
                write_raw(out, "{\"parentId\":");
                write_u32(out, parent_id);
                write_raw(out, ",\"nextId\":");
                match next_id {
                    Some(next_id) => write_u32(out, next_id),
                    None => write_raw(out, "null"),
                }
                write_raw(out, ",\"node\":");
                serialized.write_leaf(&placement, out);
                out.push(b'}');
            }
            None => {
                if let Some(parent) = cursor.stack.last_mut() {
                    if parent.wrote_child {
                        out.push(b',');
                    }
                    parent.wrote_child = true;
                }
                serialized.write_open(&placement, out);
            }
        }
        if !serialized.has_children_list() {
            return None;
        }
        Some(OpenNode {
            id,
            recorded: true,
            descend: description.descend,
            level: description.level,
            child_context: description.child_context,
            in_shadow: false,
            wrote_child: false,
        })
    }

    /// The node's placement, noting shadow roots and iframes to observe;
    /// `node` gives the node itself, which only those need.
    fn placement(
        &mut self,
        node: &dyn Fn() -> Node,
        description: &Description,
        is_shadow: bool,
    ) -> Placement {
        // An iframe's document node itself carries no `rootId`: the
        // replayer would wait for that id, which is the node's own.
        let is_document = description.record == NodeRecord::Document;
        let mut placement = Placement {
            is_shadow,
            root_id: self.root_id.filter(|_| !is_document),
            is_shadow_host: false,
        };
        let NodeRecord::Element { tag_name, .. } = &description.record else {
            return placement;
        };
        if description.descend && description.is_shadow_host {
            if let Some(shadow_root) = node().unchecked_into::<Element>().shadow_root() {
                placement.is_shadow_host = true;
                self.discovered.push(Discovered::ShadowRoot(shadow_root));
            }
        }
        if tag_name == "iframe" && description.level != PrivacyLevel::Hidden {
            self.discovered
                .push(Discovered::Iframe(node().unchecked_into()));
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
