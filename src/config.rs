//! Configuration: `config.toml` (optional) overlaid by environment variables; the environment wins.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Password rules. The default profile follows MLPS (等保) level 3.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// How many of the four classes (lower, upper, digit, symbol) must appear.
    pub min_classes: usize,
    /// Days until a password must be changed; 0 turns expiry off.
    pub expiry_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            min_classes: 3,
            expiry_days: 90,
        }
    }
}

/// Login throttling and session lifetimes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct SecurityConfig {
    pub lockout_failures: i64,
    pub lockout_minutes: i64,
    /// Failed logins allowed from one IP address per window before it is refused.
    pub ip_failures_per_window: i64,
    pub ip_window_minutes: i64,
    pub staff_idle_minutes: i64,
    pub admin_idle_minutes: i64,
    pub absolute_hours: i64,
    /// Mark cookies `Secure`. Set when the site is served over TLS (directly or by a proxy).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client address.
    pub trust_proxy: bool,
    pub audit_retention_days: i64,
    /// Master key for encrypting sensitive person fields: 64 hex characters. Never stored in
    /// the database. Required with PostgreSQL (all nodes must share it); with SQLite and no
    /// key set, one is generated into `<data_dir>/field.key` on first start.
    #[serde(skip_serializing)]
    pub field_key: Option<String>,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            lockout_failures: 5,
            lockout_minutes: 30,
            ip_failures_per_window: 20,
            ip_window_minutes: 15,
            staff_idle_minutes: 30,
            admin_idle_minutes: 15,
            absolute_hours: 12,
            secure_cookies: false,
            trust_proxy: false,
            audit_retention_days: 180,
            field_key: None,
        }
    }
}

/// The algorithms that protect fields: the default AES-256-GCM with HMAC-SHA256 indexes, or
/// the Chinese commercial algorithms (SM4-GCM with HMAC-SM3 indexes) for deployments assessed
/// under GB/T 39786 (密评).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suite {
    #[default]
    Aes,
    Sm,
}

impl Suite {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "aes" | "aes-gcm" => Some(Suite::Aes),
            "sm" | "sm4" | "guomi" => Some(Suite::Sm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Suite::Aes => "aes",
            Suite::Sm => "sm",
        }
    }
}

/// Which algorithms protect sensitive fields, and the key being moved away from.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CryptoConfig {
    /// `aes` (AES-256-GCM, HMAC-SHA256, SHA-256 audit chain; the default) or `sm` (SM4-GCM,
    /// HMAC-SM3, SM3 audit chain). Changing it on a database with data needs `yinyao rekey`.
    pub suite: Suite,
    /// While `yinyao rekey` runs: the key the data was written with (64 hex characters), so
    /// it stays readable. Remove it once the rekey has finished.
    #[serde(skip_serializing)]
    pub previous_field_key: Option<String>,
    /// The suite of the previous key.
    pub previous_suite: Suite,
}

/// Outgoing email for notifications.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct MailConfig {
    /// The SMTP server as a URL: `smtp://host:25` (no TLS), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS). Unset: no email is sent (messages
    /// stay queued until it is set).
    #[serde(skip_serializing)]
    pub smtp_url: Option<String>,
    /// The sender, e.g. `银耀 <noreply@example.gov.cn>`.
    pub from: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Yinyao <noreply@localhost>".into(),
        }
    }
}

/// Outgoing SMS for notifications: a generic HTTP webhook or Tencent Cloud SMS.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct SmsConfig {
    /// `webhook`, `tencent`, or empty (no SMS: messages stay queued until it is set).
    pub provider: String,
    /// The webhook's URL (POSTed `{"to", "text"}` as JSON); for Tencent Cloud the API's base
    /// URL (`https://sms.tencentcloudapi.com` when empty).
    pub url: Option<String>,
    /// The webhook's bearer token.
    #[serde(skip_serializing)]
    pub token: Option<String>,
    /// Tencent Cloud: the API key pair (SecretId, SecretKey).
    pub secret_id: Option<String>,
    #[serde(skip_serializing)]
    pub secret_key: Option<String>,
    /// Tencent Cloud: the SMS application (SmsSdkAppId), the approved signature (签名) and
    /// template (模板, one parameter: the message's words), and the region.
    pub app_id: Option<String>,
    pub sign_name: Option<String>,
    pub template_id: Option<String>,
    pub region: String,
    /// At most this many SMS to one number an hour; more wait for the next hour.
    pub per_hour: i64,
}

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            provider: String::new(),
            url: None,
            token: None,
            secret_id: None,
            secret_key: None,
            app_id: None,
            sign_name: None,
            template_id: None,
            region: "ap-guangzhou".into(),
            per_hour: 3,
        }
    }
}

/// The bureau's WeChat official account (公众号), for template messages to followers who
/// bound their account (OAuth `snsapi_base`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WechatConfig {
    /// The official account's AppID; empty: no WeChat.
    pub appid: String,
    #[serde(skip_serializing)]
    pub secret: Option<String>,
    /// The template (模板消息) with the fields `first`, `keyword1`, `keyword2`, `remark`.
    pub template_id: String,
    /// The API's base URL (`https://api.weixin.qq.com` when empty) and the OAuth page's
    /// (`https://open.weixin.qq.com` when empty); other values for a test server.
    pub api_url: Option<String>,
    pub oauth_url: Option<String>,
    /// At most this many WeChat messages to one follower an hour (10 when 0).
    pub per_hour: i64,
}

/// Everything the server reads at start.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub log_json: bool,
    /// The address readers use, e.g. `https://news.example.gov.cn`, for links in feeds and
    /// share previews; taken from the request's Host header when unset.
    pub public_url: Option<String>,
    /// Where uploaded files are kept (shared storage when several nodes serve); defaults to
    /// `<data_dir>/uploads`.
    pub upload_dir: Option<PathBuf>,
    pub password: PasswordPolicy,
    pub security: SecurityConfig,
    pub crypto: CryptoConfig,
    pub mail: MailConfig,
    pub sms: SmsConfig,
    pub wechat: WechatConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            log_json: false,
            public_url: None,
            upload_dir: None,
            password: PasswordPolicy::default(),
            security: SecurityConfig::default(),
            crypto: CryptoConfig::default(),
            mail: MailConfig::default(),
            sms: SmsConfig::default(),
            wechat: WechatConfig::default(),
        }
    }
}

/// A setting an environment variable may set.
trait SetFrom {
    fn set_from(&mut self, v: String);
}
impl SetFrom for String {
    fn set_from(&mut self, v: String) {
        *self = v;
    }
}
impl SetFrom for Option<String> {
    fn set_from(&mut self, v: String) {
        *self = Some(v);
    }
}

/// The smallest audit retention allowed, whatever the configuration says.
pub const MIN_AUDIT_RETENTION_DAYS: i64 = 180;

impl Config {
    /// Reads `path` when it exists, then applies `YINYAO_*` and `DATABASE_URL` from the environment.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let mut cfg = if path.exists() {
            let text = std::fs::read_to_string(path)?;
            toml::from_str::<Config>(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        } else {
            Config::default()
        };
        cfg.apply_env(|k| std::env::var(k).ok());
        for var in ["YINYAO_CRYPTO_SUITE", "YINYAO_PREVIOUS_CRYPTO_SUITE"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
                && Suite::parse(&v).is_none()
            {
                anyhow::bail!("{var} must be `aes` or `sm`, not {v:?}");
            }
        }
        cfg.validate()?;
        Ok(cfg)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        if let Some(v) = get("YINYAO_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("YINYAO_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("DATABASE_URL").filter(|v| !v.is_empty()) {
            self.database_url = Some(v);
        }
        if let Some(v) = get("YINYAO_LOG_JSON") {
            self.log_json = v == "1" || v == "true";
        }
        if let Some(v) = get("YINYAO_PUBLIC_URL").filter(|v| !v.is_empty()) {
            self.public_url = Some(v.trim_end_matches('/').to_string());
        }
        if let Some(v) = get("YINYAO_UPLOAD_DIR").filter(|v| !v.is_empty()) {
            self.upload_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = get("YINYAO_SMTP_URL").filter(|v| !v.is_empty()) {
            self.mail.smtp_url = Some(v);
        }
        if let Some(v) = get("YINYAO_MAIL_FROM").filter(|v| !v.is_empty()) {
            self.mail.from = v;
        }
        let sms = [
            (
                "YINYAO_SMS_PROVIDER",
                &mut self.sms.provider as &mut dyn SetFrom,
            ),
            ("YINYAO_SMS_URL", &mut self.sms.url),
            ("YINYAO_SMS_TOKEN", &mut self.sms.token),
            ("YINYAO_SMS_SECRET_ID", &mut self.sms.secret_id),
            ("YINYAO_SMS_SECRET_KEY", &mut self.sms.secret_key),
            ("YINYAO_SMS_APP_ID", &mut self.sms.app_id),
            ("YINYAO_SMS_SIGN_NAME", &mut self.sms.sign_name),
            ("YINYAO_SMS_TEMPLATE_ID", &mut self.sms.template_id),
            ("YINYAO_SMS_REGION", &mut self.sms.region),
        ];
        let wechat = [
            (
                "YINYAO_WECHAT_APPID",
                &mut self.wechat.appid as &mut dyn SetFrom,
            ),
            ("YINYAO_WECHAT_SECRET", &mut self.wechat.secret),
            ("YINYAO_WECHAT_TEMPLATE_ID", &mut self.wechat.template_id),
            ("YINYAO_WECHAT_API_URL", &mut self.wechat.api_url),
            ("YINYAO_WECHAT_OAUTH_URL", &mut self.wechat.oauth_url),
        ];
        for (var, field) in sms.into_iter().chain(wechat) {
            if let Some(v) = get(var).filter(|v| !v.is_empty()) {
                field.set_from(v);
            }
        }
        if let Some(v) = get("YINYAO_FIELD_KEY").filter(|v| !v.is_empty()) {
            self.security.field_key = Some(v);
        }
        if let Some(v) = get("YINYAO_CRYPTO_SUITE").and_then(|v| Suite::parse(&v)) {
            self.crypto.suite = v;
        }
        if let Some(v) = get("YINYAO_PREVIOUS_FIELD_KEY").filter(|v| !v.is_empty()) {
            self.crypto.previous_field_key = Some(v);
        }
        if let Some(v) = get("YINYAO_PREVIOUS_CRYPTO_SUITE").and_then(|v| Suite::parse(&v)) {
            self.crypto.previous_suite = v;
        }
        if let Some(v) = get("YINYAO_SECURE_COOKIES") {
            self.security.secure_cookies = v == "1" || v == "true";
        }
    }

    fn validate(&mut self) -> anyhow::Result<()> {
        if self.security.audit_retention_days < MIN_AUDIT_RETENTION_DAYS {
            anyhow::bail!(
                "security.audit_retention_days must be at least {MIN_AUDIT_RETENTION_DAYS}"
            );
        }
        if self.password.min_length < 8 || self.password.min_classes > 4 {
            anyhow::bail!("password.min_length must be at least 8 and min_classes at most 4");
        }
        match self.sms.provider.as_str() {
            "" => {}
            "webhook" if self.sms.url.is_none() => {
                anyhow::bail!("sms.url is needed for the webhook")
            }
            "webhook" => {}
            "tencent" => {
                for (name, v) in [
                    ("secret_id", &self.sms.secret_id),
                    ("secret_key", &self.sms.secret_key),
                    ("app_id", &self.sms.app_id),
                    ("sign_name", &self.sms.sign_name),
                    ("template_id", &self.sms.template_id),
                ] {
                    if v.as_deref().is_none_or(str::is_empty) {
                        anyhow::bail!("sms.{name} is needed for Tencent Cloud SMS");
                    }
                }
            }
            other => anyhow::bail!("sms.provider must be `webhook` or `tencent`, not {other:?}"),
        }
        if !self.wechat.appid.is_empty()
            && (self.wechat.secret.as_deref().is_none_or(str::is_empty)
                || self.wechat.template_id.is_empty())
        {
            anyhow::bail!("wechat.secret and wechat.template_id are needed with wechat.appid");
        }
        if !(1..=100).contains(&self.sms.per_hour) {
            anyhow::bail!("sms.per_hour must be 1 to 100");
        }
        Ok(())
    }

    /// The configuration as recorded in the audit trail: everything but the database URL,
    /// which may hold a password.
    pub fn audit_view(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.remove("database_url");
        }
        v
    }

    /// The directory uploaded files are kept in.
    pub fn effective_upload_dir(&self) -> PathBuf {
        self.upload_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("uploads"))
    }

    /// The database URL in force: the configured one, or the SQLite file under the data directory.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("yinyao.db").display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_file() {
        let mut cfg: Config = toml::from_str("listen = \"0.0.0.0:9000\"").unwrap();
        cfg.apply_env(|k| (k == "YINYAO_LISTEN").then(|| "127.0.0.1:7000".to_string()));
        assert_eq!(cfg.listen, "127.0.0.1:7000");
    }

    #[test]
    fn default_database_is_sqlite_under_data_dir() {
        let cfg = Config::default();
        assert_eq!(cfg.effective_database_url(), "sqlite://./data/yinyao.db");
    }

    #[test]
    fn short_audit_retention_is_refused() {
        let mut cfg: Config = toml::from_str("[security]\naudit_retention_days = 30").unwrap();
        assert!(cfg.validate().is_err());
    }
}
