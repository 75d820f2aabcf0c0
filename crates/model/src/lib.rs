//! The data that travels between tapedeck's parts.
//!
//! Events follow rrweb's v2 format so that any rrweb player can replay a
//! tapedeck recording; [`event`] holds the numbering and [`node`] the
//! serialized DOM nodes. [`segment`] describes a compressed segment as the
//! intake receives it, and [`worker`] the messages between the recorder on
//! the page and its worker. Nothing here touches a browser, so everything is
//! tested with `cargo test`.

pub mod event;
pub mod id;
pub mod node;
pub mod segment;
pub mod worker;

pub use event::{EventType, IncrementalSource, MouseInteraction};
pub use node::{NodeId, SerializedNode};
pub use segment::{CreationReason, DroppedData, SegmentMetadata};
pub use worker::{RecordsMeta, WorkerConfig};
