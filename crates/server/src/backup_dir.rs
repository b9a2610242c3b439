//! A directory of dated backups (`backup --into DIR --keep N`, what the daily timer runs): each backup
//! is named by its time (UTC), and all but the newest N files so named are removed; other files stay.

use std::path::{Path, PathBuf};

const PREFIX: &str = "xunfang-";
const SUFFIX: &str = ".sqlite3";

/// The name of a backup taken at `secs` (Unix seconds): `xunfang-20260101T020000Z.sqlite3`. Names sort
/// as their times do.
pub fn name_at(secs: i64) -> String {
    let time = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    format!("{PREFIX}{}{SUFFIX}", time.format("%Y%m%dT%H%M%SZ"))
}

/// Whether `name` is one [`name_at`] makes (so that pruning never touches another file).
fn is_backup_name(name: &str) -> bool {
    let Some(stamp) = name.strip_prefix(PREFIX).and_then(|rest| rest.strip_suffix(SUFFIX)) else {
        return false;
    };
    let b = stamp.as_bytes();
    b.len() == 16 && b[8] == b'T' && b[15] == b'Z' && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

/// Of `names`, the backups to remove so that the newest `keep` remain (oldest first).
pub fn to_prune<'a>(names: impl IntoIterator<Item = &'a str>, keep: usize) -> Vec<&'a str> {
    let mut backups: Vec<&str> = names.into_iter().filter(|n| is_backup_name(n)).collect();
    backups.sort_unstable();
    let extra = backups.len().saturating_sub(keep);
    backups.truncate(extra);
    backups
}

/// Removes from `dir` all but the newest `keep` backups; the files removed.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
    }
    let mut removed = Vec::new();
    for name in to_prune(names.iter().map(String::as_str), keep) {
        let path = dir.join(name);
        std::fs::remove_file(&path)?;
        removed.push(path);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_time_and_sort_by_it() {
        assert_eq!(name_at(1_767_232_800), "xunfang-20260101T020000Z.sqlite3");
        assert!(name_at(1_767_232_800) < name_at(1_767_232_801));
        assert!(name_at(999_999_999) < name_at(1_000_000_000), "a digit more would sort wrong; the width is fixed");
    }

    #[test]
    fn only_the_oldest_backups_go_and_nothing_else() {
        let names = [
            "xunfang-20260103T020000Z.sqlite3",
            "notes.txt",
            "xunfang-20260101T020000Z.sqlite3",
            "xunfang-20260102T020000Z.sqlite3",
            "xunfang-2026010T020000Z.sqlite3",
            "xunfang-20260101T020000Z.sqlite3-wal",
            "xunfang-20260101T02000xZ.sqlite3",
        ];
        assert_eq!(to_prune(names, 2), ["xunfang-20260101T020000Z.sqlite3"]);
        assert_eq!(to_prune(names, 1), ["xunfang-20260101T020000Z.sqlite3", "xunfang-20260102T020000Z.sqlite3"]);
        assert!(to_prune(names, 3).is_empty());
        assert!(to_prune(names, 30).is_empty());
    }
}
