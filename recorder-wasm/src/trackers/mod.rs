//! Trackers: one per kind of change the recorder follows after the
//! snapshot. Each starts with a `Rc<Recording>` and returns a handle that
//! stops it when dropped.

pub mod adopted;
pub mod iframe;
pub mod input;
pub mod media;
pub mod mouse_interaction;
pub mod mouse_move;
pub mod mutation;
pub mod roots;
pub mod scroll;
pub mod selection;
pub mod stylesheet;
pub mod target;
pub mod viewport;
