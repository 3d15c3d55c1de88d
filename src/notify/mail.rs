//! Email through SMTP (lettre): one message a notification, plain text in the recipient's
//! language, with a link to the page it is about and to the inbox where the address can be
//! changed or removed.

use super::repo::Outgoing;
use crate::i18n::Locale;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// What became of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Worth trying again later (the server was down, or said "try later").
    Retry(String),
    /// Never going to work (the address is refused); the reason is kept.
    Failed(String),
}

/// A mailer for the configured SMTP URL (`smtp://`, `smtps://`, `?tls=required`).
pub fn mailer(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| format!("SMTP URL: {e}"))?
        .timeout(Some(std::time::Duration::from_secs(15)))
        .build())
}

/// The email for one notification. `base` is the site's address for links; `unsubscribe`
/// the link that stops this kind of email for the account.
pub fn message(
    o: &Outgoing,
    from: &str,
    base: &str,
    unsubscribe: Option<&str>,
) -> Result<Message, String> {
    let l = Locale::parse(&o.locale).unwrap_or(Locale::ZhCn);
    let title = l.t(&o.kind.label_key());
    let mut body = format!("{title}\n\n{}\n", o.kind.describe(&o.subject, l));
    if let Some(n) = &o.note {
        body.push_str(&format!("\n{}{n}\n", l.t("notify.note")));
    }
    if let Some(link) = &o.link {
        body.push_str(&format!("\n{base}{link}\n"));
    }
    body.push_str(&format!(
        "\n--\n{}\n{base}/inbox/settings\n",
        l.t("notify.email_footer")
    ));
    if let Some(u) = unsubscribe {
        body.push_str(&format!("{}\n{u}\n", l.t("notify.email_unsubscribe")));
    }
    Message::builder()
        .from(from.parse().map_err(|e| format!("sender: {e}"))?)
        .to(o.address.parse().map_err(|e| format!("address: {e}"))?)
        .subject(title)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("message: {e}"))
}

/// One email for several messages to the same address (the daily digest, or messages held
/// by the quiet hours): each with its kind, words, note and link, newest last, and the link
/// that stops that kind of email (`unsubscribe`, one a message).
pub fn digest(
    os: &[&Outgoing],
    unsubscribe: &[Option<String>],
    from: &str,
    base: &str,
) -> Result<Message, String> {
    let first = os.first().ok_or("no message")?;
    let l = Locale::parse(&first.locale).unwrap_or(Locale::ZhCn);
    let mut body = String::new();
    for (i, o) in os.iter().enumerate() {
        body.push_str(&format!(
            "■ {}\n{}\n",
            l.t(&o.kind.label_key()),
            o.kind.describe(&o.subject, l)
        ));
        if let Some(n) = &o.note {
            body.push_str(&format!("{}{n}\n", l.t("notify.note")));
        }
        if let Some(link) = &o.link {
            body.push_str(&format!("{base}{link}\n"));
        }
        if let Some(Some(u)) = unsubscribe.get(i) {
            body.push_str(&format!("{} {u}\n", l.t("notify.email_unsubscribe")));
        }
        body.push('\n');
    }
    body.push_str(&format!(
        "--\n{}\n{base}/inbox/settings\n",
        l.t("notify.email_footer")
    ));
    Message::builder()
        .from(from.parse().map_err(|e| format!("sender: {e}"))?)
        .to(first.address.parse().map_err(|e| format!("address: {e}"))?)
        .subject(format!("{} ({})", l.t("notify.digest_title"), os.len()))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("message: {e}"))
}

/// Sends one message; what the server answered decides whether to try again.
pub async fn send(mailer: &AsyncSmtpTransport<Tokio1Executor>, m: Message) -> Outcome {
    match mailer.send(m).await {
        Ok(_) => Outcome::Sent,
        Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
        Err(e) => Outcome::Retry(e.to_string()),
    }
}
