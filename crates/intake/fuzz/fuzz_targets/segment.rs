//! The segment parser on arbitrary bytes: the bounded zlib inflation, then
//! the events check on whatever it inflates to.
//!
//! Every input must end in a value, never a panic, and inflation must never
//! hand back more than its limits allow, whatever the stream claims.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tapedeck_intake::inflate::{inflate_segment, InflateLimits};
use tapedeck_intake::ingest::events::check_events;

fuzz_target!(|compressed: &[u8]| {
    let limits = InflateLimits::default();
    let Ok(inflated) = inflate_segment(compressed, limits) else {
        return;
    };
    let ratio_limit = compressed.len().saturating_mul(limits.max_ratio);
    let limit = limits
        .max_inflated_bytes
        .min(ratio_limit.max(limits.ratio_floor_bytes));
    assert!(
        inflated.len() <= limit,
        "inflated {} bytes past the {limit}-byte limit",
        inflated.len()
    );
    if let Ok(summary) = check_events(&inflated) {
        assert!(summary.count > 0, "accepted a segment without events");
        assert_eq!(summary.page_url.as_ref(), summary.page_urls.first());
    }
});
