//! Reading a batch of mutation records in one call.
//!
//! A `MutationObserver` batch on a busy page holds dozens of records, and
//! reading each one's type, target, added and removed nodes and attribute
//! name from WebAssembly costs a call apiece (and a string for the type).
//! This glue flattens the batch into one descriptor string and one array
//! of the nodes it refers to. What the records mean is decided in Rust
//! ([`crate::trackers::mutation`]).

use js_sys::Array;
use tapedeck_privacy::level::PRIVACY_ATTRIBUTE;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

use super::ancestry::with_attribute_name;

#[wasm_bindgen(inline_js = "
function name_of(node) {
  return node !== null && node.nodeType === 1 ? node.localName : '';
}
// `-` for a missing value, `+value` for a present one, `?` for one holding
// a NUL, which the format cannot carry.
function optional(value) {
  if (value === null) return '-';
  return value.indexOf('\\u0000') === -1 ? '+' + value : '?';
}
// Per record, NUL-terminated fields:
//   c, target's local name, added count, removed count (nodes: target,
//     added…, removed…)
//   d, parent element's local name (nodes: target, parent element or null)
//   a, attribute name, old value, current value, and when the attribute is
//     `class` or the privacy attribute, the current values of both (nodes:
//     target)
export function read_records(records, privacy) {
  const nodes = [];
  let out = '';
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    const target = record.target;
    nodes.push(target);
    if (record.type === 'childList') {
      const added = record.addedNodes;
      const removed = record.removedNodes;
      for (let at = 0; at < added.length; at++) nodes.push(added[at]);
      for (let at = 0; at < removed.length; at++) nodes.push(removed[at]);
      out += 'c\\u0000' + name_of(target) + '\\u0000' + added.length + '\\u0000' +
        removed.length + '\\u0000';
    } else if (record.type === 'characterData') {
      const parent = target.parentElement;
      nodes.push(parent);
      out += 'd\\u0000' + name_of(parent) + '\\u0000';
    } else {
      const name = record.attributeName;
      out += 'a\\u0000' + name + '\\u0000' + optional(record.oldValue) + '\\u0000' +
        optional(target.getAttribute(name)) + '\\u0000';
      if (name === 'class' || name === privacy) {
        out += optional(target.getAttribute('class')) + '\\u0000' +
          optional(target.getAttribute(privacy)) + '\\u0000';
      }
    }
  }
  return [out, nodes];
}
// A shadow root leads to its host.
function composed_parent(node) {
  const parent = node.parentNode;
  if (parent !== null && parent.nodeType === 11 && parent.host) return parent.host;
  return parent;
}
// True when `node` is out of the document, or inside one of `roots`.
export function detached_or_inside(node, roots) {
  if (!node.isConnected) return true;
  for (let index = 0; index < roots.length; index++) {
    if (roots[index].contains(node)) return true;
  }
  return false;
}
// The connected nodes of `added` that are not inside another connected
// node of `added` (through shadow hosts too), once each, in order.
export function added_roots(added) {
  const candidates = new Set();
  for (const node of added) if (node.isConnected) candidates.add(node);
  const roots = [];
  const seen = new Set();
  for (const node of added) {
    if (!candidates.has(node) || seen.has(node)) continue;
    seen.add(node);
    let covered = false;
    for (let up = composed_parent(node); up !== null; up = composed_parent(up)) {
      if (candidates.has(up)) {
        covered = true;
        break;
      }
    }
    if (!covered) roots.push(node);
  }
  return roots;
}
")]
extern "C" {
    fn read_records(records: &Array, privacy_attribute: &JsValue) -> Array;
    /// The nodes of `added` (in record order) that are connected and not
    /// inside another connected node of `added`, following shadow roots
    /// to their hosts: the roots of the subtrees a batch added. Once each,
    /// in order.
    pub fn added_roots(added: &Array) -> Array;
    /// True when `node` is disconnected or inside one of `roots`: one
    /// call, where asking each root would be one apiece.
    pub fn detached_or_inside(node: &Node, roots: &Array) -> bool;
}

/// An attribute value as the reader saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// The attribute was not there.
    Missing,
    /// The attribute's value.
    Present(&'a str),
    /// A value the format cannot carry (it holds a NUL).
    Unknown,
}

impl<'a> Value<'a> {
    fn parse(field: &'a str) -> Option<Self> {
        match field {
            "-" => Some(Self::Missing),
            "?" => Some(Self::Unknown),
            _ => field.strip_prefix('+').map(Self::Present),
        }
    }

    /// The value as an attribute read gives it (`Some(None)` when the
    /// attribute was missing), or `None` when it could not be carried.
    pub fn known(&self) -> Option<Option<&'a str>> {
        match *self {
            Self::Missing => Some(None),
            Self::Present(text) => Some(Some(text)),
            Self::Unknown => None,
        }
    }
}

/// One mutation record; node indexes refer to [`RecordBatch::node`].
#[derive(Debug, PartialEq)]
pub enum Record<'a> {
    /// Children were added to or removed from `target`.
    ChildList {
        /// The parent whose children changed.
        target: u32,
        /// Its local name when it is an element, else empty.
        target_name: &'a str,
        /// The indexes of the added nodes.
        added: std::ops::Range<u32>,
        /// The indexes of the removed nodes.
        removed: std::ops::Range<u32>,
    },
    /// The text of `target` changed.
    CharacterData {
        /// The text or comment node.
        target: u32,
        /// Its parent element (`null` in the node array when it has none).
        parent: u32,
        /// The parent's local name, empty when there is none.
        parent_name: &'a str,
    },
    /// An attribute of the element `target` changed.
    Attribute {
        /// The element.
        target: u32,
        /// The attribute's name.
        name: &'a str,
        /// Its value before the change.
        old_value: Value<'a>,
        /// Its value when the batch was read.
        value_now: Value<'a>,
        /// For a change to a privacy marker (`class` or the privacy
        /// attribute): the current class and privacy attribute values.
        markers_now: Option<(Value<'a>, Value<'a>)>,
    },
}

/// A batch of mutation records as read in one call.
pub struct RecordBatch {
    descriptor: String,
    nodes: Array,
}

impl RecordBatch {
    /// Reads `records` (a `MutationObserver` batch).
    pub fn read(records: &Array) -> Self {
        let read = with_attribute_name(|name| read_records(records, name));
        Self {
            descriptor: read.get(0).as_string().unwrap_or_default(),
            nodes: read.get(1).unchecked_into(),
        }
    }

    /// The `index`th node the records refer to: a target, an added or a
    /// removed node, which are never missing.
    pub fn node(&self, index: u32) -> Node {
        self.nodes.get(index).unchecked_into()
    }

    /// The parent element of a changed text, at `index`; `None` when the
    /// text has none.
    pub fn parent(&self, index: u32) -> Option<Node> {
        let value = self.nodes.get(index);
        (!value.is_null()).then(|| value.unchecked_into())
    }

    /// The records, in order.
    pub fn records(&self) -> impl Iterator<Item = Record<'_>> {
        parse_records(&self.descriptor)
    }
}

/// Parses the descriptor `read_records` writes; stops at anything
/// malformed, which the glue never writes.
fn parse_records(descriptor: &str) -> impl Iterator<Item = Record<'_>> {
    let mut fields = descriptor.split('\u{0}');
    let mut next_node = 0u32;
    std::iter::from_fn(move || {
        let target = next_node;
        next_node += 1;
        match fields.next()? {
            "c" => {
                let target_name = fields.next()?;
                let added_count: u32 = fields.next()?.parse().ok()?;
                let removed_count: u32 = fields.next()?.parse().ok()?;
                let added = next_node..next_node + added_count;
                let removed = added.end..added.end + removed_count;
                next_node = removed.end;
                Some(Record::ChildList {
                    target,
                    target_name,
                    added,
                    removed,
                })
            }
            "d" => {
                let parent = next_node;
                next_node += 1;
                Some(Record::CharacterData {
                    target,
                    parent,
                    parent_name: fields.next()?,
                })
            }
            "a" => {
                let name = fields.next()?;
                let old_value = Value::parse(fields.next()?)?;
                let value_now = Value::parse(fields.next()?)?;
                let markers_now = if name == "class" || name == PRIVACY_ATTRIBUTE {
                    let class = Value::parse(fields.next()?)?;
                    let privacy = Value::parse(fields.next()?)?;
                    Some((class, privacy))
                } else {
                    None
                };
                Some(Record::Attribute {
                    target,
                    name,
                    old_value,
                    value_now,
                    markers_now,
                })
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_indexes_follow_each_records_nodes() {
        let descriptor = "c\u{0}ul\u{0}2\u{0}1\u{0}\
                          d\u{0}\u{0}\
                          a\u{0}title\u{0}+old\u{0}-\u{0}\
                          a\u{0}class\u{0}-\u{0}+row tapedeck-privacy-mask\u{0}\
                          +row tapedeck-privacy-mask\u{0}?\u{0}";
        let records: Vec<Record> = parse_records(descriptor).collect();
        assert_eq!(
            records,
            vec![
                Record::ChildList {
                    target: 0,
                    target_name: "ul",
                    added: 1..3,
                    removed: 3..4,
                },
                Record::CharacterData {
                    target: 4,
                    parent: 5,
                    parent_name: "",
                },
                Record::Attribute {
                    target: 6,
                    name: "title",
                    old_value: Value::Present("old"),
                    value_now: Value::Missing,
                    markers_now: None,
                },
                Record::Attribute {
                    target: 7,
                    name: "class",
                    old_value: Value::Missing,
                    value_now: Value::Present("row tapedeck-privacy-mask"),
                    markers_now: Some((
                        Value::Present("row tapedeck-privacy-mask"),
                        Value::Unknown
                    )),
                },
            ]
        );
    }

    #[test]
    fn an_empty_batch_has_no_records() {
        assert_eq!(parse_records("").count(), 0);
    }
}
