//! `xunfang-server serve --bind 127.0.0.1:8080 --dist dist --data data`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "xunfang-server",
    version,
    about = "Serves the 巡访 Xunfang app"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the built app (dist/) over HTTP.
    Serve(ServeArgs),
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on (use port 0 for any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
    /// Directory holding the app built by trunk.
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Directory for server-side data (created if missing).
    #[arg(long, default_value = "data")]
    data: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("xunfang_server=info,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let result = match cli.command {
        Command::Serve(args) => serve(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    if !args.dist.join("index.html").is_file() {
        return Err(format!(
            "no built app in {} (index.html is missing). Build it and start the server with `cargo xtask serve`, \
             or build it with `cargo xtask build` and pass its directory with --dist",
            args.dist.display()
        ));
    }
    std::fs::create_dir_all(&args.data).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            args.data.display()
        )
    })?;

    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = xunfang_server::bind(&args.bind).await?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        let app = xunfang_server::router(args.dist.clone());
        tracing::info!(dist = %args.dist.display(), data = %args.data.display(), %addr, "serving");
        println!("Xunfang is running at http://{addr}/");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        xunfang_server::serve_until_shutdown(listener, app)
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}
