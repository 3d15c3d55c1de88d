//! SQL for visit records and care plans (the plan's tier, interval and paired staff member).

use crate::care::model::{Tier, VisitKind};
use crate::db::{Tx, now};
use crate::ids::{AccountId, PersonId, UnitId, VisitId};
use crate::on_tx;
use chrono::{DateTime, Utc};
use serde_json::json;

/// A care plan as shown.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct CarePlan {
    #[sqlx(try_from = "String")]
    pub tier: Tier,
    pub interval_days: i32,
    pub paired_staff: Option<AccountId>,
    pub paired_staff_name: Option<String>,
    pub notes: Option<String>,
    pub updated_at: DateTime<Utc>,
}

pub async fn care_plan(tx: &mut Tx, id: PersonId) -> Result<Option<CarePlan>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, CarePlan>(
        "SELECT cp.tier, cp.interval_days, cp.paired_staff, a.display_name AS paired_staff_name, cp.notes, cp.updated_at
         FROM care_plans cp LEFT JOIN accounts a ON a.id = cp.paired_staff WHERE cp.person_id = $1")
        .bind(id.0).fetch_optional(c).await)
}

pub async fn upsert_care_plan(
    tx: &mut Tx,
    id: PersonId,
    tier: &str,
    interval: i32,
    paired: Option<AccountId>,
    notes: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO care_plans (person_id, tier, interval_days, paired_staff, notes, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (person_id) DO UPDATE SET tier = excluded.tier, interval_days = excluded.interval_days,
             paired_staff = excluded.paired_staff, notes = excluded.notes, updated_at = excluded.updated_at")
        .bind(id.0).bind(tier).bind(interval).bind(paired).bind(notes).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether an account may be the paired staff member at this person's unit.
pub async fn staff_covers(
    tx: &mut Tx,
    account: AccountId,
    unit_id: UnitId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        concat!("SELECT COUNT(*) FROM role_grants g JOIN units gu ON gu.id = g.unit_id JOIN units u ON u.id = $2
         JOIN accounts a ON a.id = g.account_id
         WHERE g.account_id = $1 AND g.revoked_at IS NULL AND a.active = TRUE AND ", crate::under!("u.path", "gu.path"), "
           AND g.role IN ('unit_admin', 'staff', 'youth_care')"))
        .bind(account).bind(unit_id).fetch_one(c).await)?;
    Ok(n > 0)
}

/// A visit record.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Visit {
    pub id: VisitId,
    pub person_id: PersonId,
    pub visited_on: String,
    #[sqlx(try_from = "String")]
    pub kind: VisitKind,
    pub visitors: String,
    pub findings: String,
    pub needs: Option<String>,
    pub follow_up: Option<String>,
    pub recorded_by: AccountId,
    pub recorded_by_name: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewVisitRecord<'a> {
    pub visited_on: &'a str,
    pub kind: &'a str,
    pub visitors: &'a str,
    pub findings: &'a str,
    pub needs: Option<&'a str>,
    pub follow_up: Option<&'a str>,
    pub recorded_by: i64,
}

pub async fn insert_visit(
    tx: &mut Tx,
    id: PersonId,
    v: &NewVisitRecord<'_>,
) -> Result<VisitId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO visits (person_id, visited_on, kind, visitors, findings, needs, follow_up, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(id.0).bind(v.visited_on).bind(v.kind).bind(v.visitors).bind(v.findings).bind(v.needs)
        .bind(v.follow_up).bind(v.recorded_by).bind(now())
        .fetch_one(c).await)
}

pub async fn visits(tx: &mut Tx, id: PersonId, limit: i64) -> Result<Vec<Visit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Visit>(
        "SELECT v.id, v.person_id, v.visited_on, v.kind, v.visitors, v.findings, v.needs, v.follow_up,
                v.recorded_by, a.display_name AS recorded_by_name, v.created_at
         FROM visits v JOIN accounts a ON a.id = v.recorded_by
         WHERE v.person_id = $1 ORDER BY v.visited_on DESC, v.id DESC LIMIT $2")
        .bind(id.0).bind(limit).fetch_all(c).await)
}

/// A care plan with its derived contact dates, for bulk loads (the province benchmark).
pub struct PlanRow<'a> {
    pub person_id: i64,
    pub tier: &'a str,
    pub interval_days: i32,
    pub paired_staff: Option<i64>,
    pub last_contact_on: Option<String>,
    pub next_due_on: Option<String>,
}

/// Inserts care plans for people who have none, in one statement per 5,000.
pub async fn insert_care_plans_many(tx: &mut Tx, rows: &[PlanRow<'_>]) -> Result<(), sqlx::Error> {
    const COLUMNS: [(&str, &str); 6] = [
        ("person_id", "bigint"),
        ("tier", ""),
        ("interval_days", "integer"),
        ("paired_staff", "bigint"),
        ("last_contact_on", ""),
        ("next_due_on", ""),
    ];
    let t = now();
    for chunk in rows.chunks(5000) {
        let doc: Vec<_> = chunk
            .iter()
            .map(|r| {
                json!([
                    r.person_id,
                    r.tier,
                    r.interval_days,
                    r.paired_staff,
                    r.last_contact_on,
                    r.next_due_on
                ])
            })
            .collect();
        crate::db::insert_json_at(
            tx,
            "care_plans",
            &COLUMNS,
            serde_json::Value::Array(doc).to_string(),
            &["updated_at"],
            Some(t),
        )
        .await?;
    }
    Ok(())
}

/// Inserts visits `(person, visit)` in one statement per 5,000 (bulk loads; the caller
/// sets the plans' contact dates to match).
pub async fn insert_visits_many(
    tx: &mut Tx,
    rows: &[(i64, NewVisitRecord<'_>)],
) -> Result<(), sqlx::Error> {
    const COLUMNS: [(&str, &str); 8] = [
        ("person_id", "bigint"),
        ("visited_on", ""),
        ("kind", ""),
        ("visitors", ""),
        ("findings", ""),
        ("needs", ""),
        ("follow_up", ""),
        ("recorded_by", "bigint"),
    ];
    let t = now();
    for chunk in rows.chunks(5000) {
        let doc: Vec<_> = chunk
            .iter()
            .map(|(p, v)| {
                json!([
                    p,
                    v.visited_on,
                    v.kind,
                    v.visitors,
                    v.findings,
                    v.needs,
                    v.follow_up,
                    v.recorded_by
                ])
            })
            .collect();
        crate::db::insert_json_at(
            tx,
            "visits",
            &COLUMNS,
            serde_json::Value::Array(doc).to_string(),
            &["created_at"],
            Some(t),
        )
        .await?;
    }
    Ok(())
}

/// Staff who may be paired with people at a unit (staff, unit admins and youth-care staff
/// of the unit or above it), for the care plan's choice.
pub async fn pairable_staff(
    tx: &mut Tx,
    unit: UnitId,
) -> Result<Vec<(AccountId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        concat!("SELECT DISTINCT a.id, a.display_name FROM role_grants g JOIN units gu ON gu.id = g.unit_id
         JOIN units u ON u.id = $1 JOIN accounts a ON a.id = g.account_id
         WHERE g.revoked_at IS NULL AND a.active = TRUE AND ", crate::under!("u.path", "gu.path"), "
           AND g.role IN ('unit_admin', 'staff', 'youth_care')
         ORDER BY a.display_name, a.id LIMIT 500"))
        .bind(unit).fetch_all(c).await)
}
