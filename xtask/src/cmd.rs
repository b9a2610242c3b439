//! Errors, paths and running commands: what every xtask command shares.
//! Each command prints what it runs and how long each named step took.

use std::env;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- errors --

#[derive(Debug)]
pub enum Error {
    /// Wrong arguments: main prints the usage and exits with 2.
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

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub fn fail(msg: impl Into<String>) -> Error {
    Error::Failed(msg.into())
}

// ---------------------------------------------------------------- paths --

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

pub fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

pub fn npm_bin_dir() -> PathBuf {
    tools_dir().join("node_modules").join(".bin")
}

pub fn e2e_dir() -> PathBuf {
    root().join("tests").join("e2e")
}

fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// PATH with the project-local npm tools and ~/.cargo/bin in front.
pub fn tool_path() -> OsString {
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

pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 {
        format!("{}m{:04.1}s", (s / 60.0).floor(), s % 60.0)
    } else {
        format!("{s:.1}s")
    }
}

/// Runs `f` as a named step, printing its duration.
pub fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
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

pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs a command with inherited stdio; non-zero exit is an error.
pub fn run(cmd: &mut Command) -> Result<()> {
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
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A command for a tool found on [`tool_path`].
pub fn tool(name: &str) -> Command {
    let mut cmd = Command::new(name);
    cmd.env("PATH", tool_path());
    cmd
}

/// `cargo` (the one running xtask) in the workspace root.
pub fn cargo_cmd() -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root()).env("PATH", tool_path());
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_secs(75)), "1m15.0s");
    }
}
