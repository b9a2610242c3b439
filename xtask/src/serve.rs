//! `cargo xtask serve`: builds the app and the server, then runs the server
//! in the foreground on `--bind` with its database in `--data`.
//!
//! `--lan` serves the office network over HTTPS (tablets get a service
//! worker and Web Crypto only in a secure context): on first use it runs
//! `xunfang-server tls init` for this machine's host name (and `.local`) and
//! its LAN IPv4 addresses, then serves https on 0.0.0.0:8443 and plain http
//! on 0.0.0.0:8080, which only redirects and serves the CA set-up page.

use crate::build::{build, build_server, AppBuild};
use crate::cmd::{output, root, run, Result};
use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The https address of `--lan`.
pub const LAN_BIND: &str = "0.0.0.0:8443";
/// The plain-http address of `--lan` (redirect and /setup/ca).
pub const LAN_HTTP_BIND: &str = "0.0.0.0:8080";
/// The files in DATA/tls/ that `serve` needs, as `tls init` names them (the package test checks
/// that its `tls init` wrote these, so `--lan` and the package look for the same files).
pub const TLS_SERVER_FILES: [&str; 2] = ["server.crt", "server.key"];

pub struct ServeOpts {
    pub bind: String,
    pub data: PathBuf,
    pub lan: bool,
    pub app: AppBuild,
}

pub fn serve(opts: ServeOpts) -> Result<()> {
    build(opts.app)?;
    let bin = build_server()?;
    let mut cmd = Command::new(&bin);
    cmd.current_dir(root()).args(["serve", "--bind", &opts.bind, "--dist"]).arg(root().join("dist")).arg("--data").arg(&opts.data);
    if opts.lan {
        lan_certificate(&bin, &opts.data)?;
        cmd.args(["--http-bind", LAN_HTTP_BIND]);
        println!("\ntablets on the office network: open the https address the server prints below;");
        println!("a tablet that does not trust the office CA yet opens the set-up page first (http://<address>:8080/setup/ca)");
    } else {
        // Plain http on loopback even after `--lan` filled DATA/tls: the
        // simple default stays what it was (loopback is a secure context).
        cmd.arg("--no-tls");
    }
    println!("\nstarting the server (Ctrl-C stops it)");
    run(&mut cmd)
}

/// Runs `tls init` for this machine unless DATA/tls holds a certificate.
fn lan_certificate(bin: &Path, data: &Path) -> Result<()> {
    let tls = data.join("tls");
    if TLS_SERVER_FILES.iter().all(|f| tls.join(f).is_file()) {
        println!("using the certificate in {} (new addresses: `{} tls renew --data {} --name … --ip …`)", tls.display(), bin.display(), data.display());
        return Ok(());
    }
    let mut init = Command::new(bin);
    init.current_dir(root()).args(["tls", "init", "--data"]).arg(data);
    if let Some(host) = host_name() {
        init.args(["--name", &host]);
        if !host.ends_with(".local") && !host.contains('.') {
            init.args(["--name", &format!("{host}.local")]);
        }
    }
    for ip in lan_ipv4() {
        init.args(["--ip", &ip.to_string()]);
    }
    run(&mut init)
}

/// This machine's host name, if it is one a certificate can carry.
fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/etc/hostname").ok().or_else(|| output(Command::new("hostname").arg("-s")))?;
    let name = name.trim().to_ascii_lowercase();
    let ok = !name.is_empty() && name != "localhost" && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then_some(name)
}

/// The IPv4 addresses tablets can reach this machine at: those `hostname -I`
/// lists (Debian), else the one of the default route (a UDP "connection"
/// sends nothing, it only picks the source address).
fn lan_ipv4() -> Vec<Ipv4Addr> {
    let mut ips: Vec<Ipv4Addr> = output(Command::new("hostname").arg("-I"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .filter(|ip: &Ipv4Addr| !ip.is_loopback() && !ip.is_link_local() && !ip.is_unspecified())
        .collect();
    if ips.is_empty() {
        let routed = UdpSocket::bind("0.0.0.0:0").and_then(|s| s.connect("192.0.2.1:9").and_then(|()| s.local_addr()));
        if let Ok(addr) = routed {
            if let IpAddr::V4(ip) = addr.ip() {
                if !ip.is_loopback() && !ip.is_unspecified() {
                    ips.push(ip);
                }
            }
        }
    }
    ips
}
