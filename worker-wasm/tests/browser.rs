//! The worker in a real browser's dedicated worker: compression checked
//! against the browser's own inflater, the upload body as the browser
//! builds it, and the message protocol end to end.
//!
//! Run with `wasm-pack test --headless --chrome` from `worker-wasm/`.

// The tests call into a browser; on other targets there is nothing to run.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use serde_json::{json, Value};
use tapedeck_model::{CreationReason, RecordsMeta};
use tapedeck_segment::{finish_synced, SegmentLimits, ViewIds, ViewSegmenter};
use tapedeck_worker_wasm::scope::sleep;
use tapedeck_worker_wasm::upload::build_form_data;
use tapedeck_worker_wasm::{Outbox, Worker};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{File, Response};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen(inline_js = r#"
export function forget_kept_segments() {
    return new Promise((resolve) => {
        const request = indexedDB.deleteDatabase("tapedeck");
        request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
}

export async function inflate_to_text(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return await new Response(stream).text();
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn inflate_to_text(bytes: &JsValue) -> Result<JsValue, JsValue>;

    async fn forget_kept_segments();
}

const FIRST_BATCH: &str = r#"{"type":4,"data":{"href":"http://example.test/","width":800,"height":600},"timestamp":1000},{"type":2,"data":{"node":{"type":0,"childNodes":[],"id":1},"initialOffset":{"left":0,"top":0}},"timestamp":1001}"#;
const SECOND_BATCH: &str = r#"{"type":3,"data":{"source":1,"positions":[{"x":1,"y":2,"id":1,"timeOffset":0}]},"timestamp":1500}"#;

async fn inflate(bytes: &JsValue) -> Value {
    let text = inflate_to_text(bytes)
        .await
        .expect("the browser inflates the segment");
    let text = text.as_string().expect("inflated text is a string");
    // The browser's own parser must accept it too.
    js_sys::JSON::parse(&text).expect("the browser parses the segment");
    serde_json::from_str(&text).expect("the segment is JSON")
}

fn expected_events() -> Value {
    serde_json::from_str(&format!("[{FIRST_BATCH},{SECOND_BATCH}]")).unwrap()
}

fn get(object: &JsValue, field: &str) -> JsValue {
    Reflect::get(object, &field.into()).unwrap()
}

fn view_ids() -> ViewIds {
    ViewIds {
        application_id: "app".into(),
        session_id: "session".into(),
        view_id: "view".into(),
    }
}

fn first_meta() -> RecordsMeta {
    RecordsMeta {
        count: 2,
        start: 1000.0,
        end: 1001.0,
        has_full_snapshot: true,
    }
}

fn second_meta() -> RecordsMeta {
    RecordsMeta {
        count: 1,
        start: 1500.0,
        end: 1500.0,
        has_full_snapshot: false,
    }
}

/// A worker whose posted messages land in the returned array as
/// `{message, transfer}` objects.
/// A worker for a test that uploads: segments an earlier test left in
/// IndexedDB would otherwise be sent (and reported) by this one.
async fn fresh_recording_worker() -> (Worker, Array) {
    forget_kept_segments().await;
    recording_worker()
}

fn recording_worker() -> (Worker, Array) {
    let posted = Array::new();
    let push = Function::new_with_args("message, transfer", "this.push({message, transfer})")
        .bind0(&posted);
    (Worker::new(Outbox::Function(push)), posted)
}

fn message(kind: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    Reflect::set(&object, &"kind".into(), &kind.into()).unwrap();
    for (name, value) in fields {
        Reflect::set(&object, &(*name).into(), value).unwrap();
    }
    object.into()
}

fn start_message(view_id: &str, extra: Value) -> JsValue {
    let origin = get(&get(&js_sys::global(), "location"), "origin")
        .as_string()
        .unwrap();
    let mut config = json!({
        "endpoint": origin,
        "application_id": "app",
        "session_id": "session",
        "view_id": view_id,
    });
    for (key, value) in extra.as_object().unwrap() {
        config[key] = value.clone();
    }
    message("start", &[("config", config.to_string().into())])
}

fn records_message(meta: &RecordsMeta, events: &str) -> JsValue {
    let meta = json!({
        "count": meta.count,
        "start": meta.start,
        "end": meta.end,
        "has_full_snapshot": meta.has_full_snapshot,
    });
    let bytes = Uint8Array::from(events.as_bytes()).buffer();
    message(
        "records",
        &[("meta", meta.to_string().into()), ("bytes", bytes.into())],
    )
}

fn flush_message(reason: &str, hand_back: bool) -> JsValue {
    message(
        "flush",
        &[("reason", reason.into()), ("handBack", hand_back.into())],
    )
}

/// The kinds of the posted messages, without the `progress` reports.
fn kinds(posted: &Array) -> Vec<String> {
    posted
        .iter()
        .map(|entry| get(&get(&entry, "message"), "kind").as_string().unwrap())
        .filter(|kind| kind != "progress")
        .collect()
}

/// The last `progress` report.
fn last_progress(posted: &Array) -> JsValue {
    let messages: Vec<JsValue> = posted
        .iter()
        .map(|entry| get(&entry, "message"))
        .filter(|message| get(message, "kind") == "progress")
        .collect();
    messages
        .last()
        .cloned()
        .expect("a progress report was posted")
}

/// The open segment of the last report, finished the way the page does on
/// exit, as a byte array the browser can inflate.
fn finished_copy(posted: &Array) -> JsValue {
    let progress = last_progress(posted);
    let bytes = Uint8Array::new(&get(&progress, "bytes")).to_vec();
    let adler = get(&progress, "adler").as_f64().unwrap() as u32;
    Uint8Array::from(finish_synced(&bytes, adler, b"").as_slice()).into()
}

/// Waits up to five seconds for a posted message of `kind`.
async fn wait_for(posted: &Array, kind: &str) -> JsValue {
    for _ in 0..250 {
        if let Some(entry) = posted
            .iter()
            .find(|entry| get(&get(entry, "message"), "kind") == kind)
        {
            return get(&entry, "message");
        }
        sleep(20).await;
    }
    panic!("no {kind} message was posted; got {:?}", kinds(posted));
}

fn metadata_of(message: &JsValue) -> Value {
    serde_json::from_str(&get(message, "metadata").as_string().unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn segment_compressed_in_wasm_inflates_with_the_browser_decompressor() {
    let limits = SegmentLimits {
        duration_ms: 5_000,
        compressed_bytes: 60_000,
    };
    let mut view = ViewSegmenter::new(view_ids(), limits);
    view.append(&first_meta(), FIRST_BATCH.as_bytes(), 0.0)
        .unwrap();
    view.append(&second_meta(), SECOND_BATCH.as_bytes(), 10.0)
        .unwrap();
    let segment = view.close(CreationReason::Manual).unwrap().unwrap();

    let bytes = Uint8Array::from(segment.bytes.as_slice());
    assert_eq!(inflate(&bytes.into()).await, expected_events());
    assert_eq!(segment.metadata.records_count, 3);
}

#[wasm_bindgen_test]
async fn form_data_holds_segment_and_event_parts_with_their_types() {
    let limits = SegmentLimits {
        duration_ms: 5_000,
        compressed_bytes: 60_000,
    };
    let mut view = ViewSegmenter::new(view_ids(), limits);
    view.append(&first_meta(), FIRST_BATCH.as_bytes(), 0.0)
        .unwrap();
    let segment = view.close(CreationReason::Manual).unwrap().unwrap();
    let metadata_json = serde_json::to_string(&segment.metadata).unwrap();

    let form = build_form_data(&segment, &metadata_json).unwrap();

    let zlib: File = form
        .get("segment")
        .dyn_into()
        .expect("segment part is a file");
    assert_eq!(zlib.type_(), "application/octet-stream");
    assert_eq!(zlib.name(), "segment.zlib");
    let zlib_bytes = JsFuture::from(zlib.array_buffer()).await.unwrap();
    assert_eq!(Uint8Array::new(&zlib_bytes).to_vec(), segment.bytes);

    let event: File = form.get("event").dyn_into().expect("event part is a file");
    assert_eq!(event.type_(), "application/json");
    let event_text = JsFuture::from(event.text())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(event_text, metadata_json);

    // As sent, the body is multipart with both parts typed.
    let response = Response::new_with_opt_form_data(Some(&form)).unwrap();
    let content_type = response.headers().get("content-type").unwrap().unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let body = JsFuture::from(response.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert!(body.contains(
        "name=\"segment\"; filename=\"segment.zlib\"\r\nContent-Type: application/octet-stream"
    ));
    assert!(
        body.contains("name=\"event\"; filename=\"event.json\"\r\nContent-Type: application/json")
    );
}

/// `count` small input events (about 80 bytes each) at `timestamp`.
fn input_events(count: u32, timestamp: u32) -> String {
    (0..count)
        .map(|i| {
            format!(
                r#"{{"type":3,"data":{{"source":5,"id":{i},"text":"typed","isChecked":false}},"timestamp":{timestamp}}}"#
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[wasm_bindgen_test]
async fn progress_reports_the_part_before_the_sync_point_and_hand_back_closes_it() {
    let (worker, posted) = fresh_recording_worker().await;
    worker.handle_message(&start_message("v1", json!({})));
    let first = records_message(&first_meta(), FIRST_BATCH);
    Reflect::set(&first, &"seq".into(), &7.into()).unwrap();
    worker.handle_message(&first);
    let second = records_message(&second_meta(), SECOND_BATCH);
    Reflect::set(&second, &"seq".into(), &8.into()).unwrap();
    worker.handle_message(&second);

    // Two small batches: no sync point yet, so the page keeps both.
    let progress = last_progress(&posted);
    assert_eq!(get(&progress, "view"), "v1");
    assert_eq!(get(&progress, "seq"), -1);
    assert_eq!(get(&progress, "index"), 0);
    assert!(get(&progress, "bytes").is_undefined());

    // More than the sync threshold: the report covers all three batches.
    let count = 200;
    let third_events = input_events(count, 2000);
    assert!(third_events.len() as u64 > tapedeck_segment::SYNC_AFTER_RAW_BYTES);
    let third_meta = RecordsMeta {
        count,
        start: 2000.0,
        end: 2000.0,
        has_full_snapshot: false,
    };
    let third = records_message(&third_meta, &third_events);
    Reflect::set(&third, &"seq".into(), &9.into()).unwrap();
    worker.handle_message(&third);

    let progress = last_progress(&posted);
    assert_eq!(get(&progress, "seq"), 9);
    assert_eq!(get(&progress, "index"), 0);
    let meta: Value = serde_json::from_str(&get(&progress, "meta").as_string().unwrap()).unwrap();
    assert_eq!(meta["count"], 3 + count);
    assert_eq!(meta["has_full_snapshot"], true);
    let expected: Value =
        serde_json::from_str(&format!("[{FIRST_BATCH},{SECOND_BATCH},{third_events}]")).unwrap();
    assert_eq!(inflate(&finished_copy(&posted)).await, expected);

    // A small batch after the sync point changes nothing the page keeps, so
    // nothing is reported.
    let reports = posted.length();
    let fourth = records_message(&second_meta(), SECOND_BATCH);
    Reflect::set(&fourth, &"seq".into(), &10.into()).unwrap();
    worker.handle_message(&fourth);
    assert_eq!(posted.length(), reports);

    // The page sent that segment itself: the worker closes it, posts no
    // segment, and reports the next index with nothing open.
    let exit = flush_message("visibility_hidden", true);
    Reflect::set(&exit, &"sentIndex".into(), &0.into()).unwrap();
    worker.handle_message(&exit);
    assert_eq!(kinds(&posted), Vec::<String>::new());
    let progress = last_progress(&posted);
    assert_eq!(get(&progress, "index"), 1);
    assert_eq!(get(&progress, "seq"), 10);
    assert!(get(&progress, "bytes").is_undefined());
}

#[wasm_bindgen_test]
async fn malformed_messages_are_dropped_and_recording_goes_on() {
    let (worker, posted) = fresh_recording_worker().await;
    worker.handle_message(&records_message(&first_meta(), FIRST_BATCH));
    worker.handle_message(&start_message("v1", json!({})));

    let bad = [
        JsValue::from(42),
        JsValue::NULL,
        Object::new().into(),
        message("rewind", &[]),
        message("records", &[("meta", "{not json".into())]),
        message(
            "records",
            &[("bytes", Uint8Array::from(&b"{}"[..]).buffer().into())],
        ),
        records_message(&first_meta(), &format!("[{FIRST_BATCH}]")),
        message(
            "records",
            &[
                (
                    "meta",
                    r#"{"count":1,"start":1,"end":1,"has_full_snapshot":false}"#.into(),
                ),
                ("bytes", "{}".into()),
            ],
        ),
        message("flush", &[("reason", "whenever".into())]),
        message(
            "flush",
            &[("reason", "manual".into()), ("handBack", "yes".into())],
        ),
        Function::new_no_args("").into(),
    ];
    for data in &bad {
        worker.handle_message(data);
    }
    assert_eq!(kinds(&posted), Vec::<String>::new());

    worker.handle_message(&records_message(&first_meta(), FIRST_BATCH));
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));
    // Enough events for a sync point, so the progress report holds them all.
    let more = input_events(200, 2000);
    let more_meta = RecordsMeta {
        count: 200,
        start: 2000.0,
        end: 2000.0,
        has_full_snapshot: false,
    };
    worker.handle_message(&records_message(&more_meta, &more));
    let expected: Value =
        serde_json::from_str(&format!("[{FIRST_BATCH},{SECOND_BATCH},{more}]")).unwrap();
    assert_eq!(inflate(&finished_copy(&posted)).await, expected);
}

#[wasm_bindgen_test]
fn start_with_an_unreadable_config_posts_failed() {
    for config in ["{", r#"{"endpoint":"http://x"}"#] {
        let (worker, posted) = recording_worker();
        worker.handle_message(&message("start", &[("config", config.into())]));
        assert_eq!(kinds(&posted), ["failed"]);
        let reason = get(&get(&posted.get(0), "message"), "message")
            .as_string()
            .unwrap();
        assert!(
            reason.starts_with("cannot start: `config` of a start message is invalid"),
            "{reason}"
        );
    }

    let (worker, posted) = recording_worker();
    worker.handle_message(&message("start", &[]));
    assert_eq!(kinds(&posted), ["failed"]);
}

#[wasm_bindgen_test]
async fn new_view_closes_the_open_segment_with_view_change_and_uploads_it() {
    let (worker, posted) = fresh_recording_worker().await;
    worker.handle_message(&start_message("v1", json!({})));
    worker.handle_message(&records_message(&first_meta(), FIRST_BATCH));
    worker.handle_message(&flush_message("manual", true));
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));

    worker.handle_message(&start_message("v2", json!({})));

    let uploaded = wait_for(&posted, "uploaded").await;
    let metadata = metadata_of(&uploaded);
    assert_eq!(metadata["view"]["id"], "v1");
    assert_eq!(metadata["index_in_view"], 1);
    assert_eq!(metadata["creation_reason"], "view_change");
    // The test server has no intake, so any HTTP status proves the request
    // went out and its answer came back.
    let status = get(&uploaded, "status")
        .as_f64()
        .expect("status is a number");
    assert!((100.0..600.0).contains(&status), "{status}");

    // The new view numbers its segments from 0 again.
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));
    let progress = last_progress(&posted);
    assert_eq!(
        (get(&progress, "view"), get(&progress, "index")),
        ("v2".into(), 0.into())
    );
}

#[wasm_bindgen_test]
async fn duration_timer_closes_an_idle_segment() {
    let (worker, posted) = fresh_recording_worker().await;
    worker.handle_message(&start_message(
        "v1",
        json!({"segment_duration_limit_ms": 50}),
    ));
    worker.handle_message(&records_message(&first_meta(), FIRST_BATCH));
    worker.handle_message(&flush_message("manual", true));
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));

    let uploaded = wait_for(&posted, "uploaded").await;
    let metadata = metadata_of(&uploaded);
    assert_eq!(metadata["creation_reason"], "segment_duration_limit");
    assert_eq!(metadata["index_in_view"], 1);
    assert_eq!(metadata["records_count"], 1);
}

#[wasm_bindgen_test]
async fn byte_limit_closes_the_segment_with_the_batch_that_filled_it() {
    let (worker, posted) = fresh_recording_worker().await;
    worker.handle_message(&start_message("v1", json!({"segment_bytes_limit": 1})));
    worker.handle_message(&records_message(&first_meta(), FIRST_BATCH));
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));

    sleep(0).await;
    let mut reasons = Vec::new();
    for _ in 0..250 {
        reasons = posted
            .iter()
            .map(|entry| get(&entry, "message"))
            .filter(|message| get(message, "kind") == "uploaded")
            .map(|message| metadata_of(&message)["creation_reason"].clone())
            .collect();
        if reasons.len() == 2 {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(reasons, [json!("init"), json!("segment_bytes_limit")]);
}

#[wasm_bindgen_test]
async fn error_triggered_buffer_sends_nothing_until_released_then_ships_normally() {
    let (worker, posted) = fresh_recording_worker().await;
    worker.handle_message(&start_message("buffered", json!({"buffer_ms": 60_000})));
    worker.handle_message(&records_message(&first_meta(), FIRST_BATCH));
    worker.handle_message(&flush_message("checkout", false));
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));
    // A page exit in this mode hands nothing back: nothing was asked for.
    worker.handle_message(&flush_message("visibility_hidden", true));
    sleep(300).await;
    // Segments kept in IndexedDB by earlier tests may be sent meanwhile;
    // nothing of this view is.
    let of_this_view = |posted: &Array| -> Vec<Value> {
        posted
            .iter()
            .map(|entry| get(&entry, "message"))
            .filter(|message| get(message, "metadata").is_string())
            .map(|message| metadata_of(&message))
            .filter(|metadata| metadata["view"]["id"] == "buffered")
            .collect()
    };
    assert_eq!(of_this_view(&posted), Vec::<Value>::new());
    assert!(!kinds(&posted).contains(&"segment".to_string()));

    worker.handle_message(&flush_message("error_trigger", false));
    let mut indexes = Vec::new();
    for _ in 0..500 {
        indexes = posted
            .iter()
            .map(|entry| get(&entry, "message"))
            .filter(|message| get(message, "kind") == "uploaded")
            .map(|message| metadata_of(&message))
            .filter(|metadata| metadata["view"]["id"] == "buffered")
            .map(|metadata| metadata["index_in_view"].clone())
            .collect();
        if indexes.len() == 2 {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(
        indexes,
        [json!(0), json!(1)],
        "the buffer goes out in order; posted {:?}",
        posted
            .iter()
            .map(|entry| {
                let message = get(&entry, "message");
                format!(
                    "{:?} {:?} {:?}",
                    get(&message, "kind"),
                    get(&message, "status"),
                    get(&message, "metadata")
                )
            })
            .filter(|line| !line.contains("progress"))
            .collect::<Vec<_>>()
    );

    // Released: the next segment is uploaded as soon as it closes.
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));
    worker.handle_message(&flush_message("checkout", false));
    for _ in 0..250 {
        let uploaded = kinds(&posted)
            .iter()
            .filter(|kind| *kind == "uploaded")
            .count();
        if uploaded == 3 {
            return;
        }
        sleep(20).await;
    }
    panic!(
        "the segment after the release was not uploaded: {:?}",
        kinds(&posted)
    );
}

#[wasm_bindgen_test]
async fn an_exit_for_another_segment_hands_the_open_one_back() {
    let (worker, posted) = fresh_recording_worker().await;
    worker.handle_message(&start_message("v1", json!({})));
    worker.handle_message(&records_message(&first_meta(), FIRST_BATCH));
    worker.handle_message(&records_message(&second_meta(), SECOND_BATCH));

    // The page sent nothing (its copy was empty): the open segment must
    // not be dropped, so it comes back to be beaconed.
    worker.handle_message(&flush_message("before_unload", true));
    assert_eq!(kinds(&posted), ["segment"]);
    let message = get(&posted.get(posted.length() - 2), "message");
    assert_eq!(get(&message, "kind"), "segment");
    assert_eq!(inflate(&get(&message, "bytes")).await, expected_events());
    assert_eq!(metadata_of(&message)["creation_reason"], "init");
}
