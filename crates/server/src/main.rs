//! `xunfang-server serve --bind 127.0.0.1:8080 --dist dist --data data`,
//! `xunfang-server token create [--admin]|list|revoke`, `xunfang-server backup|restore
//! FILE`, `xunfang-server migrate`, `xunfang-server tls init|renew` (see the library's docs).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use tokio::runtime::Runtime;
use tracing_subscriber::EnvFilter;
use xunfang_server::config::Error;
use xunfang_server::limits;
use xunfang_server::store::postgres::{is_postgres_url, PgSettings};
use xunfang_server::store::{AdminStore, BackupStore, SyncStore, TokenKind};
use xunfang_server::{PgStore, SqliteStore};

// Many syncs at once allocate and free hundreds of KB of JSON each; glibc's malloc (and free) took about a third of the server's CPU
// on it (BENCHMARKS.md section 7).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "xunfang-server", version, about = "Serves the 巡访 Xunfang app")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the built app (dist/) and the sync endpoint over HTTP, or HTTPS
    /// with a certificate (--tls-cert/--tls-key, or DATA/tls/ after `tls init`).
    Serve(ServeArgs),
    /// The office's own certificate authority and HTTPS certificate.
    #[command(subcommand)]
    Tls(TlsCommand),
    /// Manage the access tokens devices sync with.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a consistent copy of the database to FILE, while the server runs.
    Backup {
        /// The new file to write (never overwritten).
        #[arg(required_unless_present = "into", conflicts_with = "into")]
        file: Option<PathBuf>,
        /// Write into this directory (created if missing) under a dated name instead,
        /// xunfang-20260101T020000Z.sqlite3, then remove all but the newest --keep of those.
        #[arg(long, value_name = "DIR")]
        into: Option<PathBuf>,
        /// How many dated backups --into keeps (the new one included).
        #[arg(long, value_name = "N", default_value_t = 14, requires = "into", value_parser = clap::value_parser!(u32).range(1..))]
        keep: u32,
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
    /// Photos stored on this server.
    #[command(subcommand)]
    Photos(PhotosCommand),
    /// Copy a SQLite database into an empty PostgreSQL one (stop the SQLite
    /// server first), checked before it is committed; tablets' tokens and
    /// cursors stay valid.
    Migrate {
        /// The SQLite file (e.g. data/xunfang.sqlite3).
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The PostgreSQL database to fill (postgres://USER@HOST/DB or host=/run/postgresql dbname=DB); it must hold no team yet.
        #[arg(long, value_name = "URL")]
        to: String,
        #[command(flatten)]
        pg: PgArgs,
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

#[derive(Subcommand, Debug)]
enum PhotosCommand {
    /// Delete photos no record of their team has named for --grace-days (trashed records and
    /// conflicts count as naming). Run daily (xunfang-photos.timer): a pass marks photos it
    /// finds unnamed, a later one deletes those still unnamed once mark and upload are old enough.
    Collect {
        /// How long a photo must stay unnamed (and since its upload) before it goes. A tablet
        /// offline for longer that still holds a record naming a deleted photo cannot send it
        /// again (docs/sync-protocol.md), so keep this longer than any tablet stays away.
        #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
        grace_days: u32,
        /// Say what would be deleted and marked; write nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
enum TlsCommand {
    /// Create a local CA and a server certificate for these names and IPs,
    /// once (tablets install the CA from /setup/ca; refuses to overwrite).
    Init(TlsArgs),
    /// Sign a new server certificate with the same CA (tablets keep trusting
    /// it): before the old one expires, or with new names/IPs if given.
    Renew(TlsArgs),
}

#[derive(clap::Args, Debug)]
struct TlsArgs {
    /// A host name the tablets open (repeatable), e.g. office.lan.
    #[arg(long = "name", value_name = "HOST")]
    names: Vec<String>,
    /// An IP address the tablets open (repeatable), e.g. 192.168.1.10.
    #[arg(long = "ip", value_name = "ADDR")]
    ips: Vec<std::net::IpAddr>,
    /// Directory for the files (default DATA/tls, which `serve` reads).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The data directory `serve` uses.
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// The server's config file: its `data` is the data directory (the package's
    /// /etc/xunfang/config.toml writes into /var/lib/xunfang/tls).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct DbArgs {
    /// Directory for server-side data; the database is DIR/xunfang.sqlite3.
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// The database file (overrides --data).
    #[arg(long)]
    db: Option<PathBuf>,
    /// A PostgreSQL database instead of the SQLite file: postgres://USER:PASSWORD@HOST:PORT/DB
    /// or libpq's form (host=/run/postgresql dbname=xunfang). Several servers may share it.
    #[arg(long, env = "XUNFANG_DATABASE", value_name = "URL", hide_env_values = true)]
    database: Option<String>,
    #[command(flatten)]
    pg: PgArgs,
    /// A TOML file of `serve` options (keys named like the flags); this command takes the ones it has
    /// (`data`, `db`, `database`, the `pg_…` ones) and leaves the others to `serve`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// How a server uses a PostgreSQL database (ignored for SQLite).
#[derive(clap::Args, Debug, Clone)]
struct PgArgs {
    /// Connections this server keeps to PostgreSQL.
    #[arg(long = "pg-pool-size", value_name = "N", default_value_t = PgSettings::default().pool_size)]
    pool_size: usize,
    /// Seconds a sync waits for its team's lock (another push of the team) before 503.
    #[arg(long = "pg-lock-timeout", value_name = "SECONDS", default_value_t = PgSettings::default().lock_timeout.as_secs())]
    lock_timeout: u64,
    /// Seconds one statement may run.
    #[arg(long = "pg-statement-timeout", value_name = "SECONDS", default_value_t = PgSettings::default().statement_timeout.as_secs())]
    statement_timeout: u64,
    /// Seconds a transaction may stand idle before PostgreSQL ends it (and its locks).
    #[arg(long = "pg-idle-in-transaction-timeout", value_name = "SECONDS", default_value_t = PgSettings::default().idle_in_transaction_timeout.as_secs())]
    idle_in_transaction_timeout: u64,
}

impl PgArgs {
    fn settings(&self) -> PgSettings {
        let secs = |s: u64| std::time::Duration::from_secs(s.max(1));
        PgSettings {
            pool_size: self.pool_size.max(1),
            lock_timeout: secs(self.lock_timeout),
            statement_timeout: secs(self.statement_timeout),
            idle_in_transaction_timeout: secs(self.idle_in_transaction_timeout),
            ..PgSettings::default()
        }
    }
}

/// An open database, whichever backend: the seam's traits, and the SQLite
/// store itself when it is one (its lock file).
struct Db {
    sync: Arc<dyn SyncStore>,
    admin: Arc<dyn AdminStore>,
    backup: Arc<dyn BackupStore>,
    sqlite: Option<SqliteStore>,
    /// The database, for messages (a path, or user@host/db without password).
    shown: String,
}

impl DbArgs {
    fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(|| self.data.join(xunfang_server::store::sqlite::DB_FILE))
    }

    fn open(&self, runtime: &Runtime) -> Result<Db, String> {
        match &self.database {
            Some(url) if is_postgres_url(url) => {
                let store = Arc::new(runtime.block_on(PgStore::open(url, self.pg.settings())).map_err(|e| e.to_string())?);
                let shown = format!("PostgreSQL {}", store.shown());
                Ok(Db { sync: store.clone(), admin: store.clone(), backup: store, sqlite: None, shown })
            }
            Some(other) => Err(format!(
                "--database takes a PostgreSQL address (postgres://USER@HOST/DB or host=/run/postgresql dbname=DB), not \"{other}\"; \
                 for a SQLite file use --db FILE"
            )),
            None => {
                let store = SqliteStore::open(self.path()).map_err(|e| e.to_string())?;
                let shown = store.path().display().to_string();
                Ok(Db { sync: Arc::new(store.clone()), admin: Arc::new(store.clone()), backup: Arc::new(store.clone()), sqlite: Some(store), shown })
            }
        }
    }

    /// How to repeat these options on the command line.
    fn cli(&self) -> String {
        if let Some(config) = &self.config {
            return format!("--config {}", config.display());
        }
        match (&self.database, &self.db) {
            (Some(_), _) => "--database URL".into(),
            (None, Some(db)) => format!("--db {}", db.display()),
            (None, None) => format!("--data {}", self.data.display()),
        }
    }
}

fn runtime() -> Result<Runtime, String> {
    Runtime::new().map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Runs a store call to its end; its error as the message to print.
fn wait<T>(runtime: &Runtime, call: impl std::future::Future<Output = Result<T, xunfang_server::StoreError>>) -> Result<T, String> {
    runtime.block_on(call).map_err(|e| e.to_string())
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// A TOML file of these options, keys named like the flags (`max_blob_bytes = 8388608`);
    /// flags given here win over it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
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
    /// A PostgreSQL database instead of the SQLite file (see `token create --help`).
    #[arg(long, env = "XUNFANG_DATABASE", value_name = "URL", hide_env_values = true)]
    database: Option<String>,
    #[command(flatten)]
    pg: PgArgs,
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
    /// Serve HTTPS with this certificate (PEM: the server's first, then any
    /// intermediates). Default: DATA/tls/server.crt when `tls init` made it.
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM). Default: DATA/tls/server.key.
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP even when DATA/tls/ holds a certificate.
    #[arg(long = "no-tls", conflicts_with_all = ["tls_cert", "http_bind"])]
    no_tls: bool,
    /// Also listen for plain HTTP on ADDR: it serves the set-up page /setup/ca
    /// and sends every other request to https. Without a certificate (before
    /// `tls init`) it serves the app there instead, and nothing on --bind.
    #[arg(long = "http-bind", value_name = "ADDR")]
    http_bind: Option<String>,
    /// A reverse proxy in front of this server terminates TLS: believe its
    /// X-Forwarded-Proto header (never set this when clients reach the server directly).
    #[arg(long = "trust-proxy")]
    trust_proxy: bool,
    /// Address of a second listener for monitors, with `/metrics` (Prometheus)
    /// and `/api/health` (version, database); off unless given. Loopback only
    /// (e.g. 127.0.0.1:9464) unless --metrics-allow-remote.
    #[arg(long = "metrics-bind", value_name = "ADDR")]
    metrics_bind: Option<String>,
    /// Let --metrics-bind listen on an address other machines can reach.
    #[arg(long = "metrics-allow-remote")]
    metrics_allow_remote: bool,
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
    let cli = match xunfang_server::config::parse(Cli::command(), std::env::args_os()).and_then(|m| Cli::from_arg_matches(&m).map_err(Error::Cli)) {
        Ok(cli) => cli,
        Err(Error::Cli(err)) => err.exit(),
        Err(Error::File(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("xunfang_server=info,tower_http=warn")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Tls(cmd) => tls(cmd),
        Command::Token(cmd) => token(cmd),
        Command::Backup { file, into, keep, db } => match (file, into) {
            (Some(file), _) => backup(&file, &db),
            (None, Some(dir)) => backup_into(&dir, keep as usize, &db),
            (None, None) => Err("name the backup file, or a directory with --into".into()),
        },
        Command::Restore { file, db } => restore(&file, &db),
        Command::Migrate { from, to, pg } => migrate(&from, &to, &pg),
        Command::Photos(PhotosCommand::Collect { grace_days, dry_run, db }) => collect_photos(grace_days, dry_run, &db),
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
    if let Some(addr) = &args.metrics_bind {
        xunfang_server::metrics::check_bind(addr, args.metrics_allow_remote)?;
    }
    if !args.dist.join("index.html").is_file() {
        return Err(format!(
            "no built app in {} (index.html is missing). Build it and start the server with `cargo xtask serve`, \
             or build it with `cargo xtask build` and pass its directory with --dist",
            args.dist.display()
        ));
    }
    let cors = xunfang_server::Cors::from_args(&args.cors_origin)?;
    if args.database.is_none() {
        std::fs::create_dir_all(&args.data).map_err(|e| format!("cannot create the data directory {}: {e}", args.data.display()))?;
    }

    let db = DbArgs { data: args.data.clone(), db: args.db.clone(), database: args.database.clone(), pg: args.pg.clone(), config: args.config.clone() };
    let runtime = runtime()?;
    let store = db.open(&runtime)?;
    // Held until the server stops: `restore` refuses meanwhile (SQLite; on
    // PostgreSQL several servers share the database).
    let _lock = store.sqlite.as_ref().map(SqliteStore::lock_for_serving).transpose().map_err(|e| e.to_string())?;
    let has_tokens = wait(&runtime, store.admin.has_active_tokens())?;
    let https = Https::from_args(&args)?;

    // Before `tls init` (a fresh package install, whose config names both ports) there is nothing to
    // redirect to: the plain port serves the app itself, so the office computer reaches it, and the
    // https port stays closed until a certificate exists.
    let (app_bind, redirect_bind) = match (&https.tls, &args.http_bind) {
        (None, Some(plain)) => (plain.clone(), None),
        (_, plain) => (args.bind.clone(), plain.clone()),
    };
    runtime.block_on(async move {
        let listener = xunfang_server::bind(&app_bind).await?;
        let addr = listener.local_addr().map_err(|e| format!("cannot read the bound address: {e}"))?;
        let redirect = match &redirect_bind {
            Some(http_bind) => Some(xunfang_server::bind(http_bind).await?),
            None => None,
        };
        if https.tls.is_none() && args.http_bind.is_some() {
            tracing::warn!(
                "no certificate in {} yet: serving the app in plain HTTP on the --http-bind address {addr}, and nothing on {} \
                 until there is one. Make it as the user this server runs as (`sudo -u xunfang` for the package): \
                 `{} tls init --name <host> --ip <address> {}`, then restart the server (`sudo systemctl restart xunfang`)",
                xunfang_server::tls::TlsDir::in_data(&args.data).0.display(),
                args.bind,
                me(),
                db.cli()
            );
        }
        if https.tls.is_none() && !args.trust_proxy && !addr.ip().is_loopback() {
            tracing::warn!(
                "serving plain HTTP on {addr}: tablets that open this address get no service worker and no Web Crypto, so the app \
                 cannot work offline nor keep photos. Serve HTTPS: `{} tls init --name <host> --ip <address> {}`, then start again",
                me(),
                db.cli()
            );
        }
        tracing::info!(
            dist = %args.dist.display(),
            db = %store.shown,
            cors = ?cors,
            max_blob_bytes = args.max_blob_bytes,
            max_clock_skew_hours = args.max_clock_skew_hours,
            limits = ?args.limits(),
            %addr,
            "serving"
        );
        let state = xunfang_server::AppState::new(args.dist.clone())
            .with_shared_store(store.sync.clone())
            .with_max_blob_bytes(args.max_blob_bytes)
            .with_max_clock_skew_hours(args.max_clock_skew_hours)
            .with_limits(args.limits());
        // Compress the app once, before saying it runs: no tablet waits for
        // it, and nothing competes with the first requests for the CPU
        // (~6 s for the wasm in a release build, ~1 s in a debug one, which
        // uses a lower quality). Connections made meanwhile wait in the
        // listen queue.
        state.precompressed().warm(&args.dist).await;
        let metrics = match &args.metrics_bind {
            Some(addr) => Some((xunfang_server::bind(addr).await?, xunfang_server::metrics::app(state.clone()))),
            None => None,
        };
        let app = xunfang_server::setup::router(https.page(args.trust_proxy)).merge(xunfang_server::app(state, &cors));
        if let Some(Ok(addr)) = metrics.as_ref().map(|(listener, _)| listener.local_addr()) {
            println!("metrics for monitors: http://{addr}/metrics and http://{addr}/api/health");
        }
        let scheme = if https.tls.is_some() { "https" } else { "http" };
        println!("Xunfang is running at {scheme}://{addr}/");
        println!("sync endpoint: {scheme}://{addr}/api/sync (database {})", store.shown);
        println!(
            "photos: {scheme}://{addr}/api/blobs/<sha256> (in the same database, at most {} each)",
            xunfang_server::blobs::human_bytes(args.max_blob_bytes)
        );
        let redirect_addr = match &redirect {
            Some(listener) => Some(listener.local_addr().map_err(|e| format!("cannot read the bound address: {e}"))?),
            None => None,
        };
        https.print_addresses(addr, redirect_addr);
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
        let metrics = async {
            let Some((listener, app)) = metrics else { return Ok(()) };
            xunfang_server::serve_until_shutdown(listener, app).await
        };
        let main = async {
            match &https.tls {
                Some(loaded) => {
                    let listener = xunfang_server::tls::TlsListener::new(listener, loaded.config.clone())?;
                    xunfang_server::listen::serve_listener_until_shutdown(listener, app).await
                }
                None => xunfang_server::serve_until_shutdown(listener, app).await,
            }
        };
        let plain = async {
            match redirect {
                Some(listener) => {
                    let page = https.page(args.trust_proxy).with_https_port(addr.port());
                    xunfang_server::serve_until_shutdown(listener, xunfang_server::setup::redirect_router(page, addr.port())).await
                }
                None => Ok(()),
            }
        };
        let (public, metrics) = tokio::join!(async { tokio::try_join!(main, plain) }, metrics);
        public.map_err(|e| format!("server error: {e}"))?;
        metrics.map_err(|e| format!("metrics listener error: {e}"))
    })
}

/// What `serve` knows of HTTPS: the loaded certificate (if any) and the
/// local CA's certificate to offer at /setup/ca.
struct Https {
    tls: Option<xunfang_server::tls::Loaded>,
    ca_pem: Option<Vec<u8>>,
}

impl Https {
    /// `--tls-cert/--tls-key`, else DATA/tls/ when `tls init` filled it (unless `--no-tls`).
    fn from_args(args: &ServeArgs) -> Result<Self, String> {
        let dir = xunfang_server::tls::TlsDir::in_data(&args.data);
        let files = match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
            _ if !args.no_tls && dir.has_server_files() => Some((dir.server_cert(), dir.server_key())),
            _ => None,
        };
        let tls = files.map(|(cert, key)| xunfang_server::tls::load(&cert, &key, xunfang_server::tls::now())).transpose()?;
        if let Some(warning) = tls.as_ref().and_then(|t| t.warning.as_ref()) {
            tracing::warn!("{warning}");
        }
        let ca_pem = std::fs::read(dir.ca_cert()).ok();
        Ok(Self { tls, ca_pem })
    }

    fn page(&self, trust_proxy: bool) -> xunfang_server::setup::SetupPage {
        xunfang_server::setup::SetupPage::new(self.ca_pem.clone(), self.tls.is_some(), trust_proxy)
    }

    /// The addresses a tablet opens: the certificate's names with the ports bound.
    fn print_addresses(&self, addr: std::net::SocketAddr, redirect: Option<std::net::SocketAddr>) {
        let Some(tls) = &self.tls else { return };
        println!("certificate for {} valid until {}", tls.names.join(", "), tls.not_after.format("%Y-%m-%d"));
        for name in &tls.names {
            let host = if name.contains(':') { format!("[{name}]") } else { name.clone() };
            println!("open on the tablets: https://{host}:{}/", addr.port());
            if self.ca_pem.is_some() {
                match redirect {
                    Some(plain) => println!("set-up page (install the office CA): http://{host}:{}/setup/ca", plain.port()),
                    None => println!("set-up page (install the office CA): https://{host}:{}/setup/ca", addr.port()),
                }
            }
        }
    }
}

fn tls(cmd: TlsCommand) -> Result<(), String> {
    let (args, renew) = match cmd {
        TlsCommand::Init(args) => (args, false),
        TlsCommand::Renew(args) => (args, true),
    };
    let dir = xunfang_server::tls::TlsDir(args.dir.clone().unwrap_or_else(|| xunfang_server::tls::TlsDir::in_data(&args.data).0));
    let now = xunfang_server::tls::now();
    let issued = if renew {
        xunfang_server::local_ca::renew(&dir, &args.names, &args.ips, now)?
    } else {
        xunfang_server::local_ca::init(&dir, &args.names, &args.ips, now)?
    };
    println!(
        "{} {} for {}, valid until {}",
        if renew { "renewed the server certificate" } else { "made a local CA and a server certificate" },
        dir.server_cert().display(),
        issued.names.join(", "),
        issued.not_after.format("%Y-%m-%d")
    );
    println!("CA certificate (tablets install it from /setup/ca): {}", dir.ca_cert().display());
    println!("CA public key SHA-256 (base64): {}", issued.ca_spki_sha256);
    println!("CA key (keep it safe, never hand it out): {}", dir.ca_key().display());
    if let Some(config) = &args.config {
        // The config names the ports (the package's: 8443 and 8080).
        println!("restart the server to serve HTTPS: {} serve --config {} (the package: sudo systemctl restart xunfang)", me(), config.display());
    } else if !renew {
        println!("start the server with: {} serve --data {} --bind 0.0.0.0:8443 --http-bind 0.0.0.0:8080", me(), args.data.display());
    } else {
        println!("restart the server to use it; tablets keep trusting the same CA");
    }
    Ok(())
}

/// `photos collect`: one pass, then per team what went (or, dry, would go).
fn collect_photos(grace_days: u32, dry_run: bool, db: &DbArgs) -> Result<(), String> {
    let runtime = runtime()?;
    let store = db.open(&runtime)?;
    let pass = xunfang_server::store::PhotoPass { now: xunfang_server::store::unix_now(), grace_secs: i64::from(grace_days) * 86_400, dry_run };
    let teams = wait(&runtime, store.admin.collect_photos(pass))?;
    let verb = if dry_run { "would remove" } else { "removed" };
    for t in &teams {
        println!("team \"{}\": {verb} {} photos ({} bytes); {} newly unnamed", t.team, t.collected, t.bytes, t.marked);
    }
    let (count, bytes) = teams.iter().fold((0, 0), |(c, b), t| (c + t.collected, b + t.bytes));
    println!("{verb} {count} photos ({bytes} bytes) in {} (grace period {grace_days} days)", store.shown);
    Ok(())
}

fn token(cmd: TokenCommand) -> Result<(), String> {
    let runtime = runtime()?;
    match cmd {
        TokenCommand::Create { team, admin, label, db } => {
            let store = db.open(&runtime)?;
            let kind = if admin { TokenKind::Admin } else { TokenKind::Team };
            let token = wait(&runtime, xunfang_server::store::create_token(&*store.admin, &team, &label, kind))?;
            println!("{token}");
            eprintln!(
                "new {} for team \"{}\"{} in {}.\n\
                 {} It is shown only this once;\n\
                 revoke it with: {} token revoke {} {}",
                if admin { "admin token" } else { "access token" },
                team.trim(),
                if label.is_empty() { String::new() } else { format!(" ({label})") },
                store.shown,
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
            let store = db.open(&runtime)?;
            let tokens = wait(&runtime, store.admin.list_tokens())?;
            if tokens.is_empty() {
                println!("no tokens in {}; create one with: {} token create --team office {}", store.shown, me(), db.cli());
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
            let store = db.open(&runtime)?;
            let given = xunfang_server::store::tokens::revoke_argument(&token).map_err(|e| e.to_string())?;
            let (info, already) = wait(&runtime, store.admin.revoke_token(given, token.trim().to_string()))?;
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
    let runtime = runtime()?;
    let store = db.open(&runtime)?;
    let done = wait(&runtime, store.backup.backup(file.to_path_buf()))?;
    println!(
        "backed up {} to {}: {} teams, {} documents, {} photos.\nPut it back with: {} restore {} {}",
        store.shown,
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

/// A dated backup in `dir`, then all but the newest `keep` there removed (the daily timer's command).
fn backup_into(dir: &std::path::Path, keep: usize, db: &DbArgs) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the backup directory {}: {e}", dir.display()))?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    backup(&dir.join(xunfang_server::backup_dir::name_at(now)), db)?;
    let removed = xunfang_server::backup_dir::prune(dir, keep)
        .map_err(|e| format!("the backup was written, but old ones in {} could not be removed: {e}", dir.display()))?;
    for path in removed {
        println!("removed the old backup {}", path.display());
    }
    Ok(())
}

fn restore(file: &std::path::Path, db: &DbArgs) -> Result<(), String> {
    let runtime = runtime()?;
    let store = db.open(&runtime)?;
    let done = wait(&runtime, store.backup.restore(file.to_path_buf()))?;
    println!(
        "restored {} from {}: {} teams, {} documents, {} photos.\n\
         The database has a new epoch ({}…): at their next sync tablets pull from the start and push\n\
         everything they hold, so edits made after the backup come back from the tablets that have them.",
        store.shown,
        file.display(),
        done.teams,
        done.docs,
        done.blobs,
        &done.epoch[..8]
    );
    Ok(())
}

fn migrate(from: &std::path::Path, to: &str, pg: &PgArgs) -> Result<(), String> {
    if !from.is_file() {
        return Err(format!("no SQLite database at {} (give the file, e.g. --from data/xunfang.sqlite3)", from.display()));
    }
    if !is_postgres_url(to) {
        return Err(format!("--to takes a PostgreSQL address (postgres://USER@HOST/DB or host=/run/postgresql dbname=DB), not \"{to}\""));
    }
    let source = SqliteStore::open(from).map_err(|e| e.to_string())?;
    // Nothing may write to the file while it is copied.
    let _lock = source.lock_for_serving().map_err(|e| e.to_string())?;
    let runtime = runtime()?;
    let target = wait(&runtime, PgStore::open(to, pg.settings()))?;
    let done = wait(&runtime, target.import(&source))?;
    println!(
        "copied {} into PostgreSQL {}: {} teams, {} tokens, {} documents, {} photos; counts, documents and photos checked.\n\
         The epoch ({}…) and every sequence number are kept: tablets resume where they were.\n\
         Start the servers with --database URL (and keep {} as it is until they run).",
        from.display(),
        target.shown(),
        done.teams,
        done.tokens,
        done.docs,
        done.blobs,
        &done.epoch[..8.min(done.epoch.len())],
        from.display()
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
