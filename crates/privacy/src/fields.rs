//! Fields that are masked or dropped whatever the level.

/// Input types whose value is personal by nature.
const SENSITIVE_INPUT_TYPES: &[&str] = &["password", "email", "tel", "hidden"];

/// `autocomplete` tokens that mark a field as holding credentials, contact
/// details, payment data or one-time codes. Tokens starting with `cc-` are
/// all payment fields.
const SENSITIVE_AUTOCOMPLETE_TOKENS: &[&str] = &[
    "current-password",
    "new-password",
    "one-time-code",
    "email",
    "tel",
    "tel-national",
    "tel-local",
    "tel-country-code",
    "tel-area-code",
    "tel-extension",
];

/// True for form fields that are masked even at the `allow` level: password,
/// e-mail, phone and hidden inputs, and any field whose `autocomplete`
/// marks it as a credential, contact, payment or one-time-code field.
pub fn is_always_masked_input(input_type: Option<&str>, autocomplete: Option<&str>) -> bool {
    let by_type = input_type.is_some_and(|kind| {
        SENSITIVE_INPUT_TYPES
            .iter()
            .any(|sensitive| kind.trim().eq_ignore_ascii_case(sensitive))
    });
    let by_autocomplete = autocomplete.is_some_and(|tokens| {
        tokens.split_ascii_whitespace().any(|token| {
            let token = token.to_ascii_lowercase();
            token.starts_with("cc-") || SENSITIVE_AUTOCOMPLETE_TOKENS.contains(&token.as_str())
        })
    });
    by_type || by_autocomplete
}

/// True for `<meta>` tags that carry secrets, such as CSRF tokens, which
/// are left out of the recording entirely.
pub fn is_sensitive_meta(name: Option<&str>, http_equiv: Option<&str>) -> bool {
    const SECRET_WORDS: &[&str] = &["csrf", "xsrf", "token", "secret", "nonce", "key"];
    let names_secret = |value: &str| {
        let value = value.to_ascii_lowercase();
        SECRET_WORDS.iter().any(|word| value.contains(word))
    };
    name.is_some_and(names_secret)
        || http_equiv.is_some_and(|value| value.eq_ignore_ascii_case("set-cookie"))
}

/// Attributes that carry readable text and are masked at the `mask` level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAttribute {
    /// Masked like page text, keeping its length.
    Text,
    /// A link target: its query string and fragment are dropped, because
    /// they often hold search terms, e-mail addresses or tokens.
    Url,
}

impl TextAttribute {
    /// How an attribute is masked at the `mask` level, or `None` when it
    /// carries no text worth masking (`class`, `id`, `style`, …).
    pub fn classify(attribute: &str) -> Option<Self> {
        match attribute {
            "title" | "alt" | "placeholder" | "aria-label" | "aria-description" | "value"
            | "label" => Some(Self::Text),
            "href" | "src" | "action" | "formaction" | "srcset" | "poster" => Some(Self::Url),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_contact_and_hidden_types_are_always_masked() {
        for kind in ["password", "EMAIL", "tel", "hidden"] {
            assert!(is_always_masked_input(Some(kind), None), "{kind}");
        }
        assert!(!is_always_masked_input(Some("text"), None));
        assert!(!is_always_masked_input(None, None));
    }

    #[test]
    fn autocomplete_marks_payment_and_one_time_codes() {
        assert!(is_always_masked_input(Some("text"), Some("cc-number")));
        assert!(is_always_masked_input(
            Some("text"),
            Some("shipping one-time-code")
        ));
        assert!(is_always_masked_input(None, Some("section-a email")));
        assert!(!is_always_masked_input(Some("text"), Some("given-name")));
    }

    #[test]
    fn token_metas_are_sensitive_and_viewport_is_not() {
        assert!(is_sensitive_meta(Some("csrf-token"), None));
        assert!(is_sensitive_meta(Some("api-Key"), None));
        assert!(is_sensitive_meta(None, Some("Set-Cookie")));
        assert!(!is_sensitive_meta(Some("viewport"), None));
    }

    #[test]
    fn text_and_url_attributes_are_classified() {
        assert_eq!(TextAttribute::classify("alt"), Some(TextAttribute::Text));
        assert_eq!(TextAttribute::classify("href"), Some(TextAttribute::Url));
        assert_eq!(TextAttribute::classify("class"), None);
    }
}
