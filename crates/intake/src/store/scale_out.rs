//! The scale-out store: bytes in an object store, index in PostgreSQL.
//!
//! Any number of intake processes can share one: nothing is kept in a
//! process. Storing a segment puts its bytes first and then inserts its
//! index row, so a crash in between leaves an unreferenced object (never
//! listed, overwritten by the retry) and never a row without bytes.
//! Deleting removes the rows first, hiding the session at once, and then
//! the objects; a crash in between leaves unreferenced objects only.

use async_trait::async_trait;

use super::object_blobs::{sha256_hex, ObjectBlobs};
use super::postgres_index::{IndexedSegment, PostgresIndex};
use super::{NewSegment, PutOutcome, SegmentKey, SegmentRecord, SegmentStore, StoreError};
use crate::ids::SafeId;
use crate::session_summary::{select_sessions, summarize, SessionFilter, SessionSummary};

/// Where the scale-out store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleOutSettings {
    /// `postgres://user:password@host:port/database`.
    pub database_url: String,
    /// `s3://bucket` or `s3://bucket/prefix`.
    pub bucket_url: String,
}

/// Segments in S3-compatible storage, indexed in PostgreSQL.
#[derive(Debug, Clone)]
pub struct ScaleOutStore {
    blobs: ObjectBlobs,
    index: PostgresIndex,
}

impl ScaleOutStore {
    /// Connects to both and prepares the index table.
    pub async fn connect(settings: &ScaleOutSettings) -> Result<Self, StoreError> {
        let blobs = ObjectBlobs::open(&settings.bucket_url)?;
        let index = PostgresIndex::connect(&settings.database_url).await?;
        Ok(Self { blobs, index })
    }

    /// Compares a stored row with a new segment of the same key.
    fn outcome_against(stored: &IndexedSegment, segment: &NewSegment, sha256: &str) -> PutOutcome {
        let same =
            stored.record.metadata == segment.record.metadata && stored.content_sha256 == sha256;
        if same {
            PutOutcome::AlreadyStored
        } else {
            PutOutcome::Conflict
        }
    }
}

#[async_trait]
impl SegmentStore for ScaleOutStore {
    async fn store_segment(&self, segment: NewSegment) -> Result<PutOutcome, StoreError> {
        let (session_id, key) = (&segment.session_id, &segment.key);
        let sha256 = sha256_hex(&segment.compressed);
        if let Some(stored) = self.index.find(session_id, key).await? {
            return Ok(Self::outcome_against(&stored, &segment, &sha256));
        }

        let object_key = self.blobs.key_for(session_id, key, &sha256);
        self.blobs
            .put(&object_key, segment.compressed.clone())
            .await?;
        let row = IndexedSegment {
            record: segment.record.clone(),
            object_key: object_key.clone(),
            content_sha256: sha256.clone(),
        };
        if self.index.insert(session_id, key, &row).await? {
            return Ok(PutOutcome::Stored);
        }

        // Another process stored this key between the lookup and the
        // insert.
        let stored = self
            .index
            .find(session_id, key)
            .await?
            .ok_or_else(|| StoreError::Database("a conflicting row vanished".to_owned()))?;
        let outcome = Self::outcome_against(&stored, &segment, &sha256);
        if stored.object_key != object_key {
            if let Err(error) = self.blobs.delete(&object_key).await {
                tracing::warn!(
                    object_key,
                    "cannot remove the bytes of a refused segment: {error}"
                );
            }
        }
        Ok(outcome)
    }

    async fn find_sessions(
        &self,
        filter: &SessionFilter,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let candidates = self
            .index
            .candidate_sessions(filter, filter.effective_limit())
            .await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_session: std::collections::BTreeMap<String, Vec<SegmentRecord>> =
            std::collections::BTreeMap::new();
        for (session_id, record) in self.index.records_of(&candidates).await? {
            by_session.entry(session_id).or_default().push(record);
        }
        let summaries = by_session
            .into_iter()
            .filter_map(|(session_id, records)| summarize(&SafeId::parse(&session_id)?, records))
            .collect();
        Ok(select_sessions(summaries, filter))
    }

    async fn load_records(
        &self,
        session_id: &SafeId,
    ) -> Result<Option<Vec<SegmentRecord>>, StoreError> {
        let rows = self.index.session_rows(session_id).await?;
        let records: Vec<_> = rows.into_iter().map(|row| row.record).collect();
        Ok((!records.is_empty()).then_some(records))
    }

    async fn load_segment(
        &self,
        session_id: &SafeId,
        key: &SegmentKey,
    ) -> Result<Vec<u8>, StoreError> {
        let row = self
            .index
            .find(session_id, key)
            .await?
            .ok_or_else(|| StoreError::MissingBytes(format!("{session_id}/{}", key.view_id)))?;
        self.blobs.get(&row.object_key).await
    }

    async fn delete_session(&self, session_id: &SafeId) -> Result<bool, StoreError> {
        let object_keys = self.index.delete_session(session_id).await?;
        for object_key in &object_keys {
            // The session is already invisible; an object left here is only
            // wasted space, so one failure does not stop the others.
            if let Err(error) = self.blobs.delete(object_key).await {
                tracing::warn!(
                    object_key,
                    "cannot delete a deleted session's bytes: {error}"
                );
            }
        }
        Ok(!object_keys.is_empty())
    }

    async fn sessions_received_before(&self, cutoff_ms: f64) -> Result<Vec<SafeId>, StoreError> {
        self.index.sessions_received_before(cutoff_ms).await
    }
}
