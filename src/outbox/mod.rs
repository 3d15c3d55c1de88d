//! Domain events, a transactional outbox: a change writes its event in its own transaction
//! ([`emit`]); consumers ([`Consumer`]) run on the job runner, each with its own cursor, read
//! the events in commit order, and write what they derive in the same transaction as their
//! cursor's advance — so each event counts exactly once, however often and on however many
//! nodes a consumer runs. The first consumer keeps per-unit daily counts ([`rollup`]);
//! notifications, points and dashboards will be further consumers.

mod repo;
pub mod rollup;
pub mod totals;

use crate::db::{Db, Tx};
use chrono::{DateTime, Utc};

/// What happened. Registered here, one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A person file was created (`payload.categories`), or several by an import
    /// (`payload.count`).
    PeopleFiled,
    /// A person file moved to another unit (`payload.from`, `payload.to`).
    PersonMoved,
    /// A visit was recorded (`payload.tasks_done`: the visit tasks it completed).
    VisitRecorded,
    /// An article was published (by a reviewer, or at its scheduled time).
    ArticlePublished,
    /// An account was created.
    AccountCreated,
    /// A role was granted (`payload.role`).
    RoleGranted,
    /// A unit was created, retyped, moved or deactivated with its subtree
    /// (`payload.ancestors_before`: after a move, the ids it was under before).
    UnitsChanged,
    /// Records the figures count changed at the event's unit without a more particular
    /// event: a person file edited, a care plan set, a death recorded, an article withdrawn.
    RecordsChanged,
    /// An article was submitted, approved a step, rejected or withdrawn (`payload.action`,
    /// `state_after`, `title`, `author_id`, `article_unit`, `comment`). Carries no unit:
    /// it changes no figure; notifications read it.
    ArticleDecided,
    /// A role was revoked (`payload.account_id`, `role`, `unit_name`).
    RoleRevoked,
    /// A reply under a comment became visible (`payload.account_id`: the account that wrote
    /// the comment answered; `article_id`, `title`, `replier`, `excerpt`). No unit.
    CommentReplied,
    /// A campaign's work was shortlisted or chosen (`payload.account_id`: its author;
    /// `verdict`, `work`, `campaign`, `campaign_id`). No unit.
    WorkDecided,
    /// An account logged in from a device it never used before (`payload.account_id`,
    /// `agent`, `ip`). No unit.
    NewDevice,
    /// Something those registered for an event should hear (`payload.what`: place, changed,
    /// cancelled, refused; `accounts`, `title`, `event_id`, `starts`, `note`). No unit.
    EventNotice,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::PeopleFiled,
        Kind::PersonMoved,
        Kind::VisitRecorded,
        Kind::ArticlePublished,
        Kind::AccountCreated,
        Kind::RoleGranted,
        Kind::UnitsChanged,
        Kind::RecordsChanged,
        Kind::ArticleDecided,
        Kind::RoleRevoked,
        Kind::CommentReplied,
        Kind::WorkDecided,
        Kind::NewDevice,
        Kind::EventNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PeopleFiled => "people.filed",
            Kind::PersonMoved => "person.moved",
            Kind::VisitRecorded => "visit.recorded",
            Kind::ArticlePublished => "article.published",
            Kind::AccountCreated => "account.created",
            Kind::RoleGranted => "role.granted",
            Kind::UnitsChanged => "units.changed",
            Kind::RecordsChanged => "records.changed",
            Kind::ArticleDecided => "article.decided",
            Kind::RoleRevoked => "role.revoked",
            Kind::CommentReplied => "comment.replied",
            Kind::WorkDecided => "work.decided",
            Kind::NewDevice => "account.new_device",
            Kind::EventNotice => "event.notice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An event as a change writes it.
#[derive(Clone, Debug)]
pub struct DomainEvent {
    pub kind: Kind,
    pub unit_id: Option<i64>,
    pub actor_id: Option<i64>,
    /// What it is about, as the audit trail names it (`person:12`, `article:7`).
    pub subject: String,
    pub payload: serde_json::Value,
}

impl DomainEvent {
    pub fn new(kind: Kind, subject: impl Into<String>) -> Self {
        Self {
            kind,
            unit_id: None,
            actor_id: None,
            subject: subject.into(),
            payload: serde_json::Value::Null,
        }
    }

    /// The unit whose figures the event touches.
    pub fn unit(mut self, unit: impl Into<crate::ids::UnitId>) -> Self {
        self.unit_id = Some(unit.into().0);
        self
    }

    pub fn actor(mut self, actor: Option<i64>) -> Self {
        self.actor_id = actor;
        self
    }

    pub fn payload(mut self, payload: serde_json::Value) -> Self {
        self.payload = payload;
        self
    }
}

/// Writes an event in the change's own transaction: it exists exactly when the change does.
pub async fn emit(tx: &mut Tx, event: DomainEvent) -> Result<(), sqlx::Error> {
    repo::insert(tx, &event).await
}

/// An event as consumers read it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub unit_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub subject: String,
    pub payload: String,
    /// The commit order: the writing transaction's id (PostgreSQL) or the row id (SQLite).
    pub position: i64,
}

impl Stored {
    pub fn kind(&self) -> Option<Kind> {
        Kind::parse(&self.kind)
    }

    pub fn payload(&self) -> serde_json::Value {
        serde_json::from_str(&self.payload).unwrap_or_default()
    }
}

/// The consumers, each with its cursor named after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consumer {
    /// Per-unit daily counts ([`rollup`]).
    UnitDaily,
    /// Figures over every subtree ([`totals`]).
    UnitTotals,
}

impl Consumer {
    pub const ALL: [Consumer; 2] = [Consumer::UnitDaily, Consumer::UnitTotals];

    pub fn name(self) -> &'static str {
        match self {
            Consumer::UnitDaily => "unit_daily",
            Consumer::UnitTotals => "unit_totals",
        }
    }

    async fn apply(self, tx: &mut Tx, events: &[Stored]) -> Result<(), sqlx::Error> {
        match self {
            Consumer::UnitDaily => rollup::apply(tx, events).await,
            Consumer::UnitTotals => totals::apply(tx, events).await,
        }
    }

    /// Recomputes what the consumer keeps from the records and moves its cursor past every
    /// event so far.
    pub async fn rebuild(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        match self {
            Consumer::UnitDaily => rollup::rebuild(tx).await,
            Consumer::UnitTotals => totals::rebuild(tx).await,
        }
    }
}

/// Events a consumer takes per transaction.
const BATCH: i64 = 2000;

/// Runs one consumer over one batch: locks its cursor (a second node waits, then sees the
/// advanced cursor), applies the events and advances the cursor in one transaction. Returns
/// how many events it took.
pub async fn run_once(db: &Db, consumer: Consumer) -> Result<usize, sqlx::Error> {
    let mut tx = db.write().await?;
    let at = repo::lock_cursor(&mut tx, consumer.name()).await?;
    let events = repo::after(&mut tx, at, BATCH).await?;
    let Some(last) = events.last().map(|e| e.position) else {
        return Ok(0);
    };
    consumer.apply(&mut tx, &events).await?;
    repo::set_cursor(&mut tx, consumer.name(), last).await?;
    tx.commit().await?;
    Ok(events.len())
}

/// At start-up: a database with no counts yet (one upgraded to migration 0016 or 0017, or loaded in
/// bulk) gets them from its records; on PostgreSQL, events carrying transaction ids of another
/// cluster (after a restore there) are set behind the cursor, with the counts recomputed, so
/// that new events, whose ids start lower, are not stuck behind them.
pub async fn prepare(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    let foreign = repo::foreign_txids(&mut tx).await?;
    if foreign {
        repo::clear_txids(&mut tx).await?;
        tracing::warn!("domain events came from another PostgreSQL cluster: counts recomputed");
    }
    for c in Consumer::ALL {
        if foreign || repo::cursor(&mut tx, c.name()).await?.is_none() {
            c.rebuild(&mut tx).await?;
        }
    }
    if foreign {
        // The domain modules' cursors start again below the new cluster's ids (the old
        // events now stand behind them).
        let ours: Vec<&str> = Consumer::ALL.iter().map(|c| c.name()).collect();
        repo::reset_other_cursors(&mut tx, &ours).await?;
    }
    tx.commit().await
}

/// A consumer kept by a domain module (notifications): it takes a batch with [`take`], does
/// its work in the same transaction, and moves its cursor with [`advance`] before the commit.
/// Its cursor starts where the events stood when its migration ran (nothing from before it
/// existed is sent).
pub async fn take(tx: &mut Tx, name: &str) -> Result<Vec<Stored>, sqlx::Error> {
    let at = repo::lock_cursor(tx, name).await?;
    repo::after(tx, at, BATCH).await
}

/// Moves a domain module's cursor past the events it took.
pub async fn advance(tx: &mut Tx, name: &str, events: &[Stored]) -> Result<(), sqlx::Error> {
    match events.last() {
        Some(last) => repo::set_cursor(tx, name, last.position).await,
        None => Ok(()),
    }
}

/// Events a domain module's consumer has still to take.
pub async fn lag(db: &Db, name: &str) -> Result<i64, sqlx::Error> {
    let mut tx = db.read().await?;
    repo::pending(&mut tx, name).await
}

/// Recomputes every consumer's figures from the records (after a bulk load that wrote no
/// events, such as the demo or the generated province).
pub async fn rebuild_all(tx: &mut Tx) -> Result<(), sqlx::Error> {
    for c in Consumer::ALL {
        c.rebuild(tx).await?;
    }
    Ok(())
}

/// Tells the figures that records counted at `unit` changed (see [`Kind::RecordsChanged`]).
pub async fn records_changed(
    tx: &mut Tx,
    unit: impl Into<crate::ids::UnitId>,
    actor: Option<i64>,
    subject: String,
) -> Result<(), sqlx::Error> {
    emit(
        tx,
        DomainEvent::new(Kind::RecordsChanged, subject)
            .unit(unit)
            .actor(actor),
    )
    .await
}

/// Runs the consumers that have events waiting (a read first, so an idle node writes
/// nothing); returns how many events were taken.
pub async fn run_pending(db: &Db) -> Result<usize, sqlx::Error> {
    let mut total = 0;
    for c in Consumer::ALL {
        if pending(db, c).await? == 0 {
            continue;
        }
        loop {
            let n = run_once(db, c).await?;
            total += n;
            if n == 0 {
                break;
            }
        }
    }
    Ok(total)
}

/// How many events a consumer has still to take (its lag).
pub async fn pending(db: &Db, consumer: Consumer) -> Result<i64, sqlx::Error> {
    let mut tx = db.read().await?;
    repo::pending(&mut tx, consumer.name()).await
}

/// Runs every consumer until it has caught up; returns how many events were taken. On
/// PostgreSQL an event becomes readable once every older writing transaction of the cluster
/// has ended, so a run may leave the newest for the next one.
pub async fn run_all(db: &Db) -> Result<usize, sqlx::Error> {
    let mut total = 0;
    for c in Consumer::ALL {
        loop {
            let n = run_once(db, c).await?;
            total += n;
            if n == 0 {
                break;
            }
        }
    }
    Ok(total)
}
