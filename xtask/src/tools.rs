//! Tools the commands need, installed when missing and skipped quickly when present:
//! the wasm32 target, trunk, wasm-bindgen-cli (Cargo.lock's version), wasm-opt, chromium, WebKit
//! (WebKitWebDriver, MiniBrowser, Xvfb), npm modules, and for the print tests poppler-utils and a CJK font.

use crate::cmd::{cargo_cmd, e2e_dir, fail, fmt_duration, npm_bin_dir, output, root, run, step, tool, tools_dir, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub const TRUNK_VERSION: &str = "0.21.14";
/// npm `binaryen` version providing wasm-opt (matches `wasm_opt` in Trunk.toml).
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The Safari engine for the end-to-end suite: Debian's `webkit2gtk-driver` and the test browser
/// its library ships (tests/e2e/webkit.mjs), which needs an X display (`xvfb`, xvfb.rs).
pub const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
pub const XVFB: &str = "/usr/bin/Xvfb";
/// What tests/e2e/webkit-host.py (the same engine, keeping a profile across restarts) imports.
const WEBKIT_GIR: &str = "/usr/lib/x86_64-linux-gnu/girepository-1.0/WebKit2-4.1.typelib";
const PYTHON_GI: &str = "/usr/lib/python3/dist-packages/gi/__init__.py";

/// Which tools a command needs.
#[derive(Clone, Copy)]
pub struct Needs {
    /// rustfmt and clippy (rustup components).
    pub lint: bool,
    pub wasm_target: bool,
    pub trunk: bool,
    pub wasm_bindgen: bool,
    pub wasm_opt: bool,
    pub browser: bool,
    /// WebKitWebDriver, MiniBrowser, Xvfb and the GObject bindings webkit-host.py uses (only the e2e step).
    pub webkit: bool,
    pub node_modules: bool,
    /// What the print tests need: poppler-utils (pdftoppm, pdftotext, pdffonts)
    /// and a Chinese font for Chromium to print with.
    pub print: bool,
}

/// The Debian CJK font the print tests install: the smallest that renders
/// Chinese (fonts-wqy-microhei, 1.6 MB; fonts-noto-cjk is about 60 MB).
pub const CJK_FONT_PACKAGE: &str = "fonts-wqy-microhei";

/// Makes sure the tools in `needs` are present, installing what is missing.
pub fn ensure_tools(needs: Needs) -> Result<()> {
    step("tools", || {
        if needs.lint {
            ensure("rustfmt + clippy", has_lint_tools, || run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"])))?;
        }
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
            ensure("chromium + chromium-driver", has_browser, || apt_install(&["chromium", "chromium-driver"]))?;
        }
        if needs.webkit {
            ensure("webkit2gtk-driver, xvfb, python3-gi, gir1.2-webkit2-4.1 (WebKit for the e2e suite)", has_webkit, || {
                apt_install(&["webkit2gtk-driver", "xvfb", "python3-gi", "gir1.2-webkit2-4.1"])
            })?;
        }
        if needs.node_modules {
            ensure("tests/e2e/node_modules (playwright-core, axe-core, xlsx, json-server 0.17 and 1.0)", has_node_modules, || npm_ci(&e2e_dir()))?;
        }
        if needs.print {
            ensure("poppler-utils (pdftoppm, pdftotext, pdffonts)", has_poppler, || apt_install(&["poppler-utils"]))?;
            ensure(&format!("a CJK font ({CJK_FONT_PACKAGE})"), has_cjk_font, || apt_install(&[CJK_FONT_PACKAGE]))?;
        }
        Ok(())
    })
}

pub fn ensure(what: &str, present: impl FnOnce() -> bool, install: impl FnOnce() -> Result<()>) -> Result<()> {
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

/// Installs a package's node_modules in `dir`: exactly its lock file when there is one.
pub fn npm_ci(dir: &Path) -> Result<()> {
    let sub = if dir.join("package-lock.json").is_file() { "ci" } else { "install" };
    run(Command::new("npm").current_dir(dir).args([sub, "--no-audit", "--no-fund"]))
}

/// Installs Debian packages (`apt-get update` first), through sudo unless root.
pub fn apt_install(packages: &[&str]) -> Result<()> {
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
    run(apt(&["install", "-y", "--no-install-recommends"]).args(packages))
}

pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

fn has_lint_tools() -> bool {
    output(cargo_cmd().args(["fmt", "--version"])).is_some() && output(cargo_cmd().args(["clippy", "--version"])).is_some()
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

fn has_poppler() -> bool {
    ["pdftoppm", "pdftotext", "pdffonts"].iter().all(|t| Path::new("/usr/bin").join(t).is_file())
}

/// Whether fontconfig knows a font that covers Chinese.
fn has_cjk_font() -> bool {
    output(Command::new("fc-list").arg(":lang=zh")).is_some_and(|s| !s.is_empty())
}

fn has_webkit() -> bool {
    [WEBKIT_DRIVER, MINIBROWSER, XVFB, WEBKIT_GIR, PYTHON_GI].iter().all(|p| Path::new(p).exists())
}

fn has_node_modules() -> bool {
    ["playwright-core", "json-server", "json-server-1", "axe-core", "xlsx"]
        .iter()
        .all(|m| e2e_dir().join("node_modules").join(m).join("package.json").is_file())
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

/// What building the app needs.
pub const APP_TOOLS: Needs =
    Needs { lint: false, wasm_target: true, trunk: true, wasm_bindgen: true, wasm_opt: true, browser: false, webkit: false, node_modules: false, print: false };

#[cfg(test)]
mod tests {
    use super::*;

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
}
