//! The config file (`--config FILE`, TOML): the options of `serve` as keys named like its flags
//! (`max_blob_bytes = 8388608` for `--max-blob-bytes 8388608`), so that a service needs no long command line.
//!
//! The keys are read from the `serve` command's clap definition: a new flag of `serve` is a new key,
//! with no code here. A value from the file is handed to clap as if it were given as that flag, so it
//! is checked by the same parser; a flag given on the command line wins over the file. Every command
//! that takes `--config` uses the keys it has (`backup` takes `data` and `db`, not `bind`); a key that
//! is no option of `serve` is refused by name, so a typing error is never silently ignored. Paths in
//! the file are taken as they would be on the command line (relative ones from the working directory).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};

/// The option that names the file (`--config`), in every command that takes it.
pub const CONFIG_ARG: &str = "config";

/// The command whose options are the file's keys.
pub const SERVICE_COMMAND: &str = "serve";

/// Why the command line and the config file could not be read.
#[derive(Debug)]
pub enum Error {
    /// The command line itself (clap prints it, with the usage).
    Cli(clap::Error),
    /// The config file: a message naming the file, and the key when there is one.
    File(String),
}

/// Parses `args` (the program's name first) with `cmd`, the options of the file named by `--config`
/// added where the command line does not give them.
pub fn parse<I, T>(cmd: Command, args: I) -> Result<ArgMatches, Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let matches = cmd.clone().try_get_matches_from(&args).map_err(Error::Cli)?;
    let (mut leaf_cmd, mut leaf) = (&cmd, &matches);
    while let Some((name, sub)) = leaf.subcommand() {
        let Some(found) = leaf_cmd.find_subcommand(name) else { break };
        (leaf_cmd, leaf) = (found, sub);
    }
    let Some(path) = leaf.try_get_one::<PathBuf>(CONFIG_ARG).ok().flatten() else {
        return Ok(matches);
    };
    let service = cmd.find_subcommand(SERVICE_COMMAND).unwrap_or(&cmd);
    let extra = file_args(path, service, leaf_cmd, leaf)?;
    if extra.is_empty() {
        return Ok(matches);
    }
    // Options go before a `--`, after which everything is positional.
    let at = args.iter().position(|a| a == "--").unwrap_or(args.len());
    args.splice(at..at, extra);
    cmd.try_get_matches_from(&args).map_err(Error::Cli)
}

/// The config keys of `cmd`, in the order of its flags.
pub fn keys(cmd: &Command) -> Vec<String> {
    cmd.get_arguments().filter_map(key_of).collect()
}

/// The key of a flag: its long name with `_` for `-`; none for positionals, help, version and `--config`.
fn key_of(arg: &Arg) -> Option<String> {
    if arg.get_id() == CONFIG_ARG || matches!(arg.get_action(), ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version) {
        return None;
    }
    arg.get_long().map(|long| long.replace('-', "_"))
}

fn arg_for<'a>(cmd: &'a Command, key: &str) -> Option<&'a Arg> {
    cmd.get_arguments().find(|a| key_of(a).as_deref() == Some(key))
}

/// The file's options as command-line arguments for `leaf_cmd`, leaving out those `given` has from the command line.
fn file_args(path: &Path, service: &Command, leaf_cmd: &Command, given: &ArgMatches) -> Result<Vec<OsString>, Error> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| Error::File(format!("cannot read the config file {shown}: {e}")))?;
    let table: toml::Table = text.parse().map_err(|e| Error::File(format!("the config file {shown} is not valid TOML: {e}")))?;
    let mut out = Vec::new();
    for (key, value) in &table {
        if arg_for(service, key).is_none() {
            return Err(Error::File(format!("{shown}: unknown key `{key}` (the keys are the options of `serve`: {})", keys(service).join(", "))));
        }
        let Some(arg) = arg_for(leaf_cmd, key) else {
            continue; // An option of `serve` this command has no use for.
        };
        if given.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine) {
            continue;
        }
        out.extend(arg_values(key, value, arg).map_err(|why| Error::File(format!("{shown}: `{key}`: {why}")))?);
    }
    Ok(out)
}

/// `value` as the flag `arg` with its value(s), checked by the flag's own parser.
fn arg_values(key: &str, value: &toml::Value, arg: &Arg) -> Result<Vec<OsString>, String> {
    let long = OsString::from(format!("--{}", arg.get_long().unwrap_or(key)));
    let action = arg.get_action();
    if matches!(action, ArgAction::SetTrue | ArgAction::SetFalse) {
        let toml::Value::Boolean(on) = value else {
            return Err(format!("is true or false, not {}", value.type_str()));
        };
        return Ok(if *on == matches!(action, ArgAction::SetTrue) { vec![long] } else { vec![] });
    }
    let items: Vec<&toml::Value> = match value {
        toml::Value::Array(items) if matches!(action, ArgAction::Append) => items.iter().collect(),
        toml::Value::Array(_) => return Err("takes one value, not a list".into()),
        one => vec![one],
    };
    let mut out = Vec::new();
    for item in items {
        let text = match item {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(x) => x.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => return Err(format!("must be a string or a number, not {}", other.type_str())),
        };
        // The flag alone in a command of its own: its parser, without the command's required arguments.
        let alone = Command::new("config").arg(arg.clone().required(false));
        alone.try_get_matches_from([OsStr::new("config"), &long, OsStr::new(&text)]).map_err(|e| reason(&e))?;
        out.push(long.clone());
        out.push(text.into());
    }
    Ok(out)
}

/// The first line of clap's message, without its `error: ` (the usage that follows is about the command line).
fn reason(err: &clap::Error) -> String {
    let text = err.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser, Subcommand};

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(subcommand)]
        command: Cmd,
    }

    #[derive(Subcommand, Debug)]
    enum Cmd {
        Serve {
            #[arg(long, default_value = "127.0.0.1:8080")]
            bind: String,
            #[arg(long = "max-blob-bytes", default_value_t = 10)]
            max_blob_bytes: usize,
            #[arg(long = "cors-origin")]
            cors_origin: Vec<String>,
            #[arg(long)]
            quiet: bool,
            #[arg(long)]
            config: Option<PathBuf>,
        },
        Backup {
            file: PathBuf,
            #[arg(long = "max-blob-bytes", default_value_t = 10)]
            max_blob_bytes: usize,
            #[arg(long)]
            config: Option<PathBuf>,
        },
    }

    fn run(file: &str, args: &[&str]) -> Result<Cmd, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, file).unwrap();
        let mut argv: Vec<OsString> = vec!["prog".into()];
        argv.extend(args.iter().map(|a| if *a == "CONFIG" { path.clone().into_os_string() } else { a.into() }));
        match parse(Cli::command(), argv) {
            Ok(m) => Ok(<Cli as clap::FromArgMatches>::from_arg_matches(&m).unwrap().command),
            Err(Error::File(msg)) => Err(msg),
            Err(Error::Cli(e)) => Err(format!("cli: {e}")),
        }
    }

    #[test]
    fn the_file_sets_what_the_command_line_leaves_out_and_flags_win() {
        let file = "bind = \"0.0.0.0:80\"\nmax_blob_bytes = 99\ncors_origin = [\"https://a.test\", \"https://b.test\"]\nquiet = true\n";
        let Cmd::Serve { bind, max_blob_bytes, cors_origin, quiet, .. } = run(file, &["serve", "--config", "CONFIG"]).unwrap() else { panic!() };
        assert_eq!((bind.as_str(), max_blob_bytes, quiet), ("0.0.0.0:80", 99, true));
        assert_eq!(cors_origin, ["https://a.test", "https://b.test"]);

        let Cmd::Serve { bind, max_blob_bytes, cors_origin, .. } =
            run(file, &["serve", "--bind", "127.0.0.1:1", "--config", "CONFIG", "--cors-origin", "*"]).unwrap()
        else {
            panic!()
        };
        assert_eq!((bind.as_str(), max_blob_bytes), ("127.0.0.1:1", 99));
        assert_eq!(cors_origin, ["*"], "a list on the command line replaces the file's");
    }

    #[test]
    fn another_command_takes_the_keys_it_has() {
        let Cmd::Backup { file, max_blob_bytes, .. } = run("bind = \"0.0.0.0:80\"\nmax_blob_bytes = 7\n", &["backup", "out.db", "--config", "CONFIG"]).unwrap()
        else {
            panic!()
        };
        assert_eq!((file, max_blob_bytes), (PathBuf::from("out.db"), 7));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_by_name() {
        let err = run("bnid = \"0.0.0.0:80\"\n", &["backup", "x", "--config", "CONFIG"]).unwrap_err();
        assert!(err.contains("unknown key `bnid`") && err.contains("bind, max_blob_bytes, cors_origin, quiet"), "{err}");
        assert!(!err.contains("config,"), "--config is no key: {err}");
        let err = run("max_blob_bytes = \"lots\"\n", &["serve", "--config", "CONFIG"]).unwrap_err();
        assert!(err.contains("`max_blob_bytes`") && err.contains("'lots'"), "{err}");
        assert!(!err.contains("Usage"), "{err}");
        let err = run("quiet = \"yes\"\n", &["serve", "--config", "CONFIG"]).unwrap_err();
        assert!(err.contains("`quiet`: is true or false, not string"), "{err}");
        let err = run("bind = [\"a\", \"b\"]\n", &["serve", "--config", "CONFIG"]).unwrap_err();
        assert!(err.contains("`bind`: takes one value, not a list"), "{err}");
        let err = run("bind = ", &["serve", "--config", "CONFIG"]).unwrap_err();
        assert!(err.contains("is not valid TOML") && err.contains("line 1"), "{err}");
        let err = run("", &["serve", "--config", "/nonexistent/xunfang.toml"]).unwrap_err();
        assert!(err.contains("cannot read the config file /nonexistent/xunfang.toml"), "{err}");
    }
}
