//! The privacy level in force at a node, for events after the snapshot.
//!
//! During the snapshot the level is inherited down the walk. Later events
//! (a mutation, an input) arrive for one node, so its level is found by
//! looking up its ancestors as they are at that moment: a node moved into
//! a masked subtree is masked from then on.

use tapedeck_privacy::level::PRIVACY_ATTRIBUTE;
use tapedeck_privacy::{level_from_markers, PrivacyLevel};
use web_sys::{Element, Node};

/// The level that applies to `node` (and to children added under it),
/// given the page's global level.
pub fn level_at(node: &Node, global: PrivacyLevel) -> PrivacyLevel {
    // The closest marker decides, unless any ancestor is hidden: nothing
    // escapes a hidden subtree.
    let mut closest: Option<PrivacyLevel> = None;
    let mut current = element_or_parent(node);
    while let Some(element) = current {
        let own = level_from_markers(
            element.get_attribute(PRIVACY_ATTRIBUTE).as_deref(),
            element.get_attribute("class").as_deref(),
        );
        if own == Some(PrivacyLevel::Hidden) {
            return PrivacyLevel::Hidden;
        }
        if closest.is_none() {
            closest = own;
        }
        current = element.parent_element();
    }
    closest.unwrap_or(global)
}

fn element_or_parent(node: &Node) -> Option<Element> {
    use wasm_bindgen::JsCast;
    match node.dyn_ref::<Element>() {
        Some(element) => Some(element.clone()),
        None => node.parent_element(),
    }
}
