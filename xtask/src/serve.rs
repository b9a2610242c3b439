//! `cargo xtask serve`: builds the app and the server, then runs the server
//! in the foreground on `--bind` with its database in `--data`.

use crate::build::{build, build_server};
use crate::cmd::{root, run, Result};
use std::path::PathBuf;
use std::process::Command;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

pub struct ServeOpts {
    pub bind: String,
    pub data: PathBuf,
}

pub fn serve(opts: ServeOpts) -> Result<()> {
    build()?;
    let bin = build_server()?;
    let mut cmd = Command::new(&bin);
    cmd.current_dir(root()).args(["serve", "--bind", &opts.bind, "--dist"]).arg(root().join("dist")).arg("--data").arg(&opts.data);
    println!("\nstarting the server (Ctrl-C stops it)");
    run(&mut cmd)
}
