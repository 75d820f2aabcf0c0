//! The metadata parser (the upload's `event` part) on arbitrary bytes.
//!
//! Every input must end in a value, never a panic, and metadata that is
//! accepted must carry ids the intake can safely use as file and key names.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tapedeck_intake::ids::SafeId;
use tapedeck_intake::ingest::parse_metadata;

fuzz_target!(|raw: &[u8]| {
    let Ok(metadata) = parse_metadata(raw) else {
        return;
    };
    for id in [
        &metadata.application.id,
        &metadata.session.id,
        &metadata.view.id,
    ] {
        assert!(SafeId::parse(id).is_some(), "accepted the unsafe id {id:?}");
    }
});
