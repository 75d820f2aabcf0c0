//! Telling DOM objects apart across documents.
//!
//! `dyn_ref` and `dyn_into` test with `instanceof`, which is false for a
//! node from an iframe's document (it was made by the iframe's `Element`,
//! not the page's). These checks use `nodeType` and duck typing instead,
//! which hold in every realm; the casts after them are then sound. They
//! run for every mutation record, so each is one call into small glue
//! rather than property lookups by name, which would carry the name across
//! the boundary as a string every time.

use js_sys::Reflect;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, Node, ShadowRoot};

#[wasm_bindgen(inline_js = "
export function node_type_of(value) {
  if (value === null || typeof value !== 'object') return 0;
  const type = value.nodeType;
  return typeof type === 'number' ? type : 0;
}
export function is_shadow_root(node) {
  return node.nodeType === 11 && node.host != null && typeof node.host === 'object';
}
")]
extern "C" {
    /// The value's `nodeType`, or 0 when it is not a node.
    fn node_type_of(value: &JsValue) -> u16;
    fn is_shadow_root(node: &Node) -> bool;
}

fn number(value: &JsValue, name: &str) -> Option<f64> {
    Reflect::get(value, &name.into()).ok()?.as_f64()
}

fn has(value: &JsValue, name: &str) -> bool {
    Reflect::has(value, &name.into()).unwrap_or(false)
}

/// The value as a node, if it is one.
pub fn as_node(value: &JsValue) -> Option<&Node> {
    (node_type_of(value) != 0).then(|| value.unchecked_ref())
}

/// The value as an element, if it is one.
pub fn as_element(value: &JsValue) -> Option<&Element> {
    (node_type_of(value) == Node::ELEMENT_NODE).then(|| value.unchecked_ref())
}

/// The node as a shadow root, if it is one.
pub fn as_shadow_root(node: &Node) -> Option<&ShadowRoot> {
    is_shadow_root(node).then(|| node.unchecked_ref())
}

/// The node as a document, if it is one.
pub fn as_document(node: &Node) -> Option<&Document> {
    (node.node_type() == Node::DOCUMENT_NODE).then(|| node.unchecked_ref())
}

/// The element's tag if it is an HTML element with that local name.
pub fn is_html(element: &Element, tag: &str) -> bool {
    element.namespace_uri().as_deref() == Some("http://www.w3.org/1999/xhtml")
        && element.local_name().eq_ignore_ascii_case(tag)
}

/// The event's pointer position (client coordinates) for mouse and touch
/// events.
pub fn pointer_position(event: &Event) -> Option<(f64, f64, u32)> {
    let value: &JsValue = event.as_ref();
    if has(value, "clientX") {
        return Some((number(value, "clientX")?, number(value, "clientY")?, 0));
    }
    let touches = Reflect::get(value, &"changedTouches".into()).ok()?;
    let touch = Reflect::get(&touches, &0.into())
        .ok()
        .filter(JsValue::is_object)?;
    Some((number(&touch, "clientX")?, number(&touch, "clientY")?, 2))
}

/// True when the value is a window (the target of resize and page scroll).
pub fn is_window(value: &JsValue) -> bool {
    value.is_object() && has(value, "document") && has(value, "location") && !has(value, "nodeType")
}
