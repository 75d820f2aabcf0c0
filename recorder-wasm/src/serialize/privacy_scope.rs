//! The privacy level in force at a node, for events after the snapshot.
//!
//! During the snapshot the level is inherited down the walk. Later events
//! (a mutation, an input) arrive for one node, so its level is found by
//! looking up its ancestors as they are at that moment: a node moved into
//! a masked subtree is masked from then on. The lookup crosses shadow
//! boundaries (to the host) and iframe boundaries (to the iframe element),
//! so a masked or hidden region stays so all the way down.

use std::cell::Cell;

use tapedeck_privacy::level::PRIVACY_ATTRIBUTE;
use tapedeck_privacy::{level_from_markers, PrivacyLevel};
use web_sys::{Element, Node};

use crate::dom::ancestry::markers_up;
use crate::dom::cast::{as_document, as_element, as_shadow_root};

/// Whether a recording has met any privacy marker (the attribute or class
/// naming a level) on any element it serialized or saw change.
///
/// Markers can only reach the page through what the recorder reads anyway:
/// the elements of a snapshot, the nodes mutations add, and attribute
/// changes. Until one has been seen, every node's level is the page's, and
/// finding it needs no walk up the tree; that walk was the largest share of
/// recording a busy page's mutations. Once seen, it stays seen.
#[derive(Debug, Default)]
pub struct MarkerSighting {
    seen: Cell<bool>,
}

impl MarkerSighting {
    /// Notes the level an element asks for, if any.
    pub fn note(&self, own_level: Option<PrivacyLevel>) {
        if own_level.is_some() {
            self.seen.set(true);
        }
    }

    /// Notes that a marker was met.
    pub fn mark_seen(&self) {
        self.seen.set(true);
    }

    /// True once any marker has been seen.
    pub fn any_seen(&self) -> bool {
        self.seen.get()
    }
}

/// The level that applies to `node` (and to children added under it),
/// given the page's global level and the markers seen so far.
pub fn level_where(node: &Node, global: PrivacyLevel, markers: &MarkerSighting) -> PrivacyLevel {
    if !markers.any_seen() {
        return global;
    }
    level_at(node, global)
}

/// The level that applies to `node` (and to children added under it),
/// given the page's global level, read from its ancestors' markers.
fn level_at(node: &Node, global: PrivacyLevel) -> PrivacyLevel {
    let Some(start) = element_or_parent(node) else {
        return global;
    };
    match markers_up(&start) {
        Some(read) => level_from_chain(read.iter(), global),
        None => level_from_chain(markers_read_one_by_one(&start).into_iter(), global),
    }
}

/// The level given the markers of a node's ancestors, nearest first: the
/// closest marker decides, unless any ancestor is hidden, since nothing
/// escapes a hidden subtree.
fn level_from_chain<S: AsRef<str>>(
    chain: impl Iterator<Item = (Option<S>, Option<S>)>,
    global: PrivacyLevel,
) -> PrivacyLevel {
    let mut closest: Option<PrivacyLevel> = None;
    for (own, classes) in chain {
        let own = level_from_markers(
            own.as_ref().map(AsRef::as_ref),
            classes.as_ref().map(AsRef::as_ref),
        );
        if own == Some(PrivacyLevel::Hidden) {
            return PrivacyLevel::Hidden;
        }
        if closest.is_none() {
            closest = own;
        }
    }
    closest.unwrap_or(global)
}

/// The markers of `start` and its ancestors, read attribute by attribute
/// (for values the one-call read cannot carry).
fn markers_read_one_by_one(start: &Element) -> Vec<(Option<String>, Option<String>)> {
    let mut chain = Vec::new();
    let mut current = Some(start.clone());
    while let Some(element) = current {
        chain.push((
            element.get_attribute(PRIVACY_ATTRIBUTE),
            element.get_attribute("class"),
        ));
        current = privacy_parent(&element);
    }
    chain
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chain<'a>(
        markers: &'a [(Option<&'a str>, Option<&'a str>)],
    ) -> impl Iterator<Item = (Option<&'a str>, Option<&'a str>)> + 'a {
        markers.iter().copied()
    }

    #[test]
    fn the_closest_marker_decides() {
        let markers = [
            (None, Some("row")),
            (Some("allow"), None),
            (Some("mask"), None),
        ];
        assert_eq!(
            level_from_chain(chain(&markers), PrivacyLevel::Mask),
            PrivacyLevel::Allow
        );
    }

    #[test]
    fn a_hidden_ancestor_wins_over_a_closer_marker() {
        let markers = [
            (Some("allow"), None),
            (None, Some("box tapedeck-privacy-hidden")),
        ];
        assert_eq!(
            level_from_chain(chain(&markers), PrivacyLevel::Allow),
            PrivacyLevel::Hidden
        );
    }

    #[test]
    fn without_markers_the_page_level_applies() {
        let markers = [(None, Some("a")), (None, None)];
        assert_eq!(
            level_from_chain(chain(&markers), PrivacyLevel::MaskUserInput),
            PrivacyLevel::MaskUserInput
        );
    }
}
