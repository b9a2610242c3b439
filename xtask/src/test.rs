//! `cargo xtask test`: formatting and lints first, then native tests (the server's twice: on
//! SQLite, then on a throwaway PostgreSQL cluster, postgres.rs), in-browser wasm tests,
//! end-to-end tests (node --test tests/e2e/ against a server of its own; WebKit's MiniBrowser
//! on an Xvfb display, xvfb.rs) and the Debian package
//! (dist.rs), failing fast.

use crate::build::{build_server, cargo_fetch, AppBuild};
use crate::cmd::{cargo_cmd, fail, fmt_duration, root, run, step, Error, Result};
use crate::postgres;
use crate::server::Server;
use crate::tools::{ensure_tools, Needs, CHROMEDRIVER, CHROMIUM, MINIBROWSER, WEBKIT_DRIVER};
use crate::xvfb::Xvfb;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Which parts of the suite run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestOpts {
    pub lint: bool,
    pub native: bool,
    pub wasm: bool,
    pub e2e: bool,
    pub dist: bool,
    /// The app the e2e and dist steps run on (the split build unless `--single`).
    pub app: AppBuild,
}

impl TestOpts {
    pub const NONE: TestOpts = TestOpts { lint: false, native: false, wasm: false, e2e: false, dist: false, app: AppBuild::Split };
    pub const ALL: TestOpts = TestOpts { lint: true, native: true, wasm: true, e2e: true, dist: true, app: AppBuild::Split };
}

pub fn test(opts: TestOpts) -> Result<()> {
    let start = Instant::now();
    let mut results: Vec<(&str, Result<Duration, String>)> = Vec::new();
    let mut skipped: Vec<&str> = Vec::new();
    for (name, on) in [("lint", opts.lint), ("native", opts.native), ("wasm", opts.wasm), ("e2e", opts.e2e), ("dist", opts.dist)] {
        if !on {
            skipped.push(name);
        }
    }

    let outcome = (|| -> Result<(), (&'static str, Error)> {
        let tag = |name: &'static str| move |e: Error| (name, e);
        let need_app = opts.e2e || opts.dist;
        if opts.lint || opts.native || opts.wasm || opts.e2e || opts.dist {
            cargo_fetch().map_err(tag("setup"))?;
        }
        ensure_tools(Needs {
            lint: opts.lint,
            wasm_target: opts.lint || opts.wasm || need_app,
            trunk: need_app,
            wasm_bindgen: opts.wasm || need_app,
            wasm_opt: need_app,
            browser: opts.wasm || opts.e2e,
            webkit: opts.e2e,
            node_modules: opts.e2e,
            print: opts.e2e,
        })
        .map_err(tag("setup"))?;

        let mut timed = |name: &'static str, f: &dyn Fn() -> Result<()>| {
            let t = Instant::now();
            let r = f();
            results.push((name, r.as_ref().map(|_| t.elapsed()).map_err(|e| e.to_string())));
            r.map_err(tag(name))
        };
        if opts.lint {
            timed("lint", &lint)?;
        }
        if opts.native {
            timed("native", &test_native)?;
        }
        if opts.wasm {
            timed("wasm", &test_wasm)?;
        }
        if opts.e2e {
            timed("e2e", &|| test_e2e(opts.app))?;
        }
        if opts.dist {
            // The e2e step has just built the release app into dist/: the package reuses it.
            timed("dist", &|| crate::dist::test_dist(opts.e2e, opts.app))?;
        }
        Ok(())
    })();

    println!("\n==== summary ====");
    for (name, r) in &results {
        match r {
            Ok(d) => println!("  ok      {name:<7} {}", fmt_duration(*d)),
            Err(_) => println!("  FAILED  {name}"),
        }
    }
    for name in skipped {
        println!("  skipped {name}");
    }
    println!("  total   {}", fmt_duration(start.elapsed()));
    match outcome {
        Ok(()) => {
            println!("all selected test steps passed");
            Ok(())
        }
        Err((name, err)) => Err(fail(format!("test step `{name}` failed: {err}"))),
    }
}

/// The error for clippy warnings in `target`, naming the command that shows them again.
fn warnings(target: &'static str, again: &'static str) -> impl Fn(Error) -> Error {
    move |e| {
        fail(format!(
            "{e}\nclippy found warnings in the {target}: fix the ones above \
             (`{again}` shows them again; adding `--fix` repairs some)"
        ))
    }
}

/// Formatting and warnings, before any test: CI refuses an unformatted change or one with a
/// warning, native or in the app's wasm build, and says what to run to fix it.
fn lint() -> Result<()> {
    step("format (cargo fmt --all --check)", || {
        // Only the names of the files: the whole diff of a large change buries the message.
        run(cargo_cmd().args(["fmt", "--all", "--check", "--", "--files-with-diff"])).map_err(|e| {
            fail(format!(
                "{e}\nthe files listed above are not formatted: run `cargo fmt --all` and commit \
                 the result (`cargo fmt --all --check` shows the changes)"
            ))
        })
    })?;
    step("lints, native (cargo clippy --workspace --all-targets -D warnings)", || {
        run(cargo_cmd().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
            .map_err(warnings("native build", "cargo clippy --workspace --all-targets"))
    })?;
    step("lints, the app for wasm (cargo clippy -p xunfang --target wasm32-unknown-unknown)", || {
        run(cargo_cmd().args(["clippy", "-p", "xunfang", "--all-targets", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]))
            .map_err(warnings("app's wasm build", "cargo clippy -p xunfang --all-targets --target wasm32-unknown-unknown"))
    })
}

/// The whole native suite (the server's on SQLite), then the server's suite
/// again on a throwaway PostgreSQL cluster.
fn test_native() -> Result<()> {
    step("native tests (core, server on SQLite, xtask)", || run(cargo_cmd().args(["test", "--workspace", "--exclude", "xunfang"]).env_remove(postgres::ENV)))?;
    step("server tests on PostgreSQL", || {
        let cluster = postgres::Cluster::start()?;
        run(cargo_cmd().args(["test", "-p", "xunfang-server"]).env(postgres::ENV, &cluster.url))
    })
}

/// A temporary directory for one step's browsers (`TMPDIR`), removed when the
/// step ends, passed or failed: Chromium leaves ~100 MB `scoped_dir`s in the
/// temporary directory of every profile it is killed with, and a machine that
/// runs the suite often would fill its /tmp with them.
struct BrowserTmp(PathBuf);

impl BrowserTmp {
    fn new(name: &str) -> Result<BrowserTmp> {
        let dir = root().join("target").join("browser-tmp").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        Ok(BrowserTmp(dir))
    }
}

impl Drop for BrowserTmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn test_wasm() -> Result<()> {
    step("wasm browser tests (chromium via chromedriver)", || {
        let tmp = BrowserTmp::new("wasm")?;
        run(cargo_cmd()
            .env("TMPDIR", &tmp.0)
            .args(["test", "--target", "wasm32-unknown-unknown", "-p", "xunfang", "--tests"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env_remove("GECKODRIVER")
            .env_remove("SAFARIDRIVER")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))
    })
}

fn test_e2e(app: AppBuild) -> Result<()> {
    app.build()?;
    let bin = build_server()?;
    step("end-to-end tests (node --test tests/e2e/)", || {
        let server = Server::start(&bin)?;
        println!("server at {}", server.url);
        let tmp = BrowserTmp::new("e2e")?;
        // For WebKit's MiniBrowser (tests/e2e/webkit.test.mjs); Chromium runs headless.
        let xvfb = Xvfb::start()?;
        run(Command::new("node")
            .current_dir(root())
            .env("TMPDIR", &tmp.0)
            .args(["--test", "tests/e2e/"])
            .env("XUNFANG_URL", &server.url)
            // Tests that stop and restart a server (offline, updates) start their own.
            .env("XUNFANG_SERVER_BIN", &bin)
            .env("XUNFANG_DIST", root().join("dist"))
            .env("CHROMIUM", CHROMIUM)
            .env("DISPLAY", &xvfb.display)
            .env("WEBKIT_DRIVER", WEBKIT_DRIVER)
            .env("MINIBROWSER", MINIBROWSER))
        // `server` and `xvfb` are dropped here: stopped and its data dir removed,
        // whether the tests passed or not.
    })
}
