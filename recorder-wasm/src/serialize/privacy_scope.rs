//! The privacy level in force at a node, for events after the snapshot.
//!
//! During the snapshot the level is inherited down the walk. Later events
//! (a mutation, an input) arrive for one node, so its level is found by
//! looking up its ancestors as they are at that moment: a node moved into
//! a masked subtree is masked from then on. The lookup crosses shadow
//! boundaries (to the host) and iframe boundaries (to the iframe element),
//! so a masked or hidden region stays so all the way down.

use tapedeck_privacy::level::PRIVACY_ATTRIBUTE;
use tapedeck_privacy::{level_from_markers, PrivacyLevel};
use web_sys::{Element, Node};

use crate::dom::cast::{as_document, as_element, as_shadow_root};

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
        current = privacy_parent(&element);
    }
    closest.unwrap_or(global)
}

/// The element whose level `element` inherits: its parent, a shadow
/// root's host, or the iframe element holding its document.
pub fn privacy_parent(element: &Element) -> Option<Element> {
    if let Some(parent) = element.parent_element() {
        return Some(parent);
    }
    let parent = element.parent_node()?;
    if let Some(shadow_root) = as_shadow_root(&parent) {
        return Some(shadow_root.host());
    }
    let document = as_document(&parent)?;
    document.default_view()?.frame_element().ok().flatten()
}

fn element_or_parent(node: &Node) -> Option<Element> {
    if let Some(element) = as_element(node) {
        return Some(element.clone());
    }
    if let Some(shadow_root) = as_shadow_root(node) {
        return Some(shadow_root.host());
    }
    if let Some(document) = as_document(node) {
        return document.default_view()?.frame_element().ok().flatten();
    }
    let parent = node.parent_node()?;
    if let Some(shadow_root) = as_shadow_root(&parent) {
        return Some(shadow_root.host());
    }
    node.parent_element()
}
