//! The recorder as the page's JavaScript sees it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{ArrayBuffer, Reflect};
use tapedeck_model::worker::upload_url;
use tapedeck_model::{CreationReason, WorkerConfig};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Storage, Window, Worker};

use crate::batch::worker_sink::WorkerSink;
use crate::error_trigger::{self, error_payload, ErrorHandler, ErrorTracker, ERROR_TAG};
use crate::events::{checked_payload, write_custom};
use crate::exit_copy::{ExitCopy, OpenSegment, ProgressMeta, SegmentIds};
use crate::failure::{self, RecorderError};
use crate::interval::Interval;
use crate::lifecycle::{self, LifecycleTracker, SessionKeeper, ACTIVITY_THROTTLE_MS};
use crate::options::{RecorderOptions, RecordingMode};
use crate::page_exit::{self, ExitFlusher, PageExitTracker};
use crate::recording::Recording;
use crate::session::{
    is_sampled, reconcile, resume_or_begin, Reconciled, SessionLimits, StoredSession,
    SESSION_STORAGE_KEY,
};
use crate::trackers::{input, mouse_interaction, mouse_move, mutation, scroll, viewport};
use crate::{full_snapshot, transport};

/// A configured recorder: options checked, session chosen. It records
/// nothing until [`Recorder::start`].
#[wasm_bindgen]
pub struct Recorder {
    options: RecorderOptions,
    identity: Rc<RefCell<Identity>>,
    running: Option<Running>,
}

/// The session and view being recorded; both change when the session
/// expires or another tab begins a new one.
struct Identity {
    session: StoredSession,
    view_id: String,
}

/// What keeps a started recording alive; dropping it stops every tracker.
struct Running {
    controller: Rc<Controller>,
    _mouse_move: mouse_move::MouseMoveTracker,
    _mouse_interaction: mouse_interaction::MouseInteractionTracker,
    _scroll: scroll::ScrollTracker,
    _viewport: viewport::ViewportTracker,
    _input: input::InputTracker,
    _page_exit: PageExitTracker,
    _lifecycle: LifecycleTracker,
    _errors: ErrorTracker,
    _checkout: Interval,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

/// The part of a running recording that page exits, timers, the worker's
/// messages and the API call into.
struct Controller {
    recording: Rc<Recording>,
    worker: WorkerSink,
    mutations: mutation::MutationTracker,
    identity: Rc<RefCell<Identity>>,
    /// When the stored session was last reconciled on activity.
    last_reconciled: Cell<f64>,
    /// The copy of the worker's open segment, sent by the page on exit.
    exit_copy: Rc<RefCell<ExitCopy>>,
    /// True once error-triggered mode released its buffer (or in normal
    /// mode): only then does the page send anything on exit.
    shipping: Cell<bool>,
}

impl Controller {
    /// Records pending mutations, hands everything to the worker and asks
    /// it to close the segment.
    fn flush(&self, reason: CreationReason, hand_back: bool) -> Result<(), RecorderError> {
        self.flush_with(reason, hand_back, None)
    }

    /// [`Self::flush`], telling the worker on exit which segment the page
    /// sent itself (`sent_index`).
    fn flush_with(
        &self,
        reason: CreationReason,
        hand_back: bool,
        sent_index: Option<u32>,
    ) -> Result<(), RecorderError> {
        if self.recording.is_stopped() {
            return Ok(());
        }
        if matches!(
            reason,
            CreationReason::Manual | CreationReason::ErrorTrigger
        ) {
            self.shipping.set(true);
        }
        self.mutations.record_pending();
        self.recording.flush()?;
        let mut fields = vec![
            ("reason", reason.as_str().into()),
            ("handBack", hand_back.into()),
        ];
        if let Some(index) = sent_index {
            fields.push(("sentIndex", index.into()));
        }
        self.worker.post_control("flush", &fields)
    }

    /// Closes the segment and takes a new full snapshot, so the next
    /// segment replays on its own.
    fn checkout(&self) {
        if self.recording.is_stopped() || self.recording.is_paused() {
            return;
        }
        match self.flush(CreationReason::Checkout, false) {
            Ok(()) => full_snapshot::record_full_snapshot(&self.recording),
            Err(error) => self.recording.fail(&error),
        }
    }

    /// Records a new view in `session`: the worker is started on it and
    /// the view begins with Meta and a full snapshot. A session outside the
    /// sample rate is not recorded.
    fn begin_view(&self, session: StoredSession) -> Result<(), RecorderError> {
        self.mutations.record_pending();
        self.recording.flush()?;

        let sampled = is_sampled(&session.id, self.recording.options.sample_rate);
        {
            let mut identity = self.identity.borrow_mut();
            identity.session = session;
            identity.view_id = random_id(&self.recording.window);
            self.exit_copy.borrow_mut().begin_view(&identity.view_id);
        }
        if !sampled {
            self.recording.set_paused(true);
            return Ok(());
        }

        let config = worker_config(&self.recording.options, &self.identity.borrow())?;
        self.worker
            .post_control("start", &[("config", config.into())])?;
        self.recording.set_paused(false);
        full_snapshot::record_full_snapshot(&self.recording);
        Ok(())
    }

    fn pause(&self) -> Result<(), RecorderError> {
        if self.recording.is_paused() {
            return Ok(());
        }
        // What was recorded goes out with the worker's duration timer.
        self.mutations.record_pending();
        self.recording.flush()?;
        self.recording.set_paused(true);
        Ok(())
    }
}

impl SessionKeeper for Controller {
    fn reconcile_session(&self, activity: bool) {
        if self.recording.is_stopped() {
            return;
        }
        let now = Recording::now();
        if activity
            && !self.recording.is_paused()
            && now - self.last_reconciled.get() < ACTIVITY_THROTTLE_MS
        {
            return;
        }
        self.last_reconciled.set(now);

        let window = &self.recording.window;
        let storage = local_storage(window);
        let stored = storage
            .as_ref()
            .and_then(|storage| storage.get_item(SESSION_STORAGE_KEY).ok().flatten());
        let options = &self.recording.options;
        let limits = SessionLimits {
            inactivity_ms: options.session_inactivity_ms,
            max_ms: options.session_max_ms,
        };
        let ours = self.identity.borrow().session.clone();
        let outcome = reconcile(&ours, stored.as_deref(), now, limits, activity, || {
            random_id(window)
        });

        let result = match outcome {
            Reconciled::Same(session) => {
                if activity || stored.is_none() {
                    store_session(storage.as_ref(), &session);
                }
                self.identity.borrow_mut().session = session;
                Ok(())
            }
            Reconciled::Switch(session) => {
                store_session(storage.as_ref(), &session);
                self.begin_view(session)
            }
            Reconciled::Expired => self.pause(),
        };
        if let Err(error) = result {
            self.recording.fail(&error);
        }
    }
}

impl ErrorHandler for Controller {
    fn on_page_error(&self, kind: &str, message: &str) {
        if self.recording.is_stopped() || self.recording.is_paused() {
            return;
        }
        let timestamp = Recording::now();
        let payload = error_payload(kind, message);
        self.recording.record(timestamp, false, |out| {
            write_custom(out, timestamp, ERROR_TAG, &payload)
        });
        if matches!(
            self.recording.options.mode,
            RecordingMode::ErrorTriggered { .. }
        ) {
            if let Err(error) = self.flush(CreationReason::ErrorTrigger, false) {
                self.recording.fail(&error);
            }
        }
    }
}

impl Controller {
    /// Finishes the open segment from the page's copy and sends it by
    /// beacon, without waiting for the worker (see [`crate::exit_copy`]).
    fn send_open_segment(&self, reason: CreationReason) -> Result<Option<u32>, RecorderError> {
        self.mutations.record_pending();
        let pending = self.recording.take_pending();
        let identity = self.identity.borrow();
        let options = &self.recording.options;
        let ids = SegmentIds {
            application_id: &options.application_id,
            session_id: &identity.session.id,
            view_id: &identity.view_id,
        };
        let finished = self.exit_copy.borrow_mut().finish(&ids, pending, reason);
        let Some((metadata, bytes)) = finished else {
            return Ok(None);
        };
        let sent_index = metadata.index_in_view;
        let metadata = serde_json::to_string(&metadata)
            .map_err(|error| RecorderError::Browser(error.to_string()))?;
        let url = upload_url(&options.endpoint, options.client_key.as_deref());
        let buffer = js_sys::Uint8Array::from(bytes.as_slice()).buffer();
        transport::send_segment(
            &self.recording.window,
            &url,
            &identity.session.id,
            &metadata,
            &buffer,
        )?;
        Ok(Some(sent_index))
    }
}

impl ExitFlusher for Controller {
    fn flush_for_exit(&self, reason: CreationReason) {
        if self.recording.is_stopped() || self.recording.is_paused() {
            return;
        }
        let sent = if self.shipping.get() {
            self.send_open_segment(reason)
        } else {
            Ok(None)
        };
        // The worker closes the same segment (dropping it, since the page
        // sent it) and hands back what waits in its queue.
        let result = sent.and_then(|sent_index| self.flush_with(reason, true, sent_index));
        if let Err(error) = result {
            self.recording.fail(&error);
        }
    }
}

#[wasm_bindgen]
impl Recorder {
    /// Checks the options (given as JSON) and picks the session. Fails with
    /// a message naming the bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Recorder, JsValue> {
        failure::install_panic_hook();
        let window = window().map_err(to_js)?;
        let page_url = window.location().href().unwrap_or_default();
        let options = RecorderOptions::from_json(options_json, &page_url)
            .map_err(|error| to_js(error.into()))?;

        let now = Recording::now();
        let storage = local_storage(&window);
        let stored = storage
            .as_ref()
            .and_then(|storage| storage.get_item(SESSION_STORAGE_KEY).ok().flatten());
        let session = resume_or_begin(
            stored.as_deref(),
            now,
            options.session_inactivity_ms,
            options.session_max_ms,
            || random_id(&window),
        );
        store_session(storage.as_ref(), &session);

        let identity = Identity {
            session,
            view_id: random_id(&window),
        };
        Ok(Recorder {
            options,
            identity: Rc::new(RefCell::new(identity)),
            running: None,
        })
    }

    /// The current session's id.
    #[wasm_bindgen(js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.identity.borrow().session.id.clone()
    }

    /// The current view's id: the page load's, until the session changes.
    #[wasm_bindgen(js_name = viewId)]
    pub fn view_id(&self) -> String {
        self.identity.borrow().view_id.clone()
    }

    /// Whether this session falls within the sample rate.
    #[wasm_bindgen(js_name = isSampled)]
    pub fn is_sampled(&self) -> bool {
        is_sampled(&self.identity.borrow().session.id, self.options.sample_rate)
    }

    /// True while recording.
    #[wasm_bindgen(js_name = isRecording)]
    pub fn is_recording(&self) -> bool {
        self.running
            .as_ref()
            .is_some_and(|running| !running.controller.recording.is_stopped())
    }

    /// Starts recording into `worker`, which must have answered `ready`.
    /// After [`Recorder::stop`] it starts again in the same view, with a
    /// new full snapshot.
    pub fn start(&mut self, worker: Worker) -> Result<(), JsValue> {
        if self.running.is_some() {
            return Ok(());
        }
        let running = self.start_running(worker).map_err(|error| {
            failure::report_fatal(&error);
            to_js(error)
        })?;
        self.running = Some(running);
        Ok(())
    }

    /// Stops recording; what was recorded so far is still uploaded.
    pub fn stop(&mut self) {
        let Some(running) = self.running.take() else {
            return;
        };
        let controller = &running.controller;
        if !controller.recording.is_stopped() {
            controller.mutations.record_pending();
            let flushed = controller
                .recording
                .flush()
                .and_then(|()| controller.worker.post_control("stop", &[]));
            if let Err(error) = flushed {
                failure::warn(&format!(
                    "the last events could not be handed over: {error}"
                ));
            }
        }
        controller.recording.mark_stopped();
        controller.worker.worker().set_onmessage(None);
    }

    /// Sends everything recorded so far now, instead of within seconds; in
    /// error-triggered mode, sends the buffer and goes on recording
    /// normally.
    pub fn flush(&self) {
        if let Some(running) = &self.running {
            if let Err(error) = running.controller.flush(CreationReason::Manual, false) {
                running.controller.recording.fail(&error);
            }
        }
    }

    /// Records a Custom event; `payload_json` is the payload as JSON.
    #[wasm_bindgen(js_name = addEvent)]
    pub fn add_event(&self, tag: &str, payload_json: &str) -> Result<(), JsValue> {
        if tag.is_empty() || tag.len() > 256 {
            return Err(JsValue::from_str(
                "addEvent: the tag must be 1 to 256 characters",
            ));
        }
        let payload = checked_payload(payload_json).map_err(|error| {
            JsValue::from_str(&format!(
                "addEvent: the payload must be JSON-serializable: {error}"
            ))
        })?;
        let Some(running) = &self.running else {
            return Ok(());
        };
        let timestamp = Recording::now();
        running
            .controller
            .recording
            .record(timestamp, false, |out| {
                write_custom(out, timestamp, tag, payload)
            });
        Ok(())
    }
}

impl Recorder {
    fn start_running(&self, worker: Worker) -> Result<Running, RecorderError> {
        let window = window()?;
        let config = worker_config(&self.options, &self.identity.borrow())?;
        let control = WorkerSink::new(worker.clone());
        control.post_control("start", &[("config", config.into())])?;

        let exit_copy = Rc::new(RefCell::new(ExitCopy::default()));
        exit_copy
            .borrow_mut()
            .begin_view(&self.identity.borrow().view_id);
        let recording = Recording::new(
            window.clone(),
            self.options.clone(),
            Box::new(WorkerSink::with_exit_copy(
                worker.clone(),
                Rc::clone(&exit_copy),
            )),
        )?;

        // The first snapshot is taken in slices, so a large page is never
        // blocked for long; observation starts when it is recorded.
        let mutations = mutation::start_after_sliced_snapshot(&recording)?;

        let controller = Rc::new(Controller {
            recording: Rc::clone(&recording),
            worker: control,
            mutations,
            identity: Rc::clone(&self.identity),
            last_reconciled: Cell::new(Recording::now()),
            exit_copy,
            shipping: Cell::new(matches!(self.options.mode, RecordingMode::Always)),
        });
        let on_message = listen_to_worker(&controller, &worker, window);
        let checkout = {
            let controller = Rc::clone(&controller);
            Interval::new(self.options.effective_checkout_interval_ms(), move || {
                controller.checkout();
            })?
        };
        Ok(Running {
            _mouse_move: mouse_move::start(&recording)?,
            _mouse_interaction: mouse_interaction::start(&recording)?,
            _scroll: scroll::start(&recording)?,
            _viewport: viewport::start(&recording)?,
            _input: input::start(&recording)?,
            _page_exit: page_exit::start(&recording, controller.clone())?,
            _lifecycle: lifecycle::start(&recording, controller.clone())?,
            _errors: error_trigger::start(&recording, controller.clone())?,
            _checkout: checkout,
            _on_message: on_message,
            controller,
        })
    }
}

/// Handles the worker's answers: segments to send by beacon, requests for
/// a full snapshot after dropped segments, and failures that end the
/// recording.
fn listen_to_worker(
    controller: &Rc<Controller>,
    worker: &Worker,
    window: Window,
) -> Closure<dyn FnMut(MessageEvent)> {
    let controller = Rc::clone(controller);
    let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        if failure::has_failed() {
            return;
        }
        let data = message.data();
        let field = |name: &str| Reflect::get(&data, &name.into()).unwrap_or(JsValue::UNDEFINED);
        match field("kind").as_string().as_deref() {
            Some("segment") => {
                let metadata = field("metadata").as_string().unwrap_or_default();
                let Ok(bytes) = field("bytes").dyn_into::<ArrayBuffer>() else {
                    return;
                };
                let options = &controller.recording.options;
                let url = upload_url(&options.endpoint, options.client_key.as_deref());
                let session_id = controller.identity.borrow().session.id.clone();
                if let Err(error) =
                    transport::send_segment(&window, &url, &session_id, &metadata, &bytes)
                {
                    failure::warn(&format!(
                        "a segment could not be sent on page exit: {error}"
                    ));
                }
            }
            Some("need-full-snapshot") => controller.checkout(),
            Some("progress") => {
                let view = field("view").as_string().unwrap_or_default();
                let seq = field("seq").as_f64().unwrap_or(-1.0);
                let index = field("index").as_f64().unwrap_or(0.0) as u32;
                let open = read_open_segment(&field("bytes"), &field("adler"), &field("meta"));
                controller
                    .exit_copy
                    .borrow_mut()
                    .on_progress(&view, seq, index, open);
            }
            Some("failed") => {
                let reason = field("message").as_string().unwrap_or_default();
                controller.recording.fail(&RecorderError::Browser(format!(
                    "the worker stopped: {reason}"
                )));
            }
            _ => {}
        }
    });
    worker.set_onmessage(Some(&failure::guard(closure.as_ref().unchecked_ref())));
    closure
}

/// The open segment of a `progress` message, `None` when there is none or
/// it is malformed.
fn read_open_segment(bytes: &JsValue, adler: &JsValue, meta: &JsValue) -> Option<OpenSegment> {
    let bytes = js_sys::Uint8Array::new(bytes.dyn_ref::<ArrayBuffer>()?).to_vec();
    let adler = adler.as_f64()? as u32;
    let meta: ProgressMeta = serde_json::from_str(&meta.as_string()?).ok()?;
    Some(OpenSegment { bytes, adler, meta })
}

/// The worker's `start` config for the current session and view, as JSON.
fn worker_config(options: &RecorderOptions, identity: &Identity) -> Result<String, RecorderError> {
    let config = WorkerConfig {
        endpoint: options.endpoint.clone(),
        application_id: options.application_id.clone(),
        session_id: identity.session.id.clone(),
        view_id: identity.view_id.clone(),
        segment_duration_limit_ms: tapedeck_model::worker::SEGMENT_DURATION_LIMIT_MS,
        segment_bytes_limit: tapedeck_model::worker::SEGMENT_BYTES_LIMIT,
        client_key: options.client_key.clone(),
        buffer_ms: match options.mode {
            RecordingMode::Always => None,
            RecordingMode::ErrorTriggered { buffer_ms } => Some(buffer_ms),
        },
        queue_bytes_limit: options.queue_bytes_limit,
    };
    serde_json::to_string(&config).map_err(|error| RecorderError::Browser(error.to_string()))
}

fn local_storage(window: &Window) -> Option<Storage> {
    window.local_storage().ok().flatten()
}

/// Writes the session for the origin's other pages and tabs.
fn store_session(storage: Option<&Storage>, session: &StoredSession) {
    if let (Some(storage), Ok(json)) = (storage, serde_json::to_string(session)) {
        // Storage can be full or disabled; the session then lasts one page
        // load, which is the best that can be done.
        let _ = storage.set_item(SESSION_STORAGE_KEY, &json);
    }
}

fn window() -> Result<Window, RecorderError> {
    web_sys::window().ok_or(RecorderError::NoDocument)
}

fn to_js(error: RecorderError) -> JsValue {
    JsValue::from_str(&error.to_string())
}

/// A random id from the browser's cryptographic generator.
fn random_id(window: &Window) -> String {
    window
        .crypto()
        .map(|crypto| crypto.random_uuid())
        .unwrap_or_else(|_| {
            format!(
                "{:x}{:x}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * 1e16) as u64
            )
        })
}
