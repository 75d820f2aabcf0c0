//! Resolving references against the recorded page's address.

/// `reference` made absolute against `base`, or unchanged when the browser
/// cannot parse it (it is then as useful to the replayer as before).
pub fn resolve(reference: &str, base: &str) -> String {
    // A fragment points into the document itself (an SVG `<use>`, an
    // in-page link); made absolute, it would point at the recorded page's
    // address, which the replay must not load.
    if reference.trim_start().starts_with('#') {
        return reference.to_string();
    }
    web_sys::Url::new_with_base(reference, base)
        .map(|url| url.href())
        .unwrap_or_else(|_| reference.to_string())
}

/// A `srcset` with each candidate's URL made absolute.
pub fn resolve_srcset(srcset: &str, base: &str) -> String {
    srcset
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            match candidate.split_once(char::is_whitespace) {
                Some((address, descriptor)) => {
                    format!("{} {}", resolve(address, base), descriptor.trim())
                }
                None if candidate.is_empty() => String::new(),
                None => resolve(candidate, base),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
