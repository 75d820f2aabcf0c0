//! Resolving references against the recorded page's address.
//!
//! The browser's URL parser is the authority, but asking it costs two
//! strings into JavaScript and one back per reference, and a page's links
//! and images make that a tenth of a snapshot. Most references are plain
//! paths (`/item/7?ref=list`, `img/logo.png`) that the parser would only
//! join to the base, so those are joined here ([`join_plain_path`]); the
//! rest still go to the browser.

/// `reference` made absolute against `base`, or unchanged when the browser
/// cannot parse it (it is then as useful to the replayer as before).
pub fn resolve(reference: &str, base: &str) -> String {
    // A fragment points into the document itself (an SVG `<use>`, an
    // in-page link); made absolute, it would point at the recorded page's
    // address, which the replay must not load.
    if reference.trim_start().starts_with('#') {
        return reference.to_string();
    }
    if let Some(joined) = join_plain_path(reference, base) {
        return joined;
    }
    web_sys::Url::new_with_base(reference, base)
        .map(|url| url.href())
        .unwrap_or_else(|_| reference.to_string())
}

/// What the URL parser would make of `reference` against `base`, when the
/// answer is a plain join: `base` is an http(s) address as the browser
/// gives it (already normalised), and `reference` is a path, absolute
/// (`/a/b`) or relative (`a/b`), with an optional query, made only of
/// characters the parser keeps as they are and free of dot segments.
/// `None` for anything else (a scheme, a host, a fragment, whitespace,
/// backslashes, characters the parser percent-encodes, `.` or `..`), which
/// the browser must resolve.
pub fn join_plain_path(reference: &str, base: &str) -> Option<String> {
    if reference.is_empty()
        || reference.starts_with("//")
        || reference.starts_with('?')
        || !reference.bytes().all(is_kept_as_is)
    {
        return None;
    }
    let path = reference
        .split_once('?')
        .map_or(reference, |(path, _)| path);
    if path.split('/').any(is_dot_segment) {
        return None;
    }

    let after_scheme = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))?;
    let origin_end = base.len() - after_scheme.len() + after_scheme.find('/')?;
    let (origin, base_path) = base.split_at(origin_end);
    if reference.starts_with('/') {
        return Some(format!("{origin}{reference}"));
    }
    let base_path = base_path.split(['?', '#']).next().unwrap_or(base_path);
    let directory = &base_path[..=base_path.rfind('/')?];
    Some(format!("{origin}{directory}{reference}"))
}

/// Characters that the URL parser copies unchanged into the path and the
/// query of an http(s) URL. Left out: `:` (a reference with one may carry
/// a scheme), `'` (encoded in queries), `#`, `\`, whitespace and controls,
/// and everything the path and query percent-encode sets name.
fn is_kept_as_is(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&()*+,;=@/?%".contains(&byte)
}

/// A segment the parser removes or resolves: `.`, `..`, or one spelled
/// with `%2e`, which it treats as a dot.
fn is_dot_segment(segment: &str) -> bool {
    segment == "."
        || segment == ".."
        || segment
            .as_bytes()
            .windows(3)
            .any(|window| window[..2] == *b"%2" && window[2].eq_ignore_ascii_case(&b'e'))
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

#[cfg(test)]
mod tests {
    use super::join_plain_path;

    const BASE: &str = "https://shop.test:8443/catalog/shoes/list.html?page=2#top";

    #[test]
    fn absolute_paths_join_the_origin() {
        assert_eq!(
            join_plain_path("/item/7?ref=list", BASE).as_deref(),
            Some("https://shop.test:8443/item/7?ref=list")
        );
        assert_eq!(
            join_plain_path("/", "http://a.test/").as_deref(),
            Some("http://a.test/")
        );
    }

    #[test]
    fn relative_paths_join_the_base_directory_without_its_query() {
        assert_eq!(
            join_plain_path("img/a%20b.png", BASE).as_deref(),
            Some("https://shop.test:8443/catalog/shoes/img/a%20b.png")
        );
        assert_eq!(
            join_plain_path("x.css", "http://user:pw@a.test/dir/?q=/z/").as_deref(),
            Some("http://user:pw@a.test/dir/x.css")
        );
    }

    #[test]
    fn anything_the_parser_might_rewrite_is_left_to_the_browser() {
        for reference in [
            "",
            "//cdn.test/a.js",
            "?page=3",
            "https://other.test/",
            "mailto:someone@shop.test",
            "../up.png",
            "./here.png",
            "a/./b",
            "a/%2E%2e/b",
            "a b.png",
            " /lead",
            "/tab\there",
            "a\\b",
            "/it's",
            "/q?x='1'",
            "/café",
            "/a#frag",
            "/<b>",
        ] {
            assert_eq!(join_plain_path(reference, BASE), None, "{reference:?}");
        }
    }

    #[test]
    fn dots_inside_segments_and_queries_are_plain() {
        assert_eq!(
            join_plain_path("/a.b/..c/d?x=../y", BASE).as_deref(),
            Some("https://shop.test:8443/a.b/..c/d?x=../y")
        );
    }

    #[test]
    fn bases_other_than_http_are_left_to_the_browser() {
        assert_eq!(join_plain_path("/a", "file:///C:/dir/page.html"), None);
        assert_eq!(join_plain_path("/a", "about:blank"), None);
        assert_eq!(join_plain_path("/a", "https://no-path.test"), None);
    }
}
