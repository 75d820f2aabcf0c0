//! Which elements of a document can hold a scroll offset.
//!
//! A snapshot carries each scrolled element's offsets, and asking an
//! element for them costs Blink a layout check: on a page of 10,000
//! elements, more than reading everything else about them. Only a scroll
//! container can be scrolled, and only an `overflow` other than `visible`
//! or `clip` makes one. So the page's style rules are read once, and only
//! the elements their overflow rules select are asked, with those the
//! reader finds scrollable by default (by tag) or by an inline style.
//!
//! Where the rules cannot be known, every element is asked: a stylesheet
//! from another origin hides its rules, nested and `@scope` rules select
//! relative to others, and a shadow tree's own styles reach its elements,
//! its host and the light children slotted into it (the reader asks all of
//! those itself). A superset costs only time: a rule in a media query that
//! does not apply, or a `:hover` that does not match, does no harm.

use js_sys::Set;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::Node;

#[wasm_bindgen(inline_js = "
const NOT_SCROLLING = /^(visible|clip)(\\s+(visible|clip))?$/;
function scrolls(value) {
  return !!value && !NOT_SCROLLING.test(value);
}
// Each property is named in the code rather than looked up by a name held
// in a variable: on a page with thousands of rules the named reads take
// half the time. The longhands come first as the cheaper reads; the
// shorthand is still needed, since its longhands read empty when it holds
// a var().
function sets_overflow(style) {
  return scrolls(style.overflowX) || scrolls(style.overflowY) ||
    scrolls(style.overflowBlock) || scrolls(style.overflowInline) ||
    scrolls(style.overflow);
}
// True when a rule or anything nested in it declares an overflow.
function any_overflow(rule) {
  if (rule.style && sets_overflow(rule.style)) return true;
  const nested = rule.cssRules;
  if (!nested) return false;
  for (let index = 0; index < nested.length; index++) {
    if (any_overflow(nested[index])) return true;
  }
  return false;
}
// Adds the selectors of `rules` that set an overflow to `selectors`;
// false when which elements they select cannot be told.
function collect(rules, selectors) {
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index];
    if (rule.type === 1) {
      if (sets_overflow(rule.style)) selectors.push(rule.selectorText);
      // Nested rules select relative to this one.
      const nested = rule.cssRules;
      if (nested) {
        for (let at = 0; at < nested.length; at++) {
          if (any_overflow(nested[at])) return false;
        }
      }
    } else if (rule.type === 3) {
      let imported;
      try {
        imported = rule.styleSheet && rule.styleSheet.cssRules;
      } catch (error) {
        return false;
      }
      if (imported && !collect(imported, selectors)) return false;
    } else if (rule.cssRules) {
      // @scope selects relative to its roots.
      if ('start' in rule && any_overflow(rule)) return false;
      if (!collect(rule.cssRules, selectors)) return false;
    }
  }
  return true;
}
export function scroll_candidates(document) {
  const selectors = [];
  const sheets = [...document.styleSheets, ...(document.adoptedStyleSheets || [])];
  for (const sheet of sheets) {
    let rules;
    try {
      rules = sheet.cssRules;
    } catch (error) {
      return null;
    }
    if (!collect(rules, selectors)) return null;
  }
  const found = new Set();
  if (selectors.length === 0) return found;
  try {
    for (const element of document.querySelectorAll(selectors.join(','))) found.add(element);
  } catch (error) {
    // One selector this browser cannot query spoils the list; ask each.
    for (const selector of selectors) {
      try {
        for (const element of document.querySelectorAll(selector)) found.add(element);
      } catch (ignored) {
        // A selector no element can match here (a pseudo-element's).
      }
    }
  }
  return found;
}
")]
extern "C" {
    fn scroll_candidates(document: &web_sys::Document) -> Option<Set>;
}

/// The elements of `root`'s document that can hold a scroll offset, or
/// `None` when every element must be asked.
pub fn candidates(root: &Node) -> Option<Set> {
    let document = match root.owner_document() {
        Some(document) => document,
        None => root.clone().dyn_into().ok()?,
    };
    scroll_candidates(&document)
}
