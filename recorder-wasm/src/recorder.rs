//! The recorder as the page's JavaScript sees it.

use std::rc::Rc;

use js_sys::{ArrayBuffer, Reflect};
use tapedeck_model::{CreationReason, WorkerConfig};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window, Worker};

use crate::batch::worker_sink::WorkerSink;
use crate::events::write_custom;
use crate::failure::{self, RecorderError};
use crate::options::RecorderOptions;
use crate::page_exit::{self, ExitFlusher, PageExitTracker};
use crate::recording::Recording;
use crate::session::{is_sampled, resume_or_begin, StoredSession, SESSION_STORAGE_KEY};
use crate::trackers::{input, mouse_interaction, mouse_move, mutation, scroll, viewport};
use crate::{full_snapshot, transport};

/// A configured recorder: options checked, session chosen. It records
/// nothing until [`Recorder::start`].
#[wasm_bindgen]
pub struct Recorder {
    options: RecorderOptions,
    session: StoredSession,
    view_id: String,
    running: Option<Running>,
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
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

/// The part of a running recording that page exits and the API call into.
struct Controller {
    recording: Rc<Recording>,
    worker: WorkerSink,
    mutations: mutation::MutationTracker,
}

impl Controller {
    /// Records pending mutations, hands everything to the worker and asks
    /// it to close the segment.
    fn flush(&self, reason: CreationReason, hand_back: bool) -> Result<(), RecorderError> {
        if self.recording.is_stopped() {
            return Ok(());
        }
        self.mutations.record_pending();
        self.recording.flush()?;
        self.worker.post_control(
            "flush",
            &[
                ("reason", reason.as_str().into()),
                ("handBack", hand_back.into()),
            ],
        )
    }
}

impl ExitFlusher for Controller {
    fn flush_for_exit(&self, reason: CreationReason) {
        if let Err(error) = self.flush(reason, true) {
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
        let storage = window.local_storage().ok().flatten();
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
        if let (Some(storage), Ok(json)) = (storage, serde_json::to_string(&session)) {
            // Storage can be full or disabled; the session then lasts one
            // page load, which is the best that can be done.
            let _ = storage.set_item(SESSION_STORAGE_KEY, &json);
        }

        Ok(Recorder {
            view_id: random_id(&window),
            options,
            session,
            running: None,
        })
    }

    /// The current session's id.
    #[wasm_bindgen(js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.session.id.clone()
    }

    /// The current page load's id.
    #[wasm_bindgen(js_name = viewId)]
    pub fn view_id(&self) -> String {
        self.view_id.clone()
    }

    /// Whether this session falls within the sample rate.
    #[wasm_bindgen(js_name = isSampled)]
    pub fn is_sampled(&self) -> bool {
        is_sampled(&self.session.id, self.options.sample_rate)
    }

    /// True while recording.
    #[wasm_bindgen(js_name = isRecording)]
    pub fn is_recording(&self) -> bool {
        self.running
            .as_ref()
            .is_some_and(|running| !running.controller.recording.is_stopped())
    }

    /// Starts recording into `worker`, which must have answered `ready`.
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

    /// Sends everything recorded so far now, instead of within seconds.
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
        let payload: serde_json::Value = serde_json::from_str(payload_json).map_err(|error| {
            JsValue::from_str(&format!(
                "addEvent: the payload must be JSON-serializable: {error}"
            ))
        })?;
        let Some(running) = &self.running else {
            return Ok(());
        };
        let payload = payload.to_string();
        let timestamp = Recording::now();
        running
            .controller
            .recording
            .record(timestamp, false, |out| {
                write_custom(out, timestamp, tag, &payload)
            });
        Ok(())
    }
}

impl Recorder {
    fn start_running(&self, worker: Worker) -> Result<Running, RecorderError> {
        let window = window()?;
        let config = WorkerConfig {
            endpoint: self.options.endpoint.clone(),
            application_id: self.options.application_id.clone(),
            session_id: self.session.id.clone(),
            view_id: self.view_id.clone(),
            segment_duration_limit_ms: tapedeck_model::worker::SEGMENT_DURATION_LIMIT_MS,
            segment_bytes_limit: tapedeck_model::worker::SEGMENT_BYTES_LIMIT,
        };
        let config = serde_json::to_string(&config)
            .map_err(|error| RecorderError::Browser(error.to_string()))?;
        let control = WorkerSink::new(worker.clone());
        control.post_control("start", &[("config", config.into())])?;

        let recording = Recording::new(
            window.clone(),
            self.options.clone(),
            Box::new(WorkerSink::new(worker.clone())),
        )?;
        let on_message = self.listen_to_worker(&recording, &worker, window);

        // The snapshot is taken in one synchronous walk, so no page script
        // can change the DOM between it and the observer's start.
        full_snapshot::record_full_snapshot(&recording);
        let mutations = mutation::start(&recording)?;

        let controller = Rc::new(Controller {
            recording: Rc::clone(&recording),
            worker: control,
            mutations,
        });
        Ok(Running {
            _mouse_move: mouse_move::start(&recording)?,
            _mouse_interaction: mouse_interaction::start(&recording)?,
            _scroll: scroll::start(&recording)?,
            _viewport: viewport::start(&recording)?,
            _input: input::start(&recording)?,
            _page_exit: page_exit::start(&recording, controller.clone())?,
            _on_message: on_message,
            controller,
        })
    }

    /// Handles the worker's answers: segments to send by beacon, and
    /// failures that end the recording.
    fn listen_to_worker(
        &self,
        recording: &Rc<Recording>,
        worker: &Worker,
        window: Window,
    ) -> Closure<dyn FnMut(MessageEvent)> {
        let recording = Rc::clone(recording);
        let endpoint = self.options.endpoint.clone();
        let session_id = self.session.id.clone();
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            if failure::has_failed() {
                return;
            }
            let data = message.data();
            let field =
                |name: &str| Reflect::get(&data, &name.into()).unwrap_or(JsValue::UNDEFINED);
            match field("kind").as_string().as_deref() {
                Some("segment") => {
                    let metadata = field("metadata").as_string().unwrap_or_default();
                    let Ok(bytes) = field("bytes").dyn_into::<ArrayBuffer>() else {
                        return;
                    };
                    if let Err(error) =
                        transport::send_segment(&window, &endpoint, &session_id, &metadata, &bytes)
                    {
                        failure::warn(&format!(
                            "a segment could not be sent on page exit: {error}"
                        ));
                    }
                }
                Some("failed") => {
                    let reason = field("message").as_string().unwrap_or_default();
                    recording.fail(&RecorderError::Browser(format!(
                        "the worker stopped: {reason}"
                    )));
                }
                _ => {}
            }
        });
        worker.set_onmessage(Some(&failure::guard(closure.as_ref().unchecked_ref())));
        closure
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
