//! Multi-row statements for bulk writes (imports, audit records): values
//! bound on one thread while the connection runs the statements before it.

use super::{Conn, R};

/// Rows per statement: a few thousand parameters, so 100,000 rows take a
/// few hundred statements (each a round trip on PostgreSQL, which allows
/// 65,535 parameters; SQLite allows 32,766).
pub(crate) fn chunk(cols: usize) -> usize {
    (8_000 / cols).max(1)
}

/// The placeholder of parameter `n` (1-based, in the order of the text).
/// SQLite gets anonymous `?`: for numbered ones its driver asks SQLite for
/// every parameter's name, and SQLite finds a name by walking the list of
/// them, so a statement's binding costs the square of its parameters.
pub(crate) fn placeholder(sqlite: bool, n: usize) -> String {
    if sqlite {
        "?".into()
    } else {
        format!("${n}")
    }
}

/// `(p1, …), (pn+1, …)` for `rows` rows of `cols` values.
pub(crate) fn values(sqlite: bool, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=cols)
                .map(|k| placeholder(sqlite, r * cols + k))
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A bulk statement with its values bound, not yet run: built on one thread
/// while the connection runs the statements before it.
pub type Bulk = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// Runs bulk statements in order.
pub async fn run_bulk(c: &mut Conn, statements: Vec<Bulk>) -> R<()> {
    for q in statements {
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// Multi-row `INSERT INTO {into} VALUES …` statements of `cols` values a
/// row, each row's values bound by `bind`.
pub(crate) fn multi_row<T>(
    sqlite: bool,
    into: &str,
    cols: usize,
    rows: &[T],
    bind: impl Fn(Bulk, &T) -> Bulk,
) -> Vec<Bulk> {
    rows.chunks(chunk(cols))
        .map(|part| {
            let sql = sqlx::AssertSqlSafe(format!(
                "INSERT INTO {into} VALUES {}",
                values(sqlite, part.len(), cols)
            ));
            part.iter().fold(sqlx::query(sql), &bind)
        })
        .collect()
}

pub struct BulkMail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub message: Vec<u8>,
}

/// Bulk mail (an import's invitations): queued behind interactive mail.
pub fn enqueue_mails(sqlite: bool, rows: &[BulkMail], now: i64) -> Vec<Bulk> {
    multi_row(
        sqlite,
        "mail_queue (id, recipient, subject, message, created_at, next_attempt_at, priority)",
        7,
        rows,
        |q, m| {
            q.bind(m.id.as_str())
                .bind(m.recipient.as_str())
                .bind(m.subject.as_str())
                .bind(m.message.as_slice())
                .bind(now)
                .bind(now)
                .bind(crate::store::MAIL_BULK)
        },
    )
}
