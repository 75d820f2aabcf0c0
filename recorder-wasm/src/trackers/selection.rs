//! Text selection, as Selection events.
//!
//! Only selections a viewer can see are recorded: a collapsed selection is
//! a caret, which moves on every key typed and click made and shows nothing
//! in a replay. A collapsed selection is recorded once, when it follows a
//! visible one, so the replay clears the highlight at the right moment.

use std::cell::RefCell;
use std::rc::Rc;

use tapedeck_model::node::{write_raw, write_u32};
use tapedeck_model::IncrementalSource;
use web_sys::Document;

use crate::dom::EventListener;
use crate::events::write_incremental;
use crate::failure::RecorderError;
use crate::recording::Recording;

/// The running tracker; dropping it stops it.
#[must_use = "selection stops being recorded as soon as the handle is dropped"]
pub struct SelectionTracker {
    _listener: EventListener,
}

/// Records the selection of `document` whenever it changes.
pub fn attach(
    recording: &Rc<Recording>,
    document: &Document,
) -> Result<SelectionTracker, RecorderError> {
    let last = Rc::new(RefCell::new(Shown::default()));
    let (recording, for_listener) = (Rc::clone(recording), document.clone());
    let listener = EventListener::new(document.as_ref(), "selectionchange", true, move |_| {
        record_selection(&recording, &for_listener, &last);
    })?;
    Ok(SelectionTracker {
        _listener: listener,
    })
}

/// What the replay shows after the last Selection event.
#[derive(Default)]
struct Shown {
    /// The ranges last recorded, as written.
    ranges: Vec<u8>,
    /// True when they select something (are not a mere caret).
    visible: bool,
}

fn record_selection(recording: &Recording, document: &Document, last: &RefCell<Shown>) {
    let Ok(Some(selection)) = document.get_selection() else {
        return;
    };
    let visible = !selection.is_collapsed();
    if !visible && !last.borrow().visible {
        return;
    }
    let mut ranges = Vec::new();
    for index in 0..selection.range_count() {
        let Ok(range) = selection.get_range_at(index) else {
            continue;
        };
        let (Ok(start), Ok(end)) = (range.start_container(), range.end_container()) else {
            continue;
        };
        // Ends outside the recording (a hidden subtree) are left out.
        let (Some(start_id), Some(end_id)) = (recording.id_of(&start), recording.id_of(&end))
        else {
            continue;
        };
        if !ranges.is_empty() {
            ranges.push(b',');
        }
        write_raw(&mut ranges, "{\"start\":");
        write_u32(&mut ranges, start_id);
        write_raw(&mut ranges, ",\"startOffset\":");
        write_u32(&mut ranges, range.start_offset().unwrap_or(0));
        write_raw(&mut ranges, ",\"end\":");
        write_u32(&mut ranges, end_id);
        write_raw(&mut ranges, ",\"endOffset\":");
        write_u32(&mut ranges, range.end_offset().unwrap_or(0));
        ranges.push(b'}');
    }
    if last.borrow().ranges == ranges {
        return;
    }
    let timestamp = Recording::now();
    recording.record(timestamp, false, |out| {
        write_incremental(out, timestamp, IncrementalSource::Selection, |out| {
            write_raw(out, ",\"ranges\":[");
            out.extend_from_slice(&ranges);
            out.push(b']');
        });
    });
    *last.borrow_mut() = Shown { ranges, visible };
}
