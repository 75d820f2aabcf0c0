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
        ]
        .into_iter()
        .find(|reason| reason.as_str() == name)
    }
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
    fn every_reason_parses_back_from_its_wire_name() {
        for name in [
            "init",
            "view_change",
            "before_unload",
            "visibility_hidden",
            "manual",
        ] {
            assert_eq!(CreationReason::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(CreationReason::parse("whenever"), None);
    }
}
