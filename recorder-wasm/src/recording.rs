//! The state one recording shares between its trackers.
//!
//! Trackers hold an `Rc<Recording>`; the recording never holds the
//! trackers, so dropping them (on `stop()`) frees everything without
//! reference cycles.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use tapedeck_model::RecordsMeta;
use tapedeck_privacy::PrivacyLevel;
use web_sys::{Document, Node, Window};

use crate::batch::{Batch, RecordSink, BATCH_DELAY_MS};
use crate::dom::Timeout;
use crate::failure::{self, RecorderError};
use crate::node_map::NodeMap;
use crate::options::RecorderOptions;
use crate::serialize::privacy_scope::{level_where, MarkerSighting};
use crate::serialize::snapshot::Discovered;
use crate::serialize::SerializeContext;

/// One page's recording.
pub struct Recording {
    /// The recorded window.
    pub window: Window,
    /// The recorded document.
    pub document: Document,
    /// Node ids, shared by the snapshot and every tracker.
    pub node_map: NodeMap,
    /// The validated options.
    pub options: RecorderOptions,
    /// Whether any privacy marker has been met.
    pub privacy_markers: MarkerSighting,
    batch: RefCell<Batch>,
    sink: Box<dyn RecordSink>,
    flush_timer: RefCell<Option<Timeout>>,
    stopped: Cell<bool>,
    paused: Cell<bool>,
    discovered: RefCell<Vec<Discovered>>,
    this: Weak<Recording>,
}

impl Recording {
    /// A recording of `window`'s document that hands batches to `sink`.
    pub fn new(
        window: Window,
        options: RecorderOptions,
        sink: Box<dyn RecordSink>,
    ) -> Result<Rc<Self>, RecorderError> {
        let document = window.document().ok_or(RecorderError::NoDocument)?;
        Ok(Rc::new_cyclic(|this| Self {
            window,
            document,
            node_map: NodeMap::new(),
            options,
            privacy_markers: MarkerSighting::default(),
            batch: RefCell::new(Batch::default()),
            sink,
            flush_timer: RefCell::new(None),
            stopped: Cell::new(false),
            paused: Cell::new(false),
            discovered: RefCell::new(Vec::new()),
            this: this.clone(),
        }))
    }

    /// The current time in epoch milliseconds, as events carry it.
    pub fn now() -> f64 {
        js_sys::Date::now()
    }

    /// What serialization needs about the page right now.
    pub fn serialize_context(&self) -> SerializeContext<'_> {
        SerializeContext::for_document(&self.document, &self.privacy_markers)
    }

    /// The privacy level that applies to `node` (and to children added
    /// under it).
    pub fn level_at(&self, node: &Node) -> PrivacyLevel {
        level_where(node, self.options.privacy, &self.privacy_markers)
    }

    /// Queues shadow roots, iframes and iframe documents that serialization
    /// met, for the observers to start following.
    pub fn queue_discovered(&self, discovered: impl IntoIterator<Item = Discovered>) {
        self.discovered.borrow_mut().extend(discovered);
    }

    /// Takes the queued roots.
    pub fn take_discovered(&self) -> Vec<Discovered> {
        std::mem::take(&mut self.discovered.borrow_mut())
    }

    /// The id of `node`, when it is part of the recording.
    pub fn id_of(&self, node: &Node) -> Option<u32> {
        self.node_map.id_of(node)
    }

    /// True once recording has stopped, normally or after a failure.
    pub fn is_stopped(&self) -> bool {
        self.stopped.get() || failure::has_failed()
    }

    /// Marks the recording as stopped; later events are dropped.
    pub fn mark_stopped(&self) {
        self.stopped.set(true);
        self.flush_timer.borrow_mut().take();
    }

    /// True while events are dropped because the session expired or is not
    /// sampled; the next view begins with a full snapshot.
    pub fn is_paused(&self) -> bool {
        self.paused.get()
    }

    /// Pauses or resumes recording.
    pub fn set_paused(&self, paused: bool) {
        self.paused.set(paused);
    }

    /// Appends one event; `write` writes it as JSON. The batch is handed
    /// over when it is full, or after a short delay.
    pub fn record(&self, timestamp: f64, is_full_snapshot: bool, write: impl FnOnce(&mut Vec<u8>)) {
        if self.is_stopped() || self.is_paused() {
            return;
        }
        let is_full = {
            let mut batch = self.batch.borrow_mut();
            batch.push(timestamp, is_full_snapshot, write);
            batch.is_full()
        };
        if is_full {
            self.flush_or_fail();
        } else {
            self.schedule_flush();
        }
    }

    /// Hands the waiting events to the sink now.
    pub fn flush(&self) -> Result<(), RecorderError> {
        self.flush_timer.borrow_mut().take();
        let taken = self.batch.borrow_mut().take();
        match taken {
            Some((bytes, meta)) => self.sink.send(bytes, meta),
            None => Ok(()),
        }
    }

    /// Takes the waiting events without handing them to the sink, for the
    /// page to send itself on exit.
    pub fn take_pending(&self) -> Option<(Vec<u8>, RecordsMeta)> {
        self.flush_timer.borrow_mut().take();
        self.batch.borrow_mut().take()
    }

    /// Like [`Self::flush`], but a failure stops the recording.
    pub fn flush_or_fail(&self) {
        if let Err(error) = self.flush() {
            self.fail(&error);
        }
    }

    /// Reports a fatal error once and stops.
    pub fn fail(&self, error: &RecorderError) {
        failure::report_fatal(error);
        self.mark_stopped();
    }

    fn schedule_flush(&self) {
        if self.flush_timer.borrow().is_some() {
            return;
        }
        let this = self.this.clone();
        let timer = Timeout::new(BATCH_DELAY_MS, move || {
            if let Some(recording) = this.upgrade() {
                recording.flush_timer.borrow_mut().take();
                recording.flush_or_fail();
            }
        });
        match timer {
            Ok(timer) => *self.flush_timer.borrow_mut() = Some(timer),
            Err(error) => self.fail(&error.into()),
        }
    }
}
