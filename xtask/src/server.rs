//! Starts a server on a free loopback port with a temporary data dir and waits until it answers;
//! the one Rust copy of what tests/support/server.mjs does for the end-to-end tests and the bench.

use crate::cmd::{describe, fail, root, Result};
use std::env;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The line the server prints once it is listening and ready (crates/server/src/main.rs),
/// followed by its URL; tests/support/server.mjs waits for the same line.
const READY_LINE: &str = "Xunfang is running at ";

/// The line `serve` prints after it with the address of /setup/ca on the plain-http port.
const SETUP_LINE: &str = "set-up page (install the office CA): ";

/// A server child process on a free loopback port with a temporary data
/// dir; stopped (and the dir removed) on drop.
pub struct Server {
    child: Child,
    pub url: String,
    data: PathBuf,
}

impl Server {
    pub fn start(bin: &Path) -> Result<Server> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let data = env::temp_dir().join(format!("xunfang-e2e-data-{}-{nanos}", std::process::id()));
        let mut cmd = Command::new(bin);
        cmd.current_dir(root()).args(["serve", "--bind", "127.0.0.1:0", "--dist"]).arg(root().join("dist")).arg("--data").arg(&data);
        Server::start_command(cmd, data)
    }

    /// Starts `cmd` (a `serve` that binds a free loopback port) and waits until it answers;
    /// `data` is its data dir, removed with the server.
    pub fn start_command(cmd: Command, data: PathBuf) -> Result<Server> {
        let (mut server, _) = Server::spawn(cmd, data)?;
        server.wait_healthy(Duration::from_secs(30))?;
        Ok(server)
    }

    /// Starts `cmd`, a `serve` over HTTPS with a plain-http port: once it says it runs (`url` is
    /// then its https address), the set-up page's address it prints.
    pub fn start_https(cmd: Command, data: PathBuf) -> Result<(Server, String)> {
        let (server, lines) = Server::spawn(cmd, data)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if let Some(url) = line.strip_prefix(SETUP_LINE) {
                return Ok((server, url.trim().to_string()));
            }
        }
        Err(fail(format!("the server at {} did not print its set-up page's address (\"{SETUP_LINE}…\")", server.url)))
    }

    /// Spawns `cmd` and waits for its ready line (`url`); the lines it prints after that.
    fn spawn(mut cmd: Command, data: PathBuf) -> Result<(Server, mpsc::Receiver<String>)> {
        cmd.stdout(Stdio::piped());
        println!("$ {}", describe(&cmd));
        let mut child = cmd.spawn().map_err(|e| fail(format!("cannot start the server: {e}")))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut server = Server { child, url: String::new(), data };

        // The server prints `Xunfang is running at http://ADDR/` (https:// with a certificate).
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("[server] {line}");
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if let Some(url) = line.strip_prefix(READY_LINE) {
                server.url = url.trim().trim_end_matches('/').to_string();
                return Ok((server, rx));
            }
        }
        Err(fail("the server did not report its address within 30s"))
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
    http_get(addr, "/api/health").is_some_and(|response| response.starts_with("HTTP/1.1 200") && response.contains("\"ok\":true"))
}

/// One blocking `GET path` from `addr` (host:port), uncompressed: the whole answer, headers
/// first, or None when the connection fails.
pub fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    Some(String::from_utf8_lossy(&response).into_owned())
}
