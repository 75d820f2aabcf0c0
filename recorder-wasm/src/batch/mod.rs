//! Collecting events into batches for the worker.
//!
//! Posting a message per event would cost the main thread more than
//! recording it, so events are appended to a byte buffer as JSON and handed
//! over in batches: after [`BATCH_DELAY_MS`], when the buffer passes
//! [`BATCH_BYTES_LIMIT`], or at once when the page is being hidden.

pub mod worker_sink;

use tapedeck_model::RecordsMeta;

/// How long events wait for company before they are handed over.
pub const BATCH_DELAY_MS: i32 = 250;

/// A buffer this large is handed over without waiting.
pub const BATCH_BYTES_LIMIT: usize = 256 * 1024;

/// Where finished batches go: the worker on a page, a vector in tests.
pub trait RecordSink {
    /// Takes one batch: JSON events joined by commas, and their summary.
    fn send(&self, bytes: Vec<u8>, meta: RecordsMeta) -> Result<(), crate::failure::RecorderError>;
}

/// Events waiting to be handed over.
#[derive(Default)]
pub struct Batch {
    bytes: Vec<u8>,
    meta: Option<RecordsMeta>,
}

impl Batch {
    /// Appends one event written by `write` (which must write exactly one
    /// JSON value) with its timestamp.
    pub fn push(
        &mut self,
        timestamp: f64,
        is_full_snapshot: bool,
        write: impl FnOnce(&mut Vec<u8>),
    ) {
        if !self.bytes.is_empty() {
            self.bytes.push(b',');
        }
        write(&mut self.bytes);
        let meta = self.meta.get_or_insert(RecordsMeta {
            count: 0,
            start: timestamp,
            end: timestamp,
            has_full_snapshot: false,
        });
        meta.count += 1;
        meta.start = meta.start.min(timestamp);
        meta.end = meta.end.max(timestamp);
        meta.has_full_snapshot |= is_full_snapshot;
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.meta.is_none()
    }

    /// True when the batch should be handed over without waiting.
    pub fn is_full(&self) -> bool {
        self.bytes.len() >= BATCH_BYTES_LIMIT
    }

    /// Takes the waiting events, leaving the batch empty.
    pub fn take(&mut self) -> Option<(Vec<u8>, RecordsMeta)> {
        let meta = self.meta.take()?;
        Some((std::mem::take(&mut self.bytes), meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_joined_with_commas_and_summarised() {
        let mut batch = Batch::default();
        assert!(batch.take().is_none());
        batch.push(20.0, false, |out| out.extend_from_slice(b"{\"a\":1}"));
        batch.push(10.0, true, |out| out.extend_from_slice(b"{\"b\":2}"));
        let (bytes, meta) = batch.take().unwrap();
        assert_eq!(bytes, b"{\"a\":1},{\"b\":2}");
        assert_eq!((meta.count, meta.start, meta.end), (2, 10.0, 20.0));
        assert!(meta.has_full_snapshot);
        assert!(batch.is_empty());
    }
}
