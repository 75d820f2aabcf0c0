//! Turning DOM nodes into rrweb's serialized nodes.
//!
//! [`describe`] decides, for one node, what is recorded of it: its kind,
//! its attributes after privacy rules and URL rewriting, and whether its
//! children are recorded. The full snapshot ([`snapshot`]) and mutation
//! adds share it, so a node looks the same whichever way it was first
//! seen.

pub mod css;
pub mod element;
pub mod privacy_scope;
pub mod snapshot;
pub mod url;

use std::cell::OnceCell;

use tapedeck_model::node::AttributeValue;
use tapedeck_model::{NodeId, SerializedNode};
use tapedeck_privacy::{mask_text, PrivacyLevel};
use wasm_bindgen::JsCast;
use web_sys::{CharacterData, Document, DocumentType, Element, Node};

use crate::dom::read::NodeRead;
use privacy_scope::MarkerSighting;

/// What is recorded of one node, owned so it can outlive the DOM call that
/// produced it.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeRecord {
    /// The document.
    Document,
    /// The doctype.
    DocumentType {
        /// Usually `html`.
        name: String,
        /// The public identifier.
        public_id: String,
        /// The system identifier.
        system_id: String,
    },
    /// An element.
    Element {
        /// Its tag name as the replayer creates it.
        tag_name: String,
        /// Its recorded attributes.
        attributes: Vec<(String, AttributeValue)>,
        /// True in the SVG namespace.
        is_svg: bool,
    },
    /// A text node.
    Text {
        /// The recorded (possibly masked) text.
        text: String,
        /// True inside `<style>`.
        is_style: bool,
    },
    /// A CDATA section.
    CData,
    /// A comment.
    Comment {
        /// The recorded (possibly masked) text.
        text: String,
    },
}

impl NodeRecord {
    /// The record as a serialized node with `id`, borrowing from `self`.
    pub fn with_id(&self, id: NodeId) -> SerializedNode<'_> {
        match self {
            Self::Document => SerializedNode::Document { id },
            Self::DocumentType {
                name,
                public_id,
                system_id,
            } => SerializedNode::DocumentType {
                id,
                name,
                public_id,
                system_id,
            },
            Self::Element {
                tag_name,
                attributes,
                is_svg,
            } => SerializedNode::Element {
                id,
                tag_name,
                attributes,
                is_svg: *is_svg,
            },
            Self::Text { text, is_style } => SerializedNode::Text {
                id,
                text,
                is_style: *is_style,
            },
            Self::CData => SerializedNode::CData { id },
            Self::Comment { text } => SerializedNode::Comment { id, text },
        }
    }
}

/// How a parent's children are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildContext {
    /// Ordinary content.
    Normal,
    /// The children of `<style>`: CSS text.
    Style,
}

/// One node's recording decision.
pub struct Description {
    /// What is recorded of the node.
    pub record: NodeRecord,
    /// The privacy level that applies inside it.
    pub level: PrivacyLevel,
    /// Whether its children are recorded.
    pub descend: bool,
    /// How its children are to be read.
    pub child_context: ChildContext,
    /// True for an element hosting an open shadow root.
    pub is_shadow_host: bool,
}

/// Everything serialization needs to know about the page.
pub struct SerializeContext<'a> {
    /// A node of the recorded document (which may be an iframe's), or the
    /// document itself: what the document's base URL is asked of.
    place: &'a Node,
    /// Where the privacy markers met are noted.
    pub markers: &'a MarkerSighting,
    /// The document's base URL, read when a reference first needs it:
    /// most mutation batches have none, and reading it costs a string
    /// across the boundary each time.
    base_url: OnceCell<String>,
    /// Whether elements' scroll offsets are read. Reading one makes the
    /// browser lay out the page first when it changed, so doing it for
    /// nodes a mutation just added would force a layout on every batch.
    /// Those offsets are zero anyway (an element loses its scroll position
    /// when it leaves the document), and a scroll after the insertion
    /// fires a scroll event, which the scroll tracker records.
    pub reads_scroll: bool,
}

impl<'a> SerializeContext<'a> {
    /// The context of `document`, which may be an iframe's.
    pub fn for_document(document: &'a Document, markers: &'a MarkerSighting) -> Self {
        Self::for_node(document.as_ref(), markers)
    }

    /// The context of the document `node` is in. Nothing about that
    /// document is read until it is needed, which for most mutations is
    /// never.
    pub fn for_node(node: &'a Node, markers: &'a MarkerSighting) -> Self {
        Self {
            place: node,
            markers,
            base_url: OnceCell::new(),
            reads_scroll: true,
        }
    }

    /// The same context, reading scroll offsets only when `reads_scroll`.
    pub fn reading_scroll(self, reads_scroll: bool) -> Self {
        Self {
            reads_scroll,
            ..self
        }
    }

    /// The document's base URL, for making references absolute.
    pub fn base_url(&self) -> &str {
        self.base_url.get_or_init(|| {
            self.place.base_uri().ok().flatten().unwrap_or_else(|| {
                let document = match crate::dom::cast::as_document(self.place) {
                    Some(document) => Some(document.clone()),
                    None => self.place.owner_document(),
                };
                document
                    .and_then(|document| document.url().ok())
                    .unwrap_or_default()
            })
        })
    }
}

/// Describes `node`, given the level and context of its parent; `None` for
/// nodes that are never recorded (sensitive metas, unknown kinds).
pub fn describe(
    context: &SerializeContext<'_>,
    node: &Node,
    parent_level: PrivacyLevel,
    parent_context: ChildContext,
) -> Option<Description> {
    let leaf = |record| Description {
        record,
        level: parent_level,
        descend: false,
        child_context: ChildContext::Normal,
        is_shadow_host: false,
    };
    match node.node_type() {
        Node::ELEMENT_NODE => {
            element::describe_element(context, node.unchecked_ref::<Element>(), parent_level)
        }
        Node::TEXT_NODE => {
            let text = node.unchecked_ref::<CharacterData>().data();
            Some(leaf(text_record(
                context,
                text,
                parent_level,
                parent_context,
            )))
        }
        Node::COMMENT_NODE => {
            let text = node.unchecked_ref::<CharacterData>().data();
            Some(leaf(comment_record(text, parent_level)))
        }
        Node::CDATA_SECTION_NODE => Some(leaf(NodeRecord::CData)),
        Node::DOCUMENT_TYPE_NODE => {
            let doctype = node.unchecked_ref::<DocumentType>();
            Some(leaf(NodeRecord::DocumentType {
                name: doctype.name(),
                public_id: doctype.public_id(),
                system_id: doctype.system_id(),
            }))
        }
        Node::DOCUMENT_NODE => Some(Description {
            record: NodeRecord::Document,
            level: parent_level,
            descend: true,
            child_context: ChildContext::Normal,
            is_shadow_host: false,
        }),
        _ => None,
    }
}

/// Describes a node from what a batched read saw of it, as [`describe`]
/// does from the node; `node` gives the node itself for the few cases that
/// need more than the read.
pub fn describe_read(
    context: &SerializeContext<'_>,
    read: NodeRead<'_>,
    node: &dyn Fn() -> Node,
    parent_level: PrivacyLevel,
    parent_context: ChildContext,
) -> Option<Description> {
    let leaf = |record| Description {
        record,
        level: parent_level,
        descend: false,
        child_context: ChildContext::Normal,
        is_shadow_host: false,
    };
    match read {
        NodeRead::Element(facts) => element::describe_element_facts(
            context,
            facts,
            &|| node().unchecked_into(),
            parent_level,
        ),
        NodeRead::Text(text) => Some(leaf(text_record(
            context,
            text.to_string(),
            parent_level,
            parent_context,
        ))),
        NodeRead::Comment(text) => Some(leaf(comment_record(text.to_string(), parent_level))),
        NodeRead::Doctype {
            name,
            public_id,
            system_id,
        } => Some(leaf(NodeRecord::DocumentType {
            name: name.to_string(),
            public_id: public_id.to_string(),
            system_id: system_id.to_string(),
        })),
        NodeRead::Document | NodeRead::Unreadable { .. } | NodeRead::Other { .. } => {
            describe(context, &node(), parent_level, parent_context)
        }
    }
}

fn comment_record(text: String, level: PrivacyLevel) -> NodeRecord {
    let text = if level.masks_text() {
        mask_text(&text)
    } else {
        text
    };
    NodeRecord::Comment { text }
}

/// The record of a text node's current text under `level`.
pub fn text_record(
    context: &SerializeContext<'_>,
    text: String,
    level: PrivacyLevel,
    parent_context: ChildContext,
) -> NodeRecord {
    match parent_context {
        ChildContext::Style => NodeRecord::Text {
            text: css::absolutify_css_urls(&text, |reference| {
                url::resolve(reference, context.base_url())
            }),
            is_style: true,
        },
        ChildContext::Normal if level.masks_text() => NodeRecord::Text {
            text: mask_text(&text),
            is_style: false,
        },
        ChildContext::Normal => NodeRecord::Text {
            text,
            is_style: false,
        },
    }
}
