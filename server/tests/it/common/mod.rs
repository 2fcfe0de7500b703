//! A real Coffer server on 127.0.0.1:0 with a throw-away data folder, on
//! SQLite or on PostgreSQL, and a client that speaks to it over HTTP exactly
//! as the browser does (same JSON, same OPAQUE messages, same cookies).

pub mod authenticator;

use std::path::PathBuf;

use coffer_api::ApiError;
use coffer_core::Config;
use coffer_crypto::{self as crypto, ExportKey, MemberKeys};
use coffer_shared::accounts::*;
use coffer_shared::members::*;
use coffer_shared::organisations::*;
use coffer_shared::types::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `<name>_sqlite` and `<name>_postgres` tests from one body
/// `async fn <name>(backend: Backend)`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        pub mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::common::Backend::Sqlite).await } )*
        }
        pub mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::common::Backend::Postgres).await } )*
        }
    };
}

pub struct TestServer {
    pub running: coffer_server::Running,
    pub data: tempfile::TempDir,
    pub database_url: String,
}

/// A fresh PostgreSQL database on the cluster the test command started.
pub async fn fresh_postgres_database() -> String {
    use sqlx::Connection;
    let admin = std::env::var("COFFER_TEST_PG_URL").expect(
        "COFFER_TEST_PG_URL is not set: run the tests through scripts/test.sh, which starts PostgreSQL",
    );
    let name = format!("coffer_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to test PostgreSQL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    url.to_string()
}

pub async fn database_url_for(backend: Backend, data: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", data.join("coffer.db").display()),
        Backend::Postgres => fresh_postgres_database().await,
    }
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
        // Server errors (incident ids) appear in a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .try_init();
        let data = tempfile::tempdir().unwrap();
        let database_url = database_url_for(backend, data.path()).await;
        let mut config = Config {
            data_dir: data.path().to_path_buf(),
            database_url: Some(database_url.clone()),
            bind: "127.0.0.1:0".parse().unwrap(),
            site_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"),
            // Every test signs in from 127.0.0.1 many times; the limits have
            // their own test, which lowers them.
            rate_limit_per_address: 1_000_000,
            rate_limit_per_identifier: 1_000_000,
            ..Config::default()
        };
        tweak(&mut config);
        let running = coffer_server::start(config).await.expect("server starts");
        TestServer {
            running,
            data,
            database_url,
        }
    }

    pub fn url(&self) -> &str {
        &self.running.url
    }

    pub fn browser(&self) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: self.url().to_string(),
            setup_code: self.running.coffer.setup_code().map(str::to_string),
        }
    }

    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url).await.unwrap()
    }

    /// The single number a `SELECT COUNT(*) …` answers.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.db().await)
            .await
            .unwrap()
    }

    /// Waits until every queued mail is delivered (bulk mail goes out in
    /// the background after an import).
    pub async fn settle_mail(&self) {
        for _ in 0..400 {
            if self.count("SELECT COUNT(*) FROM mail_queue").await == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("queued mail was not delivered within 10 s");
    }

    /// Invitation tokens from the outbox, newest first, for an address.
    pub fn invitation_tokens(&self, to: &str) -> Vec<String> {
        self.link_tokens(to, "invite")
    }

    /// Tokens of mailed links to `/<page>#…`, newest first, for an address.
    pub fn link_tokens(&self, to: &str, page: &str) -> Vec<String> {
        let marker = format!("/{page}#");
        let outbox = self.data.path().join("outbox");
        let mut mails: Vec<_> = std::fs::read_dir(&outbox)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        mails.sort();
        mails.reverse();
        mails
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|text| text.contains(&format!("To: {to}")))
            // Quoted-printable bodies break long lines with a trailing '='.
            .map(|text| text.replace("=\r\n", "").replace("=\n", ""))
            .filter_map(|text| {
                let start = text.find(&marker)? + marker.len();
                Some(
                    text[start..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect(),
                )
            })
            .collect()
    }
}

/// One browser: its own cookie jar, and the Origin header browsers send.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    /// ACC-1: the code the server printed, as its operator would type it.
    pub setup_code: Option<String>,
}

pub struct Unlocked {
    pub signed_in: SignedIn,
    /// None for a session that may only set up a second factor (MFA-2/3).
    pub unlocked: Option<MemberKeys>,
}

impl Unlocked {
    pub fn keys(&self) -> &MemberKeys {
        self.unlocked
            .as_ref()
            .expect("this session was handed its keys")
    }
}

/// Names whose keys were unlocked, never the keys.
impl std::fmt::Debug for Unlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Unlocked({})", self.signed_in.account.email)
    }
}

/// The words of a byte route's refusal (the same `ApiError` JSON the
/// server functions answer).
pub async fn refusal_words(res: reqwest::Response) -> String {
    let text = res.text().await.unwrap();
    serde_json::from_str::<ApiError>(&text)
        .unwrap_or_else(|e| panic!("not an ApiError: {text}: {e}"))
        .to_string()
}

/// A typed answer as the JSON the browser saw (the software authenticator
/// reads WebAuthn options as JSON).
pub fn as_json<T: serde::Serialize>(answer: T) -> Value {
    serde_json::to_value(answer).unwrap()
}

impl Browser {
    pub async fn raw(&self, endpoint: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        body: Value,
    ) -> Result<T, ApiError> {
        let res = self.raw(endpoint, body).await;
        let ok = res.status().is_success();
        let text = res.text().await.unwrap();
        if ok {
            Ok(serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{endpoint}: bad answer {text}: {e}")))
        } else {
            Err(serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{endpoint}: bad error {text}: {e}")))
        }
    }

    /// The typed client: one server function's arguments (the struct
    /// `#[server]` generates in `coffer_api`, e.g. `ListMembers { .. }`),
    /// sent as the browser sends them, answered with its typed result.
    pub async fn run<F>(&self, call: F) -> Result<F::Output, ApiError>
    where
        F: leptos::server_fn::ServerFn + serde::Serialize,
        F::Output: DeserializeOwned,
    {
        let res = self
            .http
            .post(format!("{}{}", self.base, F::PATH))
            .header("Origin", &self.base)
            .json(&call)
            .send()
            .await
            .unwrap();
        let ok = res.status().is_success();
        let text = res.text().await.unwrap();
        if ok {
            Ok(serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: bad answer {text}: {e}", F::PATH)))
        } else {
            Err(serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: bad error {text}: {e}", F::PATH)))
        }
    }

    /// An OPAQUE registration plus a fresh wrapped key pair, as the browser
    /// does it; `who` is the JSON naming the account (`email` or `token`).
    /// Returns the new public key.
    async fn register(
        &self,
        start: &str,
        finish: &str,
        who: Value,
        password: &str,
    ) -> Result<String, ApiError> {
        let with = |extra: Value| {
            let mut body = who.clone();
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };
        let (state, request) = crypto::client_registration_start(password).unwrap();
        let response: Bytes = self
            .call(
                start,
                with(json!({ "registration_request": Bytes(request) })),
            )
            .await?;
        let (upload, export) =
            crypto::client_registration_finish(state, password, &response.0).unwrap();
        let keys = MemberKeys::generate();
        let envelope = KeyEnvelope {
            public_key: keys.public_key(),
            wrapped_private_key: Bytes(keys.wrap(&export)),
        };
        self.call::<()>(
            finish,
            with(json!({ "registration_upload": Bytes(upload), "keys": envelope })),
        )
        .await?;
        Ok(keys.public_key())
    }

    pub async fn setup(&self, email: &str, password: &str) -> Result<(), ApiError> {
        let code = self.setup_code.clone().unwrap_or_default();
        self.setup_with_code(email, &code, password).await
    }

    pub async fn setup_with_code(
        &self,
        email: &str,
        code: &str,
        password: &str,
    ) -> Result<(), ApiError> {
        self.register(
            "setup_start",
            "setup_finish",
            json!({ "email": email, "setup_code": code }),
            password,
        )
        .await
        .map(|_| ())
    }

    /// ACC-7: a new password and new keys through a reset link.
    pub async fn reset_password(
        &self,
        token: &str,
        answer: &str,
        password: &str,
    ) -> Result<String, ApiError> {
        self.register(
            "reset_password_start",
            "reset_password_finish",
            json!({ "token": token, "answer": answer }),
            password,
        )
        .await
    }

    /// ACC-7 with recovery (CRY-6): a reset that keeps the keys; the pair
    /// sent is the one-off pair a Liaison hands them over to. Answers its
    /// public key.
    pub async fn reset_password_keeping(
        &self,
        token: &str,
        answer: &str,
        password: &str,
    ) -> Result<String, ApiError> {
        self.register(
            "reset_password_start",
            "reset_password_finish",
            json!({ "token": token, "answer": answer, "keep_keys": true }),
            password,
        )
        .await
    }

    pub async fn accept_invitation(&self, token: &str, password: &str) -> Result<String, ApiError> {
        self.register(
            "accept_invitation_start",
            "accept_invitation_finish",
            json!({ "token": token }),
            password,
        )
        .await
    }

    /// Signs in as the browser does; `Err(None)` is the client-side OPAQUE
    /// failure (wrong password or unknown account — indistinguishable).
    pub async fn sign_in(
        &self,
        identifier: &str,
        password: &str,
    ) -> Result<Unlocked, Option<ApiError>> {
        match self.sign_in_password(identifier, password).await? {
            (SignInStep::SignedIn(signed_in), export) => Ok(unlocked(signed_in, &export)),
            (SignInStep::SecondFactor(_), _) => panic!("{identifier} needs a second factor"),
        }
    }

    /// The password step alone: a session or a second-factor prompt, with
    /// the export key the browser keeps for unlocking afterwards.
    pub async fn sign_in_password(
        &self,
        identifier: &str,
        password: &str,
    ) -> Result<(SignInStep, ExportKey), Option<ApiError>> {
        let (state, request) = crypto::client_login_start(password).unwrap();
        let challenge: LoginChallenge = self
            .run(coffer_api::SignInStart {
                identifier: identifier.to_string(),
                credential_request: Bytes(request),
            })
            .await
            .map_err(Some)?;
        let Ok((finalization, export)): Result<(Vec<u8>, ExportKey), _> =
            crypto::client_login_finish(state, password, &challenge.credential_response.0)
        else {
            // As the browser does: report it, so it counts at once.
            self.run(coffer_api::SignInFailed {
                login_id: challenge.login_id.to_string(),
            })
            .await
            .expect("sign_in_failed answers");
            return Err(None);
        };
        let step: SignInStep = self
            .run(coffer_api::SignInFinish {
                login_id: challenge.login_id.to_string(),
                finalization: Bytes(finalization),
            })
            .await
            .map_err(Some)?;
        Ok((step, export))
    }

    /// MFA-1: the code step after [`Browser::sign_in_password`].
    pub async fn second_factor(
        &self,
        ticket: &str,
        code: &str,
        export: &ExportKey,
    ) -> Result<Unlocked, ApiError> {
        let signed_in: SignedIn = self
            .run(coffer_api::SignInSecondFactor {
                ticket: ticket.to_string(),
                code: code.to_string(),
            })
            .await?;
        Ok(unlocked(signed_in, export))
    }

    /// Proves the password inside the session, as the re-authentication
    /// prompt does.
    pub async fn prove_password(&self, password: &str) -> Result<(), ApiError> {
        let (state, request) = crypto::client_login_start(password).unwrap();
        let challenge: LoginChallenge = self
            .run(coffer_api::PasswordProofStart {
                credential_request: Bytes(request),
            })
            .await?;
        let (finalization, _) =
            crypto::client_login_finish(state, password, &challenge.credential_response.0)
                .expect("the right password");
        self.run(coffer_api::PasswordProofFinish {
            login_id: challenge.login_id.to_string(),
            finalization: Bytes(finalization),
        })
        .await
    }

    pub async fn change_password(&self, old: &str, new: &str) -> Result<(), ApiError> {
        let (login, credential_request) = crypto::client_login_start(old).unwrap();
        let (registration, registration_request) = crypto::client_registration_start(new).unwrap();
        let challenge: PasswordChangeChallenge = self
            .run(coffer_api::PasswordChangeStart {
                credential_request: Bytes(credential_request),
                registration_request: Bytes(registration_request),
            })
            .await?;
        let Ok((finalization, old_export)) =
            crypto::client_login_finish(login, old, &challenge.credential_response.0)
        else {
            return Err(ApiError::from(
                coffer_shared::accounts::SignInError::WrongCurrentPassword,
            ));
        };
        let me: SignedIn = self.run(coffer_api::Me {}).await?;
        let me = me.keys.expect("a full session has its keys");
        let keys =
            MemberKeys::unwrap(&me.wrapped_private_key.0, &old_export, &me.public_key).unwrap();
        let (upload, new_export) = crypto::client_registration_finish(
            registration,
            new,
            &challenge.registration_response.0,
        )
        .unwrap();
        self.run(coffer_api::PasswordChangeFinish {
            change_id: challenge.change_id.to_string(),
            finalization: Bytes(finalization),
            registration_upload: Bytes(upload),
            wrapped_private_key: Bytes(keys.wrap(&new_export)),
            remove_passkeys: None,
        })
        .await
    }

    pub async fn create_organisation(
        &self,
        name: &str,
        admin: &str,
    ) -> Result<OrganisationView, ApiError> {
        self.call(
            "create_organisation",
            json!({ "organisation": { "name": name, "licence_seats": 5, "expiry_date": "2099-12-31", "administrator_email": admin } }),
        )
        .await
    }
}

/// The refusal inside an error, or a failed test.
pub fn refusal(e: ApiError) -> coffer_shared::errors::Refusal {
    match e {
        ApiError::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The id of the first organisation the signed-in person belongs to.
pub async fn organisation_id(b: &Browser) -> String {
    let me: SignedIn = b.run(coffer_api::Me {}).await.unwrap();
    me.account.memberships[0].organisation_id.to_string()
}

pub const ADMIN: &str = "root@coffer.test";
pub const ADMIN_PASSWORD: &str = "instance admin password";

/// An instance with its administrator signed in.
pub async fn instance(backend: Backend) -> (TestServer, Browser) {
    instance_with(backend, |_| {}).await
}

/// The same, with settings changed first.
pub async fn instance_with(
    backend: Backend,
    tweak: impl FnOnce(&mut Config),
) -> (TestServer, Browser) {
    let server = TestServer::start_with(backend, tweak).await;
    let admin = server.browser();
    admin.setup(ADMIN, ADMIN_PASSWORD).await.unwrap();
    admin
        .sign_in(ADMIN, ADMIN_PASSWORD)
        .await
        .expect("admin signs in");
    (server, admin)
}

/// An organisation whose first administrator accepted the invitation.
pub async fn member(
    server: &TestServer,
    admin: &Browser,
    org: &str,
    email: &str,
    password: &str,
) -> Browser {
    admin.create_organisation(org, email).await.unwrap();
    let token = server
        .invitation_tokens(email)
        .into_iter()
        .next()
        .expect("invitation in outbox");
    let b = server.browser();
    b.accept_invitation(&token, password).await.unwrap();
    b.sign_in(email, password).await.expect("member signs in");
    b
}

pub async fn add_member(b: &Browser, org: &str, email: &str, role: Role, admin: bool) -> MemberRow {
    let m = NewMember {
        email: email.into(),
        first_name: String::new(),
        last_name: String::new(),
        role,
        admin,
        group_id: None,
    };
    b.run(coffer_api::AddMember {
        organisation_id: org.to_string().into(),
        member: m.clone(),
    })
    .await
    .unwrap()
}

/// Adds someone through `admin`, accepts their invitation and signs them in.
pub async fn active_member(
    server: &TestServer,
    admin: &Browser,
    org: &str,
    email: &str,
    password: &str,
    role: Role,
    is_admin: bool,
) -> (MemberRow, Browser) {
    let row = add_member(admin, org, email, role, is_admin).await;
    let token = server.invitation_tokens(email).into_iter().next().unwrap();
    let b = server.browser();
    b.accept_invitation(&token, password).await.unwrap();
    b.sign_in(email, password)
        .await
        .expect("new member signs in");
    (row, b)
}

/// One member as the Users page lists them.
pub async fn member_row(b: &Browser, org: &str, email: &str) -> Option<MemberRow> {
    let q = MemberQuery {
        field: SearchField::Email,
        text: email.into(),
        page_size: 10,
        ..MemberQuery::default()
    };
    let page: MemberPage = b
        .run(coffer_api::ListMembers {
            organisation_id: org.to_string().into(),
            query: q.clone(),
        })
        .await
        .unwrap();
    page.rows.into_iter().find(|r| r.email == email)
}

/// Mail subjects sent to an address, oldest first.
pub fn subjects_to(server: &TestServer, to: &str) -> Vec<String> {
    let mut mails: Vec<_> = std::fs::read_dir(server.data.path().join("outbox"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    mails.sort();
    mails
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|m| m.contains(&format!("To: {to}")))
        .filter_map(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_string))
        })
        .collect()
}

fn unlocked(signed_in: SignedIn, export: &ExportKey) -> Unlocked {
    let unlocked = signed_in.keys.as_ref().map(|k| {
        MemberKeys::unwrap(&k.wrapped_private_key.0, export, &k.public_key)
            .expect("keys unwrap with the export key")
    });
    Unlocked {
        signed_in,
        unlocked,
    }
}

/// A TOTP code from Debian's `oathtool` (an implementation nobody here
/// wrote), `offset` seconds from now.
pub fn oathtool_code(secret: &str, offset: i64) -> String {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + offset;
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "--base32", "--now", &format!("@{at}"), secret])
        .output()
        .expect("oathtool is installed (apt-get install oathtool)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
