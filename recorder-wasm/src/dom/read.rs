//! Reading an element's facts in one call.
//!
//! Every call from WebAssembly into the DOM, and every string it returns,
//! has a fixed cost; for a snapshot of 100,000 elements those costs are
//! most of the time. So the facts the serializer needs about an element —
//! its namespace, local name, scroll offsets and attributes — come back in
//! one call as one string, split here. The reading is all this glue does;
//! what to record of the facts is decided in Rust.

use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::Element;

#[wasm_bindgen(inline_js = "
const SVG = 'http://www.w3.org/2000/svg';
// Reading a scroll offset costs Blink a layout check per element, more than
// the rest of the read together. Elements that are laid out inline, void
// elements and SVG elements do not scroll, so they are not asked.
const NEVER_SCROLLED = new Set(['a', 'abbr', 'b', 'bdi', 'bdo', 'br', 'cite', 'code', 'data',
  'dfn', 'em', 'hr', 'i', 'img', 'input', 'kbd', 'label', 'link', 'mark', 'meta', 'option',
  'q', 's', 'samp', 'script', 'small', 'source', 'span', 'strong', 'style', 'sub', 'sup',
  'time', 'title', 'track', 'u', 'var', 'wbr', 'head', 'base', 'noscript', 'template']);
export function read_element(element) {
  const attributes = element.attributes;
  const svg = element.namespaceURI === SVG;
  const name = element.localName;
  const scrolls = !svg && !NEVER_SCROLLED.has(name);
  let facts = (svg ? 's' : 'h') + (element.shadowRoot ? '+' : '-') + '\\u0000' + name +
    '\\u0000' + (scrolls ? element.scrollLeft : 0) + '\\u0000' + (scrolls ? element.scrollTop : 0);
  for (let index = 0; index < attributes.length; index++) {
    const attribute = attributes[index];
    // A NUL inside a name or value would break the split; such elements
    // are read attribute by attribute instead.
    if (attribute.value.indexOf('\\u0000') !== -1) return null;
    facts += '\\u0000' + attribute.name + '\\u0000' + attribute.value;
  }
  return facts;
}
export function assign_id(map, node, next) {
  const id = map.get(node);
  if (id !== undefined) return id;
  map.set(node, next);
  return next;
}
")]
extern "C" {
    fn read_element(element: &Element) -> Option<String>;
    /// The node's id in `map`, or `next` after storing it there.
    pub fn assign_id(map: &js_sys::WeakMap, node: &web_sys::Node, next: u32) -> u32;
}

/// What the serializer needs to know about an element.
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

/// Reads `element`'s facts, in one call when possible.
pub fn element_facts(element: &Element) -> ElementFacts {
    match read_element(element) {
        Some(facts) => parse(&facts),
        None => read_slowly(element),
    }
}

fn parse(facts: &str) -> ElementFacts {
    let mut parts = facts.split('\u{0}');
    let kind = parts.next().unwrap_or_default();
    let is_svg = kind.starts_with('s');
    let has_shadow_root = kind.ends_with('+');
    let local_name = parts.next().unwrap_or_default().to_string();
    let scroll_left = parts
        .next()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0);
    let scroll_top = parts
        .next()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0);
    let mut attributes = Vec::new();
    while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
        attributes.push((name.to_string(), value.to_string()));
    }
    ElementFacts {
        is_svg,
        has_shadow_root,
        local_name,
        scroll_left,
        scroll_top,
        attributes,
    }
}

fn read_slowly(element: &Element) -> ElementFacts {
    let names = element.get_attribute_names();
    let attributes = names
        .iter()
        .filter_map(|name| name.as_string())
        .filter_map(|name| element.get_attribute(&name).map(|value| (name, value)))
        .collect();
    ElementFacts {
        is_svg: element.namespace_uri().as_deref() == Some("http://www.w3.org/2000/svg"),
        has_shadow_root: element.shadow_root().is_some(),
        local_name: element.local_name(),
        scroll_left: element.scroll_left().into(),
        scroll_top: element.scroll_top().into(),
        attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_split_back_into_fields_and_pairs() {
        let facts = parse("s+\u{0}circle\u{0}0\u{0}12.5\u{0}r\u{0}4\u{0}class\u{0}a b");
        assert!(facts.is_svg);
        assert!(facts.has_shadow_root);
        assert_eq!(facts.local_name, "circle");
        assert_eq!(facts.scroll_top, 12.5);
        assert_eq!(facts.attribute("class"), Some("a b"));
        assert_eq!(facts.attributes.len(), 2);
    }

    #[test]
    fn an_empty_value_is_kept() {
        let facts = parse("h-\u{0}input\u{0}0\u{0}0\u{0}disabled\u{0}");
        assert_eq!(facts.attribute("disabled"), Some(""));
    }
}
