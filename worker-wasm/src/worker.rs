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
//!
//! A closed segment goes one of two ways. Normally it is queued for upload
//! (and kept in IndexedDB until the intake answered). In error-triggered
//! mode (`buffer_ms` in the config) it goes into a [`RollingBuffer`]
//! instead; a `flush` with reason `manual` or `error_trigger` moves the
//! buffer to the upload queue and the worker ships normally from then on.
//!
//! When the queue overflows, or the intake refuses a segment for good, the
//! loss is counted, reported with the next upload (`dropped_segments`,
//! `dropped_bytes`) and the recorder is asked for a new full snapshot
//! (`need-full-snapshot`), so the replay can go on after the gap.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use tapedeck_model::segment::event_part_json;
use tapedeck_model::worker::{ProgressMeta, QUEUE_BYTES_LIMIT};
use tapedeck_model::{CreationReason, DroppedData, RecordsMeta, WorkerConfig};
use tapedeck_segment::{
    BoundedQueue, RollingBuffer, Segment, SegmentError, SegmentLimits, ViewIds, ViewSegmenter,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::message::{message_kind, Command};
use crate::outbox::Outbox;
use crate::upload::{
    storage_key, upload_with_retry, PendingUpload, UploadOutcome, ATTEMPTS_BEFORE_WARNING,
};
use crate::{console, persist, scope};

/// The recording state of one worker; cloning gives another handle to it.
#[derive(Clone)]
pub struct Worker {
    inner: Rc<Inner>,
}

struct Inner {
    outbox: Outbox,
    state: RefCell<State>,
}

struct State {
    /// The view being (or last) recorded, kept after `stop` so that a
    /// `start` of the same view continues its segment numbering.
    view: Option<View>,
    /// False before `start` and after `stop`: records are then refused.
    recording: bool,
    /// Counts views, so a timer can tell a new view's segment 0 from an old
    /// one's.
    views_started: u64,
    uploads: BoundedQueue<PendingUpload>,
    /// True while a task is sending from the queue.
    sending: bool,
    /// Closed segments held back in error-triggered mode, until released.
    buffer: Option<RollingBuffer>,
    /// True once the buffer was released: later views ship normally.
    buffer_released: bool,
    /// What was dropped and not yet reported to the intake.
    dropped: DroppedData,
    /// True once segments kept by earlier page loads were picked up.
    restored: bool,
    /// True while the intake is unreachable and the owner was told so.
    warned_unreachable: bool,
    /// The sequence number of the last batch appended, -1 before any.
    appended_seq: f64,
    /// While a segment is open: the last batch the page no longer needs
    /// its own copy of, because it and every batch before it are in a
    /// closed segment or before the open segment's sync point.
    covered_seq: f64,
    /// What the last `progress` said, so an unchanged one is not sent.
    last_progress: Option<ProgressMark>,
    /// True from a request for a full snapshot until a segment with one is
    /// queued, so a loss asks only once.
    awaiting_snapshot: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            view: None,
            recording: false,
            views_started: 0,
            uploads: BoundedQueue::new(QUEUE_BYTES_LIMIT),
            sending: false,
            buffer: None,
            buffer_released: false,
            dropped: DroppedData::default(),
            restored: false,
            warned_unreachable: false,
            appended_seq: -1.0,
            covered_seq: -1.0,
            last_progress: None,
            awaiting_snapshot: false,
        }
    }
}

struct View {
    config: WorkerConfig,
    segmenter: ViewSegmenter,
    serial: u64,
}

/// What a `progress` message reported.
#[derive(Clone, Copy, PartialEq)]
struct ProgressMark {
    view_serial: u64,
    covered_seq: f64,
    index: u32,
    /// The raw size of the open segment's synced part, if one is open.
    synced_raw_size: Option<u64>,
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
            Command::Records { meta, bytes, seq } => {
                let opened_segment = self.append(&meta, &bytes);
                if let Some(seq) = seq {
                    self.note_appended(seq, opened_segment);
                }
            }
            Command::Flush {
                reason,
                hand_back,
                sent_index,
            } => self.flush(reason, hand_back, sent_index),
            Command::Stop => self.stop(),
        }
        self.post_progress();
    }

    /// Notes that the batch numbered `seq` was appended; `opened_segment`
    /// when it went into a new segment.
    fn note_appended(&self, seq: f64, opened_segment: bool) {
        let mut state = self.inner.state.borrow_mut();
        let previous = std::mem::replace(&mut state.appended_seq, seq);
        let open_synced = state
            .view
            .as_ref()
            .and_then(|view| view.segmenter.open_segment())
            .map(|open| open.is_synced());
        match open_synced {
            None | Some(true) => state.covered_seq = seq,
            // Every batch before this one is in a closed segment.
            Some(false) if opened_segment => state.covered_seq = previous,
            // Still after the sync point: the page keeps its copy.
            Some(false) => {}
        }
    }

    /// Tells the page what the open segment holds up to its sync point and
    /// which batches it no longer needs to keep, when that changed; not in
    /// error-triggered mode before the release, where the page sends
    /// nothing on exit.
    fn post_progress(&self) {
        let mut state = self.inner.state.borrow_mut();
        if state.buffer.is_some() {
            return;
        }
        let Some(view) = state.view.as_ref() else {
            return;
        };
        let open = view.segmenter.open_segment();
        let synced = open
            .map(|open| open.synced())
            .filter(|synced| synced.records.count > 0);
        let mark = ProgressMark {
            view_serial: view.serial,
            // With no segment open, every batch is in a closed one.
            covered_seq: if open.is_some() {
                state.covered_seq
            } else {
                state.appended_seq
            },
            index: view.segmenter.next_index(),
            synced_raw_size: synced.map(|synced| synced.raw_size),
        };
        if state.last_progress == Some(mark) {
            return;
        }
        let open = synced.and_then(|synced| {
            let meta = ProgressMeta::new(synced.records, synced.raw_size);
            let meta = serde_json::to_string(&meta).ok()?;
            Some((synced.bytes, synced.adler, meta))
        });
        self.inner
            .outbox
            .post_progress(&view.config.view_id, mark.covered_seq, mark.index, open);
        state.last_progress = Some(mark);
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
        let restore = {
            let mut state = self.inner.state.borrow_mut();
            state.uploads.set_limit_bytes(config.queue_bytes_limit);
            if let Some(buffer_ms) = config.buffer_ms {
                if state.buffer.is_none() && !state.buffer_released {
                    state.buffer = Some(RollingBuffer::new(buffer_ms));
                }
            }
            !std::mem::replace(&mut state.restored, true)
        };
        if restore {
            wasm_bindgen_futures::spawn_local(self.clone().restore_kept());
        }

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

    /// Appends a batch to the open segment, or to a new one; returns true
    /// when the batch opened a segment.
    fn append(&self, meta: &RecordsMeta, bytes: &[u8]) -> bool {
        let now_ms = js_sys::Date::now();
        let appended = {
            let mut state = self.inner.state.borrow_mut();
            if !state.recording {
                drop(state);
                console::warn("ignored records sent before start or after stop");
                return false;
            }
            let Some(view) = state.view.as_mut() else {
                return false;
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
                (closed, view.config.upload_url(), timer)
            })
        };

        match appended {
            Ok((closed, url, timer)) => {
                for segment in closed {
                    self.enqueue(&url, segment);
                }
                let opened = timer.is_some();
                if let Some((target, delay_ms)) = timer {
                    self.arm_timer(target, delay_ms);
                }
                opened
            }
            Err(error) => {
                self.report_segment_error("dropped a batch of records", error);
                false
            }
        }
    }

    fn flush(&self, reason: CreationReason, hand_back: bool, sent_index: Option<u32>) {
        if !hand_back {
            self.close_and_upload(reason);
            if matches!(
                reason,
                CreationReason::Manual | CreationReason::ErrorTrigger
            ) {
                self.release_buffer();
            }
            return;
        }

        // The page is going away: give it everything not yet sent, oldest
        // first, so it can beacon them. A segment whose request is already
        // in flight stays with its request. In error-triggered mode nothing
        // was asked for, so the closed segment stays in the buffer and
        // nothing leaves.
        if self.inner.state.borrow().buffer.is_some() {
            self.close_and_upload(reason);
            return;
        }
        //
        // The open segment the page has normally finished and sent itself
        // from its copy (see `progress`), with every batch posted before
        // this message; closing it here keeps the numbering in step. When
        // the segment closed here is not the one the page sent (a timer
        // closed the page's one just before), it is handed back as well.
        let mut waiting = self.inner.state.borrow_mut().uploads.drain();
        if let Some((url, segment)) = self.close(reason) {
            if sent_index != Some(segment.metadata.index_in_view) {
                let upload = PendingUpload { url, segment };
                persist::keep(&upload);
                waiting.push(upload);
            }
        }
        for upload in waiting {
            let dropped = std::mem::take(&mut self.inner.state.borrow_mut().dropped);
            match event_part_json(&upload.segment.metadata, dropped) {
                Ok(event_json) => self.inner.outbox.post_segment(&upload.segment, &event_json),
                Err(error) => self.report_segment_error("cannot hand back", error.into()),
            }
        }
    }

    /// Moves the error-triggered buffer to the upload queue; from then on
    /// segments are sent as they close.
    fn release_buffer(&self) {
        let (released, url) = {
            let mut state = self.inner.state.borrow_mut();
            let Some(mut buffer) = state.buffer.take() else {
                return;
            };
            state.buffer_released = true;
            let url = state.view.as_ref().map(|view| view.config.upload_url());
            (buffer.drain(), url)
        };
        let Some(url) = url else {
            return;
        };
        for segment in released {
            self.enqueue(&url, segment);
        }
    }

    fn stop(&self) {
        self.close_and_upload(CreationReason::Manual);
        self.inner.state.borrow_mut().recording = false;
    }

    /// Closes the open segment, if any, returning it with the upload URL of
    /// its view.
    fn close(&self, reason: CreationReason) -> Option<(String, Segment)> {
        let closed = {
            let mut state = self.inner.state.borrow_mut();
            let view = state.view.as_mut()?;
            let url = view.config.upload_url();
            view.segmenter
                .close(reason)
                .map(|segment| segment.map(|segment| (url, segment)))
        };
        closed.unwrap_or_else(|error| {
            self.report_segment_error("cannot close a segment", error);
            None
        })
    }

    fn close_and_upload(&self, reason: CreationReason) {
        if let Some((url, segment)) = self.close(reason) {
            self.enqueue(&url, segment);
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
                let url = view.config.upload_url();
                Ok(view
                    .segmenter
                    .close_if_expired(now_ms)
                    .map(|closed| (url, closed)))
            }
        };

        match outcome {
            Err(remaining_ms) => self.arm_timer(target, remaining_ms),
            Ok(Ok((url, Some(segment)))) => {
                self.enqueue(&url, segment);
                self.post_progress();
            }
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

    /// Sends a closed segment on its way: into the rolling buffer in
    /// error-triggered mode, otherwise into the upload queue and IndexedDB.
    fn enqueue(&self, url: &str, segment: Segment) {
        {
            let mut state = self.inner.state.borrow_mut();
            if let Some(buffer) = state.buffer.as_mut() {
                buffer.push(segment, js_sys::Date::now());
                return;
            }
        }

        let upload = PendingUpload {
            url: url.to_owned(),
            segment,
        };
        persist::keep(&upload);
        self.queue_upload(upload);
    }

    /// Puts a segment in the upload queue, reporting what the queue drops
    /// and starting the sending task when it is idle.
    fn queue_upload(&self, upload: PendingUpload) {
        let (pushed, start_sending) = {
            let mut state = self.inner.state.borrow_mut();
            if upload.segment.metadata.has_full_snapshot {
                state.awaiting_snapshot = false;
            }
            let pushed = state.uploads.push(upload);
            let start_sending = !state.sending;
            state.sending = true;
            (pushed, start_sending)
        };
        let dropped = pushed.dropped;
        if pushed.needs_keyframe {
            self.request_full_snapshot();
        }
        if !dropped.is_empty() {
            console::warn(&format!(
                "dropped {} of the oldest segments: more than the queue's byte limit waits for the intake",
                dropped.len()
            ));
            for upload in dropped {
                self.count_as_dropped(&upload);
            }
        }
        if start_sending {
            wasm_bindgen_futures::spawn_local(self.clone().send_queued());
        }
    }

    /// Asks the recorder for a full snapshot, once until a segment with
    /// one is queued: a full snapshot that itself overflows the queue must
    /// not set off a request per segment.
    fn request_full_snapshot(&self) {
        {
            let mut state = self.inner.state.borrow_mut();
            if state.awaiting_snapshot {
                return;
            }
            state.awaiting_snapshot = true;
        }
        self.inner.outbox.post_need_full_snapshot();
    }

    /// Counts a segment that will never reach the intake, and forgets it.
    fn count_as_dropped(&self, upload: &PendingUpload) {
        self.inner
            .state
            .borrow_mut()
            .dropped
            .add(upload.segment.bytes.len() as u64);
        persist::forget(upload.storage_key());
    }

    /// Queues the segments earlier page loads kept but could not send.
    async fn restore_kept(self) {
        let kept = persist::take_kept(js_sys::Date::now()).await;
        for upload in kept {
            let already_queued = self.inner.state.borrow().view.as_ref().is_some_and(|view| {
                let ids = view.segmenter.ids();
                ids.session_id == upload.segment.metadata.session.id
                    && ids.view_id == upload.segment.metadata.view.id
            });
            // Straight to the queue, never into the error-triggered buffer:
            // these were recorded (and released) by an earlier page load.
            if !already_queued {
                self.queue_upload(upload);
            }
        }
    }

    /// Sends queued segments one by one until the queue is empty.
    async fn send_queued(self) {
        loop {
            let next = {
                let mut state = self.inner.state.borrow_mut();
                let next = state.uploads.pop();
                state.sending = next.is_some();
                next.map(|upload| (upload, std::mem::take(&mut state.dropped)))
            };
            let Some((upload, dropped)) = next else {
                return;
            };
            let metadata = &upload.segment.metadata;
            let event_json = match event_part_json(metadata, dropped) {
                Ok(json) => json,
                Err(error) => {
                    self.report_segment_error("cannot upload", error.into());
                    continue;
                }
            };

            let on_retry = |failed_attempts: u32, failure: &str| {
                let mut state = self.inner.state.borrow_mut();
                if failed_attempts >= ATTEMPTS_BEFORE_WARNING && !state.warned_unreachable {
                    state.warned_unreachable = true;
                    drop(state);
                    console::warn(&format!(
                        "the intake is unreachable ({failure}); segments wait and are retried"
                    ));
                }
            };
            let UploadOutcome::Answered(status) =
                upload_with_retry(&upload, &event_json, on_retry).await;
            self.inner.state.borrow_mut().warned_unreachable = false;

            // 409: a different segment is stored under this key; the
            // intake keeps the first, so sending again cannot help.
            let stored = (200..300).contains(&status) || status == 409;
            if stored {
                persist::forget(storage_key(metadata));
            } else {
                console::warn(&format!(
                    "the intake refused segment {} of view {} with status {status}; it is dropped",
                    metadata.index_in_view, metadata.view.id
                ));
                {
                    let mut state = self.inner.state.borrow_mut();
                    // The loss this upload was to report is still unreported.
                    state.dropped.dropped_segments += dropped.dropped_segments;
                    state.dropped.dropped_bytes += dropped.dropped_bytes;
                }
                self.count_as_dropped(&upload);
                self.request_full_snapshot();
            }
            self.inner.outbox.post_uploaded(&event_json, status);
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
