//! What tapedeck may record, decided before anything leaves the page.
//!
//! A page sets a global [`PrivacyLevel`]; elements override it with the
//! `data-tapedeck-privacy` attribute or a `tapedeck-privacy-<level>` class,
//! and descendants inherit what their ancestors decided ([`level`]). Some
//! fields are masked whatever the level, because no site owner wants them in
//! a recording ([`fields`]). The recorder asks these rules about each node
//! as it serializes it and applies the answers with [`mask`]; nothing here
//! touches the DOM, so every rule is tested with `cargo test`.

pub mod fields;
pub mod level;
pub mod mask;

pub use fields::{is_always_masked_input, is_sensitive_meta, TextAttribute};
pub use level::{inherit_level, level_from_markers, ParseLevelError, PrivacyLevel};
pub use mask::{mask_input_value, mask_text, strip_url_query};
