//! Reading an element's facts in one call.
//!
//! Every call from WebAssembly into the DOM, and every string it returns,
//! has a fixed cost; for a snapshot of 100,000 elements those costs are
//! most of the time. So the facts the serializer needs about an element —
//! its namespace, local name, scroll offsets and attributes — come back in
//! one call as one string, split here. The reading is all this glue does;
//! what to record of the facts is decided in Rust.

use tapedeck_model::NodeId;
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::Element;

#[wasm_bindgen(inline_js = "
const SVG = 'http://www.w3.org/2000/svg';
// How `read_element` treats scroll offsets: not read; read; read when
// the element is a scroll container by default (the root and body, form
// controls with an inner scroller, modal dialogs, marquees) or its inline
// style sets an overflow (see `crate::dom::scrollable`).
const NO_SCROLL = 0;
const SCROLL = 1;
const SCROLL_IF_DEFAULT = 2;
const SCROLLABLE_TAGS = new Set(['html', 'body', 'textarea', 'select', 'input', 'dialog',
  'marquee']);
const OVERFLOW = /overflow/i;
// Attributes are read by name: `element.attributes[i]` makes Blink create
// an Attr node for each attribute, which costs more than the rest of the
// read on freshly parsed or added elements.
export function read_element(element, scroll) {
  const names = element.getAttributeNames();
  const svg = element.namespaceURI === SVG;
  const name = element.localName;
  let attributes = '';
  let inlineOverflow = false;
  for (let index = 0; index < names.length; index++) {
    const value = element.getAttribute(names[index]);
    // A name getAttribute cannot find (an upper-case name set through
    // setAttributeNS on an HTML element), or a NUL inside a value, which
    // would break the split: such elements are read attribute by attribute.
    if (value === null || value.indexOf('\\u0000') !== -1) return null;
    if (scroll === SCROLL_IF_DEFAULT && names[index] === 'style' && OVERFLOW.test(value)) {
      inlineOverflow = true;
    }
    attributes += '\\u0000' + names[index] + '\\u0000' + value;
  }
  // Reading a scroll offset costs Blink a layout check; SVG elements
  // have none to give.
  const scrolls = !svg && (scroll === SCROLL ||
    (scroll === SCROLL_IF_DEFAULT && (inlineOverflow || SCROLLABLE_TAGS.has(name))));
  return (svg ? 's' : 'h') + (element.shadowRoot ? '+' : '-') + '\\u0000' + name +
    '\\u0000' + (scrolls ? element.scrollLeft : 0) + '\\u0000' + (scrolls ? element.scrollTop : 0) +
    '\\u0000' + names.length + attributes;
}
export function id_in(map, node) {
  const id = map.get(node);
  return id === undefined ? -1 : id;
}
export function assign_id(map, node, next) {
  const id = map.get(node);
  if (id !== undefined) return id;
  map.set(node, next);
  return next;
}
// Walks a subtree in document order, a batch of nodes per call, and
// returns what each node is as one string of NUL-terminated fields (see
// `Token`). It keeps its place as live nodes (the next child of each open
// node), so a walk paused between batches follows changes to the part
// still ahead. Light children come first, then an open shadow root's.
//
// Scroll offsets are read (`withScroll`) of the elements in `scrollable`
// (all when it is null), of those scrollable by default or by an inline
// style, and of every element a shadow tree's styles can reach: inside
// one, its host and the host's light children.
export class SubtreeReader {
  constructor(root, ids, skipRecorded, withScroll, scrollable) {
    this.root = root;
    this.ids = ids;
    this.skipRecorded = skipRecorded;
    this.withScroll = withScroll;
    this.scrollable = scrollable === undefined ? null : scrollable;
    this.stack = [];
    this.nodes = [];
    this.started = false;
  }
  read(budget) {
    this.nodes = [];
    const stack = this.stack;
    let out = '';
    if (!this.started) {
      this.started = true;
      const root = this.root;
      const inShadow = this.withScroll && root.getRootNode().nodeType === 11;
      out = this.emit(root, out, inShadow, inShadow);
      budget--;
    }
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const child = top.next;
      if (child === null) {
        if (top.shadow !== null) {
          top.next = top.shadow.firstChild;
          top.shadow = null;
          top.childrenInShadow = true;
          out += 'S\\u0000';
        } else {
          stack.pop();
          out += ')\\u0000';
        }
        continue;
      }
      if (budget <= 0) break;
      top.next = child.nextSibling;
      if (this.skipRecorded && this.ids.has(child)) continue;
      out = this.emit(child, out, top.childrenInShadow, top.childrenInShadow || top.hosts);
      budget--;
    }
    return out;
  }
  // `inShadow`: the node is in a shadow tree; `styledByShadow`: a shadow
  // tree's styles may reach it.
  emit(node, out, inShadow, styledByShadow) {
    this.nodes.push(node);
    const known = this.ids.get(node);
    const id = known === undefined ? '' : known;
    const type = node.nodeType;
    if (type === 1) {
      const shadow = node.shadowRoot;
      this.stack.push({ next: node.firstChild, shadow, hosts: shadow !== null,
        childrenInShadow: inShadow });
      const scroll = !this.withScroll ? NO_SCROLL
        : this.scrollable === null || styledByShadow || shadow !== null ||
          this.scrollable.has(node) ? SCROLL : SCROLL_IF_DEFAULT;
      const facts = read_element(node, scroll);
      return facts === null ? out + 'N\\u0000' + id + '\\u00001\\u0000'
        : out + 'E\\u0000' + id + '\\u0000' + facts + '\\u0000';
    }
    if (type === 3 || type === 8) {
      const data = node.data;
      if (data.indexOf('\\u0000') !== -1) return out + 'N\\u0000' + id + '\\u0000' + type + '\\u0000';
      return out + (type === 3 ? 'T\\u0000' : 'C\\u0000') + id + '\\u0000' + data + '\\u0000';
    }
    if (type === 9) {
      this.stack.push({ next: node.firstChild, shadow: null, hosts: false,
        childrenInShadow: false });
      return out + 'O\\u0000' + id + '\\u0000';
    }
    if (type === 10) {
      const fields = [node.name, node.publicId, node.systemId];
      if (fields.some((field) => field.indexOf('\\u0000') !== -1)) {
        return out + 'N\\u0000' + id + '\\u000010\\u0000';
      }
      return out + 'Y\\u0000' + id + '\\u0000' + fields.join('\\u0000') + '\\u0000';
    }
    return out + 'X\\u0000' + id + '\\u0000' + type + '\\u0000';
  }
  node(index) {
    return this.nodes[index];
  }
  store_ids(ids, pairs) {
    for (let index = 0; index < pairs.length; index += 2) {
      ids.set(this.nodes[pairs[index]], pairs[index + 1]);
    }
  }
}
")]
extern "C" {
    fn read_element(element: &Element, scroll: u8) -> Option<String>;
    /// The node's id in `map`, or -1 when it has none: one call, where
    /// `WeakMap::get` and reading the number back would be two.
    pub fn id_in(map: &js_sys::WeakMap, node: &web_sys::Node) -> i32;
    /// The node's id in `map`, or `next` after storing it there.
    pub fn assign_id(map: &js_sys::WeakMap, node: &web_sys::Node, next: u32) -> u32;

    /// A walk over a subtree that reads its nodes in batches.
    pub type SubtreeReader;
    /// A walk from `root`; ids are looked up in `ids`, and children that
    /// have one are passed over (with their subtrees) when `skip_recorded`.
    /// Scroll offsets are read only `with_scroll`, of the elements in
    /// `scrollable` (see [`crate::dom::scrollable`]; all when `None`),
    /// those scrollable by default or by an inline style, and those a
    /// shadow tree's styles reach.
    #[wasm_bindgen(constructor)]
    pub fn new(
        root: &web_sys::Node,
        ids: &js_sys::WeakMap,
        skip_recorded: bool,
        with_scroll: bool,
        scrollable: Option<&js_sys::Set>,
    ) -> SubtreeReader;
    /// Makes the walk pass over children that already have an id.
    #[wasm_bindgen(method, setter = skipRecorded)]
    pub fn set_skip_recorded(this: &SubtreeReader, skip: bool);
    /// The next tokens, with at most `budget` nodes among them.
    #[wasm_bindgen(method)]
    pub fn read(this: &SubtreeReader, budget: u32) -> String;
    /// The `index`th node of the last batch.
    #[wasm_bindgen(method)]
    pub fn node(this: &SubtreeReader, index: u32) -> web_sys::Node;
    /// Stores ids for nodes of the last batch, given as pairs of node
    /// index and id.
    #[wasm_bindgen(method)]
    pub fn store_ids(this: &SubtreeReader, ids: &js_sys::WeakMap, pairs: &[u32]);
}

/// What the serializer needs to know about an element.
#[derive(Debug, PartialEq)]
pub struct ElementFacts {
    /// True in the SVG namespace.
    pub is_svg: bool,
    /// True when the element hosts an open shadow root.
    pub has_shadow_root: bool,
    /// The local name (lower-case for HTML).
    pub local_name: String,
    /// Horizontal scroll offset.
    pub scroll_left: f64,
    /// Vertical scroll offset.
    pub scroll_top: f64,
    /// Attributes in document order.
    pub attributes: Vec<(String, String)>,
}

impl ElementFacts {
    /// The value of attribute `name`, if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(existing, _)| existing == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Reads `element`'s facts, in one call when possible; its scroll offsets
/// are left at zero unless `with_scroll`.
pub fn element_facts(element: &Element, with_scroll: bool) -> ElementFacts {
    // `SCROLL` or `NO_SCROLL` in the glue.
    match read_element(element, u8::from(with_scroll)) {
        Some(facts) => parse_facts(&mut facts.split('\u{0}'))
            .expect("read_element writes every field it announces"),
        None => read_slowly(element, with_scroll),
    }
}

/// Parses the fields `read_element` writes; `None` when they run out.
fn parse_facts<'a>(fields: &mut impl Iterator<Item = &'a str>) -> Option<ElementFacts> {
    let kind = fields.next()?;
    let is_svg = kind.starts_with('s');
    let has_shadow_root = kind.ends_with('+');
    let local_name = fields.next()?.to_string();
    let scroll_left = parse_offset(fields.next()?);
    let scroll_top = parse_offset(fields.next()?);
    let count: usize = fields.next()?.parse().ok()?;
    let mut attributes = Vec::with_capacity(count);
    for _ in 0..count {
        let name = fields.next()?;
        let value = fields.next()?;
        attributes.push((name.to_string(), value.to_string()));
    }
    Some(ElementFacts {
        is_svg,
        has_shadow_root,
        local_name,
        scroll_left,
        scroll_top,
        attributes,
    })
}

/// A scroll offset as the glue wrote it. Nearly every element's is `0`,
/// which is told apart without running the float parser.
fn parse_offset(field: &str) -> f64 {
    if field == "0" {
        0.0
    } else {
        field.parse().unwrap_or(0.0)
    }
}

/// One step of a [`SubtreeReader`] walk.
#[derive(Debug, PartialEq)]
pub enum Token<'a> {
    /// A node, the `index`th of its batch; `known` is the id it already had.
    Node {
        /// Its position in the batch, for [`SubtreeReader::node`].
        index: u32,
        /// The id it already had, if any.
        known: Option<NodeId>,
        /// What it is.
        read: NodeRead<'a>,
    },
    /// The open node's light children are done; its shadow root's follow.
    Shadow,
    /// The open node's children are done.
    Close,
}

/// What the reader saw of one node.
#[derive(Debug, PartialEq)]
pub enum NodeRead<'a> {
    /// An element; its children follow, then a [`Token::Close`].
    Element(ElementFacts),
    /// A document; its children follow, then a [`Token::Close`].
    Document,
    /// A text node.
    Text(&'a str),
    /// A comment.
    Comment(&'a str),
    /// A doctype.
    Doctype {
        /// Usually `html`.
        name: &'a str,
        /// The public identifier.
        public_id: &'a str,
        /// The system identifier.
        system_id: &'a str,
    },
    /// A node whose facts did not fit the format (a NUL inside a
    /// string): to be read from the node itself. Elements and documents
    /// among them are open like any other.
    Unreadable {
        /// Its `nodeType`.
        node_type: u16,
    },
    /// A node whose content is not read: a CDATA section (`nodeType` 4,
    /// recorded without its text) or a kind that is never recorded, such
    /// as a processing instruction.
    Other {
        /// Its `nodeType`.
        node_type: u16,
    },
}

impl NodeRead<'_> {
    /// True when children (and a closing token) follow.
    pub fn opens(&self) -> bool {
        match self {
            Self::Element(_) | Self::Document => true,
            Self::Unreadable { node_type } => *node_type == 1 || *node_type == 9,
            _ => false,
        }
    }
}

/// The tokens of one batch, in order.
pub struct Tokens<'a> {
    fields: std::str::Split<'a, char>,
    next_index: u32,
}

impl<'a> Tokens<'a> {
    /// Reads the tokens of `batch`, as returned by [`SubtreeReader::read`].
    pub fn new(batch: &'a str) -> Self {
        Self {
            fields: batch.split('\u{0}'),
            next_index: 0,
        }
    }

    fn node(&mut self, kind: &str) -> Option<Token<'a>> {
        let known = match self.fields.next()? {
            "" => None,
            id => Some(id.parse().ok()?),
        };
        let fields = &mut self.fields;
        let read = match kind {
            "E" => NodeRead::Element(parse_facts(fields)?),
            "O" => NodeRead::Document,
            "T" => NodeRead::Text(fields.next()?),
            "C" => NodeRead::Comment(fields.next()?),
            "Y" => NodeRead::Doctype {
                name: fields.next()?,
                public_id: fields.next()?,
                system_id: fields.next()?,
            },
            "N" => NodeRead::Unreadable {
                node_type: fields.next()?.parse().ok()?,
            },
            "X" => NodeRead::Other {
                node_type: fields.next()?.parse().ok()?,
            },
            _ => return None,
        };
        let index = self.next_index;
        self.next_index += 1;
        Some(Token::Node { index, known, read })
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let kind = self.fields.next()?;
        let token = match kind {
            // The batch ends with a terminator, so the last field is empty.
            "" => return None,
            "S" => Some(Token::Shadow),
            ")" => Some(Token::Close),
            kind => self.node(kind),
        };
        Some(token.unwrap_or_else(|| panic!("malformed subtree batch near a `{kind}` token")))
    }
}

fn read_slowly(element: &Element, with_scroll: bool) -> ElementFacts {
    // Through the Attr nodes, which name every attribute exactly as it is.
    let map = element.attributes();
    let attributes = (0..map.length())
        .filter_map(|index| map.item(index))
        .map(|attribute| (attribute.name(), attribute.value()))
        .collect();
    ElementFacts {
        is_svg: element.namespace_uri().as_deref() == Some("http://www.w3.org/2000/svg"),
        has_shadow_root: element.shadow_root().is_some(),
        local_name: element.local_name(),
        scroll_left: if with_scroll {
            element.scroll_left().into()
        } else {
            0.0
        },
        scroll_top: if with_scroll {
            element.scroll_top().into()
        } else {
            0.0
        },
        attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_split_back_into_fields_and_pairs() {
        let facts = parse_facts(
            &mut "s+\u{0}circle\u{0}0\u{0}12.5\u{0}2\u{0}r\u{0}4\u{0}class\u{0}a b".split('\u{0}'),
        )
        .unwrap();
        assert!(facts.is_svg);
        assert!(facts.has_shadow_root);
        assert_eq!(facts.local_name, "circle");
        assert_eq!(facts.scroll_top, 12.5);
        assert_eq!(facts.attribute("class"), Some("a b"));
        assert_eq!(facts.attributes.len(), 2);
    }

    #[test]
    fn an_empty_value_is_kept() {
        let facts =
            parse_facts(&mut "h-\u{0}input\u{0}0\u{0}0\u{0}1\u{0}disabled\u{0}".split('\u{0}'))
                .unwrap();
        assert_eq!(facts.attribute("disabled"), Some(""));
    }

    #[test]
    fn a_batch_reads_back_as_tokens_with_indices() {
        let batch = "O\u{0}1\u{0}Y\u{0}\u{0}html\u{0}\u{0}\u{0}\
                     E\u{0}\u{0}h-\u{0}p\u{0}0\u{0}0\u{0}1\u{0}id\u{0}x\u{0}\
                     T\u{0}7\u{0}hi there\u{0}S\u{0})\u{0}N\u{0}\u{0}3\u{0})\u{0}";
        let tokens: Vec<Token> = Tokens::new(batch).collect();
        assert_eq!(tokens.len(), 8);
        assert!(matches!(
            tokens[0],
            Token::Node {
                index: 0,
                known: Some(1),
                read: NodeRead::Document
            }
        ));
        assert!(matches!(
            tokens[1],
            Token::Node {
                index: 1,
                known: None,
                read: NodeRead::Doctype { name: "html", .. }
            }
        ));
        let Token::Node {
            index: 2,
            known: None,
            read: NodeRead::Element(facts),
        } = &tokens[2]
        else {
            panic!("an element: {:?}", tokens[2]);
        };
        assert_eq!(facts.attribute("id"), Some("x"));
        assert_eq!(
            tokens[3],
            Token::Node {
                index: 3,
                known: Some(7),
                read: NodeRead::Text("hi there")
            }
        );
        assert_eq!(tokens[4], Token::Shadow);
        assert_eq!(tokens[5], Token::Close);
        assert_eq!(
            tokens[6],
            Token::Node {
                index: 4,
                known: None,
                read: NodeRead::Unreadable { node_type: 3 }
            }
        );
        assert_eq!(tokens[7], Token::Close);
    }

    #[test]
    fn only_elements_and_documents_open() {
        assert!(NodeRead::Document.opens());
        assert!(NodeRead::Unreadable { node_type: 1 }.opens());
        assert!(!NodeRead::Unreadable { node_type: 3 }.opens());
        assert!(!NodeRead::Text("x").opens());
        assert!(!NodeRead::Other { node_type: 4 }.opens());
    }

    #[test]
    #[should_panic(expected = "malformed subtree batch")]
    fn a_truncated_batch_is_a_loud_failure() {
        let _ = Tokens::new("E\u{0}\u{0}h-\u{0}p\u{0}0").count();
    }
}
