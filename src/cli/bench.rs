//! `herald bench ...`: the measurements that live outside the test suite (see `crate::bench`).

use std::path::PathBuf;

use clap::Subcommand;

use super::runtime;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Fan one alert out to N subscriptions through the real delivery path; prints one JSON line.
    Fanout {
        /// How many subscriptions (real P-256 keys) to create.
        #[arg(long, default_value_t = 20_000)]
        subscriptions: usize,
        /// Push service to send to (default: a loopback sink started for the run).
        #[arg(long, value_name = "URL")]
        sink: Option<String>,
        /// Read subscriptions from JSON lines (endpoint, keys) instead of generating them.
        #[arg(long, value_name = "PATH")]
        subs: Option<PathBuf>,
        /// Extra CA certificate (PEM) to trust, for a TLS sink with a self-signed certificate.
        #[arg(long, value_name = "PATH")]
        ca_cert: Option<PathBuf>,
        /// Pushes in flight at once.
        #[arg(long, default_value_t = 512)]
        concurrency: u32,
        /// Pushes in flight at once to one push service.
        #[arg(long, default_value_t = 256)]
        per_origin_concurrency: u32,
    },
    /// Subscribe requests at a fixed rate from many loopback addresses while fan-outs to a
    /// large audience run back to back; prints one JSON line (errors, latency, fan-out pace).
    Load {
        /// Subscribe requests per second.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
        rate: u32,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Subscriptions stored before the run; every alert goes to all of them.
        #[arg(long, default_value_t = 100_000)]
        audience: usize,
        /// Client addresses (127.0.0.2 upwards) the requests are spread over.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..60000))]
        addresses: u32,
        /// The server's subscribe limit per address and minute (0: off).
        #[arg(long, default_value_t = 30)]
        rate_limit: u32,
    },
    /// Time the diff engine on a 10 KB article against a story with many prior documents.
    Engine {
        #[arg(long, default_value_t = 1000)]
        prior: usize,
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    /// Main-text extraction time on pages nested to be slow, and flat pages of the same size;
    /// prints one JSON line.
    Pages {
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
        runs: u64,
    },
    /// Time from a changed source (a fetched page; a WebSub POST) to the push leaving Herald,
    /// through the whole server against loopback stand-ins; prints one JSON line.
    Latency {
        /// Runs of each kind.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        runs: u64,
    },
    /// A loopback push service that answers 201 to every push; prints its address.
    Sink {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
    /// N feed sources every minute against a loopback feed server that mostly answers 304;
    /// prints one JSON line with Herald's CPU and memory.
    Sources {
        /// How many feed sources, each on the schedule `every 1m`.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        sources: u64,
        /// Minutes measured, after one minute of warm-up.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        minutes: u64,
        /// Share of the feeds (in %) that change each minute.
        #[arg(long, default_value_t = 2.0)]
        changed_percent: f64,
    },
    /// A loopback server of N small RSS feeds with ETags, for `bench sources`; prints its address.
    FeedServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
        #[arg(long, default_value_t = 1000)]
        feeds: usize,
        /// Share of the feeds (in %) that change each minute.
        #[arg(long, default_value_t = 2.0)]
        changed_percent: f64,
    },
}

pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Fanout {
            subscriptions,
            sink,
            subs,
            ca_cert,
            concurrency,
            per_origin_concurrency,
        } => {
            let options = crate::bench::fanout::FanoutOptions {
                subscriptions,
                sink,
                subs_file: subs,
                ca_cert,
                concurrency,
                per_origin_concurrency,
            };
            let report = runtime()?.block_on(crate::bench::fanout::run(options))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        BenchCommand::Load {
            rate,
            seconds,
            audience,
            addresses,
            rate_limit,
        } => {
            let options = crate::bench::load::LoadOptions {
                rate,
                seconds,
                audience,
                addresses,
                rate_limit_per_minute: rate_limit,
            };
            let report = runtime()?.block_on(crate::bench::load::run(options))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        BenchCommand::Engine { prior, runs } => {
            let report = crate::bench::engine::run(prior, runs);
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        BenchCommand::Pages { runs } => {
            let report = crate::bench::pages::run(usize::try_from(runs)?);
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        BenchCommand::Latency { runs } => {
            let report = runtime()?.block_on(crate::bench::latency::run(usize::try_from(runs)?))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        BenchCommand::Sink { listen } => {
            let received =
                runtime()?.block_on(crate::bench::sink::run(listen, crate::shutdown::signal()))?;
            eprintln!("sink received {received} pushes");
            Ok(())
        }
        BenchCommand::Sources {
            sources,
            minutes,
            changed_percent,
        } => {
            let options = crate::bench::sources::SourcesOptions {
                sources: usize::try_from(sources)?,
                minutes,
                changed_percent,
            };
            let report = runtime()?.block_on(crate::bench::sources::run(options))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        BenchCommand::FeedServer {
            listen,
            feeds,
            changed_percent,
        } => {
            let shutdown = crate::shutdown::signal();
            let run =
                crate::bench::sources::feed_server::run(listen, feeds, changed_percent, shutdown);
            let stats = runtime()?.block_on(run)?;
            eprintln!("feed server answered {} fetches", stats.fetches);
            Ok(())
        }
    }
}
