//! Privacy levels and how elements inherit them.

use std::fmt;
use std::str::FromStr;

/// The attribute that sets an element's level.
pub const PRIVACY_ATTRIBUTE: &str = "data-tapedeck-privacy";

/// The prefix of the classes that set an element's level.
pub const PRIVACY_CLASS_PREFIX: &str = "tapedeck-privacy-";

/// How much of an element and its subtree is recorded, from the most open
/// to the most closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum PrivacyLevel {
    /// Everything, except the fields that are always masked.
    Allow,
    /// Page text is kept; every form value and what is typed is masked.
    #[default]
    MaskUserInput,
    /// All text and text-bearing attributes are masked as well.
    Mask,
    /// Only an empty box of the element's size; nothing inside, no events.
    Hidden,
}

impl PrivacyLevel {
    /// The level's name in options, attributes and classes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::MaskUserInput => "mask-user-input",
            Self::Mask => "mask",
            Self::Hidden => "hidden",
        }
    }

    /// True when page text (not form values) must be masked.
    pub fn masks_text(self) -> bool {
        self >= Self::Mask
    }

    /// True when form values and typed text must be masked.
    pub fn masks_input(self) -> bool {
        self >= Self::MaskUserInput
    }
}

impl fmt::Display for PrivacyLevel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A privacy level name that is not one of the four levels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown privacy level {0:?}: expected \"allow\", \"mask-user-input\", \"mask\" or \"hidden\""
)]
pub struct ParseLevelError(pub String);

impl FromStr for PrivacyLevel {
    type Err = ParseLevelError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim() {
            "allow" => Ok(Self::Allow),
            "mask-user-input" => Ok(Self::MaskUserInput),
            "mask" => Ok(Self::Mask),
            "hidden" => Ok(Self::Hidden),
            other => Err(ParseLevelError(other.to_string())),
        }
    }
}

/// Reads the level an element asks for, from its privacy attribute or, when
/// that is absent or unknown, the strictest of its privacy classes.
///
/// An unknown attribute value falls back to the classes rather than to
/// `allow`, so a typo never opens an element up.
pub fn level_from_markers(
    attribute: Option<&str>,
    class_list: Option<&str>,
) -> Option<PrivacyLevel> {
    if let Some(level) = attribute.and_then(|value| value.parse().ok()) {
        return Some(level);
    }
    class_list?
        .split_ascii_whitespace()
        .filter_map(|class| class.strip_prefix(PRIVACY_CLASS_PREFIX))
        .filter_map(|name| name.parse().ok())
        .max()
}

/// The level an element ends up with, given its parent's level and what
/// the element asks for.
///
/// An element may relax its parent's level, so a form can be masked while a
/// search box inside it is allowed, but nothing escapes a hidden ancestor:
/// its subtree is never recorded at all.
pub fn inherit_level(parent: PrivacyLevel, own: Option<PrivacyLevel>) -> PrivacyLevel {
    match (parent, own) {
        (PrivacyLevel::Hidden, _) => PrivacyLevel::Hidden,
        (_, Some(own)) => own,
        (parent, None) => parent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for level in [
            PrivacyLevel::Allow,
            PrivacyLevel::MaskUserInput,
            PrivacyLevel::Mask,
            PrivacyLevel::Hidden,
        ] {
            assert_eq!(level.as_str().parse::<PrivacyLevel>(), Ok(level));
        }
        let error = "secret".parse::<PrivacyLevel>().unwrap_err();
        assert!(error.to_string().contains("\"secret\""));
    }

    #[test]
    fn attribute_wins_over_classes() {
        let level = level_from_markers(Some("allow"), Some("tapedeck-privacy-hidden"));
        assert_eq!(level, Some(PrivacyLevel::Allow));
    }

    #[test]
    fn strictest_class_wins_and_unknown_attribute_falls_back() {
        let classes = "card tapedeck-privacy-mask tapedeck-privacy-allow";
        assert_eq!(
            level_from_markers(Some("typo"), Some(classes)),
            Some(PrivacyLevel::Mask)
        );
        assert_eq!(level_from_markers(None, Some("card")), None);
    }

    #[test]
    fn children_inherit_and_may_relax_but_never_inside_hidden() {
        use PrivacyLevel::*;
        assert_eq!(inherit_level(Mask, None), Mask);
        assert_eq!(inherit_level(Mask, Some(Allow)), Allow);
        assert_eq!(inherit_level(Allow, Some(Hidden)), Hidden);
        assert_eq!(inherit_level(Hidden, Some(Allow)), Hidden);
    }

    #[test]
    fn levels_say_what_they_mask() {
        assert!(!PrivacyLevel::Allow.masks_input());
        assert!(PrivacyLevel::MaskUserInput.masks_input());
        assert!(!PrivacyLevel::MaskUserInput.masks_text());
        assert!(PrivacyLevel::Mask.masks_text());
    }
}
