//! The scale-out session index: one PostgreSQL row per stored segment.
//!
//! The table's primary key (session, view, index) is what makes "the first
//! segment wins" hold across any number of intake processes: an insert
//! either creates the row or finds one, atomically. A row points at its
//! bytes in the object store by key; a row is only inserted after its bytes
//! are stored, so a row never points at nothing.
//!
//! Searches narrow the sessions in SQL and then summarise the candidates'
//! rows with the same code the file store uses, so both stores answer a
//! search the same way.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::{SegmentKey, SegmentRecord, StoreError};
use crate::ids::SafeId;
use crate::session_summary::SessionFilter;

/// Connections each intake process keeps at most.
const POOL_SIZE: usize = 16;

/// Any number that identifies the schema migration in
/// `pg_advisory_xact_lock`, so processes starting together take turns.
const MIGRATION_LOCK_ID: i64 = 0x7461_7065_6465_636b;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tapedeck_segments (
    session_id text NOT NULL,
    view_id text NOT NULL,
    index_in_view bigint NOT NULL,
    application_id text NOT NULL,
    start_ms double precision NOT NULL,
    end_ms double precision NOT NULL,
    received_at_ms double precision NOT NULL,
    has_error boolean NOT NULL,
    page_urls text[] NOT NULL,
    object_key text NOT NULL,
    content_sha256 text NOT NULL,
    record text NOT NULL,
    PRIMARY KEY (session_id, view_id, index_in_view)
);
CREATE INDEX IF NOT EXISTS tapedeck_segments_received_at
    ON tapedeck_segments (received_at_ms);
";

/// A row as stored: the record and where its bytes are.
#[derive(Debug, Clone)]
pub struct IndexedSegment {
    /// The segment's record.
    pub record: SegmentRecord,
    /// Its bytes' key in the object store.
    pub object_key: String,
    /// SHA-256 of its bytes, hex.
    pub content_sha256: String,
}

/// The index, over a pool of connections.
#[derive(Clone)]
pub struct PostgresIndex {
    pool: Pool,
}

impl std::fmt::Debug for PostgresIndex {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PostgresIndex")
            .finish_non_exhaustive()
    }
}

fn db_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::Database(error.to_string())
}

impl PostgresIndex {
    /// Connects to `database_url` and creates the table when missing.
    pub async fn connect(database_url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = database_url
            .parse()
            .map_err(|error| StoreError::InvalidSetting(format!("database url: {error}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(db_error)?;

        let mut client = pool.get().await.map_err(db_error)?;
        let transaction = client.transaction().await.map_err(db_error)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_ID])
            .await
            .map_err(db_error)?;
        transaction.batch_execute(SCHEMA).await.map_err(db_error)?;
        transaction.commit().await.map_err(db_error)?;
        Ok(Self { pool })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(db_error)
    }

    /// The row of one segment, if stored.
    pub async fn find(
        &self,
        session_id: &SafeId,
        key: &SegmentKey,
    ) -> Result<Option<IndexedSegment>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT record, object_key, content_sha256 FROM tapedeck_segments \
                 WHERE session_id = $1 AND view_id = $2 AND index_in_view = $3",
                &[
                    &session_id.as_str(),
                    &key.view_id.as_str(),
                    &i64::from(key.index_in_view),
                ],
            )
            .await
            .map_err(db_error)?;
        row.map(|row| indexed_segment(row.get(0), row.get(1), row.get(2)))
            .transpose()
    }

    /// Inserts the row unless the key is taken; true when inserted.
    pub async fn insert(
        &self,
        session_id: &SafeId,
        key: &SegmentKey,
        segment: &IndexedSegment,
    ) -> Result<bool, StoreError> {
        let record = &segment.record;
        let metadata = &record.metadata;
        let record_json = serde_json::to_string(record).map_err(db_error)?;
        let client = self.client().await?;
        let inserted = client
            .execute(
                "INSERT INTO tapedeck_segments (session_id, view_id, index_in_view, \
                 application_id, start_ms, end_ms, received_at_ms, has_error, page_urls, \
                 object_key, content_sha256, record) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT DO NOTHING",
                &[
                    &session_id.as_str(),
                    &key.view_id.as_str(),
                    &i64::from(key.index_in_view),
                    &metadata.application.id,
                    &metadata.start,
                    &metadata.end,
                    &record.received_at_or_end(),
                    &record.has_error,
                    &record.page_urls,
                    &segment.object_key,
                    &segment.content_sha256,
                    &record_json,
                ],
            )
            .await
            .map_err(db_error)?;
        Ok(inserted == 1)
    }

    /// Every row of a session.
    pub async fn session_rows(
        &self,
        session_id: &SafeId,
    ) -> Result<Vec<IndexedSegment>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT record, object_key, content_sha256 FROM tapedeck_segments \
                 WHERE session_id = $1",
                &[&session_id.as_str()],
            )
            .await
            .map_err(db_error)?;
        rows.into_iter()
            .map(|row| indexed_segment(row.get(0), row.get(1), row.get(2)))
            .collect()
    }

    /// The ids of the sessions that may match `filter`, the most recently
    /// active first, at most `limit`; every session returned is then
    /// checked with [`SessionFilter::matches`].
    pub async fn candidate_sessions(
        &self,
        filter: &SessionFilter,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let url_pattern = filter.url.as_deref().map(like_pattern);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT session_id FROM tapedeck_segments GROUP BY session_id HAVING \
                 ($1::text IS NULL OR bool_or(application_id = $1)) \
                 AND ($2::float8 IS NULL OR max(end_ms) >= $2) \
                 AND ($3::float8 IS NULL OR min(start_ms) <= $3) \
                 AND ($4::text IS NULL OR bool_or(EXISTS (SELECT 1 FROM unnest(page_urls) \
                      AS page(url) WHERE page.url LIKE $4 ESCAPE '\\'))) \
                 AND ($5::float8 IS NULL OR max(end_ms) - min(start_ms) >= $5) \
                 AND ($6::float8 IS NULL OR max(end_ms) - min(start_ms) <= $6) \
                 AND ($7::bool IS NULL OR bool_or(has_error) = $7) \
                 ORDER BY max(end_ms) DESC, session_id LIMIT $8",
                &[
                    &filter.application,
                    &filter.from,
                    &filter.to,
                    &url_pattern,
                    &filter.min_duration_ms,
                    &filter.max_duration_ms,
                    &filter.has_error,
                    &limit,
                ],
            )
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(|row| row.get(0)).collect())
    }

    /// The records of several sessions, by session id.
    pub async fn records_of(
        &self,
        session_ids: &[String],
    ) -> Result<Vec<(String, SegmentRecord)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT session_id, record FROM tapedeck_segments \
                 WHERE session_id = ANY($1)",
                &[&session_ids],
            )
            .await
            .map_err(db_error)?;
        rows.into_iter()
            .map(|row| {
                let session_id: String = row.get(0);
                let record: String = row.get(1);
                Ok((session_id, parse_record(&record)?))
            })
            .collect()
    }

    /// Deletes a session's rows and returns their object keys.
    pub async fn delete_session(&self, session_id: &SafeId) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "DELETE FROM tapedeck_segments WHERE session_id = $1 RETURNING object_key",
                &[&session_id.as_str()],
            )
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(|row| row.get(0)).collect())
    }

    /// Sessions whose latest segment arrived before `cutoff_ms`.
    pub async fn sessions_received_before(
        &self,
        cutoff_ms: f64,
    ) -> Result<Vec<SafeId>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT session_id FROM tapedeck_segments GROUP BY session_id \
                 HAVING max(received_at_ms) < $1",
                &[&cutoff_ms],
            )
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| SafeId::parse(row.get(0)))
            .collect())
    }
}

fn parse_record(json: &str) -> Result<SegmentRecord, StoreError> {
    serde_json::from_str(json).map_err(|error| {
        StoreError::CorruptSegment(format!("unreadable record in the index: {error}"))
    })
}

fn indexed_segment(
    record: &str,
    object_key: String,
    content_sha256: String,
) -> Result<IndexedSegment, StoreError> {
    Ok(IndexedSegment {
        record: parse_record(record)?,
        object_key,
        content_sha256,
    })
}

/// A `LIKE` pattern matching any text that contains `part` literally.
fn like_pattern(part: &str) -> String {
    let mut pattern = String::with_capacity(part.len() + 2);
    pattern.push('%');
    for character in part.chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_search_text_matches_literally_in_like() {
        assert_eq!(like_pattern("/a_b%c\\"), "%/a\\_b\\%c\\\\%");
    }
}
