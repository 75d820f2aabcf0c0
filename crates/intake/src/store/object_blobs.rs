//! Segment bytes in S3-compatible object storage.
//!
//! A segment's key ends with a hash of its bytes, so two different
//! segments uploaded for the same session, view and index (the second is
//! refused by the index) can never overwrite each other's bytes, and an
//! identical retry writes the same object again, harmlessly. An object PUT
//! is all or nothing, so no reader ever sees half an object.

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};

use super::{SegmentKey, StoreError};
use crate::ids::SafeId;

/// The bucket holding segment bytes, under an optional prefix.
#[derive(Debug, Clone)]
pub struct ObjectBlobs {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl ObjectBlobs {
    /// Opens the bucket of `url` (`s3://bucket` or `s3://bucket/prefix`).
    ///
    /// Credentials, region and endpoint come from the usual `AWS_*`
    /// environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`), which is also
    /// how MinIO, moto or any other S3-compatible server is reached.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let parsed = url::Url::parse(url)
            .map_err(|error| StoreError::InvalidSetting(format!("bucket url: {error}")))?;
        if parsed.scheme() != "s3" {
            return Err(StoreError::InvalidSetting(format!(
                "bucket url must start with s3://, got {url}"
            )));
        }
        let store = AmazonS3Builder::from_env().with_url(url).build()?;
        let prefix = parsed.path().trim_matches('/').to_owned();
        Ok(Self {
            store: Arc::new(store),
            prefix,
        })
    }

    /// The key a segment's bytes are stored under.
    pub fn key_for(&self, session_id: &SafeId, key: &SegmentKey, sha256_hex: &str) -> String {
        let name = format!(
            "sessions/{session_id}/{}-{:06}-{}.zlib",
            key.view_id,
            key.index_in_view,
            &sha256_hex[..16]
        );
        if self.prefix.is_empty() {
            name
        } else {
            format!("{}/{name}", self.prefix)
        }
    }

    /// Stores `bytes` under `object_key`.
    pub async fn put(&self, object_key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.store
            .put(&ObjectPath::from(object_key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The bytes under `object_key`.
    pub async fn get(&self, object_key: &str) -> Result<Vec<u8>, StoreError> {
        let path = ObjectPath::from(object_key);
        let result = match self.store.get(&path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(StoreError::MissingBytes(object_key.to_owned()))
            }
            Err(error) => return Err(error.into()),
        };
        Ok(result.bytes().await?.to_vec())
    }

    /// Deletes the object; one already gone counts as deleted.
    pub async fn delete(&self, object_key: &str) -> Result<(), StoreError> {
        match self.store.delete(&ObjectPath::from(object_key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// SHA-256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_as_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn keys_carry_the_prefix_the_ids_and_the_content_hash() {
        let blobs = ObjectBlobs::open("s3://bucket/some/prefix").unwrap();
        let key = SegmentKey {
            view_id: SafeId::parse("v1").unwrap(),
            index_in_view: 7,
        };
        let object_key = blobs.key_for(&SafeId::parse("s1").unwrap(), &key, &sha256_hex(b"x"));
        assert_eq!(
            object_key,
            "some/prefix/sessions/s1/v1-000007-2d711642b726b044.zlib"
        );
    }

    #[test]
    fn refuses_a_url_that_is_not_s3() {
        assert!(ObjectBlobs::open("gs://bucket").is_err());
        assert!(ObjectBlobs::open("not a url").is_err());
    }
}
