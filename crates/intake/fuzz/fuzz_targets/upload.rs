//! A whole upload's checks on arbitrary bytes: the metadata, the sizes it
//! declares, the bounded inflation and the events, in the order the intake
//! runs them.
//!
//! An input is the `event` part's JSON, one newline, then the `segment`
//! part's bytes (compact JSON holds no raw newline, so the first one
//! splits them). Every input must end in a value, never a panic, and an
//! accepted upload must agree with the metadata it declares.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tapedeck_intake::inflate::inflate_segment;
use tapedeck_intake::ingest::events::check_events;
use tapedeck_intake::ingest::{check_upload, IngestLimits, UploadParts};

fuzz_target!(|input: &[u8]| {
    let (metadata, segment) = match input.iter().position(|&byte| byte == b'\n') {
        Some(newline) => (&input[..newline], &input[newline + 1..]),
        None => (input, &[][..]),
    };
    let parts = UploadParts {
        segment: segment.to_vec(),
        metadata: metadata.to_vec(),
    };
    let limits = IngestLimits::default();
    let Ok(checked) = check_upload(parts, limits, |_| Ok(())) else {
        return;
    };
    let declared = &checked.record.metadata;
    assert_eq!(checked.compressed, segment);
    assert_eq!(declared.compressed_segment_size, segment.len() as u64);
    assert!(declared.start <= declared.end, "accepted start after end");
    let inflated =
        inflate_segment(segment, limits.inflate).expect("an accepted segment inflates again");
    assert_eq!(declared.raw_segment_size, inflated.len() as u64);
    let summary = check_events(&inflated).expect("accepted events check again");
    assert_eq!(u64::from(declared.records_count), summary.count as u64);
    assert_eq!(checked.record.page_url, summary.page_url);
});
