//! The real server binary on a temporary data directory: started, killed
//! with SIGKILL, restarted on the same data, and its other commands
//! (`token`, `backup`, `restore`) run as a person would.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_xunfang-server");

pub struct RealServer {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    pub addr: SocketAddr,
    /// Where the data is, as options: `--data DIR` or `--database URL`.
    database: Vec<String>,
}

impl RealServer {
    /// A server on a new data directory (with a stub app to serve).
    pub fn start() -> RealServer {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(dir.path().join("dist/index.html"), "<!DOCTYPE html>").unwrap();
        let database = match crate::common::on_postgres() {
            Some(cluster) => vec!["--database".into(), crate::common::backend::fresh_pg_database(&cluster)],
            None => vec!["--data".into(), dir.path().join("data").display().to_string()],
        };
        let (child, addr) = spawn(dir.path(), &database);
        RealServer { dir, child: Some(child), addr, database }
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
        let (child, addr) = spawn(self.dir.path(), &self.database);
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

    /// Runs `xunfang-server ARGS` on the server's data.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(BIN).args(args).args(&self.database).output().unwrap()
    }

    /// A new token of team "office".
    pub fn token(&self) -> String {
        let out = self.cli(&["token", "create", "--team", "office"]);
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
fn spawn(dir: &Path, database: &[String]) -> (Child, SocketAddr) {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .arg("--dist")
        .arg(dir.join("dist"))
        .args(database)
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
