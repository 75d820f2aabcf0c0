//! In-process tests of the intake's routes: requests go straight into the
//! router with `oneshot`, no socket involved.

mod ingest;
mod read;
mod serving;
mod support;
