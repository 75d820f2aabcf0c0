//! A segment's metadata: the `event` part of an upload.
//!
//! The intake validates and stores it, and orders a session's segments by
//! it, so its field names are part of the wire contract.

use serde::{Deserialize, Serialize};

/// Why a segment was closed, so the intake (and whoever debugs a lost
/// stretch of a replay) can tell a timer from a page exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreationReason {
    /// The first segment of a view.
    Init,
    /// The segment had been open for the duration limit.
    SegmentDurationLimit,
    /// The segment reached the compressed byte limit.
    SegmentBytesLimit,
    /// A new view (page load or session) began.
    ViewChange,
    /// The page is being unloaded.
    BeforeUnload,
    /// The page was hidden (tab switched or closed).
    VisibilityHidden,
    /// The page asked for it with `flush()` or stopped recording.
    Manual,
    /// The browser froze the page (Page Lifecycle `freeze`), which may be
    /// followed by a discard without any other event.
    Freeze,
    /// A full-snapshot checkout began, so the next segment starts with one.
    Checkout,
    /// An uncaught error or unhandled rejection on the page; in
    /// error-triggered mode it releases the buffered segments.
    ErrorTrigger,
}

impl CreationReason {
    /// The reason's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Init => "init",
            Self::SegmentDurationLimit => "segment_duration_limit",
            Self::SegmentBytesLimit => "segment_bytes_limit",
            Self::ViewChange => "view_change",
            Self::BeforeUnload => "before_unload",
            Self::VisibilityHidden => "visibility_hidden",
            Self::Manual => "manual",
            Self::Freeze => "freeze",
            Self::Checkout => "checkout",
            Self::ErrorTrigger => "error_trigger",
        }
    }

    /// Parses a wire name, `None` when it is not one of the reasons.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Init,
            Self::SegmentDurationLimit,
            Self::SegmentBytesLimit,
            Self::ViewChange,
            Self::BeforeUnload,
            Self::VisibilityHidden,
            Self::Manual,
            Self::Freeze,
            Self::Checkout,
            Self::ErrorTrigger,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == name)
    }
}

/// How much recorded data the client dropped before the segment it is sent
/// with, because the intake could not take it (a full queue while it was
/// unreachable, or a final refusal). Sent as extra top-level fields of the
/// `event` part, beside the [`SegmentMetadata`] fields, and only when
/// something was dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedData {
    /// Segments dropped since the last report.
    pub dropped_segments: u32,
    /// Their compressed bytes.
    pub dropped_bytes: u64,
}

impl DroppedData {
    /// True when nothing was dropped.
    pub fn is_empty(&self) -> bool {
        self.dropped_segments == 0
    }

    /// Counts one more dropped segment of `bytes` compressed bytes.
    pub fn add(&mut self, bytes: u64) {
        self.dropped_segments = self.dropped_segments.saturating_add(1);
        self.dropped_bytes = self.dropped_bytes.saturating_add(bytes);
    }
}

/// The `event` part as JSON: the metadata, plus the dropped-data fields
/// when `dropped` reports a loss.
pub fn event_part_json(
    metadata: &SegmentMetadata,
    dropped: DroppedData,
) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct EventPart<'a> {
        #[serde(flatten)]
        metadata: &'a SegmentMetadata,
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        dropped: Option<DroppedData>,
    }
    let dropped = (!dropped.is_empty()).then_some(dropped);
    serde_json::to_string(&EventPart { metadata, dropped })
}

/// An object holding one id, as the metadata nests them:
/// `{"application": {"id": "…"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    /// The id.
    pub id: String,
}

/// The metadata of one segment, as sent in the `event` part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentMetadata {
    /// The application the recording belongs to.
    pub application: IdRef,
    /// The session, shared by every page load of one visit.
    pub session: IdRef,
    /// The page load.
    pub view: IdRef,
    /// Epoch milliseconds of the first event.
    pub start: f64,
    /// Epoch milliseconds of the last event.
    pub end: f64,
    /// How many events the segment holds.
    pub records_count: u32,
    /// 0, 1, 2 … within the view, so gaps can be seen.
    pub index_in_view: u32,
    /// True when the segment holds a full snapshot, so replay can start
    /// from it.
    pub has_full_snapshot: bool,
    /// Why the segment was closed.
    pub creation_reason: CreationReason,
    /// Bytes of the JSON before compression.
    pub raw_segment_size: u64,
    /// Bytes of the zlib stream.
    pub compressed_segment_size: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_uses_nested_ids_and_snake_case_reasons() {
        let metadata = SegmentMetadata {
            application: IdRef { id: "app".into() },
            session: IdRef { id: "s".into() },
            view: IdRef { id: "v".into() },
            start: 1.0,
            end: 2.0,
            records_count: 3,
            index_in_view: 0,
            has_full_snapshot: true,
            creation_reason: CreationReason::SegmentBytesLimit,
            raw_segment_size: 10,
            compressed_segment_size: 5,
        };
        let json = serde_json::to_value(&metadata).unwrap();
        assert_eq!(json["application"]["id"], "app");
        assert_eq!(json["creation_reason"], "segment_bytes_limit");
        let back: SegmentMetadata = serde_json::from_value(json).unwrap();
        assert_eq!(back, metadata);
    }

    #[test]
    fn event_part_adds_dropped_fields_only_after_a_loss() {
        let metadata = SegmentMetadata {
            application: IdRef { id: "app".into() },
            session: IdRef { id: "s".into() },
            view: IdRef { id: "v".into() },
            start: 1.0,
            end: 2.0,
            records_count: 3,
            index_in_view: 4,
            has_full_snapshot: true,
            creation_reason: CreationReason::Checkout,
            raw_segment_size: 10,
            compressed_segment_size: 5,
        };
        let plain: serde_json::Value =
            serde_json::from_str(&event_part_json(&metadata, DroppedData::default()).unwrap())
                .unwrap();
        assert!(plain.get("dropped_segments").is_none());
        assert_eq!(plain, serde_json::to_value(&metadata).unwrap());

        let mut dropped = DroppedData::default();
        dropped.add(700);
        dropped.add(300);
        let lossy: serde_json::Value =
            serde_json::from_str(&event_part_json(&metadata, dropped).unwrap()).unwrap();
        assert_eq!(lossy["dropped_segments"], 2);
        assert_eq!(lossy["dropped_bytes"], 1000);
        assert_eq!(lossy["index_in_view"], 4);
        // The intake reads the metadata and ignores the extra fields.
        let back: SegmentMetadata = serde_json::from_value(lossy).unwrap();
        assert_eq!(back, metadata);
    }

    #[test]
    fn every_reason_parses_back_from_its_wire_name() {
        for name in [
            "init",
            "view_change",
            "before_unload",
            "visibility_hidden",
            "manual",
            "freeze",
            "checkout",
            "error_trigger",
        ] {
            assert_eq!(CreationReason::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(CreationReason::parse("whenever"), None);
    }
}
