//! The connection pool and migrations. One query text serves both engines
//! (`$n` parameters, BIGINT times); only the migrations differ per engine.

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; \
                             PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; \
                             PRAGMA cache_size=-16000;",
                        )
                        .await?;
                    } else {
                        // Plans for the pattern at hand: a generic plan for
                        // `LIKE $2` cannot tell "*@example.test" (every
                        // member) from "okafor" (a few) and picks one way for
                        // both. Planning takes well under a millisecond.
                        conn.execute("SET plan_cache_mode = force_custom_plan")
                            .await?;
                        // Index reads cost about what sequential ones do on
                        // SSDs and cached data; the default (4) assumes
                        // spinning disks, and then counting a wildcard that
                        // matches every member reads all their rows rather
                        // than the far smaller index.
                        conn.execute("SET random_page_cost = 1.1").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db { pool, engine })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    /// A write transaction. On SQLite it takes the write lock up front so two
    /// writers never deadlock upgrading from read to write.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }
}

/// A write transaction on a connection already taken from the pool (for
/// work that changes the connection's settings around it).
pub async fn begin_write(
    conn: &mut sqlx::AnyConnection,
    sqlite: bool,
) -> Result<sqlx::Transaction<'_, sqlx::Any>, sqlx::Error> {
    use sqlx::Connection;
    if sqlite {
        conn.begin_with("BEGIN IMMEDIATE").await
    } else {
        conn.begin().await
    }
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A record's key. Time-ordered (UUIDv7), so a bulk insert appends to the
/// primary-key and foreign-key indexes instead of splitting pages all over
/// them; never a secret, since its first 48 bits tell when it was made.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A handle a client holds for a ceremony in progress (a sign-in's pending
/// login, a second step's ticket): random throughout, nothing to guess from.
pub fn new_handle() -> String {
    uuid::Uuid::new_v4().to_string()
}
