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
//! A session outlives the page load and is shared by the origin's tabs
//! ([`session`], [`lifecycle`]): when it expires the recording pauses, and
//! the next activity begins a new session with a new view and a fresh full
//! snapshot. Full snapshots are also retaken periodically (checkouts), so a
//! lost segment damages only a bounded stretch. [`error_trigger`] records
//! the page's uncaught errors and, in error-triggered mode, releases the
//! worker's rolling buffer.
//!
//! The recorder must never break the page it records: every failure ends in
//! one console warning and a stopped recording ([`failure`]).

pub mod batch;
pub mod dom;
pub mod error_trigger;
pub mod events;
pub mod exit_copy;
pub mod failure;
pub mod full_snapshot;
pub mod interval;
pub mod lifecycle;
pub mod node_map;
pub mod options;
pub mod page_exit;
pub mod recorder;
pub mod recording;
pub mod serialize;
pub mod session;
pub mod sliced_snapshot;
pub mod trackers;
pub mod transport;

pub use recorder::Recorder;
