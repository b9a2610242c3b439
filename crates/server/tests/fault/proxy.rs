//! A TCP proxy between tablets and the server that breaks exchanges on
//! purpose, one HTTP request per connection (the tablets send
//! `Connection: close`): it refuses connections, cuts answers half way after
//! the server has committed, replays requests, and kills the server with
//! SIGKILL half way through a request or after it committed but before the
//! answer leaves.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the proxy does with one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forward the request, relay the whole answer.
    Pass,
    /// Close the connection before reading anything.
    Refuse,
    /// Forward the request, read the whole answer (the server has
    /// committed), relay only its first half.
    CutAnswer,
    /// Send the request to the server twice; relay the second answer.
    Replay,
    /// Forward half the request body, then SIGKILL the server.
    KillMidRequest,
    /// Forward the request, wait for the answer (committed), SIGKILL the
    /// server and relay nothing.
    KillBeforeAnswer,
}

#[derive(Default)]
struct Shared {
    upstream: Mutex<Option<SocketAddr>>,
    server_pid: AtomicU32,
    /// Faults for the next connections, in order; then `cycle`.
    next: Mutex<VecDeque<Fault>>,
    cycle: Mutex<Vec<Fault>>,
    connections: AtomicUsize,
    /// How often each fault was applied (by `Fault as usize`).
    applied: Mutex<[usize; 6]>,
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// A proxy in front of the server at `upstream` (process `pid`).
    pub fn start(upstream: SocketAddr, pid: u32) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        *shared.upstream.lock().unwrap() = Some(upstream);
        shared.server_pid.store(pid, Ordering::SeqCst);
        let s = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let fault = s.pick();
                let s = s.clone();
                std::thread::spawn(move || s.handle(client, fault));
            }
        });
        FaultProxy { addr, shared }
    }

    /// Points the proxy at a restarted server.
    pub fn retarget(&self, upstream: SocketAddr, pid: u32) {
        *self.shared.upstream.lock().unwrap() = Some(upstream);
        self.shared.server_pid.store(pid, Ordering::SeqCst);
    }

    /// Applies `faults` to the next connections, one each.
    pub fn then(&self, faults: &[Fault]) {
        self.shared.next.lock().unwrap().extend(faults);
    }

    /// After the queued faults, connection `n` gets `cycle[n % len]`.
    pub fn cycle(&self, cycle: &[Fault]) {
        *self.shared.cycle.lock().unwrap() = cycle.to_vec();
    }

    /// How many times `fault` was applied.
    pub fn applied(&self, fault: Fault) -> usize {
        self.shared.applied.lock().unwrap()[fault as usize]
    }
}

impl Shared {
    fn pick(&self) -> Fault {
        let n = self.connections.fetch_add(1, Ordering::SeqCst);
        let fault = self.next.lock().unwrap().pop_front().unwrap_or_else(|| {
            let cycle = self.cycle.lock().unwrap();
            if cycle.is_empty() {
                Fault::Pass
            } else {
                cycle[n % cycle.len()]
            }
        });
        self.applied.lock().unwrap()[fault as usize] += 1;
        fault
    }

    fn handle(&self, mut client: TcpStream, fault: Fault) {
        if fault == Fault::Refuse {
            return;
        }
        let Some(request) = read_request(&mut client) else { return };
        let upstream = self.upstream.lock().unwrap().expect("a server");
        match fault {
            Fault::Pass => {
                if let Some(answer) = exchange(upstream, &request) {
                    let _ = client.write_all(&answer);
                }
            }
            Fault::CutAnswer => {
                if let Some(answer) = exchange(upstream, &request) {
                    let _ = client.write_all(&answer[..answer.len() / 2]);
                }
            }
            Fault::Replay => {
                let _ = exchange(upstream, &request);
                if let Some(answer) = exchange(upstream, &request) {
                    let _ = client.write_all(&answer);
                }
            }
            Fault::KillMidRequest => {
                if let Ok(mut server) = TcpStream::connect(upstream) {
                    let _ = server.write_all(&request[..request.len() - request.len() / 4]);
                    let _ = server.flush();
                    self.kill_server();
                }
            }
            Fault::KillBeforeAnswer => {
                let _ = exchange(upstream, &request);
                self.kill_server();
            }
            Fault::Refuse => unreachable!(),
        }
        let _ = client.shutdown(Shutdown::Both);
    }

    fn kill_server(&self) {
        let pid = self.server_pid.load(Ordering::SeqCst);
        let status = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
        assert!(status.success(), "kill -KILL {pid}");
    }
}

/// One whole HTTP request: the head, and as many body bytes as its
/// `Content-Length` says.
fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at + 4;
        }
        let n = client.read(&mut chunk).ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).map(|v| v.trim().parse().unwrap()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk).ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

/// Sends `request` to the server and reads its whole answer (it closes the
/// connection after it); `None` when the server is not there.
fn exchange(upstream: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).ok()?;
    server.write_all(request).ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).ok()?;
    (!answer.is_empty()).then_some(answer)
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
