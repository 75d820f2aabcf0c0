//! The recorder's own joining of plain paths agrees with the browser's URL
//! parser on every reference it accepts.

use tapedeck_recorder_wasm::serialize::url::{join_plain_path, resolve};
use wasm_bindgen_test::*;

const BASES: [&str; 5] = [
    "https://shop.test/",
    "https://shop.test:8443/catalog/shoes/list.html?page=2#top",
    "http://user:pw@127.0.0.1:8080/dir/sub/",
    "http://[::1]/a/b?x=/y/#/z",
    "https://xn--caf-dma.test/page",
];

/// Pieces that references are made of: plain ones and ones the parser
/// rewrites (dot segments, characters it encodes, schemes, hosts).
const PIECES: [&str; 30] = [
    "a",
    "Z9",
    "/",
    "/",
    "item",
    "7",
    "?",
    "=",
    "&",
    ".",
    "..",
    "%20",
    "%2e",
    "%2E",
    "-_~",
    "!$()*+,;@",
    "'",
    ":",
    "#",
    " ",
    "\t",
    "\\",
    "é",
    "<",
    "`",
    "{",
    "\"",
    "//",
    "http:",
    "%",
];

/// A fixed sequence of pseudo-random numbers, so a failure repeats.
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

fn browser_resolves(reference: &str, base: &str) -> Option<String> {
    web_sys::Url::new_with_base(reference, base)
        .ok()
        .map(|url| url.href())
}

#[wasm_bindgen_test]
fn plain_paths_are_joined_exactly_as_the_browser_resolves_them() {
    let mut sequence = Sequence(7);
    let mut joined = 0;
    for _ in 0..20_000 {
        let base = BASES[sequence.below(BASES.len())];
        let length = 1 + sequence.below(6);
        let reference: String = (0..length)
            .map(|_| PIECES[sequence.below(PIECES.len())])
            .collect();
        if let Some(ours) = join_plain_path(&reference, base) {
            joined += 1;
            assert_eq!(
                Some(ours),
                browser_resolves(&reference, base),
                "{reference:?} against {base:?}"
            );
        }
    }
    // The generated references include plenty of plain paths, so a join
    // that refused everything would fail here rather than pass unseen.
    assert!(joined > 2_000, "only {joined} references were joined");
}

#[wasm_bindgen_test]
fn references_left_to_the_browser_resolve_as_before() {
    let base = BASES[1];
    assert_eq!(
        resolve("../up.png", base),
        "https://shop.test:8443/catalog/up.png"
    );
    assert_eq!(
        resolve("//cdn.test/a b.js", base),
        "https://cdn.test/a%20b.js"
    );
    assert_eq!(resolve("#anchor", base), "#anchor");
    assert_eq!(resolve("http://[bad", base), "http://[bad");
}
