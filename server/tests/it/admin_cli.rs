//! PLT-3: `coffer admin org list`, `coffer admin import` and `coffer admin
//! members export` against a running instance's data folder (SQLite), with
//! the same reports and refusals as the pages, and the exit codes scripts
//! rely on.

use std::process::{Command, Output};

use crate::common::*;

pub(crate) fn admin(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coffer"))
        .arg("admin")
        .args(args)
        .env("COFFER_DATA_DIR", data)
        .env_remove("COFFER_DATABASE_URL")
        .env("COFFER_LOG", "error")
        .output()
        .unwrap()
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_list_import_and_export() {
    let fresh = tempfile::tempdir().unwrap();
    let out = admin(fresh.path(), &["org", "list"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Coffer is not set up yet"),
        "{}",
        text(&out.stderr)
    );

    let (server, root) = instance(Backend::Sqlite).await;
    let lia = member(&server, &root, "Acme", "lia@acme.test", "liaison password").await;
    let org = organisation_id(&lia).await;
    let data = server.data.path();

    let out = admin(data, &["org", "list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("Acme\t{org}\t1 of 5 seats\texpires 2099-12-31\n")
    );

    let file = data.join("people.csv");
    std::fs::write(&file, "Email;Role\nann@acme.test;Originator\nnot-an-email;Collaborator\nbob@acme.test;Collaborator\n").unwrap();
    let out = admin(data, &["import", "--org", "acme", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "rows failed: {}",
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout),
        "Format: Email, Role (by position)\nline 3: not-an-email: The email address is not valid.\n2 of 3 imported.\n"
    );
    assert!(member_row(&lia, &org, "ann@acme.test").await.is_some());
    assert!(member_row(&lia, &org, "bob@acme.test").await.is_some());

    std::fs::write(
        &file,
        "USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME\ncarl_c,carl@acme.test,,Carl,Cole\n",
    )
    .unwrap();
    let out = admin(
        data,
        &[
            "import",
            "--org",
            &org,
            "--format",
            "named",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("1 of 1 imported.\n"));

    let out = admin(
        data,
        &["import", "--org", "Nowhere", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no organisation is named \"Nowhere\""));
    std::fs::write(&file, "").unwrap();
    let out = admin(data, &["import", "--org", "Acme", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("The file is empty."));

    let out = admin(data, &["members", "export", "--org", "Acme"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.trim().lines().collect();
    assert_eq!(
        lines[0],
        "Email,First name,Last name,Role,Admin,Group,Account type,Plan,Locked,MFA,Usage"
    );
    assert_eq!(lines.len(), 5, "lia, ann, bob, carl: {csv}");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("carl@acme.test,Carl,Cole,Originator")));
}
