//! Shared test support: real local stand-ins for the outside services Herald talks to.
// Each test binary compiles this module and uses only part of it, so the rest would warn
// as dead code in that binary; `#[expect]` cannot work here because the set differs per binary.
#![allow(dead_code)]

pub mod hub;
pub mod news_source;
pub mod push_standin;
