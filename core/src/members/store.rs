//! SQL of the Users page (ORG-1): filters, sorting and pages over the
//! members of an organisation; a member's row; groups (ORG-6); the
//! per-account preferences the page keeps (its columns).

use coffer_shared::ids::GroupId;
use coffer_shared::members::{GroupView, MemberColumn, MemberRow, SearchField};
use coffer_shared::types::{AccountType, AdminTier, Role};
use sqlx::Row;

use crate::store::{is_sqlite, role_code, role_from, tier_code, tier_from, Conn, R};

pub async fn set_names(c: &mut Conn, account_id: &str, first_name: &str, last_name: &str) -> R<()> {
    sqlx::query("UPDATE accounts SET first_name = $1, last_name = $2 WHERE id = $3")
        .bind(first_name)
        .bind(last_name)
        .bind(account_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn is_member(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE organisation_id = $1 AND account_id = $2",
    )
    .bind(organisation_id)
    .bind(account_id)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

pub struct MemberFilter<'a> {
    pub field: SearchField,
    /// A lower-case `LIKE` pattern with `\` as escape, or none for all.
    pub pattern: Option<&'a str>,
    /// The person typed no wildcard: the pattern is `%text%`.
    pub contains: bool,
}

/// Role and tier are matched by the words the page shows, not the codes.
const ROLE_LABEL: &str = "(CASE m.role WHEN 'adhoc' THEN 'ad hoc' ELSE m.role END)";
const MEMBER_FROM: &str = "FROM memberships m JOIN accounts a ON a.id = m.account_id \
     LEFT JOIN groups g ON g.id = m.group_id LEFT JOIN plans p ON p.id = m.plan_id \
     WHERE m.organisation_id = $1";

/// Whether the filter's SQL uses the pattern as parameter `$2`.
fn binds_pattern(f: &MemberFilter<'_>) -> bool {
    f.pattern.is_some() && !matches!(f.field, SearchField::Role | SearchField::Admin)
}

fn filter_sql(f: &MemberFilter<'_>, sqlite: bool) -> String {
    let Some(pattern) = f.pattern else {
        return String::new();
    };
    // The `*_key` columns are already lower-cased (migration 0010). On
    // PostgreSQL, `|| ''` keeps a pattern too short for the trigram
    // indexes away from them.
    let indexable = sqlite || trigram_selective(pattern);
    let like = |col: &str| {
        if indexable {
            format!("{col} LIKE $2 ESCAPE '\\'")
        } else {
            format!("({col} || '') LIKE $2 ESCAPE '\\'")
        }
    };
    // Role and tier have a handful of values: the pattern is matched
    // against their words here and the query asks for the codes, which
    // the (organisation, role/tier, …) indexes answer directly.
    let roles = || {
        [Role::AdHoc, Role::Collaborator, Role::Originator]
            .into_iter()
            .filter(|r| like_matches(pattern, &r.as_str().to_lowercase()))
            .map(role_code)
    };
    let tiers = || {
        [AdminTier::None, AdminTier::Admin, AdminTier::Liaison]
            .into_iter()
            .filter(|t| like_matches(pattern, &t.as_str().to_lowercase()))
            .map(tier_code)
    };
    let cond = match f.field {
        SearchField::Email => like("m.email_key"),
        SearchField::FirstName => like("m.first_key"),
        SearchField::LastName => like("m.last_key"),
        SearchField::Role => codes_in("m.role", roles()),
        SearchField::Admin => codes_in("m.admin_tier", tiers()),
        // SQLite scans its narrow (organisation, joined key) index for a
        // "contains" across every field.
        SearchField::All if f.contains && sqlite => like("m.search_key"),
        // PostgreSQL combines the per-field trigram indexes and the role and
        // tier indexes (a bitmap OR); a trigram index on the joined key cost
        // the CSV import a quarter of its time (migration 0018).
        SearchField::All if f.contains => {
            let mut arms = vec![like("m.email_key"), like("m.first_key"), like("m.last_key")];
            if roles().next().is_some() {
                arms.push(codes_in("m.role", roles()));
            }
            if tiers().next().is_some() {
                arms.push(codes_in("m.admin_tier", tiers()));
            }
            arms.join(" OR ")
        }
        SearchField::All => [
            like("m.email_key"),
            like("m.first_key"),
            like("m.last_key"),
            like(ROLE_LABEL),
            like("m.admin_tier"),
        ]
        .join(" OR "),
    };
    format!(" AND ({cond})")
}

/// `col IN ('a', 'b')` from fixed codes (never user text); nothing matches
/// when the list is empty.
fn codes_in(col: &str, codes: impl Iterator<Item = &'static str>) -> String {
    let list: Vec<String> = codes.map(|c| format!("'{c}'")).collect();
    if list.is_empty() {
        "1 = 0".into()
    } else {
        format!("{col} IN ({})", list.join(", "))
    }
}

/// One element of a `LIKE` pattern.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Like {
    Any,
    One,
    Char(char),
}

fn like_elements(pattern: &str) -> Vec<Like> {
    let mut p = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        p.push(match c {
            '%' => Like::Any,
            '_' => Like::One,
            '\\' => Like::Char(chars.next().unwrap_or('\\')),
            c => Like::Char(c),
        });
    }
    p
}

/// Whether a trigram index can narrow this pattern down: it needs three
/// literal characters in a row. For a shorter pattern (`%zz%`) pg_trgm
/// reads its whole index, slower than the scans the planner has otherwise.
fn trigram_selective(pattern: &str) -> bool {
    like_elements(pattern)
        .split(|e| !matches!(e, Like::Char(_)))
        .any(|run| run.len() >= 3)
}

/// SQL `LIKE` semantics (`%`, `_`, `\` escape) on already lower-cased text,
/// in at most pattern × text steps: on a mismatch only the latest `%` is
/// retried one character further (a match found for an earlier `%` never
/// needs undoing), so no pattern can make it backtrack exponentially.
pub fn like_matches(pattern: &str, text: &str) -> bool {
    let p = like_elements(pattern);
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut retry: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(Like::Any) => {
                retry = Some((pi, ti));
                pi += 1;
            }
            Some(Like::One) => {
                pi += 1;
                ti += 1;
            }
            Some(Like::Char(c)) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match retry {
                Some((star, from)) => {
                    pi = star + 1;
                    ti = from + 1;
                    retry = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|e| *e == Like::Any)
}

fn sort_sql(col: MemberColumn) -> &'static str {
    match col {
        MemberColumn::Email => "m.email_key",
        MemberColumn::FirstName => "m.first_key",
        MemberColumn::LastName => "m.last_key",
        MemberColumn::Role => "m.role",
        MemberColumn::Admin => "m.admin_tier",
        MemberColumn::Group => "m.group_key",
        MemberColumn::AccountType => "m.account_type",
        MemberColumn::Plan => "m.plan_key",
        MemberColumn::Locked => "m.locked_key",
        MemberColumn::Mfa => "m.mfa_key",
        MemberColumn::Usage => "m.usage_key",
    }
}

async fn count_members(c: &mut Conn, organisation_id: &str, f: &MemberFilter<'_>) -> R<i64> {
    // Built only from fixed fragments; user text is always a bound parameter.
    // Every filter column is on memberships, so no join is needed.
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM memberships m WHERE m.organisation_id = $1{}",
        filter_sql(f, is_sqlite(c))
    ));
    let mut q = sqlx::query_scalar(sql).bind(organisation_id);
    if let (Some(p), true) = (f.pattern, binds_pattern(f)) {
        q = q.bind(p);
    }
    q.fetch_one(c).await
}

const MEMBER_COLUMNS: &str =
    "a.id, a.email, a.first_name, a.last_name, m.role, m.admin_tier, m.account_type, \
     CASE WHEN a.activated_at IS NULL THEN 0 ELSE 1 END, COALESCE(g.name, ''), m.point_of_contact, \
     CASE WHEN a.locked_at IS NULL THEN 0 ELSE 1 END, COALESCE(p.name, ''), m.mfa_key, m.used_bytes";

fn member_from(r: &sqlx::any::AnyRow) -> R<MemberRow> {
    Ok(MemberRow {
        account_id: r.try_get::<String, _>(0)?.into(),
        email: r.try_get(1)?,
        first_name: r.try_get(2)?,
        last_name: r.try_get(3)?,
        role: role_from(&r.try_get::<String, _>(4)?),
        admin_tier: tier_from(&r.try_get::<String, _>(5)?),
        account_type: match r.try_get::<String, _>(6)?.as_str() {
            "external" => AccountType::External,
            "ldap" => AccountType::Ldap,
            _ => AccountType::Local,
        },
        active: r.try_get::<i64, _>(7)? != 0,
        group: r.try_get(8)?,
        point_of_contact: r.try_get::<i64, _>(9)? != 0,
        locked: r.try_get::<i64, _>(10)? != 0,
        plan: r.try_get(11)?,
        two_step: r.try_get::<i64, _>(12)? != 0,
        used_bytes: r.try_get(13)?,
    })
}

/// One page of members in the chosen order.
pub async fn list_members(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
    descending: bool,
    limit: i64,
    offset: i64,
) -> R<Vec<MemberRow>> {
    let dir = if descending { "DESC" } else { "ASC" };
    let (limit_param, offset_param) = if binds_pattern(f) {
        ("$3", "$4")
    } else {
        ("$2", "$3")
    };
    // Every sort and filter key is on memberships (each with an index led
    // by the organisation), so the page is found there first and only its
    // rows are joined: deep pages do not join the rows they skip.
    let order = format!("{} {dir}, m.email_key {dir}", sort_sql(sort));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM (SELECT m.account_id AS page_id \
         FROM memberships m WHERE m.organisation_id = $1{} ORDER BY {order} \
         LIMIT {limit_param} OFFSET {offset_param}) page \
         JOIN memberships m ON m.organisation_id = $1 AND m.account_id = page.page_id \
         JOIN accounts a ON a.id = m.account_id \
         LEFT JOIN groups g ON g.id = m.group_id LEFT JOIN plans p ON p.id = m.plan_id \
         ORDER BY {order}",
        filter_sql(f, is_sqlite(c)),
    ));
    let mut q = sqlx::query(sql).bind(organisation_id);
    if let (Some(p), true) = (f.pattern, binds_pattern(f)) {
        q = q.bind(p);
    }
    let rows = q.bind(limit).bind(offset).fetch_all(c).await?;
    rows.iter().map(member_from).collect()
}

pub async fn member(c: &mut Conn, organisation_id: &str, account_id: &str) -> R<Option<MemberRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} {MEMBER_FROM} AND a.id = $2"
    ));
    sqlx::query(sql)
        .bind(organisation_id)
        .bind(account_id)
        .fetch_optional(c)
        .await?
        .as_ref()
        .map(member_from)
        .transpose()
}

/// A search matching at most this many members has its page sorted from
/// the matches themselves (SQLite); beyond it the page is read in the sort
/// index's order, where matches are then dense enough to come quickly.
const FEW_MATCHES: usize = 2000;

/// One page of the Users table and how many members match its filter.
/// `unfiltered_total` is the organisation's member count, already known.
#[allow(clippy::too_many_arguments)]
pub async fn member_page(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
    descending: bool,
    limit: i64,
    offset: i64,
    unfiltered_total: i64,
) -> R<(i64, Vec<MemberRow>)> {
    if f.pattern.is_none() {
        let rows = list_members(c, organisation_id, f, sort, descending, limit, offset).await?;
        return Ok((unfiltered_total, rows));
    }
    // SQLite walks the sort index and tests every row it passes: for a
    // pattern that matches few members that meant the whole organisation
    // (up to 300 ms at 100,000 members). So it first reads the matches' sort
    // keys, stopping past FEW_MATCHES; a short list is sorted here.
    // PostgreSQL's planner estimates a pattern's matches from its trigram
    // statistics and chooses between the two plans itself.
    if is_sqlite(c) {
        if let Some(mut found) = few_matches(c, organisation_id, f, sort).await? {
            found.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
            if descending {
                found.reverse();
            }
            let from = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(found.len());
            let to = from
                .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
                .min(found.len());
            let ids: Vec<&str> = found[from..to].iter().map(|m| m.0.as_str()).collect();
            let rows = members_in_order(c, organisation_id, &ids).await?;
            return Ok((found.len() as i64, rows));
        }
    }
    // Past the last match there is no page to look for (a pattern that
    // matches nobody would otherwise walk the whole sort index).
    let total = count_members(c, organisation_id, f).await?;
    if offset >= total {
        return Ok((total, Vec::new()));
    }
    let rows = list_members(c, organisation_id, f, sort, descending, limit, offset).await?;
    Ok((total, rows))
}

/// Every match's (account id, sort key, email key), or `None` when there
/// are more than FEW_MATCHES. SQLite compares text byte by byte, as Rust
/// does, so sorting these here gives the order the index would.
async fn few_matches(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
) -> R<Option<Vec<(String, String, String)>>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT m.account_id, CAST({} AS TEXT), m.email_key FROM memberships m \
         WHERE m.organisation_id = $1{} LIMIT {}",
        sort_sql(sort),
        filter_sql(f, true),
        FEW_MATCHES + 1
    ));
    let mut q = sqlx::query(sql).bind(organisation_id);
    if let (Some(p), true) = (f.pattern, binds_pattern(f)) {
        q = q.bind(p);
    }
    let rows = q.fetch_all(c).await?;
    if rows.len() > FEW_MATCHES {
        return Ok(None);
    }
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<R<Vec<_>>>()
        .map(Some)
}

/// The members with these ids, in the order given.
async fn members_in_order(c: &mut Conn, organisation_id: &str, ids: &[&str]) -> R<Vec<MemberRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} {MEMBER_FROM} AND m.account_id IN ({})",
        marks.join(", ")
    ));
    let q = ids
        .iter()
        .fold(sqlx::query(sql).bind(organisation_id), |q, id| q.bind(*id));
    let mut rows = q
        .fetch_all(c)
        .await?
        .iter()
        .map(member_from)
        .collect::<R<Vec<_>>>()?;
    rows.sort_by_key(|r| ids.iter().position(|id| r.account_id == *id));
    Ok(rows)
}

/// Every member matching the filter, in page order (for exports).
pub async fn all_members(
    c: &mut Conn,
    organisation_id: &str,
    f: &MemberFilter<'_>,
    sort: MemberColumn,
    descending: bool,
) -> R<Vec<MemberRow>> {
    list_members(c, organisation_id, f, sort, descending, i64::MAX, 0).await
}

// ------------------------------------------------------------------ preferences

pub async fn preference(c: &mut Conn, account_id: &str, name: &str) -> R<Option<String>> {
    sqlx::query_scalar("SELECT value FROM preferences WHERE account_id = $1 AND name = $2")
        .bind(account_id)
        .bind(name)
        .fetch_optional(c)
        .await
}

pub async fn set_preference(c: &mut Conn, account_id: &str, name: &str, value: &str) -> R<()> {
    sqlx::query(
        "INSERT INTO preferences (account_id, name, value) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, name) DO UPDATE SET value = excluded.value",
    )
    .bind(account_id)
    .bind(name)
    .bind(value)
    .execute(c)
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ groups

pub async fn groups(c: &mut Conn, organisation_id: &str) -> R<Vec<GroupView>> {
    let rows = sqlx::query(
        "SELECT g.id, g.name, (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id) \
         FROM groups g WHERE g.organisation_id = $1 ORDER BY g.name_key",
    )
    .bind(organisation_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GroupView {
                id: GroupId::new(r.try_get::<String, _>(0)?),
                name: r.try_get(1)?,
                members: r.try_get(2)?,
            })
        })
        .collect()
}

pub async fn group_name_taken(c: &mut Conn, organisation_id: &str, name_key: &str) -> R<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM groups WHERE organisation_id = $1 AND name_key = $2",
    )
    .bind(organisation_id)
    .bind(name_key)
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

pub async fn insert_group(
    c: &mut Conn,
    id: &str,
    organisation_id: &str,
    name: &str,
    now: i64,
) -> R<()> {
    sqlx::query("INSERT INTO groups (id, organisation_id, name, name_key, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(organisation_id)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// The group's name and member count, if it belongs to the organisation.
pub async fn group_in(c: &mut Conn, organisation_id: &str, group_id: &str) -> R<Option<GroupView>> {
    let row = sqlx::query(
        "SELECT g.id, g.name, (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id) \
         FROM groups g WHERE g.organisation_id = $1 AND g.id = $2",
    )
    .bind(organisation_id)
    .bind(group_id)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(GroupView {
            id: GroupId::new(r.try_get::<String, _>(0)?),
            name: r.try_get(1)?,
            members: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Deletes the group only if nobody is in it; false otherwise.
pub async fn delete_empty_group(c: &mut Conn, group_id: &str) -> R<bool> {
    let done = sqlx::query(
        "DELETE FROM groups WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = $1)",
    )
    .bind(group_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_member_group(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    group_id: Option<&str>,
) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET group_id = $1 WHERE organisation_id = $2 AND account_id = $3",
    )
    .bind(group_id)
    .bind(organisation_id)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn update_membership(
    c: &mut Conn,
    organisation_id: &str,
    account_id: &str,
    role: Role,
    tier: AdminTier,
    point_of_contact: bool,
) -> R<()> {
    sqlx::query(
        "UPDATE memberships SET role = $1, admin_tier = $2, point_of_contact = $3 \
         WHERE organisation_id = $4 AND account_id = $5",
    )
    .bind(role_code(role))
    .bind(tier_code(tier))
    .bind(point_of_contact as i64)
    .bind(organisation_id)
    .bind(account_id)
    .execute(c)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{like_matches, trigram_selective};

    #[test]
    fn trigram_indexes_only_for_three_literal_characters_in_a_row() {
        assert!(trigram_selective("%okafor%"));
        assert!(trigram_selective("user0123%"));
        assert!(trigram_selective("%a_b%abc"));
        assert!(trigram_selective("%1\\%5%"), "an escaped % is a literal");
        assert!(!trigram_selective("%zz%"));
        assert!(!trigram_selective("%a%"));
        assert!(!trigram_selective("ab_cd%ef"));
        assert!(!trigram_selective("%"));
    }

    #[test]
    fn like_semantics_for_role_and_tier_words() {
        assert!(like_matches("%adm%", "admin"));
        assert!(like_matches("adm%", "admin"));
        assert!(!like_matches("dm%", "admin"));
        assert!(like_matches("_dmin", "admin"));
        assert!(like_matches("%", ""));
        assert!(!like_matches("%o%", "admin"));
        assert!(like_matches("%d h%", "ad hoc"));
        assert!(like_matches("100\\%", "100%"));
        assert!(!like_matches("100\\%", "1000"));
        assert!(like_matches("a%b%c", "axxbyyc"));
        assert!(!like_matches("a%b%c", "axxbyy"));
        assert!(like_matches("%_", "x"));
        assert!(!like_matches("%_", ""));
    }

    /// The search that pinned a core for ten minutes: forty wildcards and a
    /// letter that never comes.
    #[test]
    fn pathological_patterns_answer_at_once() {
        let started = std::time::Instant::now();
        let pattern = format!("{}z", "%".repeat(40));
        let text = "a".repeat(200);
        for _ in 0..1000 {
            assert!(!like_matches(&pattern, &text));
        }
        let spaced = format!("{}z", "%a".repeat(40));
        assert!(!like_matches(&spaced, &text));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    /// The reference: LIKE's definition, tried every way (exponential, so
    /// only for short inputs).
    fn like_by_definition(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| like_by_definition(rest, &t[i..])),
            Some(('_', rest)) => !t.is_empty() && like_by_definition(rest, &t[1..]),
            Some(('\\', rest)) if !rest.is_empty() => {
                t.first() == Some(&rest[0]) && like_by_definition(&rest[1..], &t[1..])
            }
            Some((c, rest)) => t.first() == Some(c) && like_by_definition(rest, &t[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_definition(p in "[ab%_\\\\]{0,8}", t in "[ab%]{0,8}") {
            let (pc, tc): (Vec<char>, Vec<char>) = (p.chars().collect(), t.chars().collect());
            proptest::prop_assert_eq!(like_matches(&p, &t), like_by_definition(&pc, &tc), "{} ~ {}", p, t);
        }
    }
}
