//! Tapedeck's dedicated worker: segments, uploads and the page-exit
//! hand-back.
//!
//! The page's recorder posts batches of events here; the worker compresses
//! them into zlib segments with `tapedeck-segment` and uploads each closed
//! segment to the intake, so neither compression nor network waits ever
//! run on the page's main thread. The messages both ways are those of
//! `docs/ARCHITECTURE.md`.
//!
//! The bootstrap script runs in a module worker:
//!
//! ```js
//! import init, { start_worker } from "./worker/tapedeck_worker_wasm.js";
//! await init();
//! start_worker();
//! ```
//!
//! [`start_worker`] installs the message handler and posts
//! `{kind: "ready"}`. [`message`] reads the recorder's messages, [`worker`]
//! keeps the state they change, [`upload`] sends segments (retrying with
//! backoff from a queue bounded in bytes), [`persist`] keeps unsent ones in
//! IndexedDB for the next page load, and [`outbox`] posts the replies. In
//! error-triggered mode the worker holds closed segments in a rolling
//! buffer of the last seconds and sends them only when the page asks. Nothing here panics on what the page sends, and
//! nothing throws back into it: problems become `failed` messages or one
//! `[tapedeck]` console warning.

pub mod console;
pub mod message;
pub mod outbox;
pub mod persist;
pub mod scope;
pub mod upload;
pub mod worker;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

pub use message::{Command, MessageError};
pub use outbox::Outbox;
pub use worker::Worker;

/// Starts the worker on the current dedicated worker scope: installs its
/// `onmessage` handler and posts `{kind: "ready"}`.
///
/// Returns an error, and installs nothing, when called outside a dedicated
/// worker.
#[wasm_bindgen]
pub fn start_worker() -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global()
        .dyn_into()
        .map_err(|_| JsValue::from_str("[tapedeck] start_worker must run in a dedicated worker"))?;

    let worker = Worker::new(Outbox::Scope(scope.clone()));
    let handler = {
        let worker = worker.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            worker.handle_message(&event.data());
        })
    };
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker, which ends with the page.
    handler.forget();

    worker.announce_ready();
    Ok(())
}
