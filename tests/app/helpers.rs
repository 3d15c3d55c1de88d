//! `TestApp` (a fresh database and the router) and `Client` (a browser-like cookie jar that
//! sends the CSRF token the pages gave it).

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use std::collections::HashMap;
use tower::ServiceExt;
use yinyao::config::Config;
use yinyao::db::Db;
use yinyao::state::AppState;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    _uploads: Option<tempfile::TempDir>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// A fresh app whose configuration `adjust` changed from the defaults first.
    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let (url, dir) = match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
        {
            Some(admin_url) => (fresh_postgres(&admin_url).await, None),
            None => {
                let dir = tempfile::tempdir().expect("tempdir");
                (
                    format!("sqlite://{}", dir.path().join("test.db").display()),
                    Some(dir),
                )
            }
        };
        let db = Db::connect(&url).await.expect("connect");
        yinyao::prepare_database(&db).await.expect("migrate");
        let mut config = Config::default();
        config.security.field_key = Some(yinyao::web::random_token(32));
        adjust(&mut config);
        let crypto = yinyao::crypto::from_config(&config, true).expect("field key");
        let state = AppState::new(db, config, None, crypto);
        let router = yinyao::app(state.clone());
        TestApp {
            state,
            router,
            url,
            _dir: dir,
            _uploads: None,
        }
    }

    /// The same database served with another configuration (another field key or suite):
    /// the state and router are replaced; clients made before keep their cookies.
    pub fn reconfigure(&mut self, adjust: impl FnOnce(&mut Config)) {
        let mut config = self.state.config.as_ref().clone();
        adjust(&mut config);
        let crypto = yinyao::crypto::from_config(&config, true).expect("field key");
        self.state = AppState::new(self.state.db.clone(), config, None, crypto);
        self.router = yinyao::app(self.state.clone());
    }

    /// A fresh app whose attachments go to a temp dir of its own, removed with it.
    pub async fn with_uploads() -> Self {
        let uploads = tempfile::tempdir().expect("upload dir");
        let dir = uploads.path().to_path_buf();
        let mut app = Self::with_config(|c| c.upload_dir = Some(dir)).await;
        app._uploads = Some(uploads);
        app
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.expect("router");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            bytes: body.to_vec(),
        }
    }

    pub fn client(&self) -> Client<'_> {
        Client {
            app: self,
            cookies: HashMap::new(),
            csrf: String::new(),
            extra: Vec::new(),
            peer: None,
        }
    }

    /// Runs raw SQL against the test database (for arranging a scenario or tampering).
    pub async fn exec(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
        match self.db() {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        }
    }

    /// Runs raw SQL built at run time (for arranging a scenario or tampering).
    pub async fn exec_owned(&self, sql: String) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql);
        match self.db() {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        }
    }

    /// The one number a query returns (a count, a flag).
    pub async fn scalar(&self, sql: &str) -> i64 {
        let mut tx = self.db().read().await.expect("read");
        let q = sql.to_string();
        yinyao::on_tx!(&mut tx, c => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(q)).fetch_one(c).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// One text value read with `sql`.
    pub async fn text(&self, sql: &str) -> String {
        let mut tx = self.db().read().await.expect("read");
        let q = sql.to_string();
        yinyao::on_tx!(&mut tx, c => sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(q)).fetch_one(c).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Rows of `(text, text, number)` read with `sql`.
    pub async fn rows3(&self, sql: &str) -> Vec<(String, String, i64)> {
        let mut tx = self.db().read().await.expect("read");
        let q = sql.to_string();
        yinyao::on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(q)).fetch_all(c).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Rows of `(number, text, text, number)` read with `sql`.
    pub async fn rows4(&self, sql: &str) -> Vec<(i64, String, String, i64)> {
        let mut tx = self.db().read().await.expect("read");
        let q = sql.to_string();
        yinyao::on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(q)).fetch_all(c).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Rows of `(number, text)` read with `sql`.
    pub async fn pairs(&self, sql: &str) -> Vec<(i64, String)> {
        let mut tx = self.db().read().await.expect("read");
        let q = sql.to_string();
        yinyao::on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(q)).fetch_all(c).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.db(), Db::Postgres(_))
    }
}

impl Drop for TestApp {
    /// A PostgreSQL test database is dropped when its test ends, so a run of the whole suite
    /// does not fill the disk with hundreds of databases (CI's machine has little to spare).
    fn drop(&mut self) {
        let Some(admin_url) = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
        else {
            return;
        };
        let Some((_, name)) = self.url.rsplit_once('/') else {
            return;
        };
        if !name.starts_with("yy_test_") {
            return;
        }
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        // The test's own runtime may be single-threaded and busy dropping us: use another.
        let dropped = std::thread::spawn(move || {
            use sqlx::Connection;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await?;
                conn.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {name}: {e}");
        }
    }
}

pub async fn fresh_postgres(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("yy_test_{}", yinyao::web::random_token(6));
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL must name a database");
    format!("{base}/{name}")
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (for downloads such as XLSX).
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The id at the end of a redirect's address (`/units/12?done=created` → 12).
    pub fn location_id(&self) -> i64 {
        let path = self.location().split('?').next().unwrap_or("");
        path.rsplit('/').next().unwrap().parse().unwrap()
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The value shown in the element with this id.
    pub fn element_text(&self, id: &str) -> Option<String> {
        let start = self.body.find(&format!("id=\"{id}\""))?;
        let rest = &self.body[start..];
        let open = rest.find('>')? + 1;
        let close = rest[open..].find('<')?;
        Some(rest[open..open + close].trim().to_string())
    }
}

pub struct Client<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
    /// Headers added to every request (e.g. Accept-Language).
    pub extra: Vec<(&'static str, String)>,
    /// The network address the requests come from (as the server's listener would report).
    pub peer: Option<std::net::SocketAddr>,
}

impl Client<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, r: &Resp) {
        for v in r.headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap_or("");
            let pair = s.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || s.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        if let Some(i) = r.body.find("data-csrf=\"") {
            let rest = &r.body[i + 11..];
            if let Some(end) = rest.find('"') {
                self.csrf = rest[..end].to_string();
            }
        }
    }

    pub fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if !self.cookies.is_empty() {
            b = b.header(header::COOKIE, self.cookie_header());
        }
        for (k, v) in &self.extra {
            b = b.header(*k, v);
        }
        if let Some(peer) = self.peer {
            b = b.extension(axum::extract::ConnectInfo(peer));
        }
        b
    }

    /// The signed-in account's id.
    pub async fn my_id(&mut self) -> i64 {
        self.json("GET", "/api/v1/me", serde_json::json!(null))
            .await
            .json()["id"]
            .as_i64()
            .expect("signed in")
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let r = self
            .app
            .send(self.request("GET", path).body(Body::empty()).unwrap())
            .await;
        self.absorb(&r);
        r
    }

    /// Posts a form the way a browser on our own pages would (same origin, token included).
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        if self.csrf.is_empty() {
            self.get("/login").await;
        }
        let mut fields: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        fields.extend_from_slice(form);
        let body = serde_urlencoded::to_string(&fields).unwrap();
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header(header::ORIGIN, "http://localhost")
            .body(Body::from(body))
            .unwrap();
        let r = self.app.send(req).await;
        self.absorb(&r);
        r
    }

    /// Sends JSON to the API with the session cookie and the CSRF header (as htmx would).
    pub async fn json(&mut self, method: &str, path: &str, body: serde_json::Value) -> Resp {
        let req = self
            .request(method, path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", self.csrf.clone())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body.to_string()))
            .unwrap();
        let r = self.app.send(req).await;
        self.absorb(&r);
        r
    }

    /// Logs in with a password and expects a completed login.
    pub async fn login(&mut self, login: &str, password: &str) -> Resp {
        self.get("/login").await;
        let r = self
            .post(
                "/login",
                &[("login", login), ("password", password), ("next", "/")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {login} failed: {}",
            r.body
        );
        self.get("/").await;
        r
    }
}

/// A request with a bearer token and nothing else (a script).
pub async fn bearer(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Resp {
    let b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let req = match body {
        Some(j) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(j.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    };
    app.send(req).await
}

impl Client<'_> {
    /// Uploads a file the way the import page does (multipart, token in the action URL).
    pub async fn upload(
        &mut self,
        path: &str,
        filename: &str,
        data: &[u8],
        fields: &[(&str, &str)],
    ) -> Resp {
        let boundary = "yinyaoTestBoundary7MA4YWxk";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend(data);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        let uri = if path.contains("csrf=") || path.starts_with("/api/") {
            path.to_string()
        } else {
            format!("{path}{sep}csrf={}", self.csrf)
        };
        let mut b = self
            .request("POST", &uri)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("sec-fetch-site", "same-origin");
        if path.starts_with("/api/") {
            b = b.header("x-csrf-token", self.csrf.clone());
        }
        let req = b.body(Body::from(body)).unwrap();
        let r = self.app.send(req).await;
        self.absorb(&r);
        r
    }
}

/// Runs the real `yinyao` binary on the database at `url` under the field key `key`, with
/// more environment; returns its exit code and what it printed (stdout then stderr).
pub fn run_binary(url: &str, key: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yinyao"))
        .args(["--config", "/nonexistent/config.toml"])
        .args(args)
        .env("DATABASE_URL", url)
        .env("YINYAO_FIELD_KEY", key)
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .output()
        .expect("run yinyao");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// A test server of `tests/` (the SMTP server's `run.sh`, the SMS provider's and WeChat's
/// Python scripts) on a free port: started with `PORT OUT`, it prints "ready" once listening
/// and writes every request it accepts as a JSON line in `OUT`.
pub struct TestServer {
    child: std::process::Child,
    pub port: u16,
    out: std::path::PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl TestServer {
    pub fn start(script: &'static str) -> TestServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        TestServer::start_on(script, port, tempfile::tempdir().unwrap())
    }

    /// Starts it on `port`, writing into `dir` (again after [`TestServer::stop`]).
    pub fn start_on(script: &'static str, port: u16, dir: tempfile::TempDir) -> TestServer {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let out = dir.path().join("received.jsonl");
        let mut cmd = if script.ends_with(".py") {
            let mut c = Command::new("python3");
            c.arg(script);
            c
        } else {
            Command::new(script)
        };
        let mut child = cmd
            .arg(port.to_string())
            .arg(&out)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("the test server {script} must start: {e}"));
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the test server {script} did not start"
        );
        TestServer {
            child,
            port,
            out,
            dir: Some(dir),
        }
    }

    /// Stops it (as a provider going down), keeping its port and what it received.
    pub fn stop(mut self) -> (u16, tempfile::TempDir) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        (self.port, self.dir.take().unwrap())
    }

    pub fn received(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
