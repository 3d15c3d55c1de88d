//! `yinyao bench province`: a province's worth of data for the load benchmark
//! (`bench/load.sh`), generated deterministically from a seed into an empty database,
//! SQLite or PostgreSQL. At the default 500,000 people: about 40,000 units (a province
//! bureau, 14 cities, 120 counties, 2,400 towns and their villages), about 2,900 staff
//! accounts with their grants, 500,000 person files with care plans (ID numbers, mobiles
//! and addresses encrypted, name search index built), 5,000,000 visits, 200,000 articles
//! indexed for full-text search, and the visit tasks the rules make of them. Everything goes
//! through the repositories' bulk SQL, so every constraint holds.

mod events;
mod news;

use super::bench::person;
use crate::accounts::model::{UnitRole, hash_password};
use crate::accounts::{NewAccount, bulk as accounts};
use crate::care::bulk::{self as care, NewVisitRecord, PlanRow};
use crate::care::model::Tier;
use crate::crypto::FieldCrypto;
use crate::db::Db;
use crate::ids::UnitId;
use crate::people::bulk as people;
use crate::people::service::{NewPerson, PersonInput, build};
use crate::units::Unit;
use crate::units::model::UnitKind;
use crate::units::{bulk as units_bulk, service as units};
use chrono::{Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// The password of every generated account (a benchmark database, never a real one).
pub const PASSWORD: &str = "Bench-password-1";

const FINDINGS: [&str; 8] = [
    "身体状况良好，生活能够自理。",
    "血压偏高，已提醒按时服药并定期复查。",
    "独自居住，子女每周回来探望。",
    "近期腿脚不便，行动需要搀扶。",
    "精神状态较好，关心村里的发展。",
    "反映冬季取暖有困难，已登记。",
    "刚出院回家，恢复情况良好。",
    "老伴去世不久，情绪低落，需要多陪伴。",
];
const NEEDS: [&str; 4] = [
    "希望有人定期上门测量血压",
    "需要协助办理医保报销",
    "希望参加老年大学书法班",
    "需要更换老旧电器",
];

/// Units, accounts and targets of a generated province.
struct Province {
    counties: Vec<County>,
    /// Villages with the account of their town's staff member.
    villages: Vec<(i64, i64)>,
}

struct County {
    unit: Unit,
    editor: i64,
    reviewer: i64,
    admin: i64,
    towns: Vec<Unit>,
}

/// Generates the province into the empty database `db`; prints what it made and how long
/// each part took, the database size, and a `targets:` line for `bench/load.sh`.
pub async fn generate(
    db: &Db,
    crypto: &FieldCrypto,
    people_count: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let today = Utc::now().date_naive();
    let t = Instant::now();
    let p = units_and_accounts(db, people_count).await?;
    println!(
        "units and accounts: {} counties, {} villages in {:.1} s",
        p.counties.len(),
        p.villages.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let (first_person, visits) =
        people_plans_visits(db, crypto, &mut rng, &p, people_count, today).await?;
    println!(
        "people: {people_count} files with care plans and {visits} visits in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let (columns, articles, last_article) =
        news::articles(db, &mut rng, &p, people_count * 2 / 5).await?;
    println!(
        "articles: {articles} in {} columns, indexed for search, in {:.1} s",
        columns.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let (events, registrations, event) = events::generate(
        db,
        &mut rng,
        &p,
        (people_count / 25).max(1),
        people_count * 2 / 5,
    )
    .await?;
    println!(
        "events: {events} with {registrations} registrations in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let tasks = crate::jobs::visit_tasks::generate(db, today, None).await?;
    println!(
        "task generator: {tasks} tasks in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    rebuild_rollups(db).await?;
    println!("rollups rebuilt in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    crate::db::analyze(db).await?;
    println!("ANALYZE: {:.1} s", t.elapsed().as_secs_f64());
    println!(
        "province loaded in {:.1} s; database size {:.1} MB",
        started.elapsed().as_secs_f64(),
        crate::db::size_bytes(db).await? as f64 / 1e6
    );
    let county = &p.counties[0];
    let mut tx = db.write().await?;
    let code = crate::events::bulk::a_code(&mut tx, crate::ids::EventId(event))
        .await?
        .unwrap_or_default();
    tx.commit().await?;
    println!(
        "targets: county={} town={} person={} article={} column={} event={event} code={code} password={PASSWORD}",
        county.unit.id, county.towns[0].id, first_person, last_article, columns[0]
    );
    Ok(())
}

async fn account(
    tx: &mut crate::db::Tx,
    hash: &str,
    username: &str,
    display: &str,
    unit: i64,
    role: UnitRole,
) -> anyhow::Result<i64> {
    let id = accounts::insert(
        tx,
        &NewAccount {
            username,
            phone: None,
            display_name: display,
            unit_id: Some(UnitId(unit)),
            password_hash: hash,
            must_change_password: false,
            platform_role: None,
        },
    )
    .await?;
    accounts::insert_grant(tx, id, UnitId(unit), role, None).await?;
    Ok(id.0)
}

/// The unit tree (about 2 units per 25 people) and the staff accounts: the province's and
/// each city's unit admin; each county's admin, staff, editor and reviewer; each town's staff.
async fn units_and_accounts(db: &Db, people_count: usize) -> anyhow::Result<Province> {
    let total_units = (people_count * 2 / 25).max(40);
    let county_count = (people_count / 4167).max(1);
    let city_count = county_count.div_ceil(9);
    let town_count = county_count * 20;
    let village_count = total_units
        .saturating_sub(1 + city_count + county_count + town_count)
        .max(town_count);
    let hash = hash_password(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = db.write().await?;
    let all = crate::access::Scope::EVERYTHING;
    if !units::list(&mut tx, &all, true, 1).await?.is_empty() {
        anyhow::bail!(
            "bench province needs an empty database (set YINYAO_DATA_DIR or DATABASE_URL to a new one)"
        );
    }
    let province = units_bulk::insert(&mut tx, None, "省委老干部局", UnitKind::CityBureau).await?;
    account(
        &mut tx,
        &hash,
        "p_admin",
        "省局管理员",
        province.id.0,
        UnitRole::UnitAdmin,
    )
    .await?;
    let mut cities = Vec::new();
    for c in 0..city_count {
        let city = units_bulk::insert(
            &mut tx,
            Some(&province),
            &format!("第{c}市委老干部局"),
            UnitKind::CityBureau,
        )
        .await?;
        account(
            &mut tx,
            &hash,
            &format!("p_city{c}"),
            "市局管理员",
            city.id.0,
            UnitRole::UnitAdmin,
        )
        .await?;
        cities.push(city);
    }
    let mut counties = Vec::new();
    let mut villages = Vec::new();
    let mut village_left = village_count;
    for k in 0..county_count {
        let city = &cities[k % cities.len()];
        let unit = units_bulk::insert(
            &mut tx,
            Some(city),
            &format!("第{k}县委老干部局"),
            UnitKind::CountyBureau,
        )
        .await?;
        let admin = account(
            &mut tx,
            &hash,
            &format!("p_county{k}_admin"),
            "县局管理员",
            unit.id.0,
            UnitRole::UnitAdmin,
        )
        .await?;
        account(
            &mut tx,
            &hash,
            &format!("p_county{k}_staff"),
            "县局工作人员",
            unit.id.0,
            UnitRole::Staff,
        )
        .await?;
        let editor = account(
            &mut tx,
            &hash,
            &format!("p_county{k}_editor"),
            "编辑",
            unit.id.0,
            UnitRole::Editor,
        )
        .await?;
        let reviewer = account(
            &mut tx,
            &hash,
            &format!("p_county{k}_reviewer"),
            "审核",
            unit.id.0,
            UnitRole::Reviewer,
        )
        .await?;
        let mut towns = Vec::new();
        for w in 0..20 {
            let n = k * 20 + w;
            let town = units_bulk::insert(
                &mut tx,
                Some(&unit),
                &format!("第{k}县第{w}镇"),
                UnitKind::Town,
            )
            .await?;
            let staff = account(
                &mut tx,
                &hash,
                &format!("p_town{n}"),
                "乡镇工作人员",
                town.id.0,
                UnitRole::Staff,
            )
            .await?;
            // The villages spread evenly over the towns that are left.
            let here = village_left.div_ceil(town_count - n);
            village_left -= here;
            for v in 0..here {
                let village = units_bulk::insert(
                    &mut tx,
                    Some(&town),
                    &format!("第{k}县第{w}镇{v}村"),
                    UnitKind::Village,
                )
                .await?;
                villages.push((village.id.0, staff));
            }
            towns.push(town);
        }
        counties.push(County {
            unit,
            editor,
            reviewer,
            admin,
            towns,
        });
        // One transaction per county keeps each commit small.
        if k % 10 == 9 {
            tx.commit().await?;
            tx = db.write().await?;
        }
    }
    tx.commit().await?;
    Ok(Province { counties, villages })
}

/// People (through validation, encryption and the name index, built on every core), each
/// with a care plan and 5–15 visits (10 on average) spaced about one contact interval
/// apart, the latest within 1.25 intervals of today; returns the first person's id and the
/// number of visits.
async fn people_plans_visits(
    db: &Db,
    crypto: &FieldCrypto,
    rng: &mut StdRng,
    p: &Province,
    count: usize,
    today: NaiveDate,
) -> anyhow::Result<(i64, usize)> {
    let mut first = 0;
    let mut visits_total = 0;
    let mut written = 0;
    while written < count {
        let batch = 5000.min(count - written);
        let inputs: Vec<PersonInput> = (written..written + batch)
            .map(|n| {
                let (name, birth, id, mobile) = person(rng, n);
                let mut categories = vec![if n % 5 == 0 { "lixiu" } else { "tuixiu" }.to_string()];
                if n % 3 == 0 {
                    categories.push("party_member".into());
                }
                PersonInput {
                    unit_id: Some(p.villages[n % p.villages.len()].0.to_string()),
                    name,
                    gender: Some(if n % 2 == 0 { "male" } else { "female" }.into()),
                    birth_date: Some(birth),
                    id_number: Some(id),
                    mobile: Some(mobile),
                    address: Some(format!("{}组{}号", n % 12 + 1, n % 80 + 1)),
                    living: Some(
                        ["alone", "empty_nest", "with_family", "with_family"][n % 4].into(),
                    ),
                    skills: (n % 10 == 0).then(|| "书法".to_string()),
                    categories,
                    ..PersonInput::default()
                }
            })
            .collect();
        let built = crate::par::map(&inputs, |_, input| {
            NewPerson::parse(input).and_then(|p| build(crypto, &p, None))
        });
        let built = built
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let mut tx = db.write().await?;
        let rows: Vec<_> = built
            .iter()
            .map(|b| (&b.record, b.categories.as_slice()))
            .collect();
        let ids = people::insert_many(&mut tx, &rows).await?;
        if written == 0 {
            first = ids[0].0;
        }
        let mut plans = Vec::with_capacity(batch);
        let mut dates = Vec::new();
        for (k, pid) in ids.iter().enumerate() {
            let n = written + k;
            let tier = [Tier::Key, Tier::Regular, Tier::Routine, Tier::Routine][n % 4];
            let interval = tier.default_interval_days();
            let staff = p.villages[n % p.villages.len()].1;
            let mut on = today - Duration::days(rng.random_range(0..i64::from(interval) * 5 / 4));
            let last = on;
            for _ in 0..rng.random_range(5..=15) {
                dates.push((pid.0, on, staff, rng.random_range(0..100u8)));
                on -= Duration::days(i64::from(interval) + rng.random_range(-5..=5));
            }
            plans.push(PlanRow {
                person_id: pid.0,
                tier: tier.as_str(),
                interval_days: interval,
                paired_staff: Some(staff),
                last_contact_on: Some(last.to_string()),
                next_due_on: Some((last + Duration::days(i64::from(interval))).to_string()),
            });
        }
        let day_strings: Vec<String> = dates.iter().map(|d| d.1.to_string()).collect();
        let visits: Vec<_> = dates
            .iter()
            .zip(&day_strings)
            .map(|((person, _, staff, roll), day)| {
                let roll = usize::from(*roll);
                (
                    *person,
                    NewVisitRecord {
                        visited_on: day,
                        kind: ["home", "home", "home", "phone", "video", "hospital"][roll % 6],
                        visitors: "乡镇工作人员",
                        findings: FINDINGS[roll % FINDINGS.len()],
                        needs: (roll % 5 == 0).then(|| NEEDS[roll % NEEDS.len()]),
                        follow_up: None,
                        recorded_by: *staff,
                    },
                )
            })
            .collect();
        care::insert_care_plans_many(&mut tx, &plans).await?;
        care::insert_visits_many(&mut tx, &visits).await?;
        tx.commit().await?;
        visits_total += visits.len();
        written += batch;
        if written % 100_000 == 0 {
            println!("  … {written} people");
        }
    }
    Ok((first, visits_total))
}

/// The generated records wrote no domain events: the counts are computed from them.
pub(super) async fn rebuild_rollups(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.write().await?;
    crate::outbox::rebuild_all(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
