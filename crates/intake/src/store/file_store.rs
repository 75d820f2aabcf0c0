//! The embedded store: plain files under the data directory.
//!
//! ```text
//! <data dir>/sessions/<session id>/<view id>-<index in view, 6 digits>.zlib
//! <data dir>/sessions/<session id>/<view id>-<index in view, 6 digits>.json
//! ```
//!
//! The `.zlib` file is the segment exactly as uploaded; the `.json` file is
//! its [`SegmentRecord`]. The record is written last and is what makes a
//! segment visible, so a crash between the two writes leaves an invisible
//! `.zlib` that the retried upload overwrites. Ids are [`SafeId`]s, so the
//! names can never leave their folder, and a view id cannot be confused
//! with an index because the index is always the digits after the last
//! `-`.
//!
//! A session is deleted by first renaming its folder to a name that is not
//! an id (`.deleted-…`), which hides it at once and atomically, and then
//! removing that folder; whatever a crash leaves of either step, or of an
//! atomic write, is invisible to readers and swept away by
//! [`FileStore::open`].
//!
//! Only one process may use a data directory: the write lock and the
//! temporary names are per process. Several intake processes need the
//! scale-out store.
//!
//! Listing reads every record of every session. That is fine for the
//! thousands of sessions a self-hosted intake keeps; the scale-out store's
//! database index is the answer when listings become slow.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::atomic_file::{sync_folder, write_atomically, TEMP_PREFIX};
use super::{NewSegment, PutOutcome, SegmentKey, SegmentRecord, SegmentStore, StoreError};
use crate::ids::SafeId;
use crate::session_summary::{select_sessions, summarize, SessionFilter, SessionSummary};

/// Deleted session folders are renamed to names starting with this before
/// they are removed.
const DELETED_PREFIX: &str = ".deleted-";

/// Segments kept as files under one folder. Cloning is cheap and shares
/// the store.
#[derive(Debug, Clone)]
pub struct FileStore {
    inner: Arc<FileStoreInner>,
}

#[derive(Debug)]
struct FileStoreInner {
    sessions_dir: PathBuf,
    /// Serialises writes and deletions, so checking for an existing segment
    /// and writing a new one cannot interleave with another upload of the
    /// same key or with the deletion of its session.
    write_lock: Mutex<()>,
}

impl FileStore {
    /// Opens (and creates, when missing) a store under `data_dir`, and
    /// removes what an earlier crash left behind: temporary files of
    /// unfinished writes and folders of unfinished deletions.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let sessions_dir = data_dir.join("sessions");
        fs::create_dir_all(&sessions_dir).map_err(|source| io_error(&sessions_dir, source))?;
        let store = Self {
            inner: Arc::new(FileStoreInner {
                sessions_dir,
                write_lock: Mutex::new(()),
            }),
        };
        store.sweep_leftovers()?;
        Ok(store)
    }

    fn sessions_dir(&self) -> &Path {
        &self.inner.sessions_dir
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A poisoned lock only means another upload panicked; the files are
        // still consistent because every write is atomic.
        self.inner
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn sweep_leftovers(&self) -> Result<(), StoreError> {
        let sessions_dir = self.sessions_dir();
        let entries =
            fs::read_dir(sessions_dir).map_err(|source| io_error(sessions_dir, source))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            if name.starts_with(DELETED_PREFIX) {
                tracing::info!(path = %path.display(), "removing an interrupted deletion");
                fs::remove_dir_all(&path).map_err(|source| io_error(&path, source))?;
            } else if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                for file in fs::read_dir(&path).into_iter().flatten().flatten() {
                    if file.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                        let temp = file.path();
                        tracing::info!(path = %temp.display(), "removing an interrupted write");
                        fs::remove_file(&temp).map_err(|source| io_error(&temp, source))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn session_dir(&self, session_id: &SafeId) -> PathBuf {
        self.sessions_dir().join(session_id.as_str())
    }

    fn segment_path(&self, session_id: &SafeId, key: &SegmentKey, extension: &str) -> PathBuf {
        let name = format!("{}-{:06}.{extension}", key.view_id, key.index_in_view);
        self.session_dir(session_id).join(name)
    }

    fn read_record(path: &Path) -> Result<SegmentRecord, StoreError> {
        let bytes = fs::read(path).map_err(|source| io_error(path, source))?;
        serde_json::from_slice(&bytes).map_err(|source| StoreError::CorruptRecord {
            path: path.display().to_string(),
            source,
        })
    }
}

impl FileStore {
    /// Stores a segment unless its key is taken; see
    /// [`SegmentStore::store_segment`].
    pub fn put(&self, segment: &NewSegment) -> Result<PutOutcome, StoreError> {
        let record_path = self.segment_path(&segment.session_id, &segment.key, "json");
        let bytes_path = self.segment_path(&segment.session_id, &segment.key, "zlib");
        let _guard = self.lock();

        if record_path.exists() {
            let stored = Self::read_record(&record_path)?;
            let stored_bytes =
                fs::read(&bytes_path).map_err(|source| io_error(&bytes_path, source))?;
            let same =
                stored.metadata == segment.record.metadata && stored_bytes == segment.compressed;
            return Ok(if same {
                PutOutcome::AlreadyStored
            } else {
                PutOutcome::Conflict
            });
        }

        let session_dir = self.session_dir(&segment.session_id);
        if !session_dir.exists() {
            fs::create_dir(&session_dir).map_err(|source| io_error(&session_dir, source))?;
            sync_folder(self.sessions_dir())
                .map_err(|source| io_error(self.sessions_dir(), source))?;
        }

        let record = serde_json::to_vec_pretty(&segment.record)
            .expect("a segment record always serializes to JSON");
        write_atomically(&bytes_path, &segment.compressed)
            .map_err(|source| io_error(&bytes_path, source))?;
        write_atomically(&record_path, &record).map_err(|source| io_error(&record_path, source))?;
        Ok(PutOutcome::Stored)
    }

    /// The ids of every stored session, in no particular order.
    pub fn session_ids(&self) -> Result<Vec<SafeId>, StoreError> {
        let sessions_dir = self.sessions_dir();
        let entries =
            fs::read_dir(sessions_dir).map_err(|source| io_error(sessions_dir, source))?;
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| io_error(sessions_dir, source))?;
            let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
            if let Some(id) = entry.file_name().to_str().and_then(SafeId::parse) {
                if is_dir {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    /// The records of a session, `None` when it has none.
    pub fn session_records(
        &self,
        session_id: &SafeId,
    ) -> Result<Option<Vec<SegmentRecord>>, StoreError> {
        let session_dir = self.session_dir(session_id);
        let entries = match fs::read_dir(&session_dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(io_error(&session_dir, source)),
        };

        let mut records = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|source| io_error(&session_dir, source))?
                .path();
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            if name.ends_with(".json") && !name.starts_with(TEMP_PREFIX) {
                records.push(Self::read_record(&path)?);
            }
        }
        Ok((!records.is_empty()).then_some(records))
    }

    /// The stored zlib bytes of one segment.
    pub fn segment_bytes(
        &self,
        session_id: &SafeId,
        key: &SegmentKey,
    ) -> Result<Vec<u8>, StoreError> {
        let path = self.segment_path(session_id, key, "zlib");
        fs::read(&path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => StoreError::MissingBytes(path.display().to_string()),
            _ => io_error(&path, source),
        })
    }

    /// Every session summarised.
    pub fn summaries(&self) -> Result<Vec<SessionSummary>, StoreError> {
        let mut summaries = Vec::new();
        for session_id in self.session_ids()? {
            let records = self.session_records(&session_id)?.unwrap_or_default();
            summaries.extend(summarize(&session_id, records));
        }
        Ok(summaries)
    }

    /// Hides the session at once by renaming its folder, then removes it.
    pub fn remove_session(&self, session_id: &SafeId) -> Result<bool, StoreError> {
        let _guard = self.lock();
        let session_dir = self.session_dir(session_id);
        let hidden = self.sessions_dir().join(format!(
            "{DELETED_PREFIX}{session_id}-{}",
            std::process::id()
        ));
        match fs::rename(&session_dir, &hidden) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(source) => return Err(io_error(&session_dir, source)),
        }
        sync_folder(self.sessions_dir()).map_err(|source| io_error(self.sessions_dir(), source))?;
        fs::remove_dir_all(&hidden).map_err(|source| io_error(&hidden, source))?;
        Ok(true)
    }
}

/// Runs a file-store call on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| StoreError::Task(error.to_string()))?
}

#[async_trait]
impl SegmentStore for FileStore {
    async fn store_segment(&self, segment: NewSegment) -> Result<PutOutcome, StoreError> {
        let store = self.clone();
        blocking(move || store.put(&segment)).await
    }

    async fn find_sessions(
        &self,
        filter: &SessionFilter,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let store = self.clone();
        let filter = filter.clone();
        blocking(move || Ok(select_sessions(store.summaries()?, &filter))).await
    }

    async fn load_records(
        &self,
        session_id: &SafeId,
    ) -> Result<Option<Vec<SegmentRecord>>, StoreError> {
        let store = self.clone();
        let session_id = session_id.clone();
        blocking(move || store.session_records(&session_id)).await
    }

    async fn load_segment(
        &self,
        session_id: &SafeId,
        key: &SegmentKey,
    ) -> Result<Vec<u8>, StoreError> {
        let store = self.clone();
        let (session_id, key) = (session_id.clone(), key.clone());
        blocking(move || store.segment_bytes(&session_id, &key)).await
    }

    async fn delete_session(&self, session_id: &SafeId) -> Result<bool, StoreError> {
        let store = self.clone();
        let session_id = session_id.clone();
        blocking(move || store.remove_session(&session_id)).await
    }

    async fn sessions_received_before(&self, cutoff_ms: f64) -> Result<Vec<SafeId>, StoreError> {
        let store = self.clone();
        blocking(move || {
            let expired = store
                .summaries()?
                .into_iter()
                .filter(|summary| summary.last_received_at < cutoff_ms)
                .filter_map(|summary| SafeId::parse(&summary.session_id))
                .collect();
            Ok(expired)
        })
        .await
    }
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use tapedeck_model::segment::IdRef;
    use tapedeck_model::{CreationReason, SegmentMetadata};

    use super::*;

    fn segment(session: &str, view: &str, index: u32, bytes: &[u8]) -> NewSegment {
        let metadata = SegmentMetadata {
            application: IdRef { id: "app".into() },
            session: IdRef { id: session.into() },
            view: IdRef { id: view.into() },
            start: 1000.0 + f64::from(index),
            end: 2000.0,
            records_count: 1,
            index_in_view: index,
            has_full_snapshot: index == 0,
            creation_reason: CreationReason::Init,
            raw_segment_size: 10,
            compressed_segment_size: bytes.len() as u64,
        };
        NewSegment {
            session_id: id(session),
            key: SegmentKey {
                view_id: id(view),
                index_in_view: index,
            },
            record: SegmentRecord {
                metadata,
                page_url: None,
                page_urls: Vec::new(),
                has_error: false,
                received_at: Some(5000.0 + f64::from(index)),
            },
            compressed: bytes.to_vec(),
        }
    }

    fn id(raw: &str) -> SafeId {
        SafeId::parse(raw).unwrap()
    }

    #[test]
    fn stores_bytes_and_record_under_the_documented_names() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();

        assert_eq!(
            store.put(&segment("s1", "view-a", 3, b"zz")).unwrap(),
            PutOutcome::Stored
        );

        let folder = data.path().join("sessions/s1");
        assert_eq!(fs::read(folder.join("view-a-000003.zlib")).unwrap(), b"zz");
        let record: SegmentRecord =
            serde_json::from_slice(&fs::read(folder.join("view-a-000003.json")).unwrap()).unwrap();
        assert_eq!(record.metadata.index_in_view, 3);
    }

    #[test]
    fn lists_sessions_and_their_records() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        store.put(&segment("s1", "v", 0, b"a")).unwrap();
        store.put(&segment("s1", "v", 1, b"b")).unwrap();
        store.put(&segment("s2", "w", 0, b"c")).unwrap();

        let mut sessions = store.session_ids().unwrap();
        sessions.sort();
        assert_eq!(sessions, [id("s1"), id("s2")]);

        let mut indexes: Vec<u32> = store
            .session_records(&id("s1"))
            .unwrap()
            .unwrap()
            .iter()
            .map(|record| record.metadata.index_in_view)
            .collect();
        indexes.sort_unstable();
        assert_eq!(indexes, [0, 1]);

        let key = SegmentKey {
            view_id: id("v"),
            index_in_view: 1,
        };
        assert_eq!(store.segment_bytes(&id("s1"), &key).unwrap(), b"b");
        assert!(store.session_records(&id("nobody")).unwrap().is_none());
    }

    #[test]
    fn an_identical_retry_is_accepted_and_a_different_segment_conflicts() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        store.put(&segment("s", "v", 0, b"first")).unwrap();

        assert_eq!(
            store.put(&segment("s", "v", 0, b"first")).unwrap(),
            PutOutcome::AlreadyStored
        );
        assert_eq!(
            store.put(&segment("s", "v", 0, b"other")).unwrap(),
            PutOutcome::Conflict
        );

        let key = SegmentKey {
            view_id: id("v"),
            index_in_view: 0,
        };
        assert_eq!(store.segment_bytes(&id("s"), &key).unwrap(), b"first");
    }

    #[test]
    fn bytes_without_a_record_stay_invisible_and_are_replaced_on_retry() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        // What a crash between the two writes leaves behind.
        fs::create_dir_all(data.path().join("sessions/s")).unwrap();
        fs::write(data.path().join("sessions/s/v-000000.zlib"), b"half").unwrap();
        fs::write(data.path().join("sessions/s/.tmp-v-000000.json-1"), b"{").unwrap();

        assert!(store.session_records(&id("s")).unwrap().is_none());

        assert_eq!(
            store.put(&segment("s", "v", 0, b"whole")).unwrap(),
            PutOutcome::Stored
        );
        assert_eq!(store.session_records(&id("s")).unwrap().unwrap().len(), 1);
        let key = SegmentKey {
            view_id: id("v"),
            index_in_view: 0,
        };
        assert_eq!(store.segment_bytes(&id("s"), &key).unwrap(), b"whole");
    }

    #[test]
    fn opening_sweeps_away_what_a_crash_left_behind() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        store.put(&segment("s", "v", 0, b"kept")).unwrap();
        let sessions = data.path().join("sessions");
        fs::write(sessions.join("s/.tmp-v-000001.zlib-77"), b"half").unwrap();
        fs::create_dir_all(sessions.join(".deleted-gone-77")).unwrap();
        fs::write(sessions.join(".deleted-gone-77/v-000000.json"), b"{}").unwrap();
        drop(store);

        let store = FileStore::open(data.path()).unwrap();
        let mut names: Vec<_> = fs::read_dir(&sessions)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["s"]);
        assert_eq!(fs::read_dir(sessions.join("s")).unwrap().count(), 2);
        assert_eq!(store.session_records(&id("s")).unwrap().unwrap().len(), 1);
    }

    #[test]
    fn a_deleted_session_disappears_and_a_second_delete_finds_nothing() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        store.put(&segment("s", "v", 0, b"a")).unwrap();
        store.put(&segment("t", "v", 0, b"b")).unwrap();

        assert!(store.remove_session(&id("s")).unwrap());
        assert!(!store.remove_session(&id("s")).unwrap());
        assert!(store.session_records(&id("s")).unwrap().is_none());
        assert_eq!(store.session_ids().unwrap(), [id("t")]);
        assert_eq!(
            fs::read_dir(data.path().join("sessions")).unwrap().count(),
            1
        );
    }

    #[tokio::test]
    async fn retention_finds_sessions_by_when_they_were_received() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        // Received at 5000 and 5001 ms; the session counts by its latest.
        store.put(&segment("s", "v", 0, b"a")).unwrap();
        store.put(&segment("s", "v", 1, b"b")).unwrap();

        assert!(store
            .sessions_received_before(5001.0)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store.sessions_received_before(5001.5).await.unwrap(),
            [id("s")]
        );
    }

    #[test]
    fn ignores_folders_whose_names_are_not_ids() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        fs::create_dir_all(data.path().join("sessions/not an id")).unwrap();
        fs::write(data.path().join("sessions/stray-file"), b"").unwrap();

        assert!(store.session_ids().unwrap().is_empty());
    }
}
