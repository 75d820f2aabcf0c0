//! Small RAII wrappers over browser APIs, so that dropping a handle always
//! undoes what creating it did.

pub mod listener;
pub mod timer;

pub use listener::EventListener;
pub use timer::Timeout;
