//! Tapedeck's recorder, running on the page's main thread.
//!
//! [`Recorder`] is what the JavaScript face calls: it checks the options,
//! picks the session, then records a Meta event and a full snapshot of the
//! document ([`full_snapshot`], [`serialize`]) and follows the page with one
//! tracker per kind of change ([`trackers`]). Events are written as rrweb v2
//! JSON straight into byte buffers and handed to the worker in batches
//! ([`batch`]), which compresses and ships them; the main thread does no
//! compression. Privacy rules ([`tapedeck_privacy`]) are applied while
//! serializing, so masked data never leaves this thread.
//!
//! The recorder must never break the page it records: every failure ends in
//! one console warning and a stopped recording ([`failure`]).

pub mod batch;
pub mod dom;
pub mod events;
pub mod failure;
pub mod full_snapshot;
pub mod node_map;
pub mod options;
pub mod page_exit;
pub mod recorder;
pub mod recording;
pub mod serialize;
pub mod session;
pub mod trackers;
pub mod transport;

pub use recorder::Recorder;
