//! Reading the privacy markers of a node's ancestors in one call.
//!
//! Every mutation, text change and input needs the privacy level where its
//! node sits, which depends on the markers of all its ancestors. Asking for
//! two attributes and the parent of each ancestor from WebAssembly costs
//! three calls (and two strings) per level of nesting; for a busy page that
//! was a large share of the recorder's time. This glue walks up in
//! JavaScript and returns the two attribute values of each ancestor as one
//! string. What the markers mean is decided in Rust
//! ([`crate::serialize::privacy_scope`]).

use tapedeck_privacy::level::PRIVACY_ATTRIBUTE;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::Element;

#[wasm_bindgen(inline_js = "
function up(element) {
  if (element.parentElement !== null) return element.parentElement;
  const parent = element.parentNode;
  if (parent === null) return null;
  if (parent.nodeType === 11) return parent.host || null;
  if (parent.nodeType === 9) {
    try {
      const view = parent.defaultView;
      return view === null ? null : view.frameElement;
    } catch (_) {
      return null;
    }
  }
  return null;
}
// For `element` and each element it inherits from (the parent, a shadow
// root's host, the iframe holding its document), the two attribute values,
// each `-` when missing or `+value`, NUL-terminated. Null when a value
// holds a NUL, which the format cannot carry.
export function read_markers_up(element, attribute) {
  let out = '';
  for (let current = element; current !== null; current = up(current)) {
    const own = current.getAttribute(attribute);
    const classes = current.getAttribute('class');
    if ((own !== null && own.indexOf('\\u0000') !== -1) ||
        (classes !== null && classes.indexOf('\\u0000') !== -1)) {
      return null;
    }
    out += (own === null ? '-' : '+' + own) + '\\u0000' +
      (classes === null ? '-' : '+' + classes) + '\\u0000';
  }
  return out;
}
")]
extern "C" {
    fn read_markers_up(element: &Element, attribute: &JsValue) -> Option<String>;
}

thread_local! {
    /// The privacy attribute's name as a JavaScript string, made once:
    /// passing a Rust `&str` would encode it again on every call, and this
    /// runs for every mutation.
    static ATTRIBUTE_NAME: JsValue = JsValue::from_str(PRIVACY_ATTRIBUTE);
}

/// The privacy markers of one element: the value of the privacy attribute
/// and of `class`, each `None` when the element does not have it.
pub type Markers<'a> = (Option<&'a str>, Option<&'a str>);

/// The privacy markers (the privacy attribute and `class`) of `element`
/// and of each element it inherits its level from, nearest first, as read
/// in one call; `None` when a value holds a NUL and the caller must read
/// them one by one.
pub fn markers_up(element: &Element) -> Option<MarkersUp> {
    with_attribute_name(|name| read_markers_up(element, name)).map(MarkersUp)
}

/// Calls `use_name` with the privacy attribute's name as a JavaScript
/// string.
pub fn with_attribute_name<R>(use_name: impl FnOnce(&JsValue) -> R) -> R {
    ATTRIBUTE_NAME.with(use_name)
}

/// What [`markers_up`] read.
pub struct MarkersUp(String);

impl MarkersUp {
    /// The markers, nearest element first.
    pub fn iter(&self) -> impl Iterator<Item = Markers<'_>> {
        parse_markers(&self.0)
    }
}

fn parse_markers(text: &str) -> impl Iterator<Item = Markers<'_>> {
    let mut fields = text.split('\u{0}');
    std::iter::from_fn(move || {
        let own = fields.next().filter(|field| !field.is_empty())?;
        let classes = fields.next()?;
        Some((value(own), value(classes)))
    })
}

/// `-` is a missing attribute, `+…` a present one.
fn value(field: &str) -> Option<&str> {
    field.strip_prefix('+')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_empty_and_present_values_are_told_apart() {
        let read = "-\u{0}+card wide\u{0}+mask\u{0}+\u{0}-\u{0}-\u{0}";
        let markers: Vec<Markers> = parse_markers(read).collect();
        assert_eq!(
            markers,
            vec![
                (None, Some("card wide")),
                (Some("mask"), Some("")),
                (None, None)
            ]
        );
    }

    #[test]
    fn no_ancestors_read_as_none() {
        assert_eq!(parse_markers("").count(), 0);
    }
}
