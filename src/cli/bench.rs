//! `yinyao bench`: data and timings for docs/PERFORMANCE.md. `roster` writes a realistic
//! XLSX roster to import; `people` fills an empty database with a large county through the
//! real validation, encryption and indexing path, then times name search, "my tasks" and
//! the task generator, printing p50/p99 for each.

use crate::accounts::model::{UnitRole, hash_password};
use crate::accounts::{NewAccount, bulk as accounts};
use crate::care::model::Tier;
use crate::crypto::FieldCrypto;
use crate::db::Db;
use crate::people::bulk as people;
use crate::people::model::with_check_char;
use crate::people::service::{NewPerson, PersonInput, build};
use crate::people::transfer::{COLUMNS, write_xlsx};
use crate::units::model::UnitKind;
use crate::units::{bulk as units_bulk, service as units};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: [&str; 30] = [
    "建国", "秀英", "桂兰", "志强", "丽华", "国华", "文明", "淑珍", "永红", "海燕", "春生", "玉兰",
    "德明", "建华", "晓梅", "卫东", "红梅", "立新", "明辉", "雪芳", "振华", "凤英", "金花", "庆丰",
    "玉珍", "福生", "素珍", "长青", "桂芳", "树森",
];

pub(super) fn person(rng: &mut StdRng, n: usize) -> (String, String, String, String) {
    let name = format!(
        "{}{}",
        SURNAMES.choose(rng).unwrap_or(&"王"),
        GIVEN.choose(rng).unwrap_or(&"建国")
    );
    let y = rng.random_range(1930..1966);
    let birth = format!(
        "{y}-{:02}-{:02}",
        rng.random_range(1..13),
        rng.random_range(1..29)
    );
    // Region code and sequence from the running number keep every ID number unique.
    let region = 110_000 + (n / 1000) % 890_000;
    let id = with_check_char(&format!(
        "{region:06}{}{:03}",
        birth.replace('-', ""),
        n % 1000
    ));
    let mobile = format!("13{:09}", n);
    (name, birth, id, mobile)
}

/// Writes an XLSX roster of `rows` people.
pub fn roster(rows: usize, out: &std::path::Path, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(rows);
    for n in 0..rows {
        let (name, birth, id, mobile) = person(&mut rng, n);
        let mut r = vec![String::new(); COLUMNS.len()];
        r[0] = name;
        r[1] = if n % 2 == 0 { "男" } else { "女" }.into();
        r[2] = birth;
        r[3] = id;
        r[4] = mobile;
        r[5] = format!("{} 组 {} 号", n % 12 + 1, n % 80 + 1);
        r[8] = "县供销社".into();
        r[12] = "与家人同住".into();
        r[13] = if n % 3 == 0 {
            "退休、党员"
        } else {
            "退休"
        }
        .into();
        r[15] = if n % 4 == 0 { "是" } else { "否" }.into();
        data.push(r);
    }
    std::fs::write(out, write_xlsx(&data)?)?;
    Ok(())
}

pub(super) fn percentiles(mut d: Vec<Duration>) -> (f64, f64, f64) {
    d.sort();
    let at = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.99), at(1.0))
}

/// Fills an empty database with `count` people under one county and times the hot reads.
/// A database this command already filled is reused as it is, so the timings can be run
/// again without the long load.
pub async fn people_bench(
    db: &Db,
    crypto: &FieldCrypto,
    count: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let (county_staff, town_staff) = loaded(db, crypto, count, seed).await?;
    time_reads(db, crypto, county_staff, town_staff).await
}

/// The county and first town staff accounts of the people this command loaded, loading them
/// first into an empty database.
pub(super) async fn loaded(
    db: &Db,
    crypto: &FieldCrypto,
    count: usize,
    seed: u64,
) -> anyhow::Result<(i64, i64)> {
    let mut tx = db.read().await?;
    let loaded = (
        accounts::find_by_login(&mut tx, "bench_county", &[]).await?,
        accounts::find_by_login(&mut tx, "bench_town0", &[]).await?,
    );
    drop(tx);
    Ok(match loaded {
        (Some(c), Some(t)) => {
            println!("reusing the people already loaded in this database");
            (c.id.0, t.id.0)
        }
        _ => load_people(db, crypto, count, seed).await?,
    })
}

/// Loads `count` people through validation, encryption and indexing, then runs the task
/// generator; returns the county and first town staff accounts.
async fn load_people(
    db: &Db,
    crypto: &FieldCrypto,
    count: usize,
    seed: u64,
) -> anyhow::Result<(i64, i64)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let mut tx = db.write().await?;
    if !units::list(&mut tx, &crate::access::Scope::EVERYTHING, true, 1)
        .await?
        .is_empty()
    {
        anyhow::bail!(
            "bench people needs an empty database (set YINYAO_DATA_DIR or DATABASE_URL to a new one)"
        );
    }
    let county =
        units_bulk::insert(&mut tx, None, "基准县老干部局", UnitKind::CountyBureau).await?;
    let hash = hash_password("Bench-password-1").map_err(|e| anyhow::anyhow!("{e}"))?;
    let (county_name, county_id) = ("bench_county".to_string(), county.id);
    let county_staff = accounts::insert(
        &mut tx,
        &NewAccount {
            username: &county_name,
            phone: None,
            display_name: "县局工作人员",
            unit_id: Some(county_id),
            password_hash: &hash,
            must_change_password: false,
            platform_role: None,
        },
    )
    .await?;
    accounts::insert_grant(&mut tx, county_staff, county_id, UnitRole::Staff, None).await?;
    let towns = (count / 10_000).clamp(1, 50);
    let mut villages = Vec::new();
    for t in 0..towns {
        let town =
            units_bulk::insert(&mut tx, Some(&county), &format!("第{t}镇"), UnitKind::Town).await?;
        let staff = accounts::insert(
            &mut tx,
            &NewAccount {
                username: &format!("bench_town{t}"),
                phone: None,
                display_name: "乡镇工作人员",
                unit_id: Some(town.id),
                password_hash: &hash,
                must_change_password: false,
                platform_role: None,
            },
        )
        .await?;
        accounts::insert_grant(&mut tx, staff, town.id, UnitRole::Staff, None).await?;
        for v in 0..20 {
            let village = units_bulk::insert(
                &mut tx,
                Some(&town),
                &format!("第{t}镇{v}村"),
                UnitKind::Village,
            )
            .await?;
            villages.push((village.id, staff.0));
        }
    }
    tx.commit().await?;
    let mut written = 0;
    while written < count {
        let batch = 5000.min(count - written);
        let mut built = Vec::with_capacity(batch);
        for k in 0..batch {
            let n = written + k;
            let (name, birth, id, mobile) = person(&mut rng, n);
            let input = PersonInput {
                unit_id: Some(villages[n % villages.len()].0.to_string()),
                name,
                birth_date: Some(birth),
                id_number: Some(id),
                mobile: Some(mobile),
                address: Some("某组某号".into()),
                skills: (n % 10 == 0).then(|| "书法".to_string()),
                categories: vec!["tuixiu".into()],
                ..PersonInput::default()
            };
            built.push(
                NewPerson::parse(&input)
                    .and_then(|p| build(crypto, &p, None))
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            );
        }
        let mut tx = db.write().await?;
        let rows: Vec<_> = built
            .iter()
            .map(|b| (&b.record, b.categories.as_slice()))
            .collect();
        let ids = people::insert_many(&mut tx, &rows).await?;
        for (k, pid) in ids.into_iter().enumerate() {
            let n = written + k;
            let tier = [Tier::Key, Tier::Regular, Tier::Routine, Tier::Routine][n % 4];
            let staff = villages[n % villages.len()].1;
            crate::care::bulk::upsert_care_plan(
                &mut tx,
                pid,
                tier.as_str(),
                tier.default_interval_days(),
                Some(staff),
                None,
            )
            .await?;
        }
        tx.commit().await?;
        written += batch;
    }
    println!(
        "loaded {count} people in {} towns, {} villages: {:.1} s",
        towns,
        villages.len(),
        started.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let tasks =
        crate::jobs::visit_tasks::generate(db, chrono::Utc::now().date_naive(), None).await?;
    println!(
        "task generator: {tasks} tasks in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    Ok((county_staff.0, villages[0].1))
}

/// Times name search (county-wide scope) and "my tasks" (a town's staff member).
async fn time_reads(
    db: &Db,
    crypto: &FieldCrypto,
    county_staff: i64,
    town_staff: i64,
) -> anyhow::Result<()> {
    let search = |q: &str| {
        let mut s = crate::people::Search {
            status: Some("active".into()),
            ..Default::default()
        };
        crate::people::service::name_query(crypto, q, &mut s);
        s
    };
    println!(
        "{:<28} {:>9} {:>9} {:>9}",
        "query (county-wide scope)", "p50 ms", "p99 ms", "max ms"
    );
    for q in [
        "王",
        "王建国",
        "李秀",
        "zs",
        "wjg",
        "lixiuying",
        "zhang",
        "zhan",
        "张三丰",
    ] {
        let s = search(q);
        let mut times = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let mut tx = db.read().await?;
            let rows = crate::people::service::search_as(
                &mut tx,
                crate::ids::AccountId(county_staff),
                &s,
                50,
                0,
            )
            .await?;
            drop(tx);
            std::hint::black_box(rows);
            times.push(t.elapsed());
        }
        let (p50, p99, max) = percentiles(times);
        println!("search {q:<21} {p50:>9.2} {p99:>9.2} {max:>9.2}");
    }
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..200 {
        let t = Instant::now();
        let mut tx = db.read().await?;
        let rows = crate::care::bulk::my_tasks(&mut tx, town_staff, 500).await?;
        n = rows.len();
        drop(tx);
        times.push(t.elapsed());
    }
    let (p50, p99, max) = percentiles(times);
    println!("my tasks ({n} shown)              {p50:>9.2} {p99:>9.2} {max:>9.2}");
    Ok(())
}
