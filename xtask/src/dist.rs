//! `cargo xtask dist`: the Debian package `target/deb/xunfang_<version>_<arch>.deb` (the release server, the
//! built app, the systemd units and the default config of packaging/debian/), packed with `dpkg-deb`; and
//! the `dist` test step, which unpacks it into a clean directory, runs its units' commands from there and
//! checks that the app answers, that the backup timer's command writes a backup that opens, that the photo
//! timer's command runs, and that after docs/deploy.md's `tls init` the same service serves HTTPS (curl trusting
//! only the office CA).

use crate::build::{build_server_profile, cargo_fetch, AppBuild};
use crate::cmd::{fail, fmt_duration, output, root, run, step, Result};
use crate::serve::TLS_SERVER_FILES;
use crate::server::{http_get, Server};
use crate::tools::{ensure_tools, APP_TOOLS};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Where the package's own files live in the repository.
fn packaging() -> PathBuf {
    root().join("packaging").join("debian")
}

fn deb_dir() -> PathBuf {
    root().join("target").join("deb")
}

/// The installed files of the package: (source in the repository, path in the package, mode).
const FILES: [(&str, &str, u32); 7] = [
    ("xunfang.service", "lib/systemd/system/xunfang.service", 0o644),
    ("xunfang-backup.service", "lib/systemd/system/xunfang-backup.service", 0o644),
    ("xunfang-backup.timer", "lib/systemd/system/xunfang-backup.timer", 0o644),
    ("xunfang-photos.service", "lib/systemd/system/xunfang-photos.service", 0o644),
    ("xunfang-photos.timer", "lib/systemd/system/xunfang-photos.timer", 0o644),
    ("config.toml", "etc/xunfang/config.toml", 0o644),
    ("../../docs/deploy.md", "usr/share/doc/xunfang/deploy.md", 0o644),
];

/// The maintainer scripts (packaging/debian/ → DEBIAN/).
const SCRIPTS: [&str; 3] = ["postinst", "prerm", "postrm"];

/// `cargo xtask dist`: builds the app and the release server, then the package.
pub fn dist(app: AppBuild) -> Result<()> {
    let start = Instant::now();
    cargo_fetch()?;
    ensure_tools(APP_TOOLS)?;
    app.build()?;
    let deb = package()?;
    println!("\npackage {} built in {}", deb.display(), fmt_duration(start.elapsed()));
    println!("install it with: sudo dpkg -i {}", deb.display());
    Ok(())
}

/// The `dist` test step: the package built (over the app in `dist/`, which the e2e step has just
/// built when `app_built`), unpacked and run.
pub fn test_dist(app_built: bool, app: AppBuild) -> Result<()> {
    if !app_built {
        app.build()?;
    }
    let deb = package()?;
    step("package test (dpkg -x, the units' commands run from there)", || check_package(&deb))
}

/// The version of the server crate (the package's version).
fn version() -> Result<String> {
    let manifest = root().join("crates").join("server").join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| fail(format!("cannot read {}: {e}", manifest.display())))?;
    text.lines()
        .find_map(|l| l.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')))
        .map(str::to_string)
        .ok_or_else(|| fail(format!("no version = \"…\" line in {}", manifest.display())))
}

/// Builds the release server and packs the package over the app in `dist/`.
fn package() -> Result<PathBuf> {
    let app = root().join("dist");
    if !app.join("index.html").is_file() {
        return Err(fail(format!("no built app in {}: run `cargo xtask build` first", app.display())));
    }
    let bin = build_server_profile(true)?;
    step("Debian package (dpkg-deb --build)", || {
        let version = version()?;
        let arch = output(Command::new("dpkg").arg("--print-architecture"))
            .ok_or_else(|| fail("`dpkg --print-architecture` failed: is this a Debian-family system?"))?;
        let name = format!("xunfang_{version}_{arch}");
        let stage = deb_dir().join(&name);
        let _ = fs::remove_dir_all(&stage);
        install(&bin, &stage.join("usr/bin/xunfang-server"), 0o755)?;
        copy_tree(&app, &stage.join("usr/share/xunfang/dist"))?;
        for (from, to, mode) in FILES {
            install(&packaging().join(from), &stage.join(to), mode)?;
        }
        for script in SCRIPTS {
            install(&packaging().join(script), &stage.join("DEBIAN").join(script), 0o755)?;
        }
        write(&stage.join("DEBIAN/conffiles"), "/etc/xunfang/config.toml\n")?;
        write(&stage.join("DEBIAN/control"), &control(&version, &arch, size_kib(&stage)?))?;
        let deb = deb_dir().join(format!("{name}.deb"));
        run(Command::new("dpkg-deb").args(["--build", "--root-owner-group"]).arg(&stage).arg(&deb))?;
        Ok(deb)
    })
}

fn control(version: &str, arch: &str, installed_kib: u64) -> String {
    format!(
        "Package: xunfang\n\
         Version: {version}\n\
         Architecture: {arch}\n\
         Maintainer: Xunfang developers <xunfang@localhost>\n\
         Installed-Size: {installed_kib}\n\
         Depends: libc6, passwd\n\
         Section: web\n\
         Priority: optional\n\
         Description: 巡访 Xunfang office server\n \
         Serves the Xunfang offline-first field notes app to the tablets of an office\n \
         and keeps their records in sync (SQLite), as a hardened systemd service with\n \
         a daily backup timer. See /usr/share/doc/xunfang/deploy.md.\n"
    )
}

/// Copies `from` to `to` (parents made) with `mode`.
fn install(from: &Path, to: &Path, mode: u32) -> Result<()> {
    let parent = to.parent().expect("a path in the package");
    make_dirs(parent)?;
    fs::copy(from, to).map_err(|e| fail(format!("cannot copy {} to {}: {e}", from.display(), to.display())))?;
    fs::set_permissions(to, fs::Permissions::from_mode(mode)).map_err(|e| fail(format!("cannot set the mode of {}: {e}", to.display())))
}

fn write(path: &Path, text: &str) -> Result<()> {
    make_dirs(path.parent().expect("a path in the package"))?;
    fs::write(path, text).map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).map_err(|e| fail(format!("cannot set the mode of {}: {e}", path.display())))
}

/// `create_dir_all`, each directory 0755 whatever the umask (dpkg-deb refuses group-writable DEBIAN/).
fn make_dirs(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let mut d = Some(dir);
    while let Some(path) = d.filter(|p| p.starts_with(deb_dir()) && *p != deb_dir()) {
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(|e| fail(format!("cannot set the mode of {}: {e}", path.display())))?;
        d = path.parent();
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let entries = fs::read_dir(from).map_err(|e| fail(format!("cannot read {}: {e}", from.display())))?;
    make_dirs(to)?;
    for entry in entries {
        let entry = entry.map_err(|e| fail(format!("cannot read {}: {e}", from.display())))?;
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()))?;
        } else {
            install(&path, &to.join(entry.file_name()), 0o644)?;
        }
    }
    Ok(())
}

/// The size of the installed files, in KiB (the control file's `Installed-Size`).
fn size_kib(stage: &Path) -> Result<u64> {
    fn bytes(dir: &Path) -> std::io::Result<u64> {
        let mut total = 0;
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            total += if meta.is_dir() { bytes(&entry.path())? } else { meta.len() };
        }
        Ok(total)
    }
    let total = bytes(stage).map_err(|e| fail(format!("cannot measure {}: {e}", stage.display())))?;
    Ok(total.div_ceil(1024))
}

/// `text` with each of the absolute paths `map` names moved (in one pass: a replacement is never
/// replaced again).
fn rewrite(text: &str, map: &[(&str, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    'scan: while let Some(c) = rest.chars().next() {
        for (from, to) in map {
            if let Some(after) = rest.strip_prefix(from) {
                out.push_str(to);
                rest = after;
                continue 'scan;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The command line of a unit's `ExecStart=` (the units quote nothing).
fn exec_start(unit: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(unit).map_err(|e| fail(format!("cannot read {}: {e}", unit.display())))?;
    let line = text.lines().find_map(|l| l.strip_prefix("ExecStart=")).ok_or_else(|| fail(format!("no ExecStart= in {}", unit.display())))?;
    Ok(line.split_whitespace().map(str::to_string).collect())
}

fn command(args: &[String]) -> Command {
    let mut cmd = Command::new(&args[0]);
    cmd.args(&args[1..]);
    cmd
}

/// Removes the test's directory however the test ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// `systemd-analyze verify` over the units, their paths moved into the unpacked tree (it checks that
/// the binary exists): any word from it (an unknown key, a bad value) fails. Skipped without systemd.
fn verify_units(units: &Path, copies: &Path, map: &[(&str, String)]) -> Result<()> {
    if output(Command::new("systemd-analyze").arg("--version")).is_none() {
        println!("systemd-analyze not found: the units are not verified");
        return Ok(());
    }
    make_dirs(copies)?;
    let mut paths = Vec::new();
    for name in ["xunfang.service", "xunfang-backup.service", "xunfang-backup.timer", "xunfang-photos.service", "xunfang-photos.timer"] {
        let text = fs::read_to_string(units.join(name)).map_err(|e| fail(format!("the package has no unit {name}: {e}")))?;
        write(&copies.join(name), &rewrite(&text, map))?;
        paths.push(copies.join(name));
    }
    let out = Command::new("systemd-analyze").arg("verify").args(&paths).output().map_err(|e| fail(format!("cannot run systemd-analyze: {e}")))?;
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() || !said.trim().is_empty() {
        return Err(fail(format!("systemd-analyze verify found problems in the units:\n{said}")));
    }
    println!("systemd-analyze verify: the units are clean");
    Ok(())
}

fn check_package(deb: &Path) -> Result<()> {
    let listing = output(Command::new("dpkg-deb").arg("--contents").arg(deb)).ok_or_else(|| fail("`dpkg-deb --contents` failed"))?;
    if let Some(line) = listing.lines().find(|l| !l.contains(" root/root ")) {
        return Err(fail(format!("a file of the package is not root's: {line}")));
    }
    for wanted in ["./usr/bin/xunfang-server", "./usr/share/xunfang/dist/index.html", "./lib/systemd/system/xunfang-backup.timer", "./etc/xunfang/config.toml"]
    {
        if !listing.lines().any(|l| l.ends_with(wanted)) {
            return Err(fail(format!("the package has no {wanted}")));
        }
    }
    let conffiles = output(Command::new("dpkg-deb").arg("--info").arg(deb).arg("conffiles")).unwrap_or_default();
    if conffiles.trim() != "/etc/xunfang/config.toml" {
        return Err(fail(format!("the config should be the one conffile, not {conffiles:?}")));
    }

    let scratch = Scratch(deb_dir().join("test"));
    let _ = fs::remove_dir_all(&scratch.0);
    let unpacked = scratch.0.join("root");
    let state = scratch.0.join("state");
    make_dirs(&state)?;
    run(Command::new("dpkg").arg("-x").arg(deb).arg(&unpacked))?;
    let at = |p: &str| unpacked.join(p).display().to_string() + "/";
    let map = [("/usr/", at("usr")), ("/etc/xunfang/", at("etc/xunfang")), ("/var/lib/xunfang", state.display().to_string())];
    let config = unpacked.join("etc/xunfang/config.toml");
    let text = fs::read_to_string(&config).map_err(|e| fail(format!("cannot read {}: {e}", config.display())))?;
    write(&config, &rewrite(&text, &map))?;
    let units = unpacked.join("lib/systemd/system");
    for name in ["xunfang-backup.timer", "xunfang-photos.timer"] {
        if !fs::read_to_string(units.join(name)).unwrap_or_default().contains("OnCalendar=") {
            return Err(fail(format!("{name} has no OnCalendar=")));
        }
    }

    verify_units(&units, &scratch.0.join("units"), &map)?;

    // The service's own command, its paths moved into the unpacked tree; only the ports are the test's
    // (a flag wins over the config file). A fresh install has no certificate yet: the app is served in
    // plain HTTP on the `http_bind` port.
    let mut serve: Vec<String> = exec_start(&units.join("xunfang.service"))?.iter().map(|a| rewrite(a, &map)).collect();
    serve.extend(["--bind", "127.0.0.1:0", "--http-bind", "127.0.0.1:0", "--metrics-bind", "127.0.0.1:0"].map(String::from));
    let mut cmd = command(&serve);
    cmd.current_dir(&state);
    let server = Server::start_command(cmd, state.join("none"))?;
    let addr = server.url.trim_start_matches("http://").to_string();
    let index = http_get(&addr, "/").unwrap_or_default();
    if !(index.starts_with("HTTP/1.1 200") && index.contains("<html")) {
        return Err(fail(format!("the unpacked server did not serve the app at {}/: {}", server.url, index.lines().next().unwrap_or("no answer"))));
    }
    println!("before `tls init` the unpacked server answers in plain HTTP at {}/ and {}/api/health", server.url, server.url);

    // What an administrator does first, then the timer's command once, while the service runs.
    let bin = &serve[0];
    run(Command::new(bin).args(["token", "create", "--team", "office", "--label", "package test", "--config"]).arg(&config))?;
    let backup: Vec<String> = exec_start(&units.join("xunfang-backup.service"))?.iter().map(|a| rewrite(a, &map)).collect();
    run(&mut command(&backup))?;
    let dir = state.join("backups");
    let files: Vec<PathBuf> =
        fs::read_dir(&dir).map_err(|e| fail(format!("no backup directory {}: {e}", dir.display())))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    let [file] = files.as_slice() else {
        return Err(fail(format!("the backup command should write one file into {}, not {files:?}", dir.display())));
    };
    let listed = output(Command::new(bin).args(["token", "list", "--db"]).arg(file)).unwrap_or_default();
    if !listed.contains("office") || !listed.contains("package test") {
        return Err(fail(format!("the backup {} does not open as the database: {listed:?}", file.display())));
    }
    println!("the backup timer's command wrote {}, which opens and holds the token", file.display());
    // The photo timer's command once, while the service runs: it must open the database and finish.
    let photos: Vec<String> = exec_start(&units.join("xunfang-photos.service"))?.iter().map(|a| rewrite(a, &map)).collect();
    let said = output(&mut command(&photos)).ok_or_else(|| fail(format!("the photo timer's command failed: {photos:?}")))?;
    if !said.contains("removed 0 photos") {
        return Err(fail(format!("the photo timer's command said {said:?}, not that it removed no photo of the new database")));
    }
    println!("the photo timer's command ran: {}", said.trim());
    drop(server);
    check_https(bin, &config, &serve, &state)
}

/// The name the test's certificate is for: curl resolves it to loopback (`--resolve`).
const TEST_HOST: &str = "office.test";

/// docs/deploy.md's `tls init` (its `--config`, so into the service's data dir), then the service's
/// command again: a real TLS handshake trusting only the generated CA gets /api/health, and the
/// plain port serves /setup/ca and redirects the rest to https.
fn check_https(bin: &str, config: &Path, serve: &[String], state: &Path) -> Result<()> {
    run(Command::new(bin).args(["tls", "init", "--name", TEST_HOST, "--ip", "127.0.0.1", "--config"]).arg(config).current_dir(state))?;
    let ca = state.join("tls").join("ca.crt");
    for file in TLS_SERVER_FILES.iter().map(|f| state.join("tls").join(f)).chain([ca.clone()]) {
        if !file.is_file() {
            return Err(fail(format!("`tls init --config {}` wrote no {} (`cargo xtask serve --lan` looks for it)", config.display(), file.display())));
        }
    }
    let mut cmd = command(serve);
    cmd.current_dir(state);
    let (server, setup) = Server::start_https(cmd, state.join("none"))?;
    let port =
        server.url.rsplit(':').next().filter(|_| server.url.starts_with("https://")).ok_or_else(|| fail(format!("not an https address: {}", server.url)))?;
    let health = output(Command::new("curl").args(["--silent", "--show-error", "--fail", "--cacert"]).arg(&ca).args([
        "--resolve",
        &format!("{TEST_HOST}:{port}:127.0.0.1"),
        &format!("https://{TEST_HOST}:{port}/api/health"),
    ]))
    .ok_or_else(|| fail(format!("curl trusting only {} could not get https://{TEST_HOST}:{port}/api/health", ca.display())))?;
    if !health.contains("\"ok\":true") {
        return Err(fail(format!("/api/health over https answered {health:?}")));
    }
    let plain = setup.strip_prefix(&format!("http://{TEST_HOST}:")).and_then(|rest| rest.strip_suffix("/setup/ca"));
    let plain = plain.map(|port| format!("127.0.0.1:{port}")).ok_or_else(|| fail(format!("the set-up page is not on the plain port: {setup}")))?;
    let page = http_get(&plain, "/setup/ca").unwrap_or_default();
    if !(page.starts_with("HTTP/1.1 200") && page.contains("ca.crt")) {
        return Err(fail(format!("http://{plain}/setup/ca did not serve the set-up page: {}", page.lines().next().unwrap_or("no answer"))));
    }
    let redirect = http_get(&plain, "/").unwrap_or_default();
    let to_https = format!("location: https://127.0.0.1:{port}/");
    if !(redirect.starts_with("HTTP/1.1 307") && redirect.to_ascii_lowercase().contains(&to_https)) {
        return Err(fail(format!("http://{plain}/ should redirect to https: {}", redirect.lines().next().unwrap_or("no answer"))));
    }
    println!(
        "after `tls init`: https://{TEST_HOST}:{port}/api/health through a handshake trusting the office CA; http://{plain}/setup/ca served, / redirected"
    );
    drop(server);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::{LAN_BIND, LAN_HTTP_BIND};

    #[test]
    fn paths_are_moved_once() {
        let map = [("/usr/", "/tmp/usr/root/usr/".to_string()), ("/var/lib/xunfang", "/tmp/state".to_string())];
        assert_eq!(rewrite("dist = \"/usr/share/x\"\ndata = \"/var/lib/xunfang\"", &map), "dist = \"/tmp/usr/root/usr/share/x\"\ndata = \"/tmp/state\"");
        assert_eq!(rewrite("/var/lib/xunfang/backups 巡访", &map), "/tmp/state/backups 巡访");
    }

    #[test]
    fn the_package_listens_on_the_ports_of_serve_lan() {
        let config = fs::read_to_string(packaging().join("config.toml")).unwrap();
        let value = |key: &str| config.lines().find_map(|l| l.strip_prefix(&format!("{key} = \""))?.strip_suffix('"')).map(str::to_string);
        let port = |addr: &str| addr.rsplit(':').next().unwrap().to_string();
        assert_eq!(value("bind").map(|a| port(&a)), Some(port(LAN_BIND)), "https port");
        assert_eq!(value("http_bind").map(|a| port(&a)), Some(port(LAN_HTTP_BIND)), "plain-http port");
    }

    #[test]
    fn the_version_is_the_servers() {
        let v = version().unwrap();
        assert!(v.split('.').count() == 3 && v.split('.').all(|n| n.parse::<u32>().is_ok()), "{v}");
    }
}
