//! Scheduled work. Each run claims a unique `(job, slot)` row first, so with several
//! nodes on one database a job runs once per slot, not once per node.

pub mod policy;
pub mod search_lists;
pub mod visit_tasks;

use crate::audit::{
    self as audit,
    model::{Actor, Event},
};
use crate::db::{Tx, now};
use crate::on_tx;
use crate::state::AppState;
use chrono::Duration;
use serde_json::json;

/// Claims `(job, slot)` for this node; false when another node (or an earlier run) has it.
pub async fn claim(tx: &mut Tx, job: &str, slot: &str, node: &str) -> Result<bool, sqlx::Error> {
    let r = on_tx!(tx, c => sqlx::query(
        "INSERT INTO job_runs (job, slot, node, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (job, slot) DO NOTHING")
        .bind(job).bind(slot).bind(node).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// Whether `(job, slot)` has been claimed already (for jobs that claim after their work).
async fn ran(state: &AppState, job: &str, slot: &str) -> Result<bool, sqlx::Error> {
    let mut tx = state.db.read().await?;
    let done: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM job_runs WHERE job = $1 AND slot = $2")
        .bind(job).bind(slot).fetch_one(c).await)?;
    Ok(done > 0)
}

/// Daily: removes audit entries older than the retention (never under 180 days), expired
/// sessions, and roster uploads checked but not committed within a day (they hold ID numbers
/// and mobiles, encrypted, and are no use once their commit window has passed). The claim and
/// the work commit together: a crash leaves the slot free.
pub async fn daily_housekeeping(state: &AppState) -> Result<bool, sqlx::Error> {
    let slot = now().format("%Y-%m-%d").to_string();
    let mut tx = state.db.write().await?;
    if !claim(&mut tx, "daily_housekeeping", &slot, &state.node).await? {
        return Ok(false);
    }
    let days = state
        .config
        .security
        .audit_retention_days
        .max(crate::config::MIN_AUDIT_RETENTION_DAYS);
    let purged = audit::purge_before(&mut tx, now() - Duration::days(days)).await?;
    let sessions = crate::web::session::purge_expired(&mut tx, now()).await?;
    let uploads = crate::people::import::purge_expired(&mut tx, now()).await?;
    audit::record(&mut tx, &Actor::system("daily_housekeeping"), Event::ok("job.daily_housekeeping", slot)
        .detail(json!({ "audit_entries_purged": purged, "retention_days": days, "sessions_purged": sessions, "import_uploads_purged": uploads })))
        .await?;
    let checkpoint = audit::checkpoint(&mut tx).await?;
    tx.commit().await?;
    // Once a day the chain's head goes to the log, signed, so that a trail cut short in the
    // database can be shown against a copy kept elsewhere (`yinyao audit verify --checkpoint`).
    tracing::info!(checkpoint = %checkpoint.to_line(&state.crypto), "audit checkpoint");
    Ok(true)
}

/// Daily: creates the visit tasks the must-visit rules call for. The generator is
/// idempotent, so the slot is written after the run: a crash mid-way is retried, and two
/// nodes racing at midnight only repeat harmless work.
pub async fn daily_visit_tasks(state: &AppState) -> Result<Option<u64>, sqlx::Error> {
    let today = now().date_naive();
    let slot = today.to_string();
    if ran(state, "visit_tasks", &slot).await? {
        return Ok(None);
    }
    let created = crate::jobs::visit_tasks::generate(&state.db, today, None).await?;
    let mut tx = state.db.write().await?;
    if claim(&mut tx, "visit_tasks", &slot, &state.node).await? {
        audit::record(
            &mut tx,
            &Actor::system("visit_tasks"),
            Event::ok("job.visit_tasks", slot).detail(json!({ "tasks_created": created })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(created))
}

/// Daily: makes the search's recent-match lists of tokens that became frequent, rebuilds
/// lists that removals left short and trims long ones (`search_lists::refresh`). Safe to
/// repeat, so the slot is written after the run, as for the visit tasks.
pub async fn daily_search_lists(state: &AppState) -> Result<bool, sqlx::Error> {
    let slot = now().format("%Y-%m-%d").to_string();
    if ran(state, "search_lists", &slot).await? {
        return Ok(false);
    }
    let r = search_lists::refresh(&state.db).await?;
    let mut tx = state.db.write().await?;
    if claim(&mut tx, "search_lists", &slot, &state.node).await? {
        audit::record(
            &mut tx,
            &Actor::system("search_lists"),
            Event::ok("job.search_lists", slot).detail(json!({
                "lists_made": r.created, "lists_rebuilt": r.rebuilt,
                "lists_trimmed": r.trimmed, "kinds_skipped": r.skipped_kinds })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Runs the notifications consumer until it has caught up, a batch a transaction (a read
/// first, so an idle node writes nothing); returns how many events it took.
pub async fn consume_notifications(db: &crate::db::Db) -> Result<usize, sqlx::Error> {
    let mut total = 0;
    while crate::notify::service::pending(db).await? {
        let mut tx = db.write().await?;
        let n = crate::notify::service::consume_batch(&mut tx).await?;
        tx.commit().await?;
        if n == 0 {
            // On PostgreSQL the newest events become readable once older transactions end.
            break;
        }
        total += n;
    }
    Ok(total)
}

/// Sends the emails that are due, up to 50 a run: claimed in one transaction (so no other
/// node takes them), sent with none open, each outcome recorded after. Without an SMTP server
/// configured they wait in the queue. Returns how many were tried.
pub async fn deliver_email(state: &AppState) -> Result<usize, sqlx::Error> {
    let Some(url) = state.config.mail.smtp_url.as_deref() else {
        return Ok(0);
    };
    let mailer = match crate::notify::mail::mailer(url) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "email is not configured correctly");
            return Ok(0);
        }
    };
    let mut tx = state.db.write().await?;
    let batch = crate::notify::service::claim_email(&mut tx, now(), 50).await?;
    tx.commit().await?;
    let base = state.config.public_url.clone().unwrap_or_default();
    // Messages to one address due in the same run (the daily digest at 18:00, or what the
    // quiet hours held overnight) go as one email.
    let mut groups: Vec<Vec<&crate::notify::Outgoing>> = Vec::new();
    for o in &batch {
        match groups.iter_mut().find(|g| g[0].address == o.address) {
            Some(g) => g.push(o),
            None => groups.push(vec![o]),
        }
    }
    for group in groups {
        let m = match group.as_slice() {
            [o] => {
                let unsubscribe = o
                    .account_id
                    .map(|a| crate::notify::prefs::service::link(&state.crypto, &base, a, o.kind));
                crate::notify::mail::message(
                    o,
                    &state.config.mail.from,
                    &base,
                    unsubscribe.as_deref(),
                )
            }
            many => {
                let links: Vec<Option<String>> = many
                    .iter()
                    .map(|o| {
                        o.account_id.map(|a| {
                            crate::notify::prefs::service::link(&state.crypto, &base, a, o.kind)
                        })
                    })
                    .collect();
                crate::notify::mail::digest(many, &links, &state.config.mail.from, &base)
            }
        };
        let outcome = match m {
            Ok(m) => crate::notify::mail::send(&mailer, m).await,
            Err(e) => crate::notify::mail::Outcome::Failed(e),
        };
        for o in group {
            settle_counted(state, o, &outcome, "yinyao_email_attempts_total").await?;
        }
    }
    Ok(batch.len())
}

/// Records what became of a claimed message (in its own transaction) and counts it in
/// `/metrics` under `metric`, by outcome.
async fn settle_counted(
    state: &AppState,
    o: &crate::notify::Outgoing,
    outcome: &crate::notify::mail::Outcome,
    metric: &'static str,
) -> Result<(), sqlx::Error> {
    use crate::notify::mail::Outcome;
    let label = match outcome {
        Outcome::Sent => "sent",
        Outcome::Retry(_) => "retry",
        Outcome::Failed(_) => "failed",
    };
    metrics::counter!(metric, "outcome" => label).increment(1);
    let mut tx = state.db.write().await?;
    crate::notify::service::settle(&mut tx, o, outcome).await?;
    tx.commit().await
}

/// Sends the SMS that are due, up to 50 a run, as [`deliver_email`] does email: claimed in
/// one transaction (an address over its hourly limit is put off an hour), each mobile
/// decrypted only here, just before its request, sent with no transaction open, each outcome
/// recorded after. Without a provider configured they wait in the queue. Returns how many
/// were tried.
pub async fn deliver_sms(state: &AppState) -> Result<usize, sqlx::Error> {
    use crate::notify::mail::Outcome;
    use crate::notify::sms::{Configured, Sender, Sms};
    let Some(sender) = Configured::from_config(&state.config.sms) else {
        return Ok(0);
    };
    let mut tx = state.db.write().await?;
    let batch =
        crate::notify::service::claim_sms(&mut tx, now(), 50, state.config.sms.per_hour).await?;
    tx.commit().await?;
    let base = state.config.public_url.clone().unwrap_or_default();
    for o in &batch {
        let mobile = o.sealed.as_deref().map(|s| state.crypto.decrypt(s));
        let outcome = match mobile {
            None => Outcome::Failed("no mobile on file".into()),
            Some(Err(_)) => Outcome::Failed("the mobile cannot be read".into()),
            Some(Ok(mobile)) => {
                let sms = Sms {
                    mobile,
                    text: crate::notify::service::sms_text(o, &base),
                };
                sender.send(&sms).await
            }
        };
        settle_counted(state, o, &outcome, "yinyao_sms_attempts_total").await?;
    }
    Ok(batch.len())
}

/// Sends the WeChat template messages that are due, up to 50 a run, as [`deliver_email`]
/// does email. The access token is the one kept for all nodes, fetched (and kept) when there
/// is none or it has run out; when WeChat answers that it expired, a new one is fetched and
/// the message sent again, once. Without an official account configured they wait.
pub async fn deliver_wechat(state: &AppState) -> Result<usize, sqlx::Error> {
    use crate::notify::mail::Outcome;
    use crate::notify::wechat::{Sent, Wechat};
    let Some(w) = Wechat::from_config(&state.config.wechat) else {
        return Ok(0);
    };
    let mut tx = state.db.write().await?;
    let per_hour = match state.config.wechat.per_hour {
        n if n > 0 => n,
        _ => 10,
    };
    let batch = crate::notify::service::claim_wechat(&mut tx, now(), 50, per_hour).await?;
    let mut token = crate::notify::service::wechat_token(&mut tx, now()).await?;
    tx.commit().await?;
    let base = state.config.public_url.clone().unwrap_or_default();
    for o in &batch {
        let outcome = match crate::notify::service::wechat_message(o, &base) {
            None => Outcome::Failed("no WeChat bound".into()),
            Some(m) => {
                let mut tries = 0;
                loop {
                    let t = match &token {
                        Some(t) => t.clone(),
                        None => match w.fetch_token().await {
                            Ok((t, secs)) => {
                                let mut tx = state.db.write().await?;
                                crate::notify::service::keep_wechat_token(&mut tx, &t, secs)
                                    .await?;
                                tx.commit().await?;
                                token = Some(t.clone());
                                t
                            }
                            Err(e) => break Outcome::Retry(e),
                        },
                    };
                    match w.send(&t, &m).await {
                        Sent::Done(o) => break o,
                        Sent::TokenExpired if tries == 0 => {
                            tries += 1;
                            token = None;
                        }
                        Sent::TokenExpired => break Outcome::Retry("access token refused".into()),
                    }
                }
            }
        };
        settle_counted(state, o, &outcome, "yinyao_wechat_attempts_total").await?;
    }
    Ok(batch.len())
}

/// The hour (China time) from which the day's digest of visit tasks goes out.
pub const DIGEST_HOUR: u32 = 7;

/// Daily, from 07:00 China time: to every account with visit tasks due by today, one
/// notification saying how many and how many are overdue (not one a task). The claim and the
/// notifications commit together; a notification exists once a day in any case.
pub async fn daily_task_digest(state: &AppState) -> Result<Option<usize>, sqlx::Error> {
    use chrono::Timelike;
    let local = now().with_timezone(&crate::i18n::china());
    if local.hour() < DIGEST_HOUR {
        return Ok(None);
    }
    let day = local.date_naive();
    let mut tx = state.db.write().await?;
    if !claim(&mut tx, "task_digest", &day.to_string(), &state.node).await? {
        return Ok(None);
    }
    let counts = crate::care::service::due_counts(&mut tx, day).await?;
    let sent = crate::notify::service::digest(&mut tx, day, &counts).await?;
    audit::record(
        &mut tx,
        &Actor::system("task_digest"),
        Event::ok("job.task_digest", day.to_string()).detail(json!({ "notifications": sent })),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(sent))
}

/// Daily, from 08:00 China time: the deadline reminders of contact rounds due by tomorrow
/// (each round claimed once across nodes by marking it reminded).
pub async fn round_reminders(state: &AppState) -> Result<Option<usize>, crate::error::AppError> {
    use chrono::Timelike;
    let local = now().with_timezone(&crate::i18n::china());
    if local.hour() < crate::notify::model::QUIET_UNTIL {
        return Ok(None);
    }
    let mut tx = state.db.write().await?;
    let sent = remind_rounds(&mut tx, local.date_naive()).await?;
    if sent > 0 {
        audit::record(
            &mut tx,
            &Actor::system("round_reminders"),
            Event::ok("job.round_reminders", local.date_naive().to_string())
                .detail(json!({ "notifications": sent })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(sent))
}

/// Writes the deadline reminders of contact rounds due on `day` as notifications (kind
/// `round_due`, once per round and account); returns how many.
pub async fn remind_rounds(
    tx: &mut crate::db::Tx,
    day: chrono::NaiveDate,
) -> Result<usize, crate::error::AppError> {
    let mut sent = 0;
    for r in crate::care::rounds::service::reminders(tx, day).await? {
        let n = crate::notify::model::NewNotice {
            account: r.account,
            kind: crate::notify::model::NoticeKind::RoundDue,
            subject: format!("{}/{}", r.pending, r.title),
            note: None,
            link: Some(r.link),
            once_key: Some(format!("round-due:{}", r.round)),
            sms: true,
        };
        if crate::notify::service::write(tx, &n).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Every minute: the reminders of events starting within a day or an hour, to everyone
/// holding a place (each event claimed once across nodes by marking it reminded). In quiet
/// hours the inbox has them at once; email and SMS wait as for any kind.
pub async fn event_reminders(state: &AppState) -> Result<usize, crate::error::AppError> {
    let mut tx = state.db.write().await?;
    let sent = remind_events(&mut tx, now()).await?;
    if sent > 0 {
        audit::record(
            &mut tx,
            &Actor::system("event_reminders"),
            Event::ok("job.event_reminders", now().to_rfc3339())
                .detail(json!({ "notifications": sent })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(sent)
}

/// Writes the event reminders due at `at` as notifications (kind `event_reminder`, once per
/// event, account and which: a day or an hour ahead); returns how many.
pub async fn remind_events(
    tx: &mut crate::db::Tx,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<usize, crate::error::AppError> {
    let mut sent = 0;
    for r in crate::events::service::reminders(tx, at).await? {
        let n = crate::notify::model::NewNotice {
            account: r.account,
            kind: crate::notify::model::NoticeKind::EventReminder,
            subject: r.title,
            note: Some(crate::i18n::local_time(&r.starts)),
            link: Some(format!("/events/{}", r.event)),
            once_key: Some(format!("event-{}:{}", r.which, r.event)),
            sms: true,
        };
        if crate::notify::service::write(tx, &n).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The steps of must-reach notices that are due (SMS to the unread, then phone tasks), in
/// one write transaction; audited when something was done. Returns (SMS queued, tasks made).
pub async fn must_reach(state: &AppState) -> Result<(usize, usize), crate::error::AppError> {
    let mut tx = state.db.write().await?;
    let (sms, calls) = crate::notify::notices::service::must_reach_steps(&mut tx, now()).await?;
    let today = crate::i18n::china_today();
    let mut tasks = 0;
    for c in &calls {
        if crate::care::service::notice_call_task(&mut tx, c.who, &c.key, today, c.writer)
            .await?
            .is_some()
        {
            tasks += 1;
        }
    }
    if sms > 0 || !calls.is_empty() {
        audit::record(
            &mut tx,
            &Actor::system("must_reach"),
            Event::ok("job.must_reach", today.to_string())
                .detail(json!({ "sms": sms, "tasks": tasks })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((sms, tasks))
}

/// How often the domain events' consumers look for new events: the figures on the home
/// pages lag the records by about this much.
pub const CONSUME_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs the domain events' consumers until the process stops (every node; a consumer's
/// cursor lets one node at a time take a batch).
pub async fn consume_events(state: AppState) {
    let mut tick = tokio::time::interval(CONSUME_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = crate::outbox::run_pending(&state.db).await {
            tracing::error!(error = ?e, "domain event consumers failed");
        }
        if let Err(e) = consume_notifications(&state.db).await {
            tracing::error!(error = ?e, "the notifications consumer failed");
        }
        if let Err(e) = deliver_email(&state).await {
            tracing::error!(error = ?e, "email delivery failed");
        }
        if let Err(e) = deliver_sms(&state).await {
            tracing::error!(error = ?e, "SMS delivery failed");
        }
        if let Err(e) = deliver_wechat(&state).await {
            tracing::error!(error = ?e, "WeChat delivery failed");
        }
    }
}

/// Publishes the articles whose time has come, in one write transaction.
async fn publish_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut tx = state.db.write().await?;
    let n = crate::news::service::publish_due(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// Runs the scheduler until the process stops: checks every minute (scheduled articles go
/// out within a minute of their time; the daily jobs claim their day once).
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = publish_due(&state).await {
            tracing::error!(error = ?e, "scheduled publishing failed");
        }
        if let Err(e) = daily_housekeeping(&state).await {
            tracing::error!(error = ?e, "daily housekeeping failed");
        }
        if let Err(e) = daily_visit_tasks(&state).await {
            tracing::error!(error = ?e, "visit task generation failed");
        }
        if let Err(e) = daily_search_lists(&state).await {
            tracing::error!(error = ?e, "search list refresh failed");
        }
        if let Err(e) = daily_task_digest(&state).await {
            tracing::error!(error = ?e, "the task digest failed");
        }
        if let Err(e) = round_reminders(&state).await {
            tracing::error!(error = ?e, "the round reminders failed");
        }
        if let Err(e) = event_reminders(&state).await {
            tracing::error!(error = ?e, "the event reminders failed");
        }
        if let Err(e) = must_reach(&state).await {
            tracing::error!(error = ?e, "the must-reach steps failed");
        }
        if let Ok(mut tx) = state.db.write().await
            && crate::db::heartbeat(&mut tx, &state.node).await.is_ok()
        {
            let _ = tx.commit().await;
        }
    }
}
