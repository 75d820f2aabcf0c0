//! Ids that are safe to use as file names and in URLs.

use std::fmt;

/// The longest id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 128;

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
        let allowed = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-';
        let valid = !raw.is_empty() && raw.len() <= MAX_ID_BYTES && raw.bytes().all(allowed);
        valid.then(|| Self(raw.to_owned()))
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
