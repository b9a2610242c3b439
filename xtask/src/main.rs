//! `cargo xtask <command>`: build, serve and test Xunfang.
//!
//! * `cargo xtask build` — release build of the app into `dist/` (trunk).
//! * `cargo xtask serve [--bind ADDR] [--data DIR]` — build the app, build
//!   the server and run it (default <http://127.0.0.1:8080/>).
//! * `cargo xtask test [native|wasm|e2e ...] [--skip-native] [--skip-wasm]
//!   [--skip-e2e]` — native tests, in-browser wasm tests, end-to-end tests.
//! * `cargo xtask bench` — measurements into `BENCHMARKS.md` (see bench.rs).
//!
//! Tools are installed when missing and skipped quickly when present:
//! the wasm32 target, trunk 0.21.14, wasm-bindgen-cli at the version in
//! Cargo.lock, wasm-opt from npm `binaryen` under `target/tools`, Debian's
//! chromium + chromium-driver, and `tests/e2e/node_modules`.
//!
//! Only std: this crate must compile in seconds.

use std::env;
use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod bench;
mod precache;

const TRUNK_VERSION: &str = "0.21.14";
/// npm `binaryen` version providing wasm-opt (matches `wasm_opt` in Trunk.toml).
const BINARYEN_VERSION: &str = "132.0.0";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEFAULT_BIND: &str = "127.0.0.1:8080";

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  build                         release build of the app into dist/
  serve [--bind ADDR] [--data DIR]
                                build the app and the server, then serve
                                (default --bind 127.0.0.1:8080 --data data)
  precache [DIR] [--build-id ID]
                                write the service worker's file list and the
                                build id into a built app (trunk's post_build
                                hook runs it; DIR defaults to $TRUNK_STAGING_DIR)
  test [native|wasm|e2e ...] [--skip-native] [--skip-wasm] [--skip-e2e]
                                run the test suites (all by default, in the
                                order native, wasm, e2e), failing fast
  bench                         build, then measure size, sync, start,
                                search and memory; writes BENCHMARKS.md
";

fn main() -> ExitCode {
    // The first argument is the program itself.
    let args: Vec<String> = env::args().collect();
    let args = args.get(1..).unwrap_or_default().to_vec();
    let result = match args.first().map(String::as_str) {
        Some("build") => no_args(&args[1..]).and_then(|()| build()),
        Some("serve") => parse_serve(&args[1..]).and_then(serve),
        Some("test") => parse_test(&args[1..]).and_then(test),
        Some("precache") => precache::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(Error::Usage(format!("unknown command `{other}`"))),
        None => Err(Error::Usage("missing command".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(msg)) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("\nxtask: error: {err}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------- errors --

#[derive(Debug)]
enum Error {
    Usage(String),
    Failed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::Failed(m) => f.write_str(m),
        }
    }
}

type Result<T, E = Error> = std::result::Result<T, E>;

fn fail(msg: impl Into<String>) -> Error {
    Error::Failed(msg.into())
}

// ------------------------------------------------------------ arguments --

fn no_args(args: &[String]) -> Result<()> {
    match args.first() {
        Some(a) => Err(Error::Usage(format!("unexpected argument `{a}`"))),
        None => Ok(()),
    }
}

struct ServeOpts {
    bind: String,
    data: PathBuf,
}

fn parse_serve(args: &[String]) -> Result<ServeOpts> {
    let mut opts = ServeOpts { bind: DEFAULT_BIND.into(), data: root().join("data") };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| Error::Usage(format!("`{key}` needs a value")));
        match key {
            "--bind" => opts.bind = value()?,
            "--data" => opts.data = PathBuf::from(value()?),
            _ => return Err(Error::Usage(format!("unexpected argument `{a}`"))),
        }
    }
    Ok(opts)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TestOpts {
    native: bool,
    wasm: bool,
    e2e: bool,
}

fn parse_test(args: &[String]) -> Result<TestOpts> {
    let mut selected = TestOpts { native: false, wasm: false, e2e: false };
    let mut any_selected = false;
    let mut skip = TestOpts { native: false, wasm: false, e2e: false };
    for a in args {
        match a.as_str() {
            "native" => (selected.native, any_selected) = (true, true),
            "wasm" => (selected.wasm, any_selected) = (true, true),
            "e2e" => (selected.e2e, any_selected) = (true, true),
            "--skip-native" => skip.native = true,
            "--skip-wasm" => skip.wasm = true,
            "--skip-e2e" => skip.e2e = true,
            _ => return Err(Error::Usage(format!("unexpected argument `{a}`"))),
        }
    }
    if !any_selected {
        selected = TestOpts { native: true, wasm: true, e2e: true };
    }
    Ok(TestOpts { native: selected.native && !skip.native, wasm: selected.wasm && !skip.wasm, e2e: selected.e2e && !skip.e2e })
}

// ---------------------------------------------------------------- paths --

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

fn npm_bin_dir() -> PathBuf {
    tools_dir().join("node_modules").join(".bin")
}

fn e2e_dir() -> PathBuf {
    root().join("tests").join("e2e")
}

fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// PATH with the project-local npm tools and ~/.cargo/bin in front.
fn tool_path() -> OsString {
    let mut dirs = vec![npm_bin_dir()];
    if let Some(home) = env::var_os("CARGO_HOME").map(PathBuf::from).or_else(|| home().map(|h| h.join(".cargo"))) {
        dirs.push(home.join("bin"));
    }
    if let Some(path) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&path));
    }
    env::join_paths(dirs).unwrap_or_default()
}

fn home() -> Option<PathBuf> {
    env::var_os("HOME").map(PathBuf::from)
}

// -------------------------------------------------------------- running --

fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 {
        format!("{}m{:04.1}s", (s / 60.0).floor(), s % 60.0)
    } else {
        format!("{s:.1}s")
    }
}

/// Runs `f` as a named step, printing its duration.
fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("\n==> {name}");
    let start = Instant::now();
    let out = f();
    let took = fmt_duration(start.elapsed());
    match &out {
        Ok(_) => println!("<== {name}: done in {took}"),
        Err(_) => println!("<== {name}: FAILED after {took}"),
    }
    out
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs a command with inherited stdio; non-zero exit is an error.
fn run(cmd: &mut Command) -> Result<()> {
    let shown = describe(cmd);
    println!("$ {shown}");
    let status = cmd.status().map_err(|e| fail(format!("cannot run `{shown}`: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(fail(format!("`{shown}` failed ({status})")))
    }
}

/// Runs a command quietly and returns its trimmed stdout, or None.
fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn tool(name: &str) -> Command {
    let mut cmd = Command::new(name);
    cmd.env("PATH", tool_path());
    cmd
}

fn cargo_cmd() -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root()).env("PATH", tool_path());
    cmd
}

// ---------------------------------------------------------------- tools --

#[derive(Clone, Copy)]
struct Needs {
    wasm_target: bool,
    trunk: bool,
    wasm_bindgen: bool,
    wasm_opt: bool,
    browser: bool,
    node_modules: bool,
}

/// Makes sure the tools in `needs` are present, installing what is missing.
fn ensure_tools(needs: Needs) -> Result<()> {
    step("tools", || {
        if needs.wasm_target {
            ensure("wasm32-unknown-unknown target", has_wasm_target, || run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"])))?;
        }
        if needs.trunk {
            ensure(&format!("trunk {TRUNK_VERSION}"), has_trunk, || run(cargo_cmd().args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"])))?;
        }
        if needs.wasm_bindgen {
            let version = wasm_bindgen_version()?;
            ensure(
                &format!("wasm-bindgen-cli {version}"),
                || has_wasm_bindgen(&version),
                || {
                    run(cargo_cmd().args(["install", "wasm-bindgen-cli", "--version", &version, "--locked"])).or_else(|_| {
                        println!("retrying without --locked");
                        run(cargo_cmd().args(["install", "wasm-bindgen-cli", "--version", &version]))
                    })
                },
            )?;
        }
        if needs.wasm_opt {
            ensure(&format!("wasm-opt (npm binaryen {BINARYEN_VERSION})"), has_wasm_opt, || {
                std::fs::create_dir_all(tools_dir()).map_err(|e| fail(format!("cannot create target/tools: {e}")))?;
                run(Command::new("npm")
                    .current_dir(tools_dir())
                    .args(["install", "--prefix", ".", "--no-audit", "--no-fund"])
                    .arg(format!("binaryen@{BINARYEN_VERSION}")))
            })?;
        }
        if needs.browser {
            ensure("chromium + chromium-driver", has_browser, || {
                let sudo = !is_root();
                let apt = |args: &[&str]| {
                    let mut cmd = if sudo { Command::new("sudo") } else { Command::new("apt-get") };
                    if sudo {
                        cmd.arg("apt-get");
                    }
                    cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
                    cmd
                };
                run(&mut apt(&["update"]))?;
                run(&mut apt(&["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]))
            })?;
        }
        if needs.node_modules {
            ensure("tests/e2e/node_modules (playwright-core)", has_node_modules, || {
                let sub = if e2e_dir().join("package-lock.json").is_file() { "ci" } else { "install" };
                run(Command::new("npm").current_dir(e2e_dir()).args([sub, "--no-audit", "--no-fund"]))
            })?;
        }
        Ok(())
    })
}

fn ensure(what: &str, present: impl FnOnce() -> bool, install: impl FnOnce() -> Result<()>) -> Result<()> {
    if present() {
        println!("    ok: {what}");
        return Ok(());
    }
    println!("    installing {what} ...");
    let start = Instant::now();
    install().map_err(|e| fail(format!("installing {what} failed: {e}")))?;
    println!("    installed {what} in {}", fmt_duration(start.elapsed()));
    Ok(())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

fn has_wasm_target() -> bool {
    output(Command::new("rustup").args(["target", "list", "--installed"])).is_some_and(|s| s.lines().any(|l| l.trim() == "wasm32-unknown-unknown"))
}

fn has_trunk() -> bool {
    output(tool("trunk").arg("--version")).is_some_and(|s| s.split_whitespace().nth(1) == Some(TRUNK_VERSION))
}

fn has_wasm_bindgen(version: &str) -> bool {
    output(tool("wasm-bindgen").arg("--version")).is_some_and(|s| s.split_whitespace().nth(1) == Some(version))
        && output(tool("wasm-bindgen-test-runner").arg("--version")).is_some()
}

fn has_wasm_opt() -> bool {
    npm_bin_dir().join("wasm-opt").exists()
        && tools_dir().join("node_modules/binaryen/package.json").is_file()
        && std::fs::read_to_string(tools_dir().join("node_modules/binaryen/package.json"))
            .is_ok_and(|s| s.contains(&format!("\"version\": \"{BINARYEN_VERSION}\"")))
}

fn has_browser() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
}

fn has_node_modules() -> bool {
    ["playwright-core", "json-server"].iter().all(|m| e2e_dir().join("node_modules").join(m).join("package.json").is_file())
}

/// The wasm-bindgen version in Cargo.lock (the CLI must match it exactly).
fn wasm_bindgen_version() -> Result<String> {
    let lock = root().join("Cargo.lock");
    if !lock.is_file() {
        run(cargo_cmd().arg("generate-lockfile"))?;
    }
    let text = std::fs::read_to_string(&lock).map_err(|e| fail(format!("cannot read Cargo.lock: {e}")))?;
    lock_version(&text, "wasm-bindgen").ok_or_else(|| fail("no wasm-bindgen package in Cargo.lock"))
}

/// Version of package `name` in a Cargo.lock text.
fn lock_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    for block in lock.split("[[package]]") {
        let mut lines = block.lines().map(str::trim);
        if lines.clone().any(|l| l == wanted) {
            return lines.find_map(|l| l.strip_prefix("version = \"")).and_then(|v| v.strip_suffix('"')).map(str::to_string);
        }
    }
    None
}

// --------------------------------------------------------------- builds --

const APP_TOOLS: Needs = Needs { wasm_target: true, trunk: true, wasm_bindgen: true, wasm_opt: true, browser: false, node_modules: false };

fn cargo_fetch() -> Result<()> {
    step("cargo fetch", || run(cargo_cmd().arg("fetch")))
}

fn trunk_build() -> Result<()> {
    step("app release build (trunk)", || {
        run(tool("trunk").current_dir(root()).args(["build", "--release", "--offline"]).env("TRUNK_SKIP_VERSION_CHECK", "true"))
            .map_err(|e| fail(format!("{e}\n(the app under src/ or index.html did not build)")))
    })
}

/// The server is built with the dev profile: it shares its artifacts with
/// `cargo test` (no second compile of tokio/axum on a fresh machine), and
/// the root `[profile.release]` (opt-level z, fat LTO, one codegen unit) is
/// tuned for the wasm app, not for a native server.
fn build_server() -> Result<PathBuf> {
    build_server_profile(false)
}

/// Builds the server, in the release profile when `release` (the bench: a
/// deployment runs an optimised server; the debug one spends most of a sync
/// compressing its answers).
fn build_server_profile(release: bool) -> Result<PathBuf> {
    let mut args = vec!["build", "-p", "xunfang-server", "--bin", "xunfang-server"];
    if release {
        args.push("--release");
    }
    step(if release { "server build (release)" } else { "server build" }, || run(cargo_cmd().args(&args)))?;
    let target_dir = env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let bin = target_dir.join(if release { "release" } else { "debug" }).join(format!("xunfang-server{}", env::consts::EXE_SUFFIX));
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(fail(format!("server binary not found at {}", bin.display())))
    }
}

fn build() -> Result<()> {
    let start = Instant::now();
    cargo_fetch()?;
    ensure_tools(APP_TOOLS)?;
    trunk_build()?;
    println!("\napp built into {} in {}", root().join("dist").display(), fmt_duration(start.elapsed()));
    Ok(())
}

fn serve(opts: ServeOpts) -> Result<()> {
    build()?;
    let bin = build_server()?;
    let mut cmd = Command::new(&bin);
    cmd.current_dir(root()).args(["serve", "--bind", &opts.bind, "--dist"]).arg(root().join("dist")).arg("--data").arg(&opts.data);
    println!("\nstarting the server (Ctrl-C stops it)");
    run(&mut cmd)
}

// ---------------------------------------------------------------- tests --

fn test(opts: TestOpts) -> Result<()> {
    let start = Instant::now();
    let mut results: Vec<(&str, Result<Duration, String>)> = Vec::new();
    let mut skipped: Vec<&str> = Vec::new();
    for (name, on) in [("native", opts.native), ("wasm", opts.wasm), ("e2e", opts.e2e)] {
        if !on {
            skipped.push(name);
        }
    }

    let outcome = (|| -> Result<(), (&'static str, Error)> {
        let tag = |name: &'static str| move |e: Error| (name, e);
        let need_app = opts.e2e;
        if opts.native || opts.wasm || opts.e2e {
            cargo_fetch().map_err(tag("setup"))?;
        }
        ensure_tools(Needs {
            wasm_target: opts.wasm || need_app,
            trunk: need_app,
            wasm_bindgen: opts.wasm || need_app,
            wasm_opt: need_app,
            browser: opts.wasm || opts.e2e,
            node_modules: opts.e2e,
        })
        .map_err(tag("setup"))?;

        let mut timed = |name: &'static str, f: &dyn Fn() -> Result<()>| {
            let t = Instant::now();
            let r = f();
            results.push((name, r.as_ref().map(|_| t.elapsed()).map_err(|e| e.to_string())));
            r.map_err(tag(name))
        };
        if opts.native {
            timed("native", &test_native)?;
        }
        if opts.wasm {
            timed("wasm", &test_wasm)?;
        }
        if opts.e2e {
            timed("e2e", &test_e2e)?;
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

fn test_native() -> Result<()> {
    step("native tests (core, server, xtask)", || run(cargo_cmd().args(["test", "--workspace", "--exclude", "xunfang"])))
}

fn test_wasm() -> Result<()> {
    step("wasm browser tests (chromium via chromedriver)", || {
        run(cargo_cmd()
            .args(["test", "--target", "wasm32-unknown-unknown", "-p", "xunfang", "--tests"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env_remove("GECKODRIVER")
            .env_remove("SAFARIDRIVER")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))
    })
}

fn test_e2e() -> Result<()> {
    trunk_build()?;
    let bin = build_server()?;
    step("end-to-end tests (node --test tests/e2e/)", || {
        let server = Server::start(&bin)?;
        println!("server at {}", server.url);
        run(Command::new("node")
            .current_dir(root())
            .args(["--test", "tests/e2e/"])
            .env("XUNFANG_URL", &server.url)
            // Tests that stop and restart a server (offline, updates) start their own.
            .env("XUNFANG_SERVER_BIN", &bin)
            .env("XUNFANG_DIST", root().join("dist"))
            .env("CHROMIUM", CHROMIUM))
        // `server` is dropped here: stopped and its data dir removed,
        // whether the tests passed or not.
    })
}

/// A server child process on a free loopback port with a temporary data
/// dir; stopped (and the dir removed) on drop.
struct Server {
    child: Child,
    url: String,
    data: PathBuf,
}

impl Server {
    fn start(bin: &Path) -> Result<Server> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let data = env::temp_dir().join(format!("xunfang-e2e-data-{}-{nanos}", std::process::id()));
        let mut cmd = Command::new(bin);
        cmd.current_dir(root()).args(["serve", "--bind", "127.0.0.1:0", "--dist"]).arg(root().join("dist")).arg("--data").arg(&data).stdout(Stdio::piped());
        println!("$ {}", describe(&cmd));
        let mut child = cmd.spawn().map_err(|e| fail(format!("cannot start the server: {e}")))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut server = Server { child, url: String::new(), data };

        // The server prints `Xunfang is running at http://ADDR/`.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("[server] {line}");
                if let Some(url) = line.strip_prefix("Xunfang is running at ") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(url.trim().trim_end_matches('/').to_string());
                    }
                }
            }
        });
        server.url = rx.recv_timeout(Duration::from_secs(30)).map_err(|_| fail("the server did not report its address within 30s"))?;
        server.wait_healthy(Duration::from_secs(30))?;
        Ok(server)
    }

    fn wait_healthy(&mut self, timeout: Duration) -> Result<()> {
        let addr = self.url.trim_start_matches("http://").to_string();
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(fail(format!("the server exited early ({status})")));
            }
            if health_ok(&addr) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(fail(format!("{}/api/health did not answer ok within {timeout:?}", self.url)));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SIGTERM for a graceful stop, SIGKILL if it lingers.
            let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data);
        println!("server stopped");
    }
}

/// One blocking `GET /api/health`; true on a 200 with `"ok":true`.
fn health_ok(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200") && response.contains("\"ok\":true")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn test_selection() {
        let all = TestOpts { native: true, wasm: true, e2e: true };
        assert_eq!(parse_test(&[]).unwrap(), all);
        assert_eq!(parse_test(&strings(&["--skip-wasm", "--skip-e2e"])).unwrap(), TestOpts { native: true, wasm: false, e2e: false });
        assert_eq!(parse_test(&strings(&["e2e"])).unwrap(), TestOpts { native: false, wasm: false, e2e: true });
        assert_eq!(parse_test(&strings(&["native", "e2e", "--skip-e2e"])).unwrap(), TestOpts { native: true, wasm: false, e2e: false });
        assert!(parse_test(&strings(&["--bogus"])).is_err());
    }

    #[test]
    fn serve_options() {
        let o = parse_serve(&strings(&["--bind", "0.0.0.0:9000", "--data=/tmp/x"])).unwrap();
        assert_eq!(o.bind, "0.0.0.0:9000");
        assert_eq!(o.data, PathBuf::from("/tmp/x"));
        let o = parse_serve(&[]).unwrap();
        assert_eq!(o.bind, DEFAULT_BIND);
        assert!(parse_serve(&strings(&["--bind"])).is_err());
    }

    #[test]
    fn reads_versions_from_cargo_lock() {
        let lock = r#"
version = 4

[[package]]
name = "wasm-bindgen-futures"
version = "0.4.50"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        assert_eq!(lock_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(lock_version(lock, "wasm-bindgen-futures").as_deref(), Some("0.4.50"));
        assert_eq!(lock_version(lock, "nope"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_secs(75)), "1m15.0s");
    }
}
