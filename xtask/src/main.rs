//! `cargo xtask <command>`: build, serve, test and measure Xunfang.
//! This file parses the arguments and dispatches; each command lives in its own module.
//!
//! * `cargo xtask build [--single]` — release build of the app into `dist/` (build.rs): the
//!   split build, lazy routes as wasm chunks (split.rs); `--single`: trunk's one wasm. `serve`,
//!   `test`, `bench` and `dist` take `--single` too.
//! * `cargo xtask serve [--bind ADDR] [--data DIR] [--lan] [--single]` — build the app,
//!   build the server and run it (default <http://127.0.0.1:8080/>; with
//!   `--lan`, HTTPS for the office network with a local CA; serve.rs).
//! * `cargo xtask test [lint|native|wasm|e2e|dist ...] [--skip-lint] [--skip-native]
//!   [--skip-wasm] [--skip-e2e] [--skip-dist] [--single]` — formatting and clippy, native tests,
//!   in-browser wasm tests, end-to-end tests, the Debian package (test.rs).
//! * `cargo xtask bench` — measurements into `BENCHMARKS.md` (bench.rs).
//! * `cargo xtask with-postgres CMD…` — run CMD with a throwaway PostgreSQL
//!   cluster, its address in `XUNFANG_TEST_POSTGRES` (postgres.rs).
//! * `cargo xtask dist` — the Debian package into `target/deb/` (dist.rs).
//! * `cargo xtask precache` — trunk's post-build hook (precache.rs).
//!
//! Tools are installed when missing and skipped quickly when present (tools.rs).
//! Only std: this crate must compile in seconds.

use std::env;
use std::path::PathBuf;
use std::process::ExitCode;

mod bench;
mod build;
mod cmd;
mod dist;
mod postgres;
mod precache;
mod serve;
mod server;
mod split;
mod test;
mod tools;
mod xvfb;

use build::AppBuild;
use cmd::{root, Error, Result};
use serve::{ServeOpts, DEFAULT_BIND, LAN_BIND};
use test::TestOpts;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  build [--single]              release build of the app into dist/: the split
                                build (lazy routes as wasm chunks, first screen
                                about half the bytes); --single: trunk's one wasm.
                                serve, test, bench and dist take --single too
  serve [--bind ADDR] [--data DIR] [--lan] [--single]
                                build the app and the server, then serve
                                (default --bind 127.0.0.1:8080 --data data);
                                --lan: HTTPS for tablets on the office network
                                (a local CA made on first use, https on
                                0.0.0.0:8443, http on 0.0.0.0:8080 redirecting)
  precache [DIR] [--build-id ID]
                                write the service worker's file list and the
                                build id into a built app (trunk's post_build
                                hook runs it; DIR defaults to $TRUNK_STAGING_DIR)
  test [lint|native|wasm|e2e|dist ...] [--skip-lint] [--skip-native] [--skip-wasm] [--skip-e2e] [--skip-dist] [--single]
                                run the test suites (all by default, in the
                                order lint, native, wasm, e2e, dist), failing fast;
                                lint is cargo fmt --check and cargo clippy
                                -D warnings (native, and the app for wasm)
  with-postgres CMD [ARG...]    run CMD with a throwaway PostgreSQL cluster
                                (address in XUNFANG_TEST_POSTGRES), e.g.
                                cargo xtask with-postgres cargo test -p xunfang-server
  bench [load | --single]       build, then measure size, sync, start,
                                search, memory and many tablets at once
                                (SQLite, PostgreSQL); writes BENCHMARKS.md.
                                `load`: only the many-tablets section (7)
  dist [--single]               the Debian package (release server, app,
                                systemd units, config) into target/deb/
";

fn main() -> ExitCode {
    // The first argument is the program itself.
    let args: Vec<String> = env::args().collect();
    let args = args.get(1..).unwrap_or_default().to_vec();
    let result = match args.first().map(String::as_str) {
        Some("build") => app_flag(&args[1..]).and_then(build::build),
        Some("serve") => parse_serve(&args[1..]).and_then(serve::serve),
        Some("test") => parse_test(&args[1..]).and_then(test::test),
        Some("precache") => precache::run(&args[1..]),
        Some("with-postgres") => postgres::with_postgres(&args[1..]),
        Some("bench") => match args.get(1..).unwrap_or_default() {
            [only] if only == "load" => bench::run_load(),
            rest => app_flag(rest).and_then(bench::run),
        },
        Some("dist") => app_flag(&args[1..]).and_then(dist::dist),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(Error::Usage(format!("unknown command `{other}`"))),
        None => Err(Error::Usage("missing command".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(msg)) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("\nxtask: error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The app build a command's only argument names (`--single`, `--split`), or the default.
fn app_flag(args: &[String]) -> Result<AppBuild> {
    match args {
        [] => Ok(AppBuild::default()),
        [flag] => AppBuild::from_flag(flag).ok_or_else(|| Error::Usage(format!("unexpected argument `{flag}`"))),
        [_, extra, ..] => Err(Error::Usage(format!("unexpected argument `{extra}`"))),
    }
}

fn parse_serve(args: &[String]) -> Result<ServeOpts> {
    let mut opts = ServeOpts { bind: DEFAULT_BIND.into(), data: root().join("data"), lan: false, app: AppBuild::default() };
    let mut bind = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| Error::Usage(format!("`{key}` needs a value")));
        match key {
            "--bind" => bind = Some(value()?),
            "--data" => opts.data = PathBuf::from(value()?),
            "--lan" if inline.is_none() => opts.lan = true,
            flag if inline.is_none() && AppBuild::from_flag(flag).is_some() => opts.app = AppBuild::from_flag(flag).unwrap_or_default(),
            _ => return Err(Error::Usage(format!("unexpected argument `{a}`"))),
        }
    }
    opts.bind = bind.unwrap_or_else(|| if opts.lan { LAN_BIND } else { DEFAULT_BIND }.into());
    Ok(opts)
}

/// Parts named on the command line (all when none is), minus the `--skip-` ones.
fn parse_test(args: &[String]) -> Result<TestOpts> {
    let mut selected = TestOpts::NONE;
    let mut any_selected = false;
    let mut skip = TestOpts::NONE;
    let mut app = AppBuild::default();
    for a in args {
        match a.as_str() {
            "lint" => (selected.lint, any_selected) = (true, true),
            "native" => (selected.native, any_selected) = (true, true),
            "wasm" => (selected.wasm, any_selected) = (true, true),
            "e2e" => (selected.e2e, any_selected) = (true, true),
            "dist" => (selected.dist, any_selected) = (true, true),
            "--skip-lint" => skip.lint = true,
            "--skip-native" => skip.native = true,
            "--skip-wasm" => skip.wasm = true,
            "--skip-e2e" => skip.e2e = true,
            "--skip-dist" => skip.dist = true,
            flag if AppBuild::from_flag(flag).is_some() => app = AppBuild::from_flag(flag).unwrap_or_default(),
            _ => return Err(Error::Usage(format!("unexpected argument `{a}`"))),
        }
    }
    if !any_selected {
        selected = TestOpts::ALL;
    }
    Ok(TestOpts {
        lint: selected.lint && !skip.lint,
        native: selected.native && !skip.native,
        wasm: selected.wasm && !skip.wasm,
        e2e: selected.e2e && !skip.e2e,
        dist: selected.dist && !skip.dist,
        app,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn test_selection() {
        assert_eq!(parse_test(&[]).unwrap(), TestOpts::ALL);
        assert_eq!(parse_test(&strings(&["--skip-wasm", "--skip-e2e"])).unwrap(), TestOpts { lint: true, native: true, dist: true, ..TestOpts::NONE });
        assert_eq!(parse_test(&strings(&["e2e"])).unwrap(), TestOpts { e2e: true, ..TestOpts::NONE });
        assert_eq!(parse_test(&strings(&["native", "e2e", "--skip-e2e"])).unwrap(), TestOpts { native: true, ..TestOpts::NONE });
        assert_eq!(parse_test(&strings(&["--skip-lint"])).unwrap(), TestOpts { lint: false, ..TestOpts::ALL });
        assert_eq!(parse_test(&strings(&["lint"])).unwrap(), TestOpts { lint: true, ..TestOpts::NONE });
        assert_eq!(parse_test(&strings(&["dist"])).unwrap(), TestOpts { dist: true, ..TestOpts::NONE });
        assert_eq!(parse_test(&strings(&["--skip-dist"])).unwrap(), TestOpts { dist: false, ..TestOpts::ALL });
        assert_eq!(parse_test(&strings(&["e2e", "--single"])).unwrap(), TestOpts { e2e: true, app: AppBuild::Single, ..TestOpts::NONE });
        assert_eq!(parse_test(&strings(&["--single", "--split"])).unwrap(), TestOpts::ALL);
        assert!(parse_test(&strings(&["--bogus"])).is_err());
    }

    #[test]
    fn serve_options() {
        let o = parse_serve(&strings(&["--bind", "0.0.0.0:9000", "--data=/tmp/x"])).unwrap();
        assert_eq!(o.bind, "0.0.0.0:9000");
        assert_eq!(o.data, PathBuf::from("/tmp/x"));
        let o = parse_serve(&[]).unwrap();
        assert_eq!(o.bind, DEFAULT_BIND);
        assert!(parse_serve(&strings(&["--bind"])).is_err());
        assert_eq!(parse_serve(&[]).unwrap().app, AppBuild::Split);
        assert_eq!(parse_serve(&strings(&["--lan", "--single"])).unwrap().app, AppBuild::Single);
        assert_eq!(app_flag(&[]).unwrap(), AppBuild::Split);
        assert_eq!(app_flag(&strings(&["--single"])).unwrap(), AppBuild::Single);
        assert!(app_flag(&strings(&["--single", "--split"])).is_err());
        assert!(app_flag(&strings(&["--fast"])).is_err());
        let o = parse_serve(&strings(&["--lan"])).unwrap();
        assert!(o.lan);
        assert_eq!(o.bind, LAN_BIND);
        assert_eq!(parse_serve(&strings(&["--lan", "--bind", "0.0.0.0:443"])).unwrap().bind, "0.0.0.0:443");
    }
}
