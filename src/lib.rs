//! Herald: a self-hosted breaking-news Web Push service.
//!
//! The binary in `main.rs` only parses the command line; everything else lives here so that
//! tests can start the real server on a port of their choosing.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod error;
pub mod extract;
pub mod healthcheck;
pub mod housekeeping;
pub mod http;
pub mod metrics;
pub mod pipeline;
pub mod retry_after;
pub mod seed;
pub mod shutdown;
pub mod sources;
pub mod state;
pub mod storage;
pub mod vapid;
