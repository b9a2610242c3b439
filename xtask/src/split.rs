//! `cargo xtask build` (the default build; `--single` is trunk's): the app's release build into `dist/` with the lazy routes
//! (src/app.rs, feature `split`) cut into wasm chunks by the splitter of `wasm_split_cli_support`.
//!
//! trunk 0.21 cannot run the splitter (trunk#1022), so this does what trunk does: the source
//! index.html keeps trunk's `<link data-trunk ...>` markup (css, copy-file, copy-dir, rust with its
//! `data-wasm-opt` level, the one place that level is set) and this module carries it out. Every
//! file but index.html, sw.js, the manifest and icons is named `stem-<hash>.ext` after its content,
//! so an update changes only the names of files whose content changed, and the service worker
//! (public/sw.js) fetches only those.

use crate::cmd::{cargo_cmd, fail, root, run, step, tool, Result};
use crate::precache::{self, Fnv};
use crate::tools::{ensure, ensure_tools, APP_TOOLS};
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// The splitter: the `wasm-split-cli` binary of this crates.io package (the package named
/// `wasm-split-cli` is another project's); installed on first use. It reads what
/// `wasm_split_helpers` 0.2.x (Cargo.lock, through leptos) writes. At least 0.2.4 with
/// wasm-bindgen 0.2.128 or newer: that release renamed the import `__wbindgen_describe_cast` to
/// `__wbindgen_describe_generic_import`, and 0.2.2, which knows only the old name, moves the
/// functions that call it (every `Closure::wrap`) into chunks where wasm-bindgen never rewrites
/// them, so a screen that makes a closure traps ("function signature mismatch", e.g. /settings).
pub const SPLIT_PACKAGE: &str = "wasm_split_cli_support";
pub const SPLIT_VERSION: &str = "0.2.4";
pub const SPLIT_BIN: &str = "wasm-split-cli";

/// What the splitter names the loader module the main wasm imports, and the main module it imports.
const LINK_JS: &str = "__wasm_split.js";
const LINK_IMPORTS_MAIN: &str = "./main.js";
/// The binary (Cargo.toml) and the stem of its files in dist/.
const BIN: &str = "xunfang";

/// The wasm features rustc 1.8x emits for wasm32-unknown-unknown; wasm-opt must accept them
/// (wasm_opt.mjs takes the same flags).
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Builds the split app into `dist/` and stamps the service worker (precache.rs).
pub fn split_build() -> Result<()> {
    ensure_tools(APP_TOOLS)?;
    ensure(&format!("{SPLIT_BIN} ({SPLIT_PACKAGE} {SPLIT_VERSION})"), has_wasm_split, || {
        run(cargo_cmd().args(["install", SPLIT_PACKAGE, "--version", SPLIT_VERSION, "--locked", "--features", "build-binary"]))
    })?;
    step("app release build (split)", || {
        let html = fs::read_to_string(root().join("index.html")).map_err(|e| fail(format!("cannot read index.html: {e}")))?;
        let page = Page::parse(&html)?;
        let work = target_dir().join("split");
        let _ = fs::remove_dir_all(&work);
        fs::create_dir_all(&work).map_err(|e| fail(format!("cannot create {}: {e}", work.display())))?;

        // Relocations let the splitter move code between modules; only the final link needs them,
        // so `cargo rustc` passes the flag to the binary alone and no dependency is rebuilt.
        run(cargo_cmd().args([
            "rustc",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--bin",
            BIN,
            "--features",
            "split",
            "--",
            "-C",
            "link-arg=--emit-relocs",
        ]))
        .map_err(|e| fail(format!("{e}\n(the app under src/ did not build)")))?;
        let wasm = target_dir().join("wasm32-unknown-unknown/release").join(format!("{BIN}.wasm"));
        let split = work.join("split");
        run(tool(SPLIT_BIN).arg(&wasm).arg(&split))?;
        let bindgen = work.join("bindgen");
        run(tool("wasm-bindgen")
            .args(["--target", "web", "--keep-lld-exports", "--no-demangle", "--out-name", BIN, "--out-dir"])
            .arg(&bindgen)
            .arg(split.join("main.wasm")))?;

        let dist = root().join("dist");
        let _ = fs::remove_dir_all(&dist);
        fs::create_dir_all(&dist).map_err(|e| fail(format!("cannot create dist/: {e}")))?;
        let mut out = Output { dist: dist.clone() };

        let mut link = read_text(&split.join(LINK_JS))?;
        // The main module first, then the chunks: `optimise_all` returns them in this order.
        let mut modules = vec![bindgen.join(format!("{BIN}_bg.wasm"))];
        modules.extend(wasm_files(&split)?.into_iter().filter(|p| p.file_stem().is_some_and(|s| s != "main")));
        let mut optimised = optimise_all(&modules, &work.join("opt"), &page.wasm_opt)?.into_iter();
        // `_bg.wasm` as trunk named it (the server's cache rule knows both forms).
        let main_wasm = out.hashed(BIN, "_bg.wasm", &optimised.next().expect("the main module is first"))?;
        for (chunk, bytes) in modules[1..].iter().zip(optimised) {
            let stem = chunk.file_stem().and_then(|s| s.to_str()).ok_or_else(|| fail("odd chunk name"))?;
            let name = out.hashed(stem, ".wasm", &bytes)?;
            link = replace_once(&link, &format!("\"./{stem}.wasm\""), &format!("\"./{name}\""))?;
        }
        let (main_js, _) = out.cyclic_pair(&read_text(&bindgen.join(format!("{BIN}.js")))?, &link)?;

        let index = page.render(&mut out, &main_js, &main_wasm)?;
        fs::write(dist.join("index.html"), index).map_err(|e| fail(format!("cannot write dist/index.html: {e}")))?;
        let id = precache::stamp(&dist, None)?;
        println!("split build {id}: {} files in {}", count_files(&dist), dist.display());
        Ok(())
    })
}

/// `cargo install --list` names the package and its version (the binary has no `--version`).
fn has_wasm_split() -> bool {
    crate::cmd::output(cargo_cmd().args(["install", "--list"])).is_some_and(|s| s.lines().any(|l| l.starts_with(&format!("{SPLIT_PACKAGE} v{SPLIT_VERSION}:"))))
}

fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| fail(format!("cannot read {}: {e}", path.display())))
}

fn wasm_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| fail(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).map(|e| if e.path().is_dir() { count_files(&e.path()) } else { 1 }).sum()).unwrap_or(0)
}

/// `wasm-opt -O<level>` on every module; returns the optimised bytes in the order of `modules`,
/// the main module first.
///
/// Not one `wasm-opt` process per chunk: npm binaryen's CLI compiles ~10 MB of wasm at every start
/// (~5 s on 2 loaded cores), which made ~200 chunks of a few hundred bytes cost ~15 minutes. The
/// main module goes through the CLI as trunk's build does (binaryen's library gives it 0.3% more
/// bytes); meanwhile the chunks go through node processes (wasm_opt.mjs) that load the library
/// once and run the same default -O pipeline over their share (on the chunks it was within a few
/// bytes of the CLI's), the chunks dealt out by size so that the shares take about as long.
fn optimise_all(modules: &[PathBuf], out_dir: &Path, level: &str) -> Result<Vec<Vec<u8>>> {
    fs::create_dir_all(out_dir).map_err(|e| fail(format!("cannot create {}: {e}", out_dir.display())))?;
    let script = out_dir.join("wasm_opt.mjs");
    fs::write(&script, include_str!("wasm_opt.mjs")).map_err(|e| fail(format!("cannot write {}: {e}", script.display())))?;
    let lib = crate::cmd::tools_dir().join("node_modules/binaryen/index.js");
    let out = |i: usize| out_dir.join(format!("{i}.wasm"));
    let mut main = tool("wasm-opt");
    main.arg(format!("-O{level}")).args(WASM_FEATURES).arg(&modules[0]).arg("-o").arg(out(0));
    let sizes: Vec<u64> = modules[1..].iter().map(|m| fs::metadata(m).map_or(0, |m| m.len())).collect();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8);
    let shares = deal_by_size(&sizes, workers.saturating_sub(1).max(1));
    let mut commands = vec![main];
    for share in &shares {
        let mut cmd = tool("node");
        cmd.arg(&script).arg(&lib).arg(format!("-O{level}")).args(WASM_FEATURES);
        for &i in share {
            cmd.arg(&modules[i + 1]).arg(out(i + 1));
        }
        commands.push(cmd);
    }
    println!("$ wasm-opt -O{level} {} on the main module, {} chunks in {} node processes", WASM_FEATURES.join(" "), sizes.len(), shares.len());
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = commands
            .into_iter()
            .map(|mut cmd| {
                s.spawn(move || match cmd.output() {
                    Ok(o) if o.status.success() => Ok(()),
                    Ok(o) => Err(fail(format!("wasm-opt failed ({cmd:?}):\n{}", String::from_utf8_lossy(&o.stderr)))),
                    Err(e) => Err(fail(format!("cannot run {cmd:?}: {e}"))),
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a wasm-opt worker panicked")).collect()
    });
    results.into_iter().collect::<Result<Vec<()>>>()?;
    (0..modules.len()).map(|i| fs::read(out(i)).map_err(|e| fail(format!("cannot read {}: {e}", out(i).display())))).collect()
}

/// Indices of `sizes` dealt into at most `n` non-empty shares of about equal total: the largest
/// first, each to the share with the least so far.
fn deal_by_size(sizes: &[u64], n: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let mut shares: Vec<(u64, Vec<usize>)> = vec![(0, Vec::new()); n.max(1)];
    for i in order {
        let least = shares.iter_mut().min_by_key(|(total, _)| *total).expect("at least one share");
        least.0 += sizes[i];
        least.1.push(i);
    }
    shares.into_iter().map(|(_, share)| share).filter(|share| !share.is_empty()).collect()
}

fn replace_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => Err(fail(format!("expected `{from}` once in the splitter's output, found it {n} times (a new splitter?)"))),
    }
}

fn replace_every(text: &str, from: &str, to: &str) -> Result<String> {
    if text.contains(from) {
        Ok(text.replace(from, to))
    } else {
        Err(fail(format!("expected `{from}` in wasm-bindgen's output (a new wasm-bindgen?)")))
    }
}

/// 16 hex digits of FNV-1a over `bytes`: the content hash in a file's name.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h = Fnv::new();
    h.write(bytes);
    format!("{:016x}", h.0)
}

/// Writes files into dist/ under their content-hashed names.
struct Output {
    dist: PathBuf,
}

impl Output {
    /// Writes `bytes` as `stem-<hash><suffix>`; returns that name.
    fn hashed(&mut self, stem: &str, suffix: &str, bytes: &[u8]) -> Result<String> {
        let name = format!("{stem}-{}{suffix}", content_hash(bytes));
        fs::write(self.dist.join(&name), bytes).map_err(|e| fail(format!("cannot write dist/{name}: {e}")))?;
        Ok(name)
    }

    /// The main js and the splitter's loader import each other, so neither can be named after
    /// its final text alone. Both take one hash of the two texts as the tools wrote them (with
    /// the chunks' hashed names already in the loader): a change to either renames both.
    fn cyclic_pair(&mut self, main_js: &str, link_js: &str) -> Result<(String, String)> {
        let mut joint = main_js.as_bytes().to_vec();
        joint.extend_from_slice(link_js.as_bytes());
        let hash = content_hash(&joint);
        let main_name = format!("{BIN}-{hash}.js");
        let link_name = format!("split-{hash}.js");
        // Only the import statements: the keys of the imports object stay the module name the wasm imports.
        let main_final = replace_every(main_js, &format!("from \"./{LINK_JS}\""), &format!("from \"./{link_name}\""))?;
        let link_final = replace_once(link_js, &format!("\"{LINK_IMPORTS_MAIN}\""), &format!("\"./{main_name}\""))?;
        for (name, text) in [(&main_name, main_final), (&link_name, link_final)] {
            fs::write(self.dist.join(name), text).map_err(|e| fail(format!("cannot write dist/{name}: {e}")))?;
        }
        Ok((main_name, link_name))
    }
}

/// The source index.html and what its `<link data-trunk ...>` tags ask for.
struct Page {
    html: String,
    /// `data-wasm-opt` of the rust link: the wasm-opt level of every chunk.
    wasm_opt: String,
}

impl Page {
    fn parse(html: &str) -> Result<Page> {
        let rust =
            trunk_links(html).find(|l| attr(l, "rel").as_deref() == Some("rust")).ok_or_else(|| fail("index.html has no <link data-trunk rel=\"rust\">"))?;
        let wasm_opt = attr(rust, "data-wasm-opt").unwrap_or_else(|| "z".into());
        if !matches!(wasm_opt.as_str(), "0" | "1" | "2" | "3" | "4" | "s" | "z") {
            return Err(fail(format!("index.html: data-wasm-opt=\"{wasm_opt}\" is not a wasm-opt level (0-4, s, z)")));
        }
        Ok(Page { html: html.to_string(), wasm_opt })
    }

    /// index.html for dist/: each trunk link carried out (files copied, css hashed) and replaced
    /// by what the browser needs; the loader starts the main module as trunk's did.
    fn render(&self, out: &mut Output, main_js: &str, main_wasm: &str) -> Result<String> {
        let mut html = self.html.clone();
        let links: Vec<String> = trunk_links(&self.html).map(str::to_string).collect();
        for link in links {
            let href = attr(&link, "href");
            let src = |h: &Option<String>| h.as_ref().map(|h| root().join(h)).ok_or_else(|| fail(format!("index.html: {link} has no href")));
            let with = match attr(&link, "rel").as_deref() {
                Some("css") => {
                    let path = src(&href)?;
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("style").to_string();
                    let name = out.hashed(&stem, ".css", &fs::read(&path).map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?)?;
                    format!(r#"<link rel="stylesheet" href="/{name}" />"#)
                }
                Some("copy-file") => {
                    let path = src(&href)?;
                    let name = path.file_name().ok_or_else(|| fail("copy-file without a file name"))?;
                    fs::copy(&path, out.dist.join(name)).map_err(|e| fail(format!("cannot copy {}: {e}", path.display())))?;
                    String::new()
                }
                Some("copy-dir") => {
                    let path = src(&href)?;
                    let name = path.file_name().ok_or_else(|| fail("copy-dir without a name"))?;
                    copy_dir(&path, &out.dist.join(name))?;
                    String::new()
                }
                Some("rust") => format!(
                    "<link rel=\"modulepreload\" href=\"/{main_js}\" crossorigin=\"anonymous\" />\n    \
                     <link rel=\"preload\" href=\"/{main_wasm}\" crossorigin=\"anonymous\" as=\"fetch\" type=\"application/wasm\" />\n    \
                     <script type=\"module\">\nimport init, * as bindings from '/{main_js}';\nconst wasm = await init({{ module_or_path: '/{main_wasm}' }});\n\
                     window.wasmBindings = bindings;\ndispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {{detail: {{wasm}}}}));\n</script>"
                ),
                other => return Err(fail(format!("index.html: data-trunk rel={other:?} is not one the split build knows (css, copy-file, copy-dir, rust)"))),
            };
            html = html.replacen(&link, &with, 1);
        }
        Ok(html)
    }
}

/// Each `<link data-trunk .../>` tag in `html`, as written.
fn trunk_links(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        let start = rest.find("<link data-trunk")?;
        let end = start + rest[start..].find('>')? + 1;
        let tag = &rest[start..end];
        rest = &rest[end..];
        Some(tag)
    })
}

/// The value of attribute `name="..."` in a tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].to_string())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| fail(format!("cannot create {}: {e}", to.display())))?;
    for entry in fs::read_dir(from).map_err(|e| fail(format!("cannot list {}: {e}", from.display())))? {
        let path = entry.map_err(|e| fail(e.to_string()))?.path();
        let dest = to.join(path.file_name().expect("listed entries have names"));
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| fail(format!("cannot copy {}: {e}", path.display())))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTML: &str = r#"<head>
    <link data-trunk rel="css" href="style/main.css" />
    <link data-trunk rel="rust" data-wasm-opt="s" data-bin="xunfang" />
</head>"#;

    #[test]
    fn reads_the_wasm_opt_level_from_the_rust_link() {
        assert_eq!(Page::parse(HTML).unwrap().wasm_opt, "s");
        assert_eq!(Page::parse(&HTML.replace(r#" data-wasm-opt="s""#, "")).unwrap().wasm_opt, "z");
        assert!(Page::parse(&HTML.replace(r#"data-wasm-opt="s""#, r#"data-wasm-opt="fast""#)).is_err());
        assert!(Page::parse("<head></head>").is_err());
    }

    #[test]
    fn modules_are_dealt_into_shares_of_about_equal_size() {
        let shares = deal_by_size(&[4000, 10, 700, 600, 30, 2000, 20], 2);
        assert_eq!(shares, vec![vec![0], vec![5, 2, 3, 4, 6, 1]], "the largest alone, the small ones together");
        let mut all: Vec<usize> = deal_by_size(&[5, 5, 5], 8).concat();
        all.sort();
        assert_eq!(all, [0, 1, 2], "every module once, no empty share");
        assert_eq!(deal_by_size(&[5, 5, 5], 8).len(), 3);
    }

    #[test]
    fn the_cyclic_pair_is_renamed_when_either_text_changes() {
        let dir = env::temp_dir().join(format!("xunfang-split-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let mut out = Output { dist: dir.clone() };
        let main = "import * as a from \"./__wasm_split.js\"\nimport * as b from \"./__wasm_split.js\"\nconst imports = { \"./__wasm_split.js\": a };\n";
        let link = "import { initSync } from \"./main.js\";\nnew URL(\"./a-1.wasm\", import.meta.url)\n";
        let (m1, l1) = out.cyclic_pair(main, link).unwrap();
        let main_text = fs::read_to_string(dir.join(&m1)).unwrap();
        assert_eq!(main_text.matches(&format!("from \"./{l1}\"")).count(), 2, "{main_text}");
        assert!(main_text.contains("{ \"./__wasm_split.js\": a }"), "the imports object keeps the module name");
        assert!(fs::read_to_string(dir.join(&l1)).unwrap().contains(&format!("\"./{m1}\"")));
        assert_eq!(out.cyclic_pair(main, link).unwrap(), (m1.clone(), l1.clone()), "same texts, same names");
        let (m2, l2) = out.cyclic_pair(main, &link.replace("a-1", "a-2")).unwrap();
        assert!(m2 != m1 && l2 != l1, "a chunk's new name renames both");
        let _ = fs::remove_dir_all(&dir);
    }
}
