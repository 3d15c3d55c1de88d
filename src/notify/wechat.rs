//! The bureau's WeChat official account (公众号), through its documented HTTP API: the OAuth
//! `snsapi_base` page and code exchange that give a follower's openid when they scan their
//! binding code, the access token (`/cgi-bin/token`, shared by all nodes through the
//! database and fetched again when WeChat answers that it expired), and template messages
//! (`/cgi-bin/message/template/send`).

use super::mail::Outcome;
use crate::config::WechatConfig;
use serde_json::json;
use std::time::Duration;

/// The official account's client.
pub struct Wechat {
    client: reqwest::Client,
    api: String,
    oauth: String,
    appid: String,
    secret: String,
    template_id: String,
}

/// What a template send came to: an outcome, or "the token expired" (fetch one and retry).
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    Done(Outcome),
    TokenExpired,
}

/// WeChat's error codes for an access token that is invalid or expired.
const TOKEN_ERRORS: [i64; 3] = [40001, 40014, 42001];

impl Wechat {
    pub fn from_config(c: &WechatConfig) -> Option<Self> {
        if c.appid.is_empty() {
            return None;
        }
        Some(Wechat {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .ok()?,
            api: c
                .api_url
                .clone()
                .unwrap_or_else(|| "https://api.weixin.qq.com".into()),
            oauth: c
                .oauth_url
                .clone()
                .unwrap_or_else(|| "https://open.weixin.qq.com".into()),
            appid: c.appid.clone(),
            secret: c.secret.clone()?,
            template_id: c.template_id.clone(),
        })
    }

    /// The OAuth page a follower is sent to from their binding code: it returns to
    /// `redirect` with a `code` and our `state`, asking nothing of them (`snsapi_base`).
    pub fn authorize_url(&self, redirect: &str, state: &str) -> String {
        let mut u = reqwest::Url::parse(&format!("{}/connect/oauth2/authorize", self.oauth))
            .unwrap_or_else(|_| reqwest::Url::parse("https://open.weixin.qq.com/").expect("url"));
        u.query_pairs_mut()
            .append_pair("appid", &self.appid)
            .append_pair("redirect_uri", redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", "snsapi_base")
            .append_pair("state", state);
        format!("{u}#wechat_redirect")
    }

    async fn get_json(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<serde_json::Value, String> {
        let r = self
            .client
            .get(format!("{}{path}", self.api))
            .query(query)
            .send()
            .await
            .map_err(|e| format!("wechat: {e}"))?;
        r.json().await.map_err(|e| format!("wechat: {e}"))
    }

    /// The openid an OAuth code stands for.
    pub async fn openid(&self, code: &str) -> Result<String, String> {
        let v = self
            .get_json(
                "/sns/oauth2/access_token",
                &[
                    ("appid", &self.appid),
                    ("secret", &self.secret),
                    ("code", code),
                    ("grant_type", "authorization_code"),
                ],
            )
            .await?;
        match v["openid"].as_str() {
            Some(o) if !o.is_empty() => Ok(o.to_string()),
            _ => Err(format!(
                "{}: {}",
                v["errcode"].as_i64().unwrap_or(0),
                v["errmsg"].as_str().unwrap_or("no openid")
            )),
        }
    }

    /// A new access token and its lifetime in seconds.
    pub async fn fetch_token(&self) -> Result<(String, i64), String> {
        let v = self
            .get_json(
                "/cgi-bin/token",
                &[
                    ("grant_type", "client_credential"),
                    ("appid", &self.appid),
                    ("secret", &self.secret),
                ],
            )
            .await?;
        match v["access_token"].as_str() {
            Some(t) => Ok((t.to_string(), v["expires_in"].as_i64().unwrap_or(7200))),
            None => Err(format!(
                "token: {} {}",
                v["errcode"].as_i64().unwrap_or(0),
                v["errmsg"].as_str().unwrap_or("")
            )),
        }
    }

    /// Sends a template message to a follower: the kind as its first line, what it is about,
    /// the time, and a note; tapping it opens `url`.
    pub async fn send(&self, token: &str, m: &Message) -> Sent {
        let body = json!({
            "touser": m.openid,
            "template_id": self.template_id,
            "url": m.url,
            "data": {
                "first": { "value": m.title },
                "keyword1": { "value": m.subject },
                "keyword2": { "value": m.when },
                "remark": { "value": m.note },
            }
        });
        let r = self
            .client
            .post(format!("{}/cgi-bin/message/template/send", self.api))
            .query(&[("access_token", token)])
            .json(&body)
            .send()
            .await;
        let v: serde_json::Value = match r {
            Err(e) => return Sent::Done(Outcome::Retry(format!("wechat: {e}"))),
            Ok(r) if r.status().is_server_error() => {
                return Sent::Done(Outcome::Retry(format!("wechat: HTTP {}", r.status())));
            }
            Ok(r) => match r.json().await {
                Ok(v) => v,
                Err(e) => return Sent::Done(Outcome::Retry(format!("wechat: {e}"))),
            },
        };
        read_answer(&v)
    }
}

/// What WeChat answered a send: 0 is sent; an expired token is fetched again; -1 (busy) and
/// 45009 (over the day's quota) are tried again later; anything else (43004: the person no
/// longer follows the account; 40003: an unknown openid) is final, with the code and message.
pub fn read_answer(v: &serde_json::Value) -> Sent {
    let code = v["errcode"].as_i64().unwrap_or(-1);
    let msg = format!("{code}: {}", v["errmsg"].as_str().unwrap_or(""));
    match code {
        0 => Sent::Done(Outcome::Sent),
        c if TOKEN_ERRORS.contains(&c) => Sent::TokenExpired,
        -1 | 45009 => Sent::Done(Outcome::Retry(msg)),
        _ => Sent::Done(Outcome::Failed(msg)),
    }
}

/// One template message, worded.
#[derive(Clone, Debug)]
pub struct Message {
    pub openid: String,
    pub title: String,
    pub subject: String,
    pub when: String,
    pub note: String,
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_documented() {
        assert_eq!(
            read_answer(&json!({"errcode": 0, "errmsg": "ok", "msgid": 1})),
            Sent::Done(Outcome::Sent)
        );
        for c in TOKEN_ERRORS {
            assert_eq!(
                read_answer(&json!({"errcode": c, "errmsg": "x"})),
                Sent::TokenExpired
            );
        }
        assert!(matches!(
            read_answer(&json!({"errcode": -1, "errmsg": "system busy"})),
            Sent::Done(Outcome::Retry(_))
        ));
        assert!(
            matches!(read_answer(&json!({"errcode": 43004, "errmsg": "require subscribe"})), Sent::Done(Outcome::Failed(m)) if m.starts_with("43004"))
        );
    }

    #[test]
    fn the_oauth_page_asks_for_the_openid_only() {
        let w = Wechat::from_config(&WechatConfig {
            appid: "wx123".into(),
            secret: Some("s".into()),
            template_id: "t".into(),
            ..WechatConfig::default()
        })
        .unwrap();
        let u = w.authorize_url("https://yy.example/wechat/callback", "7.99.abc");
        assert!(u.starts_with("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx123&redirect_uri=https%3A%2F%2Fyy.example%2Fwechat%2Fcallback&response_type=code&scope=snsapi_base&state=7.99.abc"), "{u}");
        assert!(u.ends_with("#wechat_redirect"));
    }
}
