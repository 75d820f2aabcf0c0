//! Ids that are safe to use as file names and in URLs.

use std::fmt;

pub use tapedeck_model::id::MAX_ID_BYTES;

/// An application, session or view id that has been checked to be 1 to
/// [`MAX_ID_BYTES`] characters of `A-Z a-z 0-9 _ -`.
///
/// Ids become folder and file names in the store, so anything else (a `/`,
/// `..`, a NUL, a very long name) is refused before it gets near a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SafeId(String);

impl SafeId {
    /// Checks `raw`, returning `None` when it is not a safe id.
    pub fn parse(raw: &str) -> Option<Self> {
        tapedeck_model::id::is_valid_id(raw).then(|| Self(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_uuids_and_word_characters() {
        for id in [
            "a",
            "0b7c6f1e-9a2d-4c1b-8e7f-123456789abc",
            "app_1",
            &"x".repeat(128),
        ] {
            assert_eq!(SafeId::parse(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn refuses_anything_that_could_leave_its_folder() {
        for id in [
            "",
            "..",
            "../etc",
            "a/b",
            "a\\b",
            "a.b",
            "a b",
            "é",
            "a\0",
            &"x".repeat(129),
        ] {
            assert_eq!(SafeId::parse(id), None, "{id:?}");
        }
    }
}
