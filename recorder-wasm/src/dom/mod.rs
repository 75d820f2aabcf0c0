//! Small RAII wrappers over browser APIs, so that dropping a handle always
//! undoes what creating it did.

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
