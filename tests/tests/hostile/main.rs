//! The collector and the agent tried as an attacker would, on loopback, against the real
//! binaries. Each case names what gave way before and holds that it no longer does.
//!
//! - `http`: what anyone without a token can send (metrics labels, half-open connections,
//!   error bodies, CSV cells, logs, file modes).
//! - `schools`: what a school token can do, and only for its own school (report ids,
//!   bounds on one report, workstation credentials, dates).
//! - `speedtest`: the speed-test sessions (caps, expiry, fairness, closing).
//! - `agent`: what a hostile "collector" can make the agent do (captive portals, huge
//!   answers, control characters, the rejected spool).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod agent;
mod http;
mod schools;
mod speedtest;
