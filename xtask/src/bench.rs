//! `cargo xtask bench`: builds what the benchmarks need, then runs
//! `node tests/bench/run.mjs`, which measures and writes `BENCHMARKS.md`
//! (and `target/bench/results.json`) and prints a short summary.
//!
//! Section 7 (many tablets at once) runs `crates/server/examples/load.rs`
//! (built with the server's profile, `server`) against the server on SQLite and on a throwaway PostgreSQL
//! cluster (postgres.rs); `cargo xtask bench load` runs that section alone
//! (no app build, no browser) through `node tests/bench/load.mjs`.
//!
//! Not a test: no figure fails the run, and `cargo xtask test` never runs it.
//! Installs when missing, like the other commands: the app tools, Debian's
//! chromium, twiggy (`cargo install`, for the wasm size breakdown; the bench
//! goes on without it) and `tests/bench/node_modules` (playwright-core, dexie, pouchdb).

use crate::build::{build_server_profile, cargo_fetch, AppBuild, SERVER_PROFILE};
use crate::cmd::{self, cargo_cmd, fail, fmt_duration, output, root, step, tool, tool_path, Result};
use crate::postgres::Cluster;
use crate::tools::{ensure, ensure_tools, npm_ci, Needs, APP_TOOLS, CHROMIUM};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// twiggy version for the wasm size breakdown.
const TWIGGY_VERSION: &str = "0.8.0";

fn bench_dir() -> PathBuf {
    root().join("tests").join("bench")
}

pub fn run(app: AppBuild) -> Result<()> {
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
    app.build()?;
    let bin = build_server_profile(true)?;
    let load = build_load()?;
    let cluster = Cluster::start()?;
    let built = start.elapsed();
    step("benchmarks (node tests/bench/run.mjs)", || {
        cmd::run(
            load_env(Command::new("node").arg("tests/bench/run.mjs"), &bin, &load, &cluster)
                .env("PATH", tool_path())
                .env("XUNFANG_DIST", root().join("dist"))
                .env("CHROMIUM", CHROMIUM),
        )
    })?;
    println!("\nbench done in {} (builds and tools {}); see {}", fmt_duration(start.elapsed()), fmt_duration(built), root().join("BENCHMARKS.md").display());
    Ok(())
}

/// `cargo xtask bench load`: section 7 alone, into its part of BENCHMARKS.md.
pub fn run_load() -> Result<()> {
    let start = Instant::now();
    cargo_fetch()?;
    let bin = build_server_profile(true)?;
    let load = build_load()?;
    let cluster = Cluster::start()?;
    step("many tablets at once (node tests/bench/load.mjs)", || cmd::run(load_env(Command::new("node").arg("tests/bench/load.mjs"), &bin, &load, &cluster)))?;
    println!("\nbench section 7 done in {}; see {}", fmt_duration(start.elapsed()), root().join("BENCHMARKS.md").display());
    Ok(())
}

/// The load example (simulated tablets), built with the profile of the server it measures (their CPU shares the
/// machine with the server's, so they are built for speed too).
fn build_load() -> Result<PathBuf> {
    step("load tablets build (profile server)", || {
        cmd::run(cargo_cmd().args(["build", "--profile", SERVER_PROFILE, "-p", "xunfang-server", "--example", "load"]))
    })?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let bin = target_dir.join(SERVER_PROFILE).join("examples").join(format!("load{}", std::env::consts::EXE_SUFFIX));
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(fail(format!("load example not found at {}", bin.display())))
    }
}

/// What the bench drivers read: the server, the load example and the cluster's address.
fn load_env<'c>(command: &'c mut Command, server: &PathBuf, load: &PathBuf, cluster: &Cluster) -> &'c mut Command {
    command
        .current_dir(root())
        .env("XUNFANG_ROOT", root())
        .env("XUNFANG_SERVER_BIN", server)
        .env("XUNFANG_LOAD_BIN", load)
        .env("XUNFANG_BENCH_POSTGRES", &cluster.url)
}

fn has_twiggy() -> bool {
    output(tool("twiggy").arg("--version")).is_some_and(|s| s.split_whitespace().nth(1) == Some(TWIGGY_VERSION))
}

fn has_bench_modules() -> bool {
    ["playwright-core", "dexie", "pouchdb-browser", "express-pouchdb", "pouchdb-core", "pouchdb-adapter-memory", "events"]
        .iter()
        .all(|m| bench_dir().join("node_modules").join(m).join("package.json").is_file())
}
