//! How masked text and values are written.

/// The character that replaces masked page text. A letter keeps line
/// lengths and wrapping close to the original text.
pub const TEXT_MASK_CHAR: char = 'x';

/// The character that replaces masked form values.
pub const INPUT_MASK_CHAR: char = '*';

/// Replaces every non-whitespace character, so the replay keeps the text's
/// length, line breaks and layout without its content.
pub fn mask_text(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_whitespace() {
                character
            } else {
                TEXT_MASK_CHAR
            }
        })
        .collect()
}

/// Replaces a form value with one mask character per character, so the
/// replay shows that something was typed and how much.
pub fn mask_input_value(value: &str) -> String {
    value.chars().map(|_| INPUT_MASK_CHAR).collect()
}

/// Drops the query string and fragment of a URL, which often carry search
/// terms, e-mail addresses or tokens, and keeps where it points.
pub fn strip_url_query(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_text_keeps_whitespace_and_length() {
        assert_eq!(mask_text("Jane Doe\n  42 €"), "xxxx xxx\n  xx x");
    }

    #[test]
    fn masked_value_counts_characters_not_bytes() {
        assert_eq!(mask_input_value("héllo"), "*****");
        assert_eq!(mask_input_value(""), "");
    }

    #[test]
    fn query_and_fragment_are_dropped_from_urls() {
        assert_eq!(strip_url_query("/search?q=jane@example.com#top"), "/search");
        assert_eq!(strip_url_query("https://x.test/a#b"), "https://x.test/a");
        assert_eq!(strip_url_query("/plain"), "/plain");
    }
}
