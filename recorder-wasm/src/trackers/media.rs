//! Audio and video playback, as MediaInteraction events.

use std::rc::Rc;

use tapedeck_model::node::{write_f64, write_raw, write_u32};
use tapedeck_model::IncrementalSource;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, HtmlMediaElement};

use crate::dom::cast::{as_element, is_html};
use crate::dom::EventListener;
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;
use crate::trackers::target::target_id;

/// rrweb's MediaInteractions numbering, per DOM event.
const MEDIA_EVENTS: &[(&str, u32)] = &[
    ("play", 0),
    ("pause", 1),
    ("seeked", 2),
    ("volumechange", 3),
    ("ratechange", 4),
];

/// The running tracker; dropping it stops it.
#[must_use = "media playback stops being recorded as soon as the handle is dropped"]
pub struct MediaTracker {
    _listeners: Vec<EventListener>,
}

/// Records playback changes seen by `target`. Media events neither bubble
/// nor leave shadow trees, so documents and shadow roots each need one.
pub fn attach(
    recording: &Rc<Recording>,
    target: &EventTarget,
) -> Result<MediaTracker, RecorderError> {
    let mut listeners = Vec::new();
    for &(event_type, kind) in MEDIA_EVENTS {
        let recording = Rc::clone(recording);
        listeners.push(EventListener::new(
            target,
            event_type,
            true,
            move |event| {
                record_media(&recording, kind, &event);
            },
        )?);
    }
    Ok(MediaTracker {
        _listeners: listeners,
    })
}

fn record_media(recording: &Recording, kind: u32, event: &Event) {
    let Some(media) = event
        .target()
        .and_then(|target| as_element(&target).cloned())
        .filter(|element| is_html(element, "audio") || is_html(element, "video"))
        .map(|element| element.unchecked_into::<HtmlMediaElement>())
    else {
        return;
    };
    let Some(id) = target_id(recording, event) else {
        return;
    };
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::MediaInteraction, |out| {
            write_raw(out, ",\"type\":");
            write_u32(out, kind);
            write_raw(out, ",\"id\":");
            write_u32(out, id);
            write_raw(out, ",\"currentTime\":");
            write_f64(out, media.current_time());
            write_raw(out, ",\"volume\":");
            write_f64(out, media.volume());
            write_raw(out, ",\"muted\":");
            write_raw(out, if media.muted() { "true" } else { "false" });
            write_raw(out, ",\"playbackRate\":");
            write_f64(out, media.playback_rate());
            write_raw(out, ",\"loop\":");
            write_raw(out, if media.loop_() { "true" } else { "false" });
        });
    });
}
