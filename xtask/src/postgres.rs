//! A throwaway PostgreSQL cluster for the server's tests: installed from
//! Debian when missing, made by `initdb` in a fresh directory under target/,
//! reachable only by its unix socket, stopped and removed when dropped.
//!
//! `cargo xtask test native` runs the server's suite against it (the
//! connection string in `XUNFANG_TEST_POSTGRES`); `cargo xtask with-postgres
//! CMD…` runs any command with one (e.g. a single test file).

use crate::cmd::{fail, output, root, run, Result};
use crate::tools::{apt_install, ensure, is_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable the server's tests read the cluster's address from.
pub const ENV: &str = "XUNFANG_TEST_POSTGRES";

/// Room left for the socket's name (`/.s.PGSQL.5432`) under the ~107-byte
/// limit of a unix socket path.
const MAX_SOCKET_DIR: usize = 90;

/// A running cluster; stopped and its directory removed on drop (also when
/// a test step fails or panics).
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    /// libpq `key=value` form: `host=<dir> port=5432 user=postgres dbname=xunfang`.
    pub url: String,
}

impl Cluster {
    pub fn start() -> Result<Cluster> {
        let bin = ensure_installed()?;
        let dir = cluster_dir();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        let as_postgres = |program: &str| -> Command {
            let mut cmd = if is_root() { Command::new("runuser") } else { Command::new("sudo") };
            cmd.args(if is_root() { ["-u", "postgres", "--"] } else { ["-u", "postgres", "-E"] }).arg(bin.join(program));
            cmd
        };
        // From here on the directory is the cluster's: removed on drop.
        let cluster = Cluster { bin: bin.clone(), url: format!("host={} port=5432 user=postgres dbname=xunfang", dir.display()), dir };
        let mut chown = if is_root() { Command::new("chown") } else { Command::new("sudo") };
        if !is_root() {
            chown.arg("chown");
        }
        run(chown.arg("postgres:postgres").arg(&cluster.dir))?;
        let data = cluster.dir.join("data");
        run(as_postgres("initdb")
            .args(["--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions", "-D"])
            .arg(&data))?;
        let options = format!(
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses='' -c unix_socket_directories={}",
            cluster.dir.display()
        );
        run(as_postgres("pg_ctl").args(["start", "-w", "-s", "-D"]).arg(&data).arg("-l").arg(cluster.dir.join("log")).arg("-o").arg(options))?;
        run(as_postgres("createdb").arg("-h").arg(&cluster.dir).args(["-U", "postgres", "xunfang"]))?;
        println!("    PostgreSQL running in {} ({ENV}=\"{}\")", cluster.dir.display(), cluster.url);
        Ok(cluster)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if data.join("postmaster.pid").exists() {
            let mut stop = if is_root() { Command::new("runuser") } else { Command::new("sudo") };
            stop.args(["-u", "postgres", "--"]).arg(self.bin.join("pg_ctl")).args(["stop", "-s", "-m", "immediate", "-D"]).arg(&data);
            let _ = output(&mut stop);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `cmd` with a fresh cluster's address in [`ENV`].
pub fn with_postgres(args: &[String]) -> Result<()> {
    let (program, rest) = args.split_first().ok_or_else(|| crate::cmd::Error::Usage("with-postgres needs a command to run".into()))?;
    let cluster = Cluster::start()?;
    run(Command::new(program).args(rest).current_dir(root()).env(ENV, &cluster.url))
}

/// The newest installed `bin` directory, installing Debian's `postgresql` when none is.
fn ensure_installed() -> Result<PathBuf> {
    ensure("PostgreSQL (Debian postgresql)", || installed().is_some(), || apt_install(&["postgresql"]))?;
    installed().ok_or_else(|| fail("postgresql was installed but no /usr/lib/postgresql/*/bin/initdb is there"))
}

fn installed() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// `target/pg-<pid>` (several runs at once get their own), or a directory
/// in the system's temporary directory when that path is too long for a
/// unix socket.
fn cluster_dir() -> PathBuf {
    let name = format!("xunfang-pg-{}", std::process::id());
    let under_target = root().join("target").join(&name);
    if fits(&under_target) {
        under_target
    } else {
        std::env::temp_dir().join(name)
    }
}

fn fits(dir: &Path) -> bool {
    dir.as_os_str().len() <= MAX_SOCKET_DIR
}
