//! Every principal against every kind of resource and need, on rows in a
//! real (SQLite) database.

use super::*;
use crate::kernel::authz::Actor;
use crate::kernel::db::Db;
use crate::kernel::principal::{ClientCredential, PackageLinkHolder};
use crate::store::MembershipRow;
use coffer_shared::types::Role;

const ROWS: &str = "
INSERT INTO accounts (id, email, created_at, home_organisation_id, is_instance_admin) VALUES
  ('ian', 'ian@x.test', 0, NULL, 1);
INSERT INTO organisations (id, name, name_key, licence_seats, expiry_date, created_at, created_by) VALUES
  ('A', 'A', 'a', 10, '2099-01-01', 0, 'ian'),
  ('B', 'B', 'b', 10, '2099-01-01', 0, 'ian');
INSERT INTO accounts (id, email, created_at, home_organisation_id) VALUES
  ('alice', 'alice@x.test', 0, 'A'),
  ('adam', 'adam@x.test', 0, 'A'),
  ('guest', 'guest@x.test', 0, 'B'),
  ('bob', 'bob@x.test', 0, 'B');
INSERT INTO memberships (organisation_id, account_id, role, admin_tier, created_at) VALUES
  ('A', 'alice', 'originator', 'none', 0),
  ('A', 'adam', 'originator', 'admin', 0),
  ('A', 'guest', 'originator', 'none', 0),
  ('B', 'guest', 'originator', 'none', 0),
  ('B', 'bob', 'originator', 'none', 0);
INSERT INTO groups (id, organisation_id, name, name_key, created_at) VALUES
  ('gA', 'A', 'Sales', 'sales', 0),
  ('gB', 'B', 'Sales', 'sales', 0);
INSERT INTO imports (id, organisation_id, created_by, created_at, format, state, rows_total, source) VALUES
  ('iA', 'A', 'adam', 0, 'csv', 'previewed', 0, x'');
";

fn actor(id: &str, tiers: &[(&str, AdminTier)]) -> Actor {
    Actor {
        account_id: id.into(),
        email: format!("{id}@x.test"),
        is_instance_admin: false,
        memberships: tiers
            .iter()
            .map(|(org, tier)| MembershipRow {
                organisation_id: org.to_string(),
                organisation_name: org.to_string(),
                role: Role::Originator,
                admin_tier: *tier,
                expiry_date: "2099-01-01".into(),
            })
            .collect(),
        session_id: Some(format!("session of {id}")),
        setup_only: false,
        proved_at: 0,
    }
}

/// What `require` answered, in a word the table can hold.
fn word(answer: Result<(), Denied>) -> &'static str {
    match answer {
        Ok(()) => "ok",
        Err(Denied::Role(AuthError::Forbidden)) => "role",
        Err(Denied::Role(AuthError::SecondFactorSetupRequired)) => "setup",
        Err(Denied::Role(e)) => panic!("unexpected role refusal {e:?}"),
        Err(Denied::Unknown) => "unknown",
        Err(Denied::NeedsLiaison) => "liaison",
        Err(Denied::AnotherHome) => "home",
        Err(Denied::Permission(p)) => panic!("a lesser permit {p:?}"),
        Err(Denied::Database(e)) => panic!("database: {e}"),
    }
}

#[tokio::test]
async fn every_principal_against_every_resource_and_need() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("a.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let mut c = db.pool.acquire().await.unwrap();
    sqlx::raw_sql(ROWS).execute(&mut *c).await.unwrap();

    let alice = actor("alice", &[("A", AdminTier::None)]);
    let adam = actor("adam", &[("A", AdminTier::Admin)]);
    let lia = actor("lia", &[("A", AdminTier::Liaison)]);
    let bea = actor("bea", &[("B", AdminTier::Liaison)]);
    let mut ian = actor("ian", &[]);
    ian.is_instance_admin = true;
    let mut command_line = ian.clone();
    command_line.session_id = None;
    let mut sam = actor("sam", &[("A", AdminTier::Admin)]);
    sam.setup_only = true;
    let client = ClientCredential {
        client_id: "c".into(),
        organisation_id: "A".into(),
    };
    let link = PackageLinkHolder {
        package_id: "p".into(),
    };

    use Need::*;
    let member = |account| Resource::Member {
        organisation: "A",
        account,
    };
    let cases = [
        (Resource::Organisation("A"), See),
        (Resource::Organisation("A"), Change),
        (Resource::Organisation("missing"), See),
        (member("alice"), Change),
        (member("alice"), Secure),
        (member("adam"), Change),
        (member("guest"), Change),
        (member("guest"), Secure),
        (member("bob"), Change),
        (
            Resource::Group {
                organisation: "A",
                group: "gA",
            },
            Change,
        ),
        (
            Resource::Group {
                organisation: "A",
                group: "gB",
            },
            Change,
        ),
        (
            Resource::Import {
                organisation: "A",
                import: "iA",
            },
            Change,
        ),
    ];
    let role = ["role"; 12];
    let table: [(&str, Principal, [&str; 12]); 9] = [
        (
            "member",
            Principal::from(&alice),
            [
                "ok", "role", "role", "role", "role", "role", "role", "role", "role", "role",
                "role", "role",
            ],
        ),
        (
            "admin",
            Principal::from(&adam),
            [
                "ok", "ok", "role", "ok", "ok", "liaison", "ok", "home", "unknown", "ok",
                "unknown", "ok",
            ],
        ),
        (
            "liaison",
            Principal::from(&lia),
            [
                "ok", "ok", "role", "ok", "ok", "ok", "ok", "home", "unknown", "ok", "unknown",
                "ok",
            ],
        ),
        (
            "liaison of another organisation",
            Principal::from(&bea),
            role,
        ),
        (
            "instance administrator",
            Principal::from(&ian),
            [
                "ok", "ok", "unknown", "ok", "ok", "ok", "ok", "ok", "unknown", "ok", "unknown",
                "ok",
            ],
        ),
        (
            "command line",
            Principal::from(&command_line),
            [
                "ok", "ok", "unknown", "ok", "ok", "ok", "ok", "ok", "unknown", "ok", "unknown",
                "ok",
            ],
        ),
        (
            "admin still setting up a second factor",
            Principal::from(&sam),
            ["setup"; 12],
        ),
        ("client", Principal::Client(&client), role),
        ("package link", Principal::PackageLink(&link), role),
    ];
    assert!(matches!(
        Principal::from(&command_line),
        Principal::CommandLine(_)
    ));
    assert!(matches!(Principal::from(&ian), Principal::InstanceAdmin(_)));
    assert!(matches!(Principal::from(&alice), Principal::Member(_)));
    for (name, principal, expected) in table {
        for ((resource, need), want) in cases.iter().zip(expected) {
            let got = word(require(&mut c, principal, *resource, *need).await);
            assert_eq!(got, want, "{name} × {need:?} {resource:?}");
        }
    }
}

const NODES: &str = "
INSERT INTO nodes (id, organisation_id, box_id, parent_id, kind, public_key, wrapped_key, sealed_meta, created_by, created_at, updated_at) VALUES
  ('bA', 'A', 'bA', NULL, 'box', 'age1', NULL, x'01', 'alice', 0, 0),
  ('fA', 'A', 'bA', 'bA', 'folder', 'age1', x'01', x'01', 'alice', 0, 0),
  ('bB', 'B', 'bB', NULL, 'box', 'age1', NULL, x'01', 'bob', 0, 0);
INSERT INTO permits (node_id, account_id, owner, wrapped_key, granted_by, created_at) VALUES
  ('bA', 'alice', 1, x'01', 'alice', 0),
  ('bB', 'bob', 1, x'01', 'bob', 0);
";

#[tokio::test]
async fn a_node_is_for_permit_holders_of_its_organisation_only() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("n.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let mut c = db.pool.acquire().await.unwrap();
    sqlx::raw_sql(ROWS).execute(&mut *c).await.unwrap();
    sqlx::raw_sql(NODES).execute(&mut *c).await.unwrap();

    let alice = actor("alice", &[("A", AdminTier::None)]);
    let adam = actor("adam", &[("A", AdminTier::Admin)]);
    let guest = actor("guest", &[("A", AdminTier::None), ("B", AdminTier::None)]);
    let bob = actor("bob", &[("B", AdminTier::None)]);
    let mut ian = actor("ian", &[]);
    ian.is_instance_admin = true;
    let mut command_line = ian.clone();
    command_line.session_id = None;
    let mut sal = actor("alice", &[("A", AdminTier::None)]);
    sal.setup_only = true;
    let client = ClientCredential {
        client_id: "c".into(),
        organisation_id: "A".into(),
    };
    let link = PackageLinkHolder {
        package_id: "p".into(),
    };
    let node = |organisation, node| Resource::Node { organisation, node };
    let cases = [
        (node("A", "bA"), Need::See),
        (node("A", "fA"), Need::Change),
        (node("A", "bB"), Need::See),
        (node("B", "bA"), Need::See),
        (node("A", "missing"), Need::See),
    ];
    let table: [(&str, Principal, [&str; 5]); 9] = [
        (
            "owner",
            Principal::from(&alice),
            ["ok", "ok", "unknown", "role", "unknown"],
        ),
        (
            "administrator without a permit",
            Principal::from(&adam),
            ["unknown", "unknown", "unknown", "role", "unknown"],
        ),
        (
            "member of both organisations without a permit",
            Principal::from(&guest),
            ["unknown", "unknown", "unknown", "unknown", "unknown"],
        ),
        (
            "owner of a box in another organisation",
            Principal::from(&bob),
            ["role", "role", "role", "unknown", "role"],
        ),
        ("instance administrator", Principal::from(&ian), ["role"; 5]),
        ("command line", Principal::from(&command_line), ["role"; 5]),
        (
            "owner still setting up",
            Principal::from(&sal),
            ["setup"; 5],
        ),
        ("client", Principal::Client(&client), ["role"; 5]),
        ("package link", Principal::PackageLink(&link), ["role"; 5]),
    ];
    for (name, principal, expected) in table {
        for ((resource, need), want) in cases.iter().zip(expected) {
            let got = word(require(&mut c, principal, *resource, *need).await);
            assert_eq!(got, want, "{name} × {need:?} {resource:?}");
        }
    }
}
