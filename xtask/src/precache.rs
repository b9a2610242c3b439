//! `cargo xtask precache`: stamps a built app with its build id and the exact
//! list of its files, so the service worker precaches this build and no other.
//!
//! trunk runs it as a post_build hook (Trunk.toml) on the staging dir, where
//! the hashed file names are final; the split build (split.rs) on dist/. The build id is a hash of every file's
//! name and content: the same sources give the same id, any change a new one,
//! and a new id is what makes browsers install the new service worker.

use crate::cmd::{fail, Result};
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

const SW: &str = "sw.js";

pub fn run(args: &[String]) -> Result<()> {
    let mut dir = env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from);
    let mut build_id = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--build-id" => build_id = Some(it.next().ok_or_else(|| fail("--build-id needs a value"))?.clone()),
            other if !other.starts_with('-') => dir = Some(PathBuf::from(other)),
            other => return Err(fail(format!("precache: unknown option `{other}`"))),
        }
    }
    let dir = dir.unwrap_or_else(|| crate::cmd::root().join("dist"));
    let id = stamp(&dir, build_id)?;
    println!("precache: build {id} in {}", dir.display());
    Ok(())
}

/// Writes the file list and build id into `dir`'s sw.js and index.html;
/// returns the build id.
pub fn stamp(dir: &Path, build_id: Option<String>) -> Result<String> {
    let sw_path = dir.join(SW);
    let index_path = dir.join("index.html");
    let sw = fs::read_to_string(&sw_path).map_err(|e| fail(format!("cannot read {}: {e} (is public/sw.js copied by index.html?)", sw_path.display())))?;
    let index = fs::read_to_string(&index_path).map_err(|e| fail(format!("cannot read {}: {e}", index_path.display())))?;

    let mut files = Vec::new();
    list_files(dir, dir, &mut files)?;
    files.retain(|f| f != "/sw.js");
    files.sort();
    let id = match build_id {
        Some(id) => id,
        None => {
            let mut h = Fnv::new();
            for f in &files {
                h.write(f.as_bytes());
                h.write(&fs::read(dir.join(&f[1..])).map_err(|e| fail(format!("cannot read {f}: {e}")))?);
            }
            format!("{:016x}", h.0)
        }
    };

    let list = files.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", ");
    let sw = replace_line(&sw, "const BUILD = ", &format!("const BUILD = '{id}';"))?;
    let sw = replace_line(&sw, "const FILES = ", &format!("const FILES = [{list}];"))?;
    fs::write(&sw_path, sw).map_err(|e| fail(format!("cannot write {}: {e}", sw_path.display())))?;

    let index = replace_meta(&index, &id)?;
    fs::write(&index_path, index).map_err(|e| fail(format!("cannot write {}: {e}", index_path.display())))?;
    Ok(id)
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| fail(format!("cannot list {}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry.map_err(|e| fail(e.to_string()))?.path();
        if path.is_dir() {
            list_files(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).expect("below root").to_string_lossy().replace('\\', "/");
            out.push(format!("/{rel}"));
        }
    }
    Ok(())
}

fn replace_line(text: &str, prefix: &str, with: &str) -> Result<String> {
    let mut found = false;
    let out: Vec<&str> = text
        .lines()
        .map(|l| {
            if !found && l.starts_with(prefix) {
                found = true;
                with
            } else {
                l
            }
        })
        .collect();
    if found {
        Ok(out.join("\n") + "\n")
    } else {
        Err(fail(format!("sw.js has no line starting with `{prefix}`")))
    }
}

fn replace_meta(index: &str, id: &str) -> Result<String> {
    let start = index.find(r#"<meta name="xunfang-build" content=""#).ok_or_else(|| fail("index.html has no <meta name=\"xunfang-build\">"))?;
    let value_start = start + r#"<meta name="xunfang-build" content=""#.len();
    let value_end = value_start + index[value_start..].find('"').ok_or_else(|| fail("unterminated xunfang-build meta"))?;
    Ok(format!("{}{}{}", &index[..value_start], id, &index[value_end..]))
}

/// FNV-1a, 64 bit: enough to tell builds (and file versions) apart, and std-only.
pub struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamping_lists_every_file_but_the_worker_and_changes_id_with_content() {
        let dir = env::temp_dir().join(format!("xunfang-precache-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("icons")).unwrap();
        fs::write(dir.join("sw.js"), "// head\nconst BUILD = 'dev';\nconst FILES = [];\nrest();\n").unwrap();
        fs::write(dir.join("index.html"), r#"<head><meta name="xunfang-build" content="dev" /></head>"#).unwrap();
        fs::write(dir.join("app-1234567890abcdef.js"), "a").unwrap();
        fs::write(dir.join("icons/icon-192.png"), "png").unwrap();

        let id = stamp(&dir, None).unwrap();
        let sw = fs::read_to_string(dir.join("sw.js")).unwrap();
        assert!(sw.contains(&format!("const BUILD = '{id}';")));
        assert!(sw.contains("const FILES = ['/app-1234567890abcdef.js', '/icons/icon-192.png', '/index.html'];"));
        assert!(sw.contains("rest();"));
        assert!(fs::read_to_string(dir.join("index.html")).unwrap().contains(&format!(r#"content="{id}""#)));

        fs::write(dir.join("app-1234567890abcdef.js"), "b").unwrap();
        let other = stamp(&dir, None).unwrap();
        assert_ne!(id, other, "new content, new build");
        assert_eq!(stamp(&dir, Some("B".into())).unwrap(), "B");
        let _ = fs::remove_dir_all(&dir);
    }
}
