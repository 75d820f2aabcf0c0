//! Following every tree the recording covers: the document, open shadow
//! roots and the documents of same-origin iframes.
//!
//! A `MutationObserver` on the document does not see inside shadow roots or
//! iframes, and events that neither bubble nor cross shadow boundaries
//! (scroll, change) never reach the document's listeners. So each such root
//! gets an observer and listeners of its own when serialization first meets
//! it. Observer callbacks hold only a weak reference here, so dropping the
//! [`RootObservers`] stops everything.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, Reflect, WeakSet};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MutationObserver, MutationObserverInit, Node};

use crate::dom::cast::{as_element, as_node};
use crate::dom::hooks::{prototype_of, Hook};
use crate::dom::EventListener;
use crate::failure::{self, RecorderError};
use crate::recording::Recording;
use crate::serialize::snapshot::Discovered;
use crate::trackers::iframe::record_iframe_document;
use crate::trackers::{
    adopted, input, media, mouse_interaction, mouse_move, mutation, scroll, selection, stylesheet,
};

/// A connected observer; dropping it disconnects it.
struct Observer {
    observer: MutationObserver,
    _callback: Closure<dyn FnMut(Array)>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// What keeps one followed root's observation alive.
#[derive(Default)]
pub struct Followed {
    _listeners: Vec<EventListener>,
    _mouse_move: Option<mouse_move::MouseMoveTracker>,
    _interactions: Option<mouse_interaction::MouseInteractionTracker>,
    _scroll: Option<scroll::ScrollTracker>,
    _input: Option<input::InputTracker>,
    _media: Option<media::MediaTracker>,
    _selection: Option<selection::SelectionTracker>,
    _realm: Option<RealmHooks>,
}

/// The wrappers installed on one window's prototypes: every same-origin
/// iframe is a realm of its own, with its own `HTMLInputElement`,
/// `CSSStyleSheet` and `Element.prototype.attachShadow`.
pub struct RealmHooks {
    _stylesheets: stylesheet::StyleSheetTracker,
    _adopted: adopted::AdoptedStyleSheetTracker,
    _attach_shadow: Option<Hook>,
}

/// All observers of one recording.
pub struct RootObservers {
    recording: Rc<Recording>,
    followed_roots: WeakSet,
    observers: RefCell<Vec<Observer>>,
    followed: RefCell<Vec<Followed>>,
    top_realm: RefCell<Option<RealmHooks>>,
    this: Weak<RootObservers>,
}

impl RootObservers {
    /// No observers yet; the page-wide CSSOM wrappers are installed.
    pub fn new(recording: &Rc<Recording>) -> Rc<Self> {
        let observers = Rc::new_cyclic(|this| Self {
            recording: Rc::clone(recording),
            followed_roots: WeakSet::new(),
            observers: RefCell::new(Vec::new()),
            followed: RefCell::new(Vec::new()),
            top_realm: RefCell::new(None),
            this: this.clone(),
        });
        let hooks = observers.hook_realm(&js_sys::global());
        *observers.top_realm.borrow_mut() = Some(hooks);
        observers
    }

    /// Wraps the CSSOM methods, `adoptedStyleSheets` setters and
    /// `attachShadow` of the window `global`.
    fn hook_realm(&self, global: &JsValue) -> RealmHooks {
        let this = self.this.clone();
        // A shadow root attached to an element already recorded is followed
        // from then on; what goes into it arrives as mutations under the
        // host, marked `isShadow`.
        let attach_shadow = prototype_of(global, "Element").and_then(|proto| {
            Hook::method(&proto, "attachShadow", move |host, _, shadow_root| {
                let Some(observers) = this.upgrade() else {
                    return;
                };
                let is_open =
                    Reflect::get(&host, &"shadowRoot".into()).is_ok_and(|open| open == shadow_root);
                let host_is_recorded =
                    as_node(&host).is_some_and(|node| observers.recording.id_of(node).is_some());
                if is_open && host_is_recorded {
                    observers
                        .recording
                        .queue_discovered([Discovered::ShadowRoot(shadow_root.unchecked_into())]);
                    observers.follow_discovered();
                }
            })
        });
        RealmHooks {
            _stylesheets: stylesheet::start(&self.recording, global),
            _adopted: adopted::start(&self.recording, global),
            _attach_shadow: attach_shadow,
        }
    }

    /// Observes mutations under `root` (a document or a shadow root).
    pub fn observe_mutations(&self, root: &Node) -> Result<(), RecorderError> {
        let this = self.this.clone();
        let callback = Closure::<dyn FnMut(Array)>::new(move |records: Array| {
            if let Some(observers) = this.upgrade() {
                if !observers.recording.is_stopped() {
                    mutation::process(&observers.recording, &records);
                    observers.follow_discovered();
                }
            }
        });
        let guarded = failure::guard(callback.as_ref().unchecked_ref());
        let observer = MutationObserver::new(&guarded)?;

        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_attributes(true);
        init.set_character_data(true);
        init.set_subtree(true);
        // Old values tell whether a class change changed a privacy level.
        init.set_attribute_old_value(true);
        observer.observe_with_options(root, &init)?;

        self.observers.borrow_mut().push(Observer {
            observer,
            _callback: callback,
        });
        Ok(())
    }

    /// Records what every observer has queued but not delivered.
    pub fn record_pending(&self) {
        let pending: Vec<Array> = self
            .observers
            .borrow()
            .iter()
            .map(|observer| observer.observer.take_records())
            .filter(|records| records.length() > 0)
            .collect();
        for records in pending {
            mutation::process(&self.recording, &records);
        }
        self.follow_discovered();
    }

    /// Starts following the roots serialization has queued.
    pub fn follow_discovered(&self) {
        loop {
            let discovered = self.recording.take_discovered();
            if discovered.is_empty() {
                return;
            }
            for item in discovered {
                if let Err(error) = self.follow(item) {
                    self.recording.fail(&error);
                    return;
                }
            }
        }
    }

    /// What every document needs beyond the main trackers: media,
    /// selection, and stylesheets that finish loading after being recorded.
    pub fn follow_document_extras(
        &self,
        document: &web_sys::Document,
    ) -> Result<Followed, RecorderError> {
        let recording = Rc::clone(&self.recording);
        // `load` does not bubble, but a capturing listener on the document
        // sees it for every <link> inside.
        let on_load = EventListener::new(document.as_ref(), "load", true, move |event| {
            let Some(element) = event
                .target()
                .and_then(|target| as_element(&target).cloned())
            else {
                return;
            };
            if element.local_name() == "link" {
                mutation::record_css_text_change(&recording, &element);
            }
        })?;
        Ok(Followed {
            _listeners: vec![on_load],
            _media: Some(media::attach(&self.recording, document.as_ref())?),
            _selection: Some(selection::attach(&self.recording, document)?),
            ..Followed::default()
        })
    }

    /// Follows the top document's extras (its main trackers are started
    /// by the recorder).
    pub fn follow_top_document(&self) -> Result<(), RecorderError> {
        let followed = self.follow_document_extras(&self.recording.document)?;
        self.followed.borrow_mut().push(followed);
        Ok(())
    }

    fn follow(&self, item: Discovered) -> Result<(), RecorderError> {
        let root: &Node = match &item {
            Discovered::ShadowRoot(shadow_root) => shadow_root.as_ref(),
            Discovered::Iframe(iframe) => iframe.as_ref(),
            Discovered::IframeDocument(document) => document.as_ref(),
        };
        if self.followed_roots.has(root) {
            return Ok(());
        }
        self.followed_roots.add(root);

        let recording = &self.recording;
        let followed = match &item {
            Discovered::ShadowRoot(shadow_root) => {
                self.observe_mutations(shadow_root.as_ref())?;
                Followed {
                    _scroll: Some(scroll::attach(recording, shadow_root.as_ref())?),
                    _input: Some(input::attach(recording, shadow_root.as_ref())?),
                    _media: Some(media::attach(recording, shadow_root.as_ref())?),
                    ..Followed::default()
                }
            }
            Discovered::Iframe(iframe) => {
                // Each load is a new document to record, including
                // navigations inside the iframe after the snapshot.
                let this = self.this.clone();
                let iframe_for_load = iframe.clone();
                let on_load = EventListener::new(iframe.as_ref(), "load", false, move |_| {
                    if let Some(observers) = this.upgrade() {
                        let found = record_iframe_document(&observers.recording, &iframe_for_load);
                        observers.recording.queue_discovered(found);
                        observers.follow_discovered();
                    }
                })?;
                Followed {
                    _listeners: vec![on_load],
                    ..Followed::default()
                }
            }
            Discovered::IframeDocument(document) => {
                self.observe_mutations(document.as_ref())?;
                let mut followed = self.follow_document_extras(document)?;
                followed._mouse_move = Some(mouse_move::attach(recording, document.as_ref())?);
                followed._interactions =
                    Some(mouse_interaction::attach(recording, document.as_ref())?);
                followed._scroll = Some(scroll::attach(recording, document.as_ref())?);
                let realm = document.default_view().map(JsValue::from);
                followed._input = Some(match &realm {
                    Some(global) => input::attach_with_setters(recording, document, global)?,
                    None => input::attach(recording, document.as_ref())?,
                });
                followed._realm = realm.map(|global| self.hook_realm(&global));
                followed
            }
        };
        self.followed.borrow_mut().push(followed);
        Ok(())
    }
}
