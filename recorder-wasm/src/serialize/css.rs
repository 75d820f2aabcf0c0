//! Making CSS self-contained for replay.
//!
//! The replay runs in another document at another address, so relative
//! `url(…)` references in CSS must become absolute, and linked stylesheets
//! are inlined because the replayer may not be able to fetch them.

/// Rewrites every relative `url(…)` in `css` with `resolve`, which gets the
/// raw reference and returns the absolute one. Data, blob and fragment
/// references and already absolute URLs are left alone.
pub fn absolutify_css_urls(css: &str, resolve: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = find_url_function(rest) {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let inner_start = 4; // "url("
        let Some(close) = after.find(')') else {
            out.push_str(after);
            return out;
        };
        let inner = after[inner_start..close].trim();
        let (quote, reference) = match inner.chars().next() {
            Some(quote @ ('"' | '\'')) if inner.len() >= 2 && inner.ends_with(quote) => {
                (Some(quote), &inner[1..inner.len() - 1])
            }
            _ => (None, inner),
        };
        out.push_str("url(");
        let rewritten = if is_relative(reference) {
            resolve(reference)
        } else {
            reference.to_string()
        };
        if let Some(quote) = quote {
            out.push(quote);
            out.push_str(&rewritten);
            out.push(quote);
        } else {
            out.push_str(&rewritten);
        }
        out.push(')');
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The byte offset of the next `url(`, matched case-insensitively.
fn find_url_function(css: &str) -> Option<usize> {
    let bytes = css.as_bytes();
    (0..bytes.len().saturating_sub(3)).find(|&index| {
        bytes[index..index + 4].eq_ignore_ascii_case(b"url(")
            && (index == 0 || !is_identifier_byte(bytes[index - 1]))
    })
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// True for references that depend on the document's address.
pub fn is_relative(reference: &str) -> bool {
    let lower = reference.trim_start().to_ascii_lowercase();
    !(lower.is_empty()
        || lower.starts_with('#')
        || lower.starts_with("data:")
        || lower.starts_with("blob:")
        || lower.starts_with("//")
        || lower.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(reference: &str) -> String {
        format!("https://site.test/css/{reference}")
    }

    #[test]
    fn relative_urls_become_absolute_keeping_quotes() {
        let css =
            "a{background:url(img/a.png)} b{background:URL( \"b.png\" )} c{src:url('c.woff')}";
        assert_eq!(
            absolutify_css_urls(css, resolve),
            "a{background:url(https://site.test/css/img/a.png)} \
             b{background:url(\"https://site.test/css/b.png\")} \
             c{src:url('https://site.test/css/c.woff')}"
        );
    }

    #[test]
    fn absolute_data_and_fragment_urls_are_kept() {
        let css = "a{x:url(https://cdn.test/a.png);y:url(data:image/png;base64,AA==);z:url(#m)}";
        assert_eq!(absolutify_css_urls(css, resolve), css);
    }

    #[test]
    fn unterminated_url_is_left_as_is() {
        assert_eq!(absolutify_css_urls("a{b:url(x", resolve), "a{b:url(x");
    }

    #[test]
    fn identifiers_ending_in_url_are_not_functions() {
        let css = "a{--my-url(x)}";
        assert_eq!(absolutify_css_urls(css, resolve), css);
    }
}
