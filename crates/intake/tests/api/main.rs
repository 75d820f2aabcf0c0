//! Tests of the intake's routes, in process: requests go straight into the
//! router with `oneshot`, no socket involved. Only [`cli`] starts the real
//! binary, to check what scripts rely on when they launch it.

mod access;
mod cli;
mod fuzz;
mod ingest;
mod limits;
mod read;
mod search;
mod serving;
mod support;
