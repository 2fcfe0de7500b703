//! Configuration from a TOML file, then `COFFER_*` environment variables,
//! then command-line flags (each later source wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use coffer_shared::policy::{PASSWORD_MIN_DEFAULT, PASSWORD_MIN_FLOOR};
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`; defaults to `<data_dir>/coffer.db`.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    /// Origin browsers use to reach Coffer; defaults to `http://<bind>`.
    pub public_url: Option<String>,
    /// `smtp://…` or `smtps://…`; without it mail goes to `<data_dir>/outbox`.
    pub smtp_url: Option<String>,
    /// PLT-1: `s3://bucket[/prefix]` keeps ciphertext in S3-compatible
    /// storage (credentials, region and endpoint from the usual `AWS_…`
    /// variables); without it, `<data_dir>/blobs`.
    pub blob_url: Option<String>,
    pub smtp_from: String,
    pub invitation_expiry_hours: i64,
    pub password_min_length: usize,
    pub lockout_threshold: u32,
    /// Directory holding the built browser app (Trunk's `dist/`).
    pub site_dir: PathBuf,
    /// A session ends after this many idle minutes…
    pub session_idle_minutes: u32,
    /// …and at the latest this many hours after sign-in.
    pub session_max_hours: u32,
    /// Adding or removing a passkey or binding an authenticator app needs
    /// a password or second-factor proof this recent.
    pub reauthentication_seconds: u32,
    /// Calls to the endpoints anyone may call (sign-in, links, setup), per
    /// client address and minute.
    pub rate_limit_per_address: u32,
    /// Sign-in starts and contact requests per identifier (email or user
    /// name) and minute.
    pub rate_limit_per_identifier: u32,
    /// Behind a reverse proxy: the request header holding the client's
    /// address (e.g. `X-Forwarded-For`, `X-Real-IP`). Without it the
    /// connection's address is used and such headers are ignored.
    pub trusted_proxy_header: Option<String>,
    /// SMTP connections used at once to deliver mail.
    pub smtp_connections: u32,
    /// Requests (server functions, uploads, downloads) worked on at once…
    pub max_requests_in_flight: u32,
    /// …and how many more may wait for a turn; beyond that, or after
    /// waiting too long, the answer is 503 "busy" at once.
    pub max_requests_queued: u32,
    /// A request body that sends nothing for this long is refused (408):
    /// a stalled upload must not hold a connection and its memory.
    pub request_body_idle_seconds: u32,
    /// Client addresses `/metrics` answers (PLT-7).
    pub metrics_addresses: Vec<std::net::IpAddr>,
    /// A bearer token that opens `/metrics` from any address.
    pub metrics_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            data_dir: PathBuf::from("coffer-data"),
            bind: "127.0.0.1:8080".parse().expect("literal address"),
            public_url: None,
            smtp_url: None,
            blob_url: None,
            smtp_from: "Coffer <coffer@localhost>".into(),
            invitation_expiry_hours: 24,
            password_min_length: PASSWORD_MIN_DEFAULT,
            lockout_threshold: 10,
            site_dir: PathBuf::from("dist"),
            session_idle_minutes: 30,
            session_max_hours: 12,
            reauthentication_seconds: 300,
            rate_limit_per_address: 120,
            rate_limit_per_identifier: 10,
            trusted_proxy_header: None,
            smtp_connections: 4,
            max_requests_in_flight: 16,
            max_requests_queued: 64,
            request_body_idle_seconds: 30,
            metrics_addresses: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
            metrics_token: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("invalid value for {key}: {reason}")]
    Value { key: String, reason: String },
}

/// The file and environment use the same names (`bind` ↔ `COFFER_BIND`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    bind: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    blob_url: Option<String>,
    smtp_from: Option<String>,
    invitation_expiry_hours: Option<i64>,
    password_min_length: Option<usize>,
    lockout_threshold: Option<u32>,
    site_dir: Option<PathBuf>,
    session_idle_minutes: Option<u32>,
    session_max_hours: Option<u32>,
    reauthentication_seconds: Option<u32>,
    rate_limit_per_address: Option<u32>,
    rate_limit_per_identifier: Option<u32>,
    trusted_proxy_header: Option<String>,
    smtp_connections: Option<u32>,
    max_requests_in_flight: Option<u32>,
    max_requests_queued: Option<u32>,
    request_body_idle_seconds: Option<u32>,
    metrics_addresses: Option<String>,
    metrics_token: Option<String>,
}

pub const KEYS: &[&str] = &[
    "database_url",
    "data_dir",
    "bind",
    "public_url",
    "smtp_url",
    "blob_url",
    "smtp_from",
    "invitation_expiry_hours",
    "password_min_length",
    "lockout_threshold",
    "site_dir",
    "session_idle_minutes",
    "session_max_hours",
    "reauthentication_seconds",
    "rate_limit_per_address",
    "rate_limit_per_identifier",
    "trusted_proxy_header",
    "smtp_connections",
    "max_requests_in_flight",
    "max_requests_queued",
    "request_body_idle_seconds",
    "metrics_addresses",
    "metrics_token",
];

/// Whole-number settings with their allowed range.
const NUMBERS: &[(&str, u32, u32)] = &[
    ("session_idle_minutes", 1, 24 * 60),
    ("session_max_hours", 1, 24 * 30),
    ("reauthentication_seconds", 0, 3600),
    ("rate_limit_per_address", 1, 1_000_000),
    ("rate_limit_per_identifier", 1, 1_000_000),
    ("smtp_connections", 1, 32),
    ("max_requests_in_flight", 1, 4096),
    ("max_requests_queued", 0, 100_000),
    ("request_body_idle_seconds", 1, 600),
];

fn bad(key: &str, reason: impl ToString) -> ConfigError {
    ConfigError::Value {
        key: key.into(),
        reason: reason.to_string(),
    }
}

impl Config {
    /// Builds the configuration from an optional file and the given
    /// environment (passed in so tests need not touch the process's).
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            let layer: Layer = toml::from_str(&text).map_err(|e| ConfigError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            cfg.apply(layer)?;
        }
        let mut layer = Layer::default();
        let get = |k: &str| env(&format!("COFFER_{}", k.to_uppercase())).filter(|v| !v.is_empty());
        layer.database_url = get("database_url");
        layer.data_dir = get("data_dir").map(PathBuf::from);
        layer.bind = get("bind");
        layer.public_url = get("public_url");
        layer.smtp_url = get("smtp_url");
        layer.blob_url = get("blob_url");
        layer.smtp_from = get("smtp_from");
        layer.site_dir = get("site_dir").map(PathBuf::from);
        layer.invitation_expiry_hours = parse_env(&get, "invitation_expiry_hours")?;
        layer.password_min_length = parse_env(&get, "password_min_length")?;
        layer.lockout_threshold = parse_env(&get, "lockout_threshold")?;
        layer.session_idle_minutes = parse_env(&get, "session_idle_minutes")?;
        layer.session_max_hours = parse_env(&get, "session_max_hours")?;
        layer.reauthentication_seconds = parse_env(&get, "reauthentication_seconds")?;
        layer.rate_limit_per_address = parse_env(&get, "rate_limit_per_address")?;
        layer.rate_limit_per_identifier = parse_env(&get, "rate_limit_per_identifier")?;
        layer.trusted_proxy_header = get("trusted_proxy_header");
        layer.smtp_connections = parse_env(&get, "smtp_connections")?;
        layer.max_requests_in_flight = parse_env(&get, "max_requests_in_flight")?;
        layer.max_requests_queued = parse_env(&get, "max_requests_queued")?;
        layer.request_body_idle_seconds = parse_env(&get, "request_body_idle_seconds")?;
        layer.metrics_addresses = get("metrics_addresses");
        layer.metrics_token = get("metrics_token");
        cfg.apply(layer)?;
        Ok(cfg)
    }

    fn apply(&mut self, l: Layer) -> Result<(), ConfigError> {
        if let Some(v) = l.database_url {
            self.set("database_url", &v)?;
        }
        if let Some(v) = l.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = l.bind {
            self.set("bind", &v)?;
        }
        if let Some(v) = l.public_url {
            self.set("public_url", &v)?;
        }
        if let Some(v) = l.blob_url {
            self.set("blob_url", &v)?;
        }
        if let Some(v) = l.smtp_url {
            self.set("smtp_url", &v)?;
        }
        if let Some(v) = l.smtp_from {
            self.smtp_from = v;
        }
        if let Some(v) = l.invitation_expiry_hours {
            self.set("invitation_expiry_hours", &v.to_string())?;
        }
        if let Some(v) = l.password_min_length {
            self.set("password_min_length", &v.to_string())?;
        }
        if let Some(v) = l.lockout_threshold {
            self.set("lockout_threshold", &v.to_string())?;
        }
        if let Some(v) = l.site_dir {
            self.site_dir = v;
        }
        for (key, value) in [
            ("session_idle_minutes", l.session_idle_minutes),
            ("session_max_hours", l.session_max_hours),
            ("reauthentication_seconds", l.reauthentication_seconds),
            ("rate_limit_per_address", l.rate_limit_per_address),
            ("rate_limit_per_identifier", l.rate_limit_per_identifier),
            ("smtp_connections", l.smtp_connections),
            ("max_requests_in_flight", l.max_requests_in_flight),
            ("max_requests_queued", l.max_requests_queued),
            ("request_body_idle_seconds", l.request_body_idle_seconds),
        ] {
            if let Some(v) = value {
                self.set(key, &v.to_string())?;
            }
        }
        if let Some(v) = l.trusted_proxy_header {
            self.set("trusted_proxy_header", &v)?;
        }
        if let Some(v) = l.metrics_addresses {
            self.set("metrics_addresses", &v)?;
        }
        if let Some(v) = l.metrics_token {
            self.set("metrics_token", &v)?;
        }
        Ok(())
    }

    fn number_slot(&mut self, key: &str) -> Option<&mut u32> {
        Some(match key {
            "session_idle_minutes" => &mut self.session_idle_minutes,
            "session_max_hours" => &mut self.session_max_hours,
            "reauthentication_seconds" => &mut self.reauthentication_seconds,
            "rate_limit_per_address" => &mut self.rate_limit_per_address,
            "rate_limit_per_identifier" => &mut self.rate_limit_per_identifier,
            "smtp_connections" => &mut self.smtp_connections,
            "max_requests_in_flight" => &mut self.max_requests_in_flight,
            "max_requests_queued" => &mut self.max_requests_queued,
            "request_body_idle_seconds" => &mut self.request_body_idle_seconds,
            _ => return None,
        })
    }

    /// Sets one key from text, validating it (used for every source).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        if let Some(&(_, lo, hi)) = NUMBERS.iter().find(|(k, _, _)| *k == key) {
            let n: u32 = value
                .parse()
                .map_err(|_| bad(key, "expected a whole number"))?;
            if !(lo..=hi).contains(&n) {
                return Err(bad(key, format!("must be between {lo} and {hi}")));
            }
            if let Some(slot) = self.number_slot(key) {
                *slot = n;
            }
            return Ok(());
        }
        match key {
            "metrics_addresses" => {
                self.metrics_addresses = value
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| {
                        a.parse()
                            .map_err(|_| bad(key, format!("{a:?} is not an IP address")))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "metrics_token" => {
                if value.trim().chars().count() < 32 {
                    return Err(bad(key, "must be at least 32 characters"));
                }
                self.metrics_token = Some(value.trim().to_string());
            }
            "trusted_proxy_header" => {
                let name = value.trim();
                if header_name_ok(name) {
                    self.trusted_proxy_header = Some(name.to_ascii_lowercase());
                } else {
                    return Err(bad(key, "expected a header name such as X-Forwarded-For"));
                }
            }
            "database_url" => {
                if !(value.starts_with("sqlite:")
                    || value.starts_with("postgres://")
                    || value.starts_with("postgresql://"))
                {
                    return Err(bad(key, "must start with sqlite: or postgres://"));
                }
                self.database_url = Some(value.into());
            }
            "data_dir" => self.data_dir = PathBuf::from(value),
            "site_dir" => self.site_dir = PathBuf::from(value),
            "bind" => {
                self.bind = value
                    .parse()
                    .map_err(|_| bad(key, "expected an address like 127.0.0.1:8080"))?
            }
            "public_url" => {
                let u = url::Url::parse(value).map_err(|e| bad(key, e))?;
                if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
                    return Err(bad(key, "expected an http:// or https:// URL"));
                }
                self.public_url = Some(value.trim_end_matches('/').into());
            }
            "smtp_url" => {
                let u = url::Url::parse(value).map_err(|e| bad(key, e))?;
                if !matches!(u.scheme(), "smtp" | "smtps") {
                    return Err(bad(key, "expected smtp://host:port or smtps://host:port"));
                }
                self.smtp_url = Some(value.into());
            }
            "blob_url" => {
                let u = url::Url::parse(value).map_err(|e| bad(key, e))?;
                if u.scheme() != "s3" || u.host_str().is_none_or(str::is_empty) {
                    return Err(bad(key, "expected s3://bucket or s3://bucket/prefix"));
                }
                self.blob_url = Some(value.trim_end_matches('/').into());
            }
            "smtp_from" => self.smtp_from = value.into(),
            "invitation_expiry_hours" => {
                let h: i64 = value
                    .parse()
                    .map_err(|_| bad(key, "expected a whole number of hours"))?;
                if !(1..=24 * 90).contains(&h) {
                    return Err(bad(key, "must be between 1 and 2160 hours"));
                }
                self.invitation_expiry_hours = h;
            }
            "password_min_length" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| bad(key, "expected a whole number"))?;
                if !(PASSWORD_MIN_FLOOR..=128).contains(&n) {
                    return Err(bad(
                        key,
                        format!("must be between {PASSWORD_MIN_FLOOR} and 128"),
                    ));
                }
                self.password_min_length = n;
            }
            "lockout_threshold" => {
                let n: u32 = value
                    .parse()
                    .map_err(|_| bad(key, "expected a whole number"))?;
                if !(1..=1000).contains(&n) {
                    return Err(bad(key, "must be between 1 and 1000"));
                }
                self.lockout_threshold = n;
            }
            _ => return Err(bad(key, "unknown setting")),
        }
        Ok(())
    }

    pub fn session_idle_ms(&self) -> i64 {
        i64::from(self.session_idle_minutes) * 60_000
    }

    pub fn session_max_ms(&self) -> i64 {
        i64::from(self.session_max_hours) * 3_600_000
    }

    pub fn reauthentication_ms(&self) -> i64 {
        i64::from(self.reauthentication_seconds) * 1000
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("coffer.db").display()
            )
        })
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The local blob store (ciphertext), until S3 is configured.
    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    pub fn secret_key_path(&self) -> PathBuf {
        self.data_dir.join("server-secret.key")
    }

    /// ACC-1: the one-time setup code, until the administrator exists.
    pub fn setup_code_path(&self) -> PathBuf {
        self.data_dir.join("setup-code")
    }
}

/// An HTTP header name: letters, digits and dashes.
fn header_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn parse_env<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
) -> Result<Option<T>, ConfigError> {
    match get(key) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| bad(key, format!("cannot read {v:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("coffer.toml");
        std::fs::write(
            &file,
            "bind = \"127.0.0.1:9000\"\npassword_min_length = 10\n",
        )
        .unwrap();
        let cfg = Config::load(Some(&file), |k| {
            (k == "COFFER_PASSWORD_MIN_LENGTH").then(|| "12".into())
        })
        .unwrap();
        assert_eq!(cfg.bind.port(), 9000);
        assert_eq!(cfg.password_min_length, 12);
        assert_eq!(cfg.invitation_expiry_hours, 24);
        assert!(cfg
            .database_url()
            .starts_with("sqlite://coffer-data/coffer.db"));
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::load(None, |k| {
            (k == "COFFER_PASSWORD_MIN_LENGTH").then(|| "4".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("password_min_length"), "{err}");
        let err =
            Config::load(None, |k| (k == "COFFER_BIND").then(|| "nowhere".into())).unwrap_err();
        assert!(err.to_string().contains("bind"), "{err}");
        let err = Config::load(None, |k| {
            (k == "COFFER_SESSION_IDLE_MINUTES").then(|| "0".into())
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("session_idle_minutes: must be between 1 and 1440"),
            "{err}"
        );
        let err = Config::load(None, |k| {
            (k == "COFFER_TRUSTED_PROXY_HEADER").then(|| "X Forwarded".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("trusted_proxy_header"), "{err}");
        let ok = Config::load(None, |k| match k {
            "COFFER_RATE_LIMIT_PER_ADDRESS" => Some("7".into()),
            "COFFER_TRUSTED_PROXY_HEADER" => Some("X-Real-IP".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(ok.rate_limit_per_address, 7);
        assert_eq!(ok.trusted_proxy_header.as_deref(), Some("x-real-ip"));
        let metrics = Config::load(None, |k| match k {
            "COFFER_METRICS_ADDRESSES" => Some("10.0.0.9, ::1".into()),
            "COFFER_METRICS_TOKEN" => Some("x".repeat(32)),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            metrics.metrics_addresses,
            [
                "10.0.0.9".parse::<std::net::IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        for (key, value) in [
            ("COFFER_METRICS_ADDRESSES", "10.0.0.300"),
            ("COFFER_METRICS_TOKEN", "short"),
        ] {
            let err = Config::load(None, |k| (k == key).then(|| value.into())).unwrap_err();
            assert!(err.to_string().contains(&key[7..].to_lowercase()), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "colour = 1\n").unwrap();
        assert!(matches!(
            Config::load(Some(&file), |_| None),
            Err(ConfigError::File { .. })
        ));
    }
}
