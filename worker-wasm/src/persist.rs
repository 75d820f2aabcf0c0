//! Keeping unsent segments in IndexedDB, so a closed tab does not lose
//! them.
//!
//! Every segment queued for upload is written to the origin's IndexedDB and
//! deleted once the intake gave its final answer. A segment still there
//! when the page goes away (its upload in flight, the intake down, a
//! beacon the browser refused) is sent by the worker of the next page load
//! of the same origin. Two tabs may both send a kept segment; the intake
//! answers a repeat of a stored segment with `200` and stores it once.
//!
//! IndexedDB may be missing or refused (private browsing, storage
//! disabled); persistence then quietly does nothing and segments live only
//! in memory, as they would without it.

use js_sys::{Array, Object, Reflect, Uint8Array};
use tapedeck_model::SegmentMetadata;
use tapedeck_segment::Segment;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::upload::PendingUpload;

/// Segments older than this are not sent any more on a later load: the
/// session they belong to ended long ago.
pub const KEPT_SEGMENT_MAX_AGE_MS: f64 = 3.0 * 24.0 * 60.0 * 60.0 * 1000.0;

// The IndexedDB calls are event-based; a few lines of promise glue keep the
// Rust side to three awaitable functions. Each call opens the database and
// closes it again, so no connection outlives the call.
#[wasm_bindgen(inline_js = r#"
const DATABASE = "tapedeck";
const STORE = "unsent-segments";

function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, use) {
  const database = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const result = use(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    database.close();
  }
}

export function keep_segment(key, record) {
  return withStore("readwrite", (store) => store.put(record, key));
}

export function forget_segment(key) {
  return withStore("readwrite", (store) => store.delete(key));
}

export async function kept_segments() {
  const [keys, records] = await Promise.all([
    withStore("readonly", (store) => store.getAllKeys()),
    withStore("readonly", (store) => store.getAll()),
  ]);
  return keys.map((key, index) => [key, records[index]]);
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn keep_segment(key: &str, record: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn forget_segment(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn kept_segments() -> Result<JsValue, JsValue>;
}

/// Writes a queued segment to IndexedDB, in the background.
pub fn keep(upload: &PendingUpload) {
    let Ok(metadata) = serde_json::to_string(&upload.segment.metadata) else {
        return;
    };
    let record = Object::new();
    let bytes = Uint8Array::from(upload.segment.bytes.as_slice());
    // Setting properties of a fresh plain object cannot fail.
    let _ = Reflect::set(&record, &"url".into(), &upload.url.as_str().into());
    let _ = Reflect::set(&record, &"metadata".into(), &metadata.into());
    let _ = Reflect::set(&record, &"bytes".into(), &bytes);
    let _ = Reflect::set(&record, &"saved".into(), &js_sys::Date::now().into());
    let key = upload.storage_key();
    spawn_local(async move {
        // Without IndexedDB the segment still lives in memory; nothing to do.
        let _ = keep_segment(&key, &record).await;
    });
}

/// Deletes a segment that no longer needs keeping, in the background.
pub fn forget(key: String) {
    spawn_local(async move {
        let _ = forget_segment(&key).await;
    });
}

/// The segments kept by earlier page loads that are still worth sending.
/// Records that cannot be read, or are too old, are deleted.
pub async fn take_kept(now_ms: f64) -> Vec<PendingUpload> {
    let Ok(entries) = kept_segments().await else {
        return Vec::new();
    };
    let mut uploads = Vec::new();
    for entry in Array::from(&entries).iter() {
        let entry = Array::from(&entry);
        let Some(key) = entry.get(0).as_string() else {
            continue;
        };
        match read_record(&entry.get(1), now_ms) {
            Some(upload) if upload.storage_key() == key => uploads.push(upload),
            _ => forget(key),
        }
    }
    uploads
}

fn read_record(record: &JsValue, now_ms: f64) -> Option<PendingUpload> {
    let field = |name: &str| Reflect::get(record, &name.into()).ok();
    let saved = field("saved")?.as_f64()?;
    if now_ms - saved > KEPT_SEGMENT_MAX_AGE_MS {
        return None;
    }
    let url = field("url")?.as_string()?;
    let metadata: SegmentMetadata = serde_json::from_str(&field("metadata")?.as_string()?).ok()?;
    let bytes = field("bytes")?.dyn_into::<Uint8Array>().ok()?.to_vec();
    if bytes.len() as u64 != metadata.compressed_segment_size {
        return None;
    }
    Some(PendingUpload {
        url,
        segment: Segment { metadata, bytes },
    })
}
