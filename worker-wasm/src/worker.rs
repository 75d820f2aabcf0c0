//! The worker's state and what each message does to it.
//!
//! One [`Worker`] holds the view being recorded, its open segment and the
//! upload queue. Messages, the duration timer and finished uploads all come
//! back to it on the worker's single thread, so a `RefCell` is enough; no
//! borrow is held across an `await` or a call out to JavaScript.
//!
//! The duration timer is a one-shot `setTimeout` armed when a segment opens.
//! It names the segment it was armed for, and when it fires it closes that
//! segment only if it is still open and has really reached its limit, so a
//! timer left over from a segment that closed early does nothing.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use tapedeck_model::{CreationReason, RecordsMeta, WorkerConfig};
use tapedeck_segment::{Segment, SegmentError, SegmentLimits, ViewIds, ViewSegmenter};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::message::{message_kind, Command};
use crate::outbox::Outbox;
use crate::upload::{upload_with_retry, PendingUpload, UploadOutcome, UploadQueue};
use crate::{console, scope};

/// The recording state of one worker; cloning gives another handle to it.
#[derive(Clone)]
pub struct Worker {
    inner: Rc<Inner>,
}

struct Inner {
    outbox: Outbox,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// The view being (or last) recorded, kept after `stop` so that a
    /// `start` of the same view continues its segment numbering.
    view: Option<View>,
    /// False before `start` and after `stop`: records are then refused.
    recording: bool,
    /// Counts views, so a timer can tell a new view's segment 0 from an old
    /// one's.
    views_started: u64,
    uploads: UploadQueue,
}

struct View {
    config: WorkerConfig,
    segmenter: ViewSegmenter,
    serial: u64,
}

/// The segment a duration timer was armed for.
#[derive(Clone, Copy, PartialEq, Eq)]
struct TimerTarget {
    view_serial: u64,
    index_in_view: u32,
}

impl Worker {
    /// A worker that posts its messages to `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        let inner = Inner {
            outbox,
            state: RefCell::new(State::default()),
        };
        Self {
            inner: Rc::new(inner),
        }
    }

    /// Posts `{kind: "ready"}`.
    pub fn announce_ready(&self) {
        self.inner.outbox.post_ready();
    }

    /// Handles one message's `data`.
    ///
    /// A `start` that cannot be read is fatal and answered with `failed`,
    /// since nothing can be recorded without its config; any other broken
    /// message is dropped with one warning.
    pub fn handle_message(&self, data: &JsValue) {
        match Command::from_js(data) {
            Ok(command) => self.handle(command),
            Err(error) if message_kind(data).is_ok_and(|kind| kind == "start") => {
                // Ship what the previous view recorded before giving up.
                self.stop();
                self.fail(&format!("cannot start: {error}"));
            }
            Err(error) => console::warn(&format!("ignored a message: {error}")),
        }
    }

    /// Carries out one command.
    pub fn handle(&self, command: Command) {
        match command {
            Command::Start(config) => self.start(config),
            Command::Records { meta, bytes } => self.append(&meta, &bytes),
            Command::Flush { reason, hand_back } => self.flush(reason, hand_back),
            Command::Stop => self.stop(),
        }
    }

    /// Begins a view. A `start` for the view already recorded (the page
    /// restarting after `stop`) continues its numbering and only takes the
    /// new endpoint; its limits stay those of its first `start`. Any other
    /// view first closes the open segment with `view_change`.
    fn start(&self, config: WorkerConfig) {
        if config.endpoint.is_empty() {
            self.fail("cannot start: the config's endpoint is empty");
            return;
        }

        let ids = ViewIds::from(&config);
        let same_view = {
            let state = self.inner.state.borrow();
            state
                .view
                .as_ref()
                .is_some_and(|view| *view.segmenter.ids() == ids)
        };
        if same_view {
            let mut state = self.inner.state.borrow_mut();
            if let Some(view) = state.view.as_mut() {
                view.config.endpoint = config.endpoint;
            }
            state.recording = true;
            return;
        }

        self.close_and_upload(CreationReason::ViewChange);
        let mut state = self.inner.state.borrow_mut();
        state.views_started += 1;
        let segmenter = ViewSegmenter::new(ids, SegmentLimits::from(&config));
        state.view = Some(View {
            config,
            segmenter,
            serial: state.views_started,
        });
        state.recording = true;
    }

    fn append(&self, meta: &RecordsMeta, bytes: &[u8]) {
        let now_ms = js_sys::Date::now();
        let appended = {
            let mut state = self.inner.state.borrow_mut();
            if !state.recording {
                drop(state);
                console::warn("ignored records sent before start or after stop");
                return;
            }
            let Some(view) = state.view.as_mut() else {
                return;
            };
            let opened_before = view
                .segmenter
                .open_segment()
                .map(|open| open.index_in_view());
            view.segmenter.append(meta, bytes, now_ms).map(|closed| {
                let opened_now = view
                    .segmenter
                    .open_segment()
                    .map(|open| open.index_in_view())
                    .filter(|index| Some(*index) != opened_before);
                let timer = opened_now.map(|index_in_view| {
                    let target = TimerTarget {
                        view_serial: view.serial,
                        index_in_view,
                    };
                    (target, view.config.segment_duration_limit_ms)
                });
                (closed, view.config.endpoint.clone(), timer)
            })
        };

        match appended {
            Ok((closed, endpoint, timer)) => {
                for segment in closed {
                    self.enqueue(&endpoint, segment);
                }
                if let Some((target, delay_ms)) = timer {
                    self.arm_timer(target, delay_ms);
                }
            }
            Err(error) => self.report_segment_error("dropped a batch of records", error),
        }
    }

    fn flush(&self, reason: CreationReason, hand_back: bool) {
        if !hand_back {
            self.close_and_upload(reason);
            return;
        }

        // The page is going away: give it everything not yet sent, oldest
        // first, so it can beacon them. A segment whose request is already
        // in flight stays with its request.
        let waiting = self.inner.state.borrow_mut().uploads.drain();
        for upload in waiting {
            self.inner
                .outbox
                .post_segment(&upload.segment, &upload.metadata_json);
        }
        if let Some((_, segment)) = self.close(reason) {
            match serde_json::to_string(&segment.metadata) {
                Ok(metadata_json) => self.inner.outbox.post_segment(&segment, &metadata_json),
                Err(error) => self.report_segment_error("cannot hand back", error.into()),
            }
        }
    }

    fn stop(&self) {
        self.close_and_upload(CreationReason::Manual);
        self.inner.state.borrow_mut().recording = false;
    }

    /// Closes the open segment, if any, returning it with the endpoint of
    /// its view.
    fn close(&self, reason: CreationReason) -> Option<(String, Segment)> {
        let closed = {
            let mut state = self.inner.state.borrow_mut();
            let view = state.view.as_mut()?;
            let endpoint = view.config.endpoint.clone();
            view.segmenter
                .close(reason)
                .map(|segment| segment.map(|segment| (endpoint, segment)))
        };
        closed.unwrap_or_else(|error| {
            self.report_segment_error("cannot close a segment", error);
            None
        })
    }

    fn close_and_upload(&self, reason: CreationReason) {
        if let Some((endpoint, segment)) = self.close(reason) {
            self.enqueue(&endpoint, segment);
        }
    }

    fn on_timer(&self, target: TimerTarget) {
        let now_ms = js_sys::Date::now();
        let outcome = {
            let mut state = self.inner.state.borrow_mut();
            let Some(view) = state.view.as_mut() else {
                return;
            };
            let Some(open) = view.segmenter.open_segment() else {
                return;
            };
            if view.serial != target.view_serial || open.index_in_view() != target.index_in_view {
                return;
            }

            // Timers may fire a little early; wait out the rest.
            let remaining_ms =
                open.opened_at_ms() + view.config.segment_duration_limit_ms as f64 - now_ms;
            if remaining_ms > 0.0 {
                Err(remaining_ms.ceil() as u64)
            } else {
                let endpoint = view.config.endpoint.clone();
                Ok(view
                    .segmenter
                    .close_if_expired(now_ms)
                    .map(|closed| (endpoint, closed)))
            }
        };

        match outcome {
            Err(remaining_ms) => self.arm_timer(target, remaining_ms),
            Ok(Ok((endpoint, Some(segment)))) => self.enqueue(&endpoint, segment),
            Ok(Ok((_, None))) => {}
            Ok(Err(error)) => self.report_segment_error("cannot close a segment", error),
        }
    }

    fn arm_timer(&self, target: TimerTarget, delay_ms: u64) {
        let worker = Rc::downgrade(&self.inner);
        // A one-shot closure frees itself when it runs; timers are never
        // cancelled (see the module docs), so every one of them runs.
        let callback = Closure::once_into_js(move || {
            if let Some(inner) = Weak::upgrade(&worker) {
                Worker { inner }.on_timer(target);
            }
        });
        if let Err(error) = scope::set_timeout(callback.unchecked_ref(), delay_ms) {
            console::warn(&format!(
                "cannot set the segment timer, segments close on size or flush only: {error:?}"
            ));
        }
    }

    fn enqueue(&self, endpoint: &str, segment: Segment) {
        let metadata_json = match serde_json::to_string(&segment.metadata) {
            Ok(json) => json,
            Err(error) => return self.report_segment_error("cannot upload", error.into()),
        };
        let upload = PendingUpload {
            endpoint: endpoint.to_owned(),
            segment,
            metadata_json,
        };

        let (dropped, start_sending) = {
            let mut state = self.inner.state.borrow_mut();
            let dropped = state.uploads.push(upload);
            let start_sending = !state.uploads.sending;
            state.uploads.sending = true;
            (dropped, start_sending)
        };
        if let Some(dropped) = dropped {
            console::warn(&format!(
                "dropped segment {} of view {}: too many segments wait for the intake",
                dropped.segment.metadata.index_in_view, dropped.segment.metadata.view.id
            ));
        }
        if start_sending {
            wasm_bindgen_futures::spawn_local(self.clone().send_queued());
        }
    }

    /// Sends queued segments one by one until the queue is empty.
    async fn send_queued(self) {
        loop {
            let next = {
                let mut state = self.inner.state.borrow_mut();
                let next = state.uploads.pop();
                state.uploads.sending = next.is_some();
                next
            };
            let Some(upload) = next else {
                return;
            };

            match upload_with_retry(&upload).await {
                UploadOutcome::Answered(status) => {
                    if !(200..300).contains(&status) {
                        console::warn(&format!(
                            "the intake refused segment {} of view {} with status {status}",
                            upload.segment.metadata.index_in_view, upload.segment.metadata.view.id
                        ));
                    }
                    self.inner
                        .outbox
                        .post_uploaded(&upload.metadata_json, status);
                }
                UploadOutcome::GaveUp(failure) => console::warn(&format!(
                    "dropped segment {} of view {} after {} attempts: {failure}",
                    upload.segment.metadata.index_in_view,
                    upload.segment.metadata.view.id,
                    crate::upload::MAX_UPLOAD_ATTEMPTS
                )),
            }
        }
    }

    /// A batch that fails validation is the recorder's bug and is dropped;
    /// a compressor failure means the worker cannot go on.
    fn report_segment_error(&self, context: &str, error: SegmentError) {
        match error {
            SegmentError::Compression(_) | SegmentError::Metadata(_) => {
                self.fail(&format!("{context}: {error}"));
            }
            _ => console::warn(&format!("{context}: {error}")),
        }
    }

    /// Posts `failed` and refuses further records until the next `start`.
    fn fail(&self, message: &str) {
        self.inner.state.borrow_mut().recording = false;
        self.inner.outbox.post_failed(message);
    }
}
