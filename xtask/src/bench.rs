//! `cargo xtask bench`: builds what the benchmarks need, then runs
//! `node tests/bench/run.mjs`, which measures and writes `BENCHMARKS.md`
//! (and `target/bench/results.json`) and prints a short summary.
//!
//! Not a test: no figure fails the run, and `cargo xtask test` never runs it.
//! Installs when missing, like the other commands: the app tools, Debian's
//! chromium, twiggy (`cargo install`, for the wasm size breakdown; the bench
//! goes on without it) and `tests/bench/node_modules` (playwright-core, dexie, pouchdb).

use crate::build::{build_server_profile, cargo_fetch, trunk_build};
use crate::cmd::{self, cargo_cmd, fmt_duration, output, root, step, tool, tool_path, Result};
use crate::tools::{ensure, ensure_tools, npm_ci, Needs, APP_TOOLS, CHROMIUM};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// twiggy version for the wasm size breakdown.
const TWIGGY_VERSION: &str = "0.8.0";

fn bench_dir() -> PathBuf {
    root().join("tests").join("bench")
}

pub fn run() -> Result<()> {
    let start = Instant::now();
    cargo_fetch()?;
    ensure_tools(Needs { browser: true, ..APP_TOOLS })?;
    step("bench tools", || {
        if let Err(e) = ensure(&format!("twiggy {TWIGGY_VERSION}"), has_twiggy, || {
            cmd::run(cargo_cmd().args(["install", "twiggy", "--version", TWIGGY_VERSION, "--locked"]))
        }) {
            println!("    warning: {e}; the wasm size breakdown will be skipped");
        }
        ensure("tests/bench/node_modules (playwright-core, dexie, pouchdb)", has_bench_modules, || npm_ci(&bench_dir()))
    })?;
    trunk_build()?;
    let bin = build_server_profile(true)?;
    let built = start.elapsed();
    step("benchmarks (node tests/bench/run.mjs)", || {
        cmd::run(
            Command::new("node")
                .current_dir(root())
                .arg("tests/bench/run.mjs")
                .env("PATH", tool_path())
                .env("XUNFANG_ROOT", root())
                .env("XUNFANG_SERVER_BIN", &bin)
                .env("XUNFANG_DIST", root().join("dist"))
                .env("CHROMIUM", CHROMIUM),
        )
    })?;
    println!("\nbench done in {} (builds and tools {}); see {}", fmt_duration(start.elapsed()), fmt_duration(built), root().join("BENCHMARKS.md").display());
    Ok(())
}

fn has_twiggy() -> bool {
    output(tool("twiggy").arg("--version")).is_some_and(|s| s.split_whitespace().nth(1) == Some(TWIGGY_VERSION))
}

fn has_bench_modules() -> bool {
    ["playwright-core", "dexie", "pouchdb-browser", "express-pouchdb", "pouchdb-core", "pouchdb-adapter-memory", "events"]
        .iter()
        .all(|m| bench_dir().join("node_modules").join(m).join("package.json").is_file())
}
