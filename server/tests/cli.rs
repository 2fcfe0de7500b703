//! The `coffer` binary's own behaviour: help text, and clear non-zero exits
//! when the database cannot be opened, the port is taken, or a setting is bad.

use std::process::{Command, Output};

fn coffer(args: &[&str], data: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(args)
        .env("COFFER_DATA_DIR", data)
        .env_remove("COFFER_DATABASE_URL")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_lists_the_commands_and_settings() {
    let data = tempfile::tempdir().unwrap();
    let out = coffer(&["--help"], data.path());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("serve"));
    let out = coffer(&["serve", "--help"], data.path());
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--bind",
        "--data-dir",
        "--database-url",
        "--public-url",
        "--config",
    ] {
        assert!(text.contains(flag), "{flag} missing from:\n{text}");
    }
}

#[test]
fn unreachable_database_is_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let out = coffer(
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            "postgres://coffer:secret@127.0.0.1:1/coffer",
        ],
        data.path(),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("cannot open the database"), "{err}");
    assert!(
        !err.contains("secret"),
        "the database password must not be printed: {err}"
    );
    // A SQLite path inside a file that is not a folder cannot be created either.
    let file = data.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let url = format!("sqlite://{}/coffer.db?mode=rwc", file.display());
    let out = coffer(
        &["serve", "--bind", "127.0.0.1:0", "--database-url", &url],
        data.path(),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot open the database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn taken_port_is_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let out = coffer(&["serve", "--bind", &addr], data.path());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
}

#[test]
fn bad_settings_name_the_setting() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("COFFER_DATA_DIR", data.path())
        .env("COFFER_PASSWORD_MIN_LENGTH", "3")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("password_min_length"),
        "{}",
        stderr(&out)
    );
    let config = data.path().join("coffer.toml");
    std::fs::write(&config, "bind = \"127.0.0.1:0\"\nunknown_key = 1\n").unwrap();
    let out = coffer(
        &["--config", config.to_str().unwrap(), "serve"],
        data.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown_key"), "{}", stderr(&out));
}
