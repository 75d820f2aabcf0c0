//! Sending a segment from the main thread: one the worker handed back, or
//! the open segment the page finished itself on exit.

use js_sys::{Array, ArrayBuffer, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{Blob, BlobPropertyBag, FormData, RequestInit, Window};

use crate::failure::RecorderError;

/// Sends one segment as the wire contract's multipart request, with
/// `sendBeacon` so it survives the page, or with a `keepalive` fetch when
/// the browser refuses the beacon (its in-flight quota is full). `url` is
/// the upload URL ([`tapedeck_model::worker::upload_url`]). When both are
/// refused, a segment handed back from the worker's queue is still in
/// IndexedDB and the next page load sends it; the open segment the page
/// finished itself is not kept anywhere else.
pub fn send_segment(
    window: &Window,
    url: &str,
    session_id: &str,
    metadata: &str,
    bytes: &ArrayBuffer,
) -> Result<(), RecorderError> {
    let form = FormData::new()?;

    let segment_type = BlobPropertyBag::new();
    segment_type.set_type("application/octet-stream");
    let segment =
        Blob::new_with_buffer_source_sequence_and_options(&Array::of1(bytes), &segment_type)?;
    form.append_with_blob_and_filename("segment", &segment, session_id)?;

    let event_type = BlobPropertyBag::new();
    event_type.set_type("application/json");
    let event = Blob::new_with_str_sequence_and_options(
        &Array::of1(&JsValue::from_str(metadata)),
        &event_type,
    )?;
    form.append_with_blob("event", &event)?;

    let sent = window
        .navigator()
        .send_beacon_with_opt_form_data(url, Some(&form))?;
    if !sent {
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&form);
        Reflect::set(&init, &"keepalive".into(), &true.into())?;
        // The promise is left alone: the page is going away, and a failure
        // here has nobody left to tell.
        let _ = window.fetch_with_str_and_init(url, &init);
    }
    Ok(())
}
