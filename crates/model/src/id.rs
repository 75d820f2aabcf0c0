//! The shape of application, session and view ids.
//!
//! The recorder refuses an `applicationId` the intake would refuse, and the
//! intake uses ids as folder and file names, so both check the same rule.

/// The longest id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 128;

/// True for 1 to [`MAX_ID_BYTES`] characters of `A-Z a-z 0-9 _ -`: nothing
/// that could leave a folder (`/`, `..`, NUL) or need escaping in a URL.
pub fn is_valid_id(id: &str) -> bool {
    (1..=MAX_ID_BYTES).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_characters_up_to_the_limit_are_ids() {
        assert!(is_valid_id("0b7c6f1e-9a2d-4c1b-8e7f-123456789abc"));
        assert!(is_valid_id(&"x".repeat(MAX_ID_BYTES)));
        assert!(!is_valid_id(&"x".repeat(MAX_ID_BYTES + 1)));
        for bad in ["", "..", "a/b", "a.b", "é"] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
    }
}
