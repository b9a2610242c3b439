//! The real server binary on a temporary data directory: started, killed
//! with SIGKILL, restarted on the same data, and its other commands
//! (`token`, `backup`, `restore`) run as a person would. Also the load
//! bench's server (crates/server/examples/load.rs), on SQLite or PostgreSQL.
//! Uses the suite's `common` module (which backend the suite runs on).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The binary: cargo's for the tests; for the load example (which cargo
/// gives no such path) the one `XUNFANG_SERVER_BIN` names.
fn bin() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_xunfang-server") {
        Some(bin) => bin.into(),
        None => std::env::var_os("XUNFANG_SERVER_BIN").expect("XUNFANG_SERVER_BIN names the server binary").into(),
    }
}

/// What a server is started on, beyond its own data directory.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A PostgreSQL URL (`--database`), shared by every server given it;
    /// `None`: the SQLite file in the server's data directory.
    pub database: Option<String>,
    /// More `serve` flags (limits raised for the load bench).
    pub serve_args: Vec<String>,
}

pub struct RealServer {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    pub addr: SocketAddr,
    options: Options,
}

impl RealServer {
    /// A server on a new data directory (with a stub app to serve), on the
    /// suite's backend (see `tests/common/backend.rs`).
    pub fn start() -> RealServer {
        // The suite's backend: a database of its own on the PostgreSQL cluster when the suite runs on one.
        let database = crate::common::on_postgres().map(|cluster| crate::common::backend::fresh_pg_database(&cluster));
        RealServer::start_with(Options { database, ..Options::default() })
    }

    /// A server on a new data directory, with `options`.
    pub fn start_with(options: Options) -> RealServer {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(dir.path().join("dist/index.html"), "<!DOCTYPE html>").unwrap();
        let (child, addr) = spawn(dir.path(), &options);
        RealServer { dir, child: Some(child), addr, options }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Starts the server again on the same data (after a kill or a stop).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "stop it first");
        let (child, addr) = spawn(self.dir.path(), &self.options);
        self.child = Some(child);
        self.addr = addr;
    }

    /// Kills the server with SIGKILL (no shutdown of any kind) and reaps it.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }

    /// Reaps a server something else killed (the proxy), checking it was SIGKILL.
    pub fn reap_killed(&mut self) {
        let status = self.child.take().expect("running").wait().unwrap();
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }

    /// Runs `xunfang-server ARGS --data <data>` (or `--database URL`).
    pub fn cli(&self, args: &[&str]) -> Output {
        let mut command = Command::new(bin());
        command.args(args);
        match &self.options.database {
            Some(url) => command.arg("--database").arg(url),
            None => command.arg("--data").arg(self.data()),
        };
        command.output().unwrap()
    }

    /// A new token of team "office".
    pub fn token(&self) -> String {
        self.token_for("office")
    }

    /// A new token of `team`.
    pub fn token_for(&self, team: &str) -> String {
        let out = self.cli(&["token", "create", "--team", team]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `serve` on any free port and waits for the line that says where.
fn spawn(dir: &Path, options: &Options) -> (Child, SocketAddr) {
    let mut command = Command::new(bin());
    command.args(["serve", "--bind", "127.0.0.1:0"]).arg("--dist").arg(dir.join("dist")).arg("--data").arg(dir.join("data"));
    if let Some(url) = &options.database {
        command.arg("--database").arg(url);
    }
    let mut child = command
        .args(&options.serve_args)
        .env("RUST_LOG", std::env::var("FAULT_SERVER_LOG").unwrap_or_else(|_| "xunfang_server=warn".into()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server said where it runs").unwrap();
        if let Some(rest) = line.strip_prefix("Xunfang is running at http://") {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    // The rest of what it prints is not needed; keep the pipe drained.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}
