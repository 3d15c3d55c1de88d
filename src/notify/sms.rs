//! SMS through a [`Sender`]: a generic HTTP webhook, or Tencent Cloud SMS (API 3.0 `SendSms`,
//! version 2021-01-11), each request signed with TC3-HMAC-SHA256 as Tencent Cloud's
//! documentation ("签名方法 v3") says. The mobile is decrypted by the caller just before the
//! call and lives nowhere else.

use super::mail::Outcome;
use crate::config::SmsConfig;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// One SMS: to a mainland mobile (11 digits), with the words to send.
#[derive(Clone, Debug)]
pub struct Sms {
    pub mobile: String,
    pub text: String,
}

/// Something that sends an SMS and says what became of it.
pub trait Sender {
    fn send(&self, sms: &Sms) -> impl std::future::Future<Output = Outcome> + Send;
}

/// The configured sender, or `None` when SMS is not set up (messages stay queued).
pub enum Configured {
    Webhook(Webhook),
    Tencent(Tencent),
}

impl Configured {
    pub fn from_config(c: &SmsConfig) -> Option<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .ok()?;
        match c.provider.as_str() {
            "webhook" => Some(Configured::Webhook(Webhook {
                client,
                url: c.url.clone()?,
                token: c.token.clone(),
            })),
            "tencent" => Some(Configured::Tencent(Tencent {
                client,
                url: c
                    .url
                    .clone()
                    .unwrap_or_else(|| "https://sms.tencentcloudapi.com".into()),
                secret_id: c.secret_id.clone()?,
                secret_key: c.secret_key.clone()?,
                app_id: c.app_id.clone()?,
                sign_name: c.sign_name.clone()?,
                template_id: c.template_id.clone()?,
                region: c.region.clone(),
            })),
            _ => None,
        }
    }
}

impl Sender for Configured {
    async fn send(&self, sms: &Sms) -> Outcome {
        if !valid_mobile(&sms.mobile) {
            return Outcome::Failed("invalid mobile number".into());
        }
        match self {
            Configured::Webhook(w) => w.send(sms).await,
            Configured::Tencent(t) => t.send(sms).await,
        }
    }
}

/// A mainland mobile: 11 digits starting with 1.
pub fn valid_mobile(m: &str) -> bool {
    m.len() == 11 && m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit())
}

/// What a transport failure or an HTTP status means for trying again: a server error, a
/// timeout or "too many requests" is worth another try; any other refusal is final.
fn by_status(status: reqwest::StatusCode, body: &str) -> Option<Outcome> {
    let short: String = body.chars().take(200).collect();
    if status.is_success() {
        None
    } else if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        Some(Outcome::Retry(format!("HTTP {status}: {short}")))
    } else {
        Some(Outcome::Failed(format!("HTTP {status}: {short}")))
    }
}

/// POSTs `{"to": "+86…", "text": "…"}` to a URL, with a bearer token when configured; any
/// 2xx answer is "sent".
pub struct Webhook {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Sender for Webhook {
    async fn send(&self, sms: &Sms) -> Outcome {
        let mut req = self
            .client
            .post(&self.url)
            .json(&json!({ "to": format!("+86{}", sms.mobile), "text": sms.text }));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        match req.send().await {
            Err(e) => Outcome::Retry(format!("webhook: {e}")),
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                by_status(status, &body).unwrap_or(Outcome::Sent)
            }
        }
    }
}

/// Tencent Cloud SMS, `SendSms` of API 3.0.
pub struct Tencent {
    client: reqwest::Client,
    url: String,
    secret_id: String,
    secret_key: String,
    app_id: String,
    sign_name: String,
    template_id: String,
    region: String,
}

pub const TENCENT_SERVICE: &str = "sms";
pub const TENCENT_VERSION: &str = "2021-01-11";

/// The `Authorization` header of a Tencent Cloud API 3.0 request (TC3-HMAC-SHA256): the
/// canonical request (POST, `/`, no query, the signed headers content-type, host and
/// x-tc-action, the payload's SHA-256), the string to sign (algorithm, timestamp, credential
/// scope `date/service/tc3_request`, the canonical request's SHA-256), and the key derived
/// from `"TC3" + SecretKey` by the UTC date, the service and "tc3_request".
#[allow(clippy::too_many_arguments)]
pub fn tc3_authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    action: &str,
    payload: &str,
    timestamp: i64,
) -> String {
    let date = chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let content_type = "application/json; charset=utf-8";
    let canonical_headers = format!(
        "content-type:{content_type}\nhost:{host}\nx-tc-action:{}\n",
        action.to_lowercase()
    );
    let signed_headers = "content-type;host;x-tc-action";
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}",
        hex::encode(Sha256::digest(payload.as_bytes()))
    );
    let scope = format!("{date}/{service}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let secret_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac(&secret_date, service.as_bytes());
    let secret_signing = hmac(&secret_service, b"tc3_request");
    let signature = hex::encode(hmac(&secret_signing, to_sign.as_bytes()));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The host (and port, when not the scheme's own) of a URL, as the `Host` header carries it.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            })
        })
        .unwrap_or_default()
}

/// What Tencent Cloud answered, read: the request's error, else the number's status.
pub fn tencent_outcome(body: &serde_json::Value) -> Outcome {
    let r = &body["Response"];
    if let Some(code) = r["Error"]["Code"].as_str() {
        let msg = format!("{code}: {}", r["Error"]["Message"].as_str().unwrap_or(""));
        // Their side or a burst: try again later. A bad key, signature or parameter: final.
        return if code.starts_with("InternalError")
            || code.starts_with("RequestLimitExceeded")
            || code == "LimitExceeded.DeliveryFrequencyLimit"
        {
            Outcome::Retry(msg)
        } else {
            Outcome::Failed(msg)
        };
    }
    match r["SendStatusSet"][0]["Code"].as_str() {
        Some("Ok") => Outcome::Sent,
        Some(code) => Outcome::Failed(format!(
            "{code}: {}",
            r["SendStatusSet"][0]["Message"].as_str().unwrap_or("")
        )),
        None => Outcome::Retry("no status in the answer".into()),
    }
}

impl Sender for Tencent {
    async fn send(&self, sms: &Sms) -> Outcome {
        let action = "SendSms";
        // A template's parameter is short (Tencent limits its length); the message's words,
        // cut to 20 characters.
        let param: String = sms.text.chars().take(20).collect();
        let payload = json!({
            "PhoneNumberSet": [format!("+86{}", sms.mobile)],
            "SmsSdkAppId": self.app_id,
            "SignName": self.sign_name,
            "TemplateId": self.template_id,
            "TemplateParamSet": [param],
        })
        .to_string();
        let host = host_of(&self.url);
        let timestamp = crate::db::now().timestamp();
        let auth = tc3_authorization(
            &self.secret_id,
            &self.secret_key,
            TENCENT_SERVICE,
            &host,
            action,
            &payload,
            timestamp,
        );
        let req = self
            .client
            .post(&self.url)
            .header("Authorization", auth)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Host", &host)
            .header("X-TC-Action", action)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Version", TENCENT_VERSION)
            .header("X-TC-Region", &self.region)
            .body(payload);
        match req.send().await {
            Err(e) => Outcome::Retry(format!("tencent: {e}")),
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                if let Some(o) = by_status(status, &body) {
                    return o;
                }
                match serde_json::from_str::<serde_json::Value>(&body) {
                    Ok(v) => tencent_outcome(&v),
                    Err(_) => Outcome::Retry("an answer that is not JSON".into()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_mainland_numbers() {
        assert!(valid_mobile("13912345678"));
        for bad in [
            "1391234567",
            "23912345678",
            "1391234567x",
            "+8613912345678",
            "",
        ] {
            assert!(!valid_mobile(bad), "{bad}");
        }
    }

    #[test]
    fn the_signature_follows_tencents_steps() {
        // The expected value was computed apart, in Python, by the documented steps (as the
        // test server checks every request).
        let a = tc3_authorization(
            "AKIDEXAMPLE",
            "SECRETEXAMPLE",
            "sms",
            "sms.tencentcloudapi.com",
            "SendSms",
            "{}",
            1_700_000_000,
        );
        assert!(
            a.starts_with(
                "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="
            ),
            "{a}"
        );
        assert!(
            a.ends_with(
                "Signature=91ab13999b94ded7972ee9643af0a333913e039757d5097f3feddf14249b9369"
            ),
            "{a}"
        );
        // Any change of the payload, the time or the key changes it.
        assert_ne!(
            a,
            tc3_authorization(
                "AKIDEXAMPLE",
                "SECRETEXAMPLE",
                "sms",
                "sms.tencentcloudapi.com",
                "SendSms",
                "{ }",
                1_700_000_000
            )
        );
        assert_ne!(
            a,
            tc3_authorization(
                "AKIDEXAMPLE",
                "SECRETEXAMPLf",
                "sms",
                "sms.tencentcloudapi.com",
                "SendSms",
                "{}",
                1_700_000_000
            )
        );
    }

    #[test]
    fn tencents_answers_are_read() {
        let ok = json!({"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success"}], "RequestId": "x"}});
        assert_eq!(tencent_outcome(&ok), Outcome::Sent);
        let bad = json!({"Response": {"SendStatusSet": [{"Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "bad"}]}});
        assert!(
            matches!(tencent_outcome(&bad), Outcome::Failed(m) if m.contains("IncorrectPhoneNumber"))
        );
        let sig = json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "no"}}});
        assert!(matches!(tencent_outcome(&sig), Outcome::Failed(_)));
        let busy =
            json!({"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "later"}}});
        assert!(matches!(tencent_outcome(&busy), Outcome::Retry(_)));
    }
}
