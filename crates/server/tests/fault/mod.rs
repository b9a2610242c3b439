//! The end-to-end fault rig: the real `xunfang-server` binary
//! ([`server`]), a TCP proxy in front of it that breaks connections on
//! purpose ([`proxy`]), and tablets that run core's sync engine over real
//! HTTP ([`tablet`]), also spread over several servers ([`spread`]).

// Each test file uses only part of the rig.
#![allow(dead_code)]

pub mod proxy;
pub mod server;
pub mod spread;
pub mod tablet;
