//! Tests of the intake's routes, in process: requests go straight into the
//! router with `oneshot`, no socket involved. Only [`cli`] starts the real
//! binary, to check what scripts rely on when they launch it.

mod cli;
mod ingest;
mod read;
mod serving;
mod support;
