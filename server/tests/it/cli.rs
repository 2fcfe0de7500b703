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

/// `SIGTERM` stops the server within 15 seconds even while a request is
/// still in flight (here one whose body never finishes arriving).
#[test]
fn a_stop_signal_ends_the_server_even_with_a_request_running() {
    use std::io::{BufRead, BufReader, Write};
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("COFFER_DATA_DIR", data.path())
        .env_remove("COFFER_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("coffer prints its URL").unwrap();
        if let Some(u) = line.strip_prefix("Coffer is running at ") {
            break u.to_string();
        }
    };
    let addr = url
        .trim_start_matches("http://")
        .replace("localhost", "127.0.0.1");
    let mut stuck = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stuck,
        "POST /api/setup_status HTTP/1.1\r\nHost: {addr}\r\nOrigin: {url}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
    )
    .unwrap();
    stuck.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "still running 15 s after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(stuck);
}
