//! Serialized DOM nodes in rrweb's v2 snapshot shape, written as JSON.
//!
//! A full snapshot of a large page holds hundreds of thousands of nodes, so
//! nodes are written straight into a byte buffer instead of being collected
//! into a tree first: the serializer opens a node with
//! [`SerializedNode::write_open`], writes its children, and closes it with
//! [`SerializedNode::write_close`]. Mutation adds carry one node without its
//! children, written with [`SerializedNode::write_leaf`].

/// The id the recorder gives a node; later events refer to nodes by it.
/// The document is always 1.
pub type NodeId = u32;

/// The id of the document node in every recording.
pub const DOCUMENT_ID: NodeId = 1;

/// An attribute value as the replayer expects it: most are strings, form
/// state is boolean and scroll offsets are numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    /// An ordinary attribute, or a derived one such as `_cssText`.
    Text(String),
    /// `checked` or `selected`; only written when true.
    Flag(bool),
    /// `rr_scrollLeft` and `rr_scrollTop`.
    Number(f64),
}

/// Where a node sits, beyond its parent: inside a shadow root, inside an
/// iframe's document. The replayer needs these to put the node back in the
/// right tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    /// The element hosts an open shadow root; its shadow children follow
    /// its light children, marked with `is_shadow`.
    pub is_shadow_host: bool,
    /// The node is a direct child of a shadow root.
    pub is_shadow: bool,
    /// The id of the iframe document the node belongs to; `None` in the
    /// top document.
    pub root_id: Option<NodeId>,
}

impl Placement {
    fn write(&self, out: &mut Vec<u8>) {
        if self.is_shadow_host {
            write_raw(out, ",\"isShadowHost\":true");
        }
        if self.is_shadow {
            write_raw(out, ",\"isShadow\":true");
        }
        if let Some(root_id) = self.root_id {
            write_raw(out, ",\"rootId\":");
            write_u32(out, root_id);
        }
    }
}

/// One node, without its children, ready to be written as JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum SerializedNode<'a> {
    /// The document itself.
    Document {
        /// Always [`DOCUMENT_ID`] for the main document.
        id: NodeId,
    },
    /// `<!DOCTYPE …>`.
    DocumentType {
        /// The node's id.
        id: NodeId,
        /// Usually `html`.
        name: &'a str,
        /// The public identifier, often empty.
        public_id: &'a str,
        /// The system identifier, often empty.
        system_id: &'a str,
    },
    /// An element with its recorded attributes.
    Element {
        /// The node's id.
        id: NodeId,
        /// Lower-case for HTML, as written for SVG.
        tag_name: &'a str,
        /// Attributes in document order, plus derived ones.
        attributes: &'a [(String, AttributeValue)],
        /// True for elements in the SVG namespace, so the replayer creates
        /// them with `createElementNS`.
        is_svg: bool,
    },
    /// A text node. Inside `<style>` the text is the (rewritten) CSS.
    Text {
        /// The node's id.
        id: NodeId,
        /// The text as recorded (masked when privacy demands it).
        text: &'a str,
        /// True when the parent is a `<style>` element.
        is_style: bool,
    },
    /// A CDATA section (XML documents only); its text is not kept.
    CData {
        /// The node's id.
        id: NodeId,
    },
    /// A comment.
    Comment {
        /// The node's id.
        id: NodeId,
        /// The comment's text.
        text: &'a str,
    },
}

impl SerializedNode<'_> {
    /// The node's id.
    pub fn id(&self) -> NodeId {
        match self {
            Self::Document { id }
            | Self::DocumentType { id, .. }
            | Self::Element { id, .. }
            | Self::Text { id, .. }
            | Self::CData { id }
            | Self::Comment { id, .. } => *id,
        }
    }

    /// True for the node kinds that carry `childNodes`.
    pub fn has_children_list(&self) -> bool {
        matches!(self, Self::Document { .. } | Self::Element { .. })
    }

    /// Writes the node up to its children: for a document or element this
    /// leaves `"childNodes":[` open and [`Self::write_close`] must follow;
    /// any other node is written whole.
    ///
    /// In a snapshot the id goes last, after the children, as rrweb writes
    /// it: the compressor then finds `{"type":2,"tagName":"div",
    /// "attributes":{` and `]},"id":` as long repeated strings, where an id
    /// between the type and the tag name would break every node's prefix in
    /// two. On a typical page this makes the compressed snapshot about 3%
    /// smaller.
    pub fn write_open(&self, placement: &Placement, out: &mut Vec<u8>) {
        self.write_fields(placement, IdAt::End, out);
    }

    /// Closes what [`Self::write_open`] left open; a no-op for leaf kinds.
    pub fn write_close(&self, out: &mut Vec<u8>) {
        if self.has_children_list() {
            write_children_end(self.id(), out);
        }
    }

    /// Writes the node whole, with an empty `childNodes` list, as mutation
    /// adds carry it.
    ///
    /// Here the id comes first. An add is followed by the adds of its
    /// children, whose `parentId` is this id; written last, the id would
    /// sit next to that `parentId` and cut the constant text around both
    /// into more pieces. Measured on the benchmark's mutation-heavy page,
    /// id-last adds compress about 10% larger.
    pub fn write_leaf(&self, placement: &Placement, out: &mut Vec<u8>) {
        self.write_fields(placement, IdAt::Start, out);
        if self.has_children_list() {
            write_raw(out, "]}");
        }
    }

    fn write_fields(&self, placement: &Placement, id_at: IdAt, out: &mut Vec<u8>) {
        let kind = match self {
            Self::Document { .. } => "{\"type\":0",
            Self::DocumentType { .. } => "{\"type\":1",
            Self::Element { .. } => "{\"type\":2",
            Self::Text { .. } => "{\"type\":3",
            Self::CData { .. } => "{\"type\":4",
            Self::Comment { .. } => "{\"type\":5",
        };
        write_raw(out, kind);
        if id_at == IdAt::Start {
            write_raw(out, ",\"id\":");
            write_u32(out, self.id());
        }
        match self {
            Self::Document { .. } => {}
            Self::CData { .. } => write_raw(out, ",\"textContent\":\"\""),
            Self::DocumentType {
                name,
                public_id,
                system_id,
                ..
            } => {
                write_raw(out, ",\"name\":");
                write_str(out, name);
                write_raw(out, ",\"publicId\":");
                write_str(out, public_id);
                write_raw(out, ",\"systemId\":");
                write_str(out, system_id);
            }
            Self::Element {
                tag_name,
                attributes,
                is_svg,
                ..
            } => {
                write_raw(out, ",\"tagName\":");
                write_str(out, tag_name);
                write_raw(out, ",\"attributes\":{");
                for (index, (name, value)) in attributes.iter().enumerate() {
                    if index > 0 {
                        out.push(b',');
                    }
                    write_str(out, name);
                    out.push(b':');
                    write_attribute_value(out, value);
                }
                out.push(b'}');
                if *is_svg {
                    write_raw(out, ",\"isSVG\":true");
                }
            }
            Self::Text { text, is_style, .. } => {
                write_raw(out, ",\"textContent\":");
                write_str(out, text);
                if *is_style {
                    write_raw(out, ",\"isStyle\":true");
                }
            }
            Self::Comment { text, .. } => {
                write_raw(out, ",\"textContent\":");
                write_str(out, text);
            }
        }
        placement.write(out);
        if self.has_children_list() {
            write_raw(out, ",\"childNodes\":[");
        } else if id_at == IdAt::End {
            write_id_and_end(self.id(), out);
        } else {
            out.push(b'}');
        }
    }
}

/// Where a node's id is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum IdAt {
    /// Right after the type (mutation adds).
    Start,
    /// After everything else, children included (snapshots).
    End,
}

/// Closes the `childNodes` list of the document or element `id`, which
/// [`SerializedNode::write_open`] left open, and the node with its id. A
/// walk that keeps only the ids of the nodes it has open closes them with
/// this.
pub fn write_children_end(id: NodeId, out: &mut Vec<u8>) {
    out.push(b']');
    write_id_and_end(id, out);
}

fn write_id_and_end(id: NodeId, out: &mut Vec<u8>) {
    write_raw(out, ",\"id\":");
    write_u32(out, id);
    out.push(b'}');
}

fn write_attribute_value(out: &mut Vec<u8>, value: &AttributeValue) {
    match value {
        AttributeValue::Text(text) => write_str(out, text),
        AttributeValue::Flag(true) => write_raw(out, "true"),
        AttributeValue::Flag(false) => write_raw(out, "false"),
        AttributeValue::Number(number) => write_f64(out, *number),
    }
}

/// Appends `text` verbatim; the caller guarantees it is valid JSON there.
pub fn write_raw(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
}

/// Appends `text` as a quoted, escaped JSON string.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..index]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{byte:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends an unsigned integer.
pub fn write_u32(out: &mut Vec<u8>, value: u32) {
    write_u64(out, value.into());
}

/// Appends an unsigned integer's decimal digits. Ids and timestamps are
/// written for every node and event, so this avoids the formatting
/// machinery and its allocation.
fn write_u64(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Appends a number; whole numbers are written without a fraction and
/// non-finite values (which JSON cannot hold) as 0.
pub fn write_f64(out: &mut Vec<u8>, value: f64) {
    if !value.is_finite() {
        out.push(b'0');
    } else if value.fract() == 0.0 && value.abs() < 9e15 {
        if value < 0.0 {
            out.push(b'-');
        }
        write_u64(out, value.abs() as u64);
    } else {
        out.extend_from_slice(value.to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(node: &SerializedNode<'_>) -> serde_json::Value {
        let mut out = Vec::new();
        node.write_leaf(&Placement::default(), &mut out);
        serde_json::from_slice(&out).expect("the writer must produce valid JSON")
    }

    #[test]
    fn element_is_written_in_rrweb_shape() {
        let attributes = vec![
            ("class".to_string(), AttributeValue::Text("a \"b\"".into())),
            ("checked".to_string(), AttributeValue::Flag(true)),
            ("rr_scrollTop".to_string(), AttributeValue::Number(12.5)),
        ];
        let node = SerializedNode::Element {
            id: 7,
            tag_name: "circle",
            attributes: &attributes,
            is_svg: true,
        };
        assert_eq!(
            written(&node),
            serde_json::json!({
                "type": 2, "id": 7, "tagName": "circle",
                "attributes": {"class": "a \"b\"", "checked": true, "rr_scrollTop": 12.5},
                "isSVG": true, "childNodes": []
            })
        );
    }

    #[test]
    fn mutation_adds_carry_the_id_right_after_the_type() {
        let attributes = vec![("class".to_owned(), AttributeValue::Text("row".into()))];
        let mut out = Vec::new();
        SerializedNode::Element {
            id: 41,
            tag_name: "div",
            attributes: &attributes,
            is_svg: false,
        }
        .write_leaf(&Placement::default(), &mut out);
        SerializedNode::Text {
            id: 42,
            text: "x",
            is_style: false,
        }
        .write_leaf(&Placement::default(), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"type":2,"id":41,"tagName":"div","attributes":{"class":"row"},"childNodes":[]}{"type":3,"id":42,"textContent":"x"}"#
        );
    }

    #[test]
    fn snapshot_ids_come_after_everything_else_so_node_prefixes_repeat() {
        let attributes = vec![("class".to_owned(), AttributeValue::Text("row".into()))];
        let mut out = Vec::new();
        for id in [41, 42] {
            let element = SerializedNode::Element {
                id,
                tag_name: "div",
                attributes: &attributes,
                is_svg: false,
            };
            element.write_open(&Placement::default(), &mut out);
            SerializedNode::Text {
                id: id + 100,
                text: "x",
                is_style: false,
            }
            .write_open(&Placement::default(), &mut out);
            element.write_close(&mut out);
        }
        let prefix = r#"{"type":2,"tagName":"div","attributes":{"class":"row"},"childNodes":[{"type":3,"textContent":"x","id":"#;
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{prefix}141}}],\"id\":41}}{prefix}142}}],\"id\":42}}")
        );
    }

    #[test]
    fn control_characters_and_unicode_survive_escaping() {
        let text = "line\nnext\u{1}tab\t\u{e9}\u{1f600}";
        let node = SerializedNode::Text {
            id: 3,
            text,
            is_style: false,
        };
        assert_eq!(written(&node)["textContent"], text);
    }

    #[test]
    fn open_and_close_nest_children() {
        let mut out = Vec::new();
        let document = SerializedNode::Document { id: DOCUMENT_ID };
        document.write_open(&Placement::default(), &mut out);
        let in_iframe = Placement {
            is_shadow: true,
            root_id: Some(9),
            ..Placement::default()
        };
        SerializedNode::Comment { id: 2, text: "hi" }.write_open(&in_iframe, &mut out);
        document.write_close(&mut out);
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["childNodes"][0]["textContent"], "hi");
        assert_eq!(value["childNodes"][0]["isShadow"], true);
        assert_eq!(value["childNodes"][0]["rootId"], 9);
        assert_eq!(value["type"], 0);
    }

    #[test]
    fn numbers_are_written_without_needless_fractions() {
        let mut out = Vec::new();
        write_f64(&mut out, 40.0);
        out.push(b' ');
        write_f64(&mut out, f64::NAN);
        assert_eq!(out, b"40 0");
    }

    #[test]
    fn integers_are_written_in_full() {
        let mut out = Vec::new();
        for value in [0, 7, 10, 4_294_967_295] {
            write_u32(&mut out, value);
            out.push(b' ');
        }
        write_f64(&mut out, -1_733_302_800_123.0);
        out.push(b' ');
        write_f64(&mut out, 12.5);
        assert_eq!(out, b"0 7 10 4294967295 -1733302800123 12.5".as_slice());
    }
}
