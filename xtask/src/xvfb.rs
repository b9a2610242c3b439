//! A virtual X display (Xvfb) for the end-to-end step: WebKitGTK's MiniBrowser (the Safari
//! engine, tests/e2e/webkit.mjs) has no headless mode. Started on a free display, ended on drop.

use crate::cmd::{fail, fmt_duration, Result};
use crate::tools::XVFB;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running Xvfb; `display` is the value for `DISPLAY` (e.g. `:1`).
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb and waits until it accepts clients. `-displayfd` lets the server pick a free
    /// display itself and print its number once it is ready, so helpers running the suite at
    /// the same time on one machine never race for the same `:N`.
    pub fn start() -> Result<Xvfb> {
        let start = Instant::now();
        let mut child = Command::new(XVFB)
            .args(["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail(format!("cannot start {XVFB}: {e}")))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next().and_then(|l| l.ok()));
            // Keep reading, so that a full pipe never blocks the server.
            lines.for_each(drop);
        });
        let mut xvfb = Xvfb { child, display: String::new() };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Some(n)) if !n.trim().is_empty() && n.trim().bytes().all(|b| b.is_ascii_digit()) => xvfb.display = format!(":{}", n.trim()),
            _ => return Err(fail("Xvfb did not report a display within 30 s (is the xvfb package installed?)")),
        }
        println!("Xvfb on display {} (started in {})", xvfb.display, fmt_duration(start.elapsed()));
        Ok(xvfb)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        println!("Xvfb {} stopped", self.display);
    }
}
