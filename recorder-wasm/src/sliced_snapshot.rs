//! A full snapshot taken in slices, so a large page never blocks its main
//! thread for long.
//!
//! The walk stops every [`SLICE_BUDGET_MS`] and goes on in a later task.
//! In between, the page may change the DOM; a temporary observer collects
//! those changes and each batch is sorted when the walk resumes:
//! - a change to a node already written (it has an id) is kept and sent as
//!   a Mutation event right after the snapshot;
//! - a change to a node not written yet is dropped: the walk will read the
//!   node as it is when it gets there;
//! - an added node without an id is decided at the end: if the walk met it,
//!   the snapshot has it; if not (it went into the part already written), it
//!   is sent as an add.
//!
//! A node written and then moved ahead of the walk keeps its id, and the
//! walk passes over nodes with ids ([`Cursor::skipping_recorded`]), so no
//! node is written twice and none is lost. The Meta and FullSnapshot events
//! carry the time the walk ended, and the recording is paused until then, so
//! no event refers to a node the replayer does not have yet.
//!
//! Known limit: what the trackers see while the walk runs (a few frames on
//! a very large page) is not recorded; the snapshot shows its outcome.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MutationObserver, MutationObserverInit, Node};

use crate::dom::Timeout;
use crate::events::{write_full_snapshot_close, write_full_snapshot_open, write_meta};
use crate::failure::{self, RecorderError};
use crate::recording::Recording;
use crate::serialize::snapshot::{document_scope, Cursor, Discovered, Walk};
use crate::trackers::adopted::record_adopted;
use crate::trackers::iframe;
use crate::trackers::mutation::{gather, process_changes, Changes};
use crate::trackers::viewport::viewport_size;

/// How long one slice of the walk may run.
pub const SLICE_BUDGET_MS: f64 = 8.0;

/// A snapshot in progress.
struct Job {
    recording: Rc<Recording>,
    cursor: Cursor,
    document_json: Vec<u8>,
    discovered: Vec<Discovered>,
    observer: MutationObserver,
    delivered: Rc<RefCell<Vec<Array>>>,
    after: Changes,
    maybe_added: Vec<Node>,
    next_slice: Option<Timeout>,
    budget_ms: f64,
    on_done: Option<Box<dyn FnOnce()>>,
    _callback: Closure<dyn FnMut(Array)>,
}

/// Starts a sliced full snapshot; `on_done` runs once the Meta and
/// FullSnapshot events (and the changes made meanwhile) are recorded.
pub fn start(
    recording: &Rc<Recording>,
    on_done: impl FnOnce() + 'static,
) -> Result<(), RecorderError> {
    start_with_budget(recording, SLICE_BUDGET_MS, on_done)
}

/// [`start`] with another slice budget (tests use 0 to slice as finely as
/// possible).
pub fn start_with_budget(
    recording: &Rc<Recording>,
    budget_ms: f64,
    on_done: impl FnOnce() + 'static,
) -> Result<(), RecorderError> {
    recording.node_map.forget_sent_styles();
    recording.set_paused(true);

    // Records the observer delivers on its own (between slices, as
    // microtasks) are kept for the next slice to sort.
    let delivered: Rc<RefCell<Vec<Array>>> = Rc::default();
    let sink = Rc::clone(&delivered);
    let callback =
        Closure::<dyn FnMut(Array)>::new(move |records: Array| sink.borrow_mut().push(records));
    let observer = MutationObserver::new(&failure::guard(callback.as_ref().unchecked_ref()))?;
    observe(&observer, recording.document.as_ref())?;

    let context = recording.serialize_context();
    let mut walk = Walk {
        context: &context,
        node_map: &recording.node_map,
        root_id: None,
        discovered: Vec::new(),
    };
    let mut document_json = Vec::new();
    recording.node_map.id_or_assign(recording.document.as_ref());
    let Some(cursor) = walk.begin(
        recording.document.as_ref(),
        document_scope(recording.options.privacy),
        &mut document_json,
    ) else {
        return Err(RecorderError::NoDocument);
    };
    // The first batch may already have met shadow roots and iframes.
    let discovered = std::mem::take(&mut walk.discovered);
    observe_shadow_roots(&observer, &discovered)?;

    let job = Rc::new(RefCell::new(Job {
        recording: Rc::clone(recording),
        cursor: cursor.skipping_recorded(),
        document_json,
        discovered,
        observer,
        delivered,
        after: Changes::default(),
        maybe_added: Vec::new(),
        next_slice: None,
        budget_ms,
        on_done: Some(Box::new(on_done)),
        _callback: callback,
    }));
    run_slice(&job);
    Ok(())
}

/// Observes the shadow roots a walk has met, so changes inside them while
/// the walk goes on are not missed.
fn observe_shadow_roots(
    observer: &MutationObserver,
    discovered: &[Discovered],
) -> Result<(), RecorderError> {
    for item in discovered {
        if let Discovered::ShadowRoot(shadow_root) = item {
            observe(observer, shadow_root.as_ref())?;
        }
    }
    Ok(())
}

fn observe(observer: &MutationObserver, root: &Node) -> Result<(), RecorderError> {
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_attributes(true);
    init.set_character_data(true);
    init.set_subtree(true);
    init.set_attribute_old_value(true);
    observer.observe_with_options(root, &init)?;
    Ok(())
}

fn run_slice(job: &Rc<RefCell<Job>>) {
    let mut state = job.borrow_mut();
    if state.recording.is_stopped() {
        state.observer.disconnect();
        state.next_slice = None;
        return;
    }
    state.sort_changes();

    let slice_start = Recording::now();
    let recording = Rc::clone(&state.recording);
    let context = recording.serialize_context();
    let mut walk = Walk {
        context: &context,
        node_map: &recording.node_map,
        root_id: None,
        discovered: Vec::new(),
    };
    let Job {
        cursor,
        document_json,
        budget_ms,
        ..
    } = &mut *state;
    let budget_ms = *budget_ms;
    // The walk asks once per batch of nodes, so a look at the clock each
    // time costs little.
    walk.advance(cursor, document_json, || {
        Recording::now() - slice_start >= budget_ms
    });

    if let Err(error) = observe_shadow_roots(&state.observer, &walk.discovered) {
        recording.fail(&error);
        return;
    }
    state.discovered.extend(walk.discovered);

    if state.cursor.is_done() {
        drop(state);
        finish(job);
        return;
    }
    let for_timer = Rc::clone(job);
    match Timeout::new(0, move || run_slice(&for_timer)) {
        Ok(timer) => state.next_slice = Some(timer),
        Err(error) => recording.fail(&error.into()),
    }
}

impl Job {
    /// Sorts the changes made since the last slice (see the module docs).
    fn sort_changes(&mut self) {
        let mut batches: Vec<Array> = std::mem::take(&mut *self.delivered.borrow_mut());
        let queued = self.observer.take_records();
        if queued.length() > 0 {
            batches.push(queued);
        }
        for records in batches {
            let changes = gather(&records);
            let recording = &self.recording;
            self.after.markers_appeared |= changes.markers_appeared;
            let written = |node: &Node| recording.id_of(node).is_some();
            for (parent, node) in changes.removed {
                if written(&node) {
                    self.after.removed.push((parent, node));
                }
            }
            for node in changes.added {
                if written(&node) {
                    self.after.added.push(node);
                } else {
                    self.maybe_added.push(node);
                }
            }
            self.after
                .texts
                .extend(changes.texts.into_iter().filter(|node| written(node)));
            self.after
                .resent
                .extend(changes.resent.into_iter().filter(|node| written(node)));
            self.after.attributes.extend(
                changes
                    .attributes
                    .into_iter()
                    .filter(|(element, _, _)| written(element)),
            );
        }
    }
}

fn finish(job: &Rc<RefCell<Job>>) {
    let mut state = job.borrow_mut();
    state.sort_changes();
    state.observer.disconnect();
    state.next_slice = None;

    let recording = Rc::clone(&state.recording);
    let maybe_added = std::mem::take(&mut state.maybe_added);
    let unmet = maybe_added
        .into_iter()
        .filter(|node| recording.id_of(node).is_none());
    let mut after = std::mem::take(&mut state.after);
    after.added.extend(unmet);

    recording.set_paused(false);
    let timestamp = Recording::now();
    let href = recording.window.location().href().unwrap_or_default();
    let (width, height) = viewport_size(&recording);
    recording.record(timestamp, false, |out| {
        write_meta(out, timestamp, &href, width, height)
    });
    let left = recording.window.scroll_x().unwrap_or(0.0);
    let top = recording.window.scroll_y().unwrap_or(0.0);
    let document_json = std::mem::take(&mut state.document_json);
    recording.record(timestamp, true, |out| {
        write_full_snapshot_open(out);
        out.extend_from_slice(&document_json);
        write_full_snapshot_close(out, timestamp, left, top);
    });

    record_adopted(&recording, recording.document.as_ref(), false);
    iframe::attach_discovered(&recording, std::mem::take(&mut state.discovered));
    process_changes(&recording, &after);

    let on_done = state.on_done.take();
    drop(state);
    if let Some(on_done) = on_done {
        on_done();
    }
}
