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
//! Listing reads every record of every session. That is fine for the
//! thousands of sessions a self-hosted intake keeps; an index file per
//! session would be the next step if listings ever become slow.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::atomic_file::{sync_folder, write_atomically, TEMP_PREFIX};
use super::{NewSegment, PutOutcome, SegmentKey, SegmentRecord, SegmentStore, StoreError};
use crate::ids::SafeId;

/// Segments kept as files under one folder.
#[derive(Debug)]
pub struct FileStore {
    sessions_dir: PathBuf,
    /// Serialises writes, so checking for an existing segment and writing a
    /// new one cannot interleave with another upload of the same key.
    write_lock: Mutex<()>,
}

impl FileStore {
    /// Opens (and creates, when missing) a store under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let sessions_dir = data_dir.join("sessions");
        fs::create_dir_all(&sessions_dir).map_err(|source| io_error(&sessions_dir, source))?;
        Ok(Self {
            sessions_dir,
            write_lock: Mutex::new(()),
        })
    }

    fn session_dir(&self, session_id: &SafeId) -> PathBuf {
        self.sessions_dir.join(session_id.as_str())
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

impl SegmentStore for FileStore {
    fn put(&self, segment: &NewSegment) -> Result<PutOutcome, StoreError> {
        let record_path = self.segment_path(&segment.session_id, &segment.key, "json");
        let bytes_path = self.segment_path(&segment.session_id, &segment.key, "zlib");

        // A poisoned lock only means another upload panicked; the files are
        // still consistent because every write is atomic.
        let _guard = self
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());

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
            sync_folder(&self.sessions_dir)
                .map_err(|source| io_error(&self.sessions_dir, source))?;
        }

        let record = serde_json::to_vec_pretty(&segment.record)
            .expect("a segment record always serializes to JSON");
        write_atomically(&bytes_path, &segment.compressed)
            .map_err(|source| io_error(&bytes_path, source))?;
        write_atomically(&record_path, &record).map_err(|source| io_error(&record_path, source))?;
        Ok(PutOutcome::Stored)
    }

    fn session_ids(&self) -> Result<Vec<SafeId>, StoreError> {
        let entries = fs::read_dir(&self.sessions_dir)
            .map_err(|source| io_error(&self.sessions_dir, source))?;
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| io_error(&self.sessions_dir, source))?;
            let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
            if let Some(id) = entry.file_name().to_str().and_then(SafeId::parse) {
                if is_dir {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    fn session_records(
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

    fn segment_bytes(&self, session_id: &SafeId, key: &SegmentKey) -> Result<Vec<u8>, StoreError> {
        let path = self.segment_path(session_id, key, "zlib");
        fs::read(&path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => StoreError::MissingBytes(path.display().to_string()),
            _ => io_error(&path, source),
        })
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
    fn ignores_folders_whose_names_are_not_ids() {
        let data = tempfile::tempdir().unwrap();
        let store = FileStore::open(data.path()).unwrap();
        fs::create_dir_all(data.path().join("sessions/not an id")).unwrap();
        fs::write(data.path().join("sessions/stray-file"), b"").unwrap();

        assert!(store.session_ids().unwrap().is_empty());
    }
}
