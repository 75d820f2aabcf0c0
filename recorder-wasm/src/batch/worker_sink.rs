//! Handing batches to the worker without copying them twice.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use tapedeck_model::RecordsMeta;
use wasm_bindgen::JsValue;
use web_sys::Worker;

use super::RecordSink;
use crate::exit_copy::ExitCopy;
use crate::failure::RecorderError;

/// Posts batches to the recording's worker as `"records"` messages, with
/// the bytes' buffer in the transfer list so the browser moves it instead
/// of cloning it.
pub struct WorkerSink {
    worker: Worker,
    exit_copy: Option<Rc<RefCell<ExitCopy>>>,
}

impl WorkerSink {
    /// A sink posting to `worker`.
    pub fn new(worker: Worker) -> Self {
        Self {
            worker,
            exit_copy: None,
        }
    }

    /// A sink that also keeps a copy of each batch in `exit_copy` until the
    /// worker reports it appended, so the page can send it on exit.
    pub fn with_exit_copy(worker: Worker, exit_copy: Rc<RefCell<ExitCopy>>) -> Self {
        Self {
            worker,
            exit_copy: Some(exit_copy),
        }
    }

    /// The worker batches go to.
    pub fn worker(&self) -> &Worker {
        &self.worker
    }

    /// Posts a control message (`flush`, `stop`) built by `fill`.
    pub fn post_control(
        &self,
        kind: &str,
        fields: &[(&str, JsValue)],
    ) -> Result<(), RecorderError> {
        let message = Object::new();
        Reflect::set(&message, &"kind".into(), &kind.into())?;
        for (name, value) in fields {
            Reflect::set(&message, &(*name).into(), value)?;
        }
        self.worker.post_message(&message)?;
        Ok(())
    }
}

impl RecordSink for WorkerSink {
    fn send(&self, bytes: Vec<u8>, meta: RecordsMeta) -> Result<(), RecorderError> {
        // One copy out of wasm memory is unavoidable; the transfer below
        // makes it the only one.
        let array = Uint8Array::new_with_length(bytes.len() as u32);
        array.copy_from(&bytes);
        let buffer = array.buffer();

        let meta_json = serde_json::to_string(&meta)
            .map_err(|error| RecorderError::Browser(error.to_string()))?;
        // The page's copy takes the bytes themselves: no second copy.
        let seq = self
            .exit_copy
            .as_ref()
            .map(|copy| copy.borrow_mut().record_sent(bytes, meta));
        let message = Object::new();
        if let Some(seq) = seq {
            Reflect::set(&message, &"seq".into(), &(seq as f64).into())?;
        }
        Reflect::set(&message, &"kind".into(), &"records".into())?;
        Reflect::set(&message, &"meta".into(), &meta_json.into())?;
        Reflect::set(&message, &"bytes".into(), &buffer)?;
        self.worker
            .post_message_with_transfer(&message, &Array::of1(&buffer))?;
        Ok(())
    }
}
