//! `cargo xtask build` and the builds other commands share: the app (release, into `dist/`:
//! the split build by default, trunk's one wasm with `--single`) and the server binary (dev or
//! release profile).

use crate::cmd::{cargo_cmd, fail, fmt_duration, root, run, step, tool, Result};
use crate::tools::{ensure_tools, APP_TOOLS};
use std::env;
use std::path::PathBuf;
use std::time::Instant;

pub fn cargo_fetch() -> Result<()> {
    step("cargo fetch", || run(cargo_cmd().arg("fetch")))
}

/// Which build of the app goes into `dist/` (`build`, `serve`, `test`, `bench`, `dist`). The split
/// build is the default: its first screen is 466 KB brotli against 889 KB for trunk's one wasm
/// (bench section 1), every other screen a chunk that loads when first opened and that the
/// service worker precaches. `--single` is trunk's build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppBuild {
    #[default]
    Split,
    Single,
}

impl AppBuild {
    /// The build a command-line flag names: `--single`, or `--split` (the default, still accepted).
    pub fn from_flag(flag: &str) -> Option<AppBuild> {
        match flag {
            "--split" => Some(AppBuild::Split),
            "--single" => Some(AppBuild::Single),
            _ => None,
        }
    }

    /// Builds the app into `dist/`.
    pub fn build(self) -> Result<()> {
        match self {
            AppBuild::Split => crate::split::split_build(),
            AppBuild::Single => trunk_build(),
        }
    }
}

pub fn trunk_build() -> Result<()> {
    step("app release build (trunk)", || {
        run(tool("trunk").current_dir(root()).args(["build", "--release", "--offline"]).env("TRUNK_SKIP_VERSION_CHECK", "true"))
            .map_err(|e| fail(format!("{e}\n(the app under src/ or index.html did not build)")))
    })
}

/// The server is built with the dev profile: it shares its artifacts with
/// `cargo test` (no second compile of tokio/axum on a fresh machine), and
/// the root `[profile.release]` (opt-level z, fat LTO, one codegen unit) is
/// tuned for the wasm app, not for a native server.
pub fn build_server() -> Result<PathBuf> {
    build_server_profile(false)
}

/// The profile of the optimised server (and of the load bench's tablets): its
/// artifacts are in `target/server/`.
pub const SERVER_PROFILE: &str = "server";

/// Builds the server, in the release profile (as `server`) when `release` (the bench: a
/// deployment runs an optimised server; the debug one spends most of a sync
/// compressing its answers).
pub fn build_server_profile(release: bool) -> Result<PathBuf> {
    let mut args = vec!["build", "-p", "xunfang-server", "--bin", "xunfang-server"];
    if release {
        // The root Cargo.toml's `server` profile: release at opt-level 3 (release itself is sized for the wasm app).
        args.extend(["--profile", SERVER_PROFILE]);
    }
    step(if release { "server build (release, profile server)" } else { "server build" }, || run(cargo_cmd().args(&args)))?;
    let target_dir = env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let bin = target_dir.join(if release { SERVER_PROFILE } else { "debug" }).join(format!("xunfang-server{}", env::consts::EXE_SUFFIX));
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(fail(format!("server binary not found at {}", bin.display())))
    }
}

pub fn build(app: AppBuild) -> Result<()> {
    let start = Instant::now();
    cargo_fetch()?;
    ensure_tools(APP_TOOLS)?;
    app.build()?;
    println!("\napp built into {} in {}", root().join("dist").display(), fmt_duration(start.elapsed()));
    Ok(())
}
