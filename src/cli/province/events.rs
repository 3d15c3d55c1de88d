//! The province's events: each county and each town organises some over the last six months
//! and the next two (lectures, classes, visits …), for its own subtree; people of the
//! organiser's subtree registered, the held ones with their attendance.

use super::Province;
use crate::db::Db;
use crate::events::model::{EventKind, NewEvent};
use crate::ids::{AccountId, PersonId};
use chrono::{Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

const TITLES: [&str; 8] = [
    "健康知识讲座",
    "形势报告会",
    "书画交流活动",
    "智能手机培训",
    "主题党日活动",
    "参观红色教育基地",
    "重阳节文艺演出",
    "志愿服务活动",
];

/// `count` events and about `registrations` registrations; returns (events, registrations,
/// the first county's first event with people registered).
pub(super) async fn generate(
    db: &Db,
    rng: &mut StdRng,
    p: &Province,
    count: usize,
    registrations: usize,
) -> anyhow::Result<(usize, usize, i64)> {
    let organisers: Vec<(&crate::units::Unit, i64)> = p
        .counties
        .iter()
        .flat_map(|c| {
            std::iter::once((&c.unit, c.admin)).chain(c.towns.iter().map(move |t| (t, c.admin)))
        })
        .collect();
    let per_event = (registrations / count.max(1)).max(1);
    let now = Utc::now();
    let (mut made, mut registered, mut first) = (0, 0, 0);
    let mut tx = db.write().await?;
    let kinds = EventKind::ALL;
    for (k, (unit, admin)) in organisers.iter().enumerate() {
        // The organiser's share of the events, and its people to register.
        let here = count / organisers.len() + usize::from(k < count % organisers.len());
        if here == 0 {
            continue;
        }
        let people: Vec<(PersonId, Option<AccountId>)> =
            crate::people::bulk::adults_under(&mut tx, &unit.path, (per_event * 4) as i64).await?;
        for _ in 0..here {
            let starts = now + Duration::hours(rng.random_range(-24 * 180..24 * 60));
            let capacity = [None, Some(30), Some(50), Some(100)]
                .choose(rng)
                .copied()
                .flatten();
            let e = NewEvent {
                unit: unit.id,
                title: TITLES.choose(rng).copied().unwrap_or("活动").to_string(),
                kind: *kinds.choose(rng).unwrap_or(&EventKind::Other),
                description: String::new(),
                starts,
                ends: starts + Duration::hours(2),
                place: Some(format!("{}活动中心", unit.name)),
                online_url: None,
                audience: vec![],
                categories: vec![],
                public: rng.random_bool(0.3),
                capacity,
                opens: None,
                closes: None,
                approval: false,
            };
            let id = crate::events::bulk::event(&mut tx, &e, AccountId(*admin)).await?;
            let n = per_event.min(people.len());
            let start = if people.len() > n {
                rng.random_range(0..people.len() - n)
            } else {
                0
            };
            let held = starts < now;
            let roll: Vec<bool> = (0..n).map(|_| held && rng.random_bool(0.8)).collect();
            registered += crate::events::bulk::register_many(
                &mut tx,
                id,
                capacity,
                &people[start..start + n],
                AccountId(*admin),
                |i| roll[i],
            )
            .await?;
            if first == 0 && n > 0 {
                first = id.0;
            }
            made += 1;
        }
        if k % 20 == 19 {
            tx.commit().await?;
            tx = db.write().await?;
        }
        if made > 0 && made % 5_000 < here {
            println!("  … {made} events");
        }
    }
    tx.commit().await?;
    Ok((made, registered, first))
}
