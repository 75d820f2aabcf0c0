//! The recorder's side of the browser: small RAII wrappers over browser
//! APIs (listeners, hooks, timers), so that dropping a handle always undoes
//! what creating it did; and the reading glue that gathers many DOM facts
//! in one call (`read`, `records`, `ancestry`, `scrollable`), leaving what
//! to record of them to the serializer.

pub mod ancestry;
pub mod cast;
pub mod hooks;
pub mod listener;
pub mod read;
pub mod records;
pub mod scrollable;
pub mod timer;

pub use hooks::Hook;
pub use listener::EventListener;
pub use timer::Timeout;
