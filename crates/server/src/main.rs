//! `xunfang-server serve --bind 127.0.0.1:8080 --dist dist --data data`,
//! `xunfang-server token create [--admin]|list|revoke`, `xunfang-server backup|restore
//! FILE` (see the library's docs).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use xunfang_server::limits;
use xunfang_server::store::TokenKind;

#[derive(Parser, Debug)]
#[command(name = "xunfang-server", version, about = "Serves the 巡访 Xunfang app")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the built app (dist/) and the sync endpoint over HTTP.
    Serve(ServeArgs),
    /// Manage the access tokens devices sync with.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a consistent copy of the database to FILE, while the server runs.
    Backup {
        /// The new file to write (never overwritten).
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Replace the database with the backup FILE (stop the server first).
    /// Tablets then push everything they hold, so nothing they still have is lost.
    Restore {
        /// A file written by `backup`.
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create a token for a team (the team is created if new) and print it once.
    Create {
        /// The team the token syncs with; devices of one team share documents.
        #[arg(long)]
        team: String,
        /// An admin token instead: it manages the team's tablets on the
        /// office screen (/#/devices) and does not sync records itself.
        #[arg(long)]
        admin: bool,
        /// A note to recognise the token by (a person or a tablet).
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List tokens (first characters only), their teams and whether revoked.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a token, given whole or by the first characters `list` shows.
    Revoke {
        /// The token, or its first 8 characters.
        token: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(clap::Args, Debug)]
struct DbArgs {
    /// Directory for server-side data; the database is DIR/xunfang.sqlite3.
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// The database file (overrides --data).
    #[arg(long)]
    db: Option<PathBuf>,
}

impl DbArgs {
    fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(|| self.data.join(xunfang_server::store::sqlite::DB_FILE))
    }

    fn open(&self) -> Result<xunfang_server::SqliteStore, String> {
        xunfang_server::SqliteStore::open(self.path()).map_err(|e| e.to_string())
    }

    /// How to repeat these options on the command line.
    fn cli(&self) -> String {
        match &self.db {
            Some(db) => format!("--db {}", db.display()),
            None => format!("--data {}", self.data.display()),
        }
    }
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on (use port 0 for any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
    /// Directory holding the app built by trunk.
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Directory for server-side data (created if missing); the sync
    /// database is DIR/xunfang.sqlite3.
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// The sync database file (overrides --data).
    #[arg(long)]
    db: Option<PathBuf>,
    /// An origin (scheme://host[:port]) allowed to call /api from a browser;
    /// repeat for several, `*` for any. Default: same origin only.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origin: Vec<String>,
    /// The largest photo (in bytes) a device may upload to /api/blobs.
    #[arg(long = "max-blob-bytes", value_name = "BYTES", default_value_t = xunfang_server::blobs::DEFAULT_MAX_BLOB_BYTES)]
    max_blob_bytes: usize,
    /// How many hours ahead of this server's clock a tablet's clock may be:
    /// a document stamped further ahead is rejected with a reason (set the
    /// tablet's date and time), so that it cannot overrule later edits.
    #[arg(long = "max-clock-skew-hours", value_name = "HOURS", default_value_t = 24)]
    max_clock_skew_hours: u64,
    /// Seconds a request may take (reading its body included) before it is
    /// refused with 503.
    #[arg(long = "request-timeout", value_name = "SECONDS", default_value_t = limits::DEFAULT_REQUEST_TIMEOUT.as_secs())]
    request_timeout: u64,
    /// Requests served at once; more wait for a free slot.
    #[arg(long = "max-concurrent", value_name = "N", default_value_t = limits::DEFAULT_MAX_CONCURRENT)]
    max_concurrent: usize,
    /// Requests one token may make per minute on average (more: 429).
    #[arg(long = "rate-per-minute", value_name = "N", default_value_t = limits::DEFAULT_RATE_PER_MINUTE)]
    rate_per_minute: u32,
    /// Requests one token may make in a burst after a quiet spell.
    #[arg(long = "rate-burst", value_name = "N", default_value_t = limits::DEFAULT_RATE_BURST)]
    rate_burst: u32,
    /// The most bytes of documents one pull answer carries (a larger
    /// document is still sent, alone).
    #[arg(long = "max-pull-bytes", value_name = "BYTES", default_value_t = limits::DEFAULT_MAX_PULL_BYTES)]
    max_pull_bytes: usize,
    /// Documents one team may keep (more: 507).
    #[arg(long = "max-team-docs", value_name = "N", default_value_t = limits::DEFAULT_MAX_TEAM_DOCS)]
    max_team_docs: u64,
    /// Bytes of photos one team may keep (more: 413).
    #[arg(long = "max-team-photo-bytes", value_name = "BYTES", default_value_t = limits::DEFAULT_MAX_TEAM_PHOTO_BYTES)]
    max_team_photo_bytes: u64,
}

impl ServeArgs {
    fn limits(&self) -> limits::Limits {
        limits::Limits {
            request_timeout: std::time::Duration::from_secs(self.request_timeout.max(1)),
            max_concurrent: self.max_concurrent,
            rate_per_minute: self.rate_per_minute,
            rate_burst: self.rate_burst,
            max_pull_bytes: self.max_pull_bytes,
            max_team_docs: self.max_team_docs,
            max_team_photo_bytes: self.max_team_photo_bytes,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("xunfang_server=info,tower_http=warn")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Token(cmd) => token(cmd),
        Command::Backup { file, db } => backup(&file, &db),
        Command::Restore { file, db } => restore(&file, &db),
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
    let cors = xunfang_server::Cors::from_args(&args.cors_origin)?;
    std::fs::create_dir_all(&args.data).map_err(|e| format!("cannot create the data directory {}: {e}", args.data.display()))?;

    let db = DbArgs { data: args.data.clone(), db: args.db.clone() };
    let store = db.open()?;
    // Held until the server stops: `restore` refuses meanwhile.
    let _lock = store.lock_for_serving().map_err(|e| e.to_string())?;
    let has_tokens = store.has_active_tokens().map_err(|e| e.to_string())?;

    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = xunfang_server::bind(&args.bind).await?;
        let addr = listener.local_addr().map_err(|e| format!("cannot read the bound address: {e}"))?;
        tracing::info!(
            dist = %args.dist.display(),
            db = %store.path().display(),
            cors = ?cors,
            max_blob_bytes = args.max_blob_bytes,
            max_clock_skew_hours = args.max_clock_skew_hours,
            limits = ?args.limits(),
            %addr,
            "serving"
        );
        let state = xunfang_server::AppState::new(args.dist.clone())
            .with_store(store)
            .with_max_blob_bytes(args.max_blob_bytes)
            .with_max_clock_skew_hours(args.max_clock_skew_hours)
            .with_limits(args.limits());
        // Compress the app once, before saying it runs: no tablet waits for
        // it, and nothing competes with the first requests for the CPU
        // (~6 s for the wasm in a release build, ~1 s in a debug one, which
        // uses a lower quality). Connections made meanwhile wait in the
        // listen queue.
        state.precompressed().warm(&args.dist).await;
        let app = xunfang_server::app(state, &cors);
        println!("Xunfang is running at http://{addr}/");
        println!("sync endpoint: http://{addr}/api/sync (database {})", db.path().display());
        println!("photos: http://{addr}/api/blobs/<sha256> (in the same database, at most {} each)", xunfang_server::blobs::human_bytes(args.max_blob_bytes));
        if !has_tokens {
            println!("no access tokens yet; create one with: {} token create --team office {}", me(), db.cli());
        } else {
            println!("create an access token: {} token create --team office {}", me(), db.cli());
        }
        println!(
            "or give each tablet its own: make an admin token ({} token create --admin --team office {}) and add tablets on the app's Office → Devices screen",
            me(),
            db.cli()
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
        xunfang_server::serve_until_shutdown(listener, app).await.map_err(|e| format!("server error: {e}"))
    })
}

fn token(cmd: TokenCommand) -> Result<(), String> {
    match cmd {
        TokenCommand::Create { team, admin, label, db } => {
            let store = db.open()?;
            let kind = if admin { TokenKind::Admin } else { TokenKind::Team };
            let token = store.create_token_of(&team, &label, kind).map_err(|e| e.to_string())?;
            println!("{token}");
            eprintln!(
                "new {} for team \"{}\"{} in {}.\n\
                 {} It is shown only this once;\n\
                 revoke it with: {} token revoke {} {}",
                if admin { "admin token" } else { "access token" },
                team.trim(),
                if label.is_empty() { String::new() } else { format!(" ({label})") },
                store.path().display(),
                if admin {
                    "Enter it on the office computer's Devices screen (Office → Devices) to add and revoke tablets."
                } else {
                    "Enter it in the app's Settings (sync)."
                },
                me(),
                &token[..xunfang_server::store::TOKEN_PREFIX_LEN],
                db.cli()
            );
            Ok(())
        }
        TokenCommand::List { db } => {
            let store = db.open()?;
            let tokens = store.list_tokens().map_err(|e| e.to_string())?;
            if tokens.is_empty() {
                println!("no tokens in {}; create one with: {} token create --team office {}", store.path().display(), me(), db.cli());
                return Ok(());
            }
            println!("{:<10} {:<7} {:<16} {:<20} {:<20} {:<20} LABEL", "TOKEN", "KIND", "TEAM", "CREATED", "LAST SYNC", "REVOKED");
            for t in tokens {
                println!(
                    "{:<10} {:<7} {:<16} {:<20} {:<20} {:<20} {}",
                    format!("{}…", t.prefix),
                    t.kind.map_or("?", TokenKind::as_str),
                    t.team,
                    time(t.created),
                    t.last_sync.map(time).unwrap_or_else(|| "-".into()),
                    t.revoked.map(time).unwrap_or_else(|| "-".into()),
                    t.label
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { token, db } => {
            let store = db.open()?;
            let (info, already) = store.revoke_token(&token).map_err(|e| e.to_string())?;
            if already {
                println!("token {}… of team \"{}\" was already revoked on {}", info.prefix, info.team, info.revoked.map(time).unwrap_or_default());
                return Ok(());
            }
            println!(
                "revoked token {}… of team \"{}\"{}; devices using it can no longer sync",
                info.prefix,
                info.team,
                if info.label.is_empty() { String::new() } else { format!(" ({})", info.label) }
            );
            Ok(())
        }
    }
}

fn backup(file: &std::path::Path, db: &DbArgs) -> Result<(), String> {
    let store = db.open()?;
    let done = store.backup_to(file).map_err(|e| e.to_string())?;
    println!(
        "backed up {} to {}: {} teams, {} documents, {} photos.\nPut it back with: {} restore {} {}",
        store.path().display(),
        file.display(),
        done.teams,
        done.docs,
        done.blobs,
        me(),
        file.display(),
        db.cli()
    );
    Ok(())
}

fn restore(file: &std::path::Path, db: &DbArgs) -> Result<(), String> {
    let store = db.open()?;
    let done = store.restore_from(file).map_err(|e| e.to_string())?;
    println!(
        "restored {} from {}: {} teams, {} documents, {} photos.\n\
         The database has a new epoch ({}…): at their next sync tablets pull from the start and push\n\
         everything they hold, so edits made after the backup come back from the tablets that have them.",
        store.path().display(),
        file.display(),
        done.teams,
        done.docs,
        done.blobs,
        &done.epoch[..8]
    );
    Ok(())
}

/// Unix seconds as `2024-05-20 10:42:00` (UTC).
fn time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|| secs.to_string())
}

/// How to call this program again: the path it was started by (so the hint
/// works when it runs from target/debug), or its name.
fn me() -> String {
    std::env::args().next().filter(|a| a.contains(std::path::MAIN_SEPARATOR) || a.contains('/')).unwrap_or_else(|| "xunfang-server".into())
}
