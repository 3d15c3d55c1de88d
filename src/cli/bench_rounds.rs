//! `yinyao bench rounds`: a contact round over a county of generated people (the people
//! bench's data, loaded first when the database is empty): how long starting it takes, then
//! the round page's reads (the round, its coverage, the first 50 not yet reached, one's own
//! count) timed for the county's staff, for a town's, and for a town's looking at a village
//! where everyone is reached (an empty list), p50/p99 over 200 runs, with one in ten people
//! (and the whole first village) marked so the counts are not all "pending".

use super::bench::{loaded, percentiles};
use crate::care::rounds::bulk as rounds;
use crate::care::rounds::model::{
    Attempt, NewRound, RoundChannel as Channel, RoundFilter as Filter, RoundOutcome as Outcome,
    RoundReason as Reason,
};
use crate::crypto::FieldCrypto;
use crate::db::Db;
use crate::ids::AccountId;
use std::time::Instant;

pub async fn run(db: &Db, crypto: &FieldCrypto, count: usize) -> anyhow::Result<()> {
    let (county_staff, town_staff) = loaded(db, crypto, count, 2026).await?;
    let mut tx = db.read().await?;
    let units =
        crate::units::service::list(&mut tx, &crate::access::Scope::EVERYTHING, true, 1000).await?;
    drop(tx);
    // The county is the root; the first town's staff member is `town_staff`.
    let (Some(county), Some(town)) = (
        units.iter().find(|u| u.parent_id.is_none()),
        units.iter().find(|u| u.name == "第0镇"),
    ) else {
        anyhow::bail!("the bench county has no town");
    };
    // Its first village, whose people are all reached below: a list with nobody left.
    let Some(done) = units.iter().find(|u| u.name == "第0镇0村") else {
        anyhow::bail!("the bench county has no village");
    };
    let per_village = count / units.iter().filter(|u| u.kind == "village").count().max(1);
    let r = NewRound {
        unit: county.id,
        reason: Reason::Heat,
        title: "基准排查".into(),
        filter: Filter::default(),
        deadline: crate::i18n::china_today() + chrono::Duration::days(3),
        max_attempts: 2,
    };
    let t = Instant::now();
    let mut tx = db.write().await?;
    let (id, n) = rounds::start(&mut tx, AccountId(county_staff), &r).await?;
    tx.commit().await?;
    println!(
        "round started over {n} people: {:.2} s (insert, snapshot, counts per unit, commit)",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut tx = db.write().await?;
    let safe = Attempt {
        channel: Channel::Phone,
        outcome: Outcome::Safe,
        needs: vec![],
        note: None,
    };
    let marked = rounds::mark(&mut tx, id, 2, AccountId(county_staff), |k| {
        if k % 10 == 0 || k < per_village {
            vec![safe.clone()]
        } else {
            vec![]
        }
    })
    .await?;
    tx.commit().await?;
    println!(
        "{marked} attempts recorded in {:.2} s ({:.2} ms each, one transaction)",
        t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64() * 1000.0 / marked.max(1) as f64
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9}",
        "round page reads", "p50 ms", "p99 ms", "max ms"
    );
    for (who, account, unit) in [
        ("county staff, whole county", county_staff, county),
        ("town staff, own town", town_staff, town),
        ("town staff, village all reached", town_staff, done),
    ] {
        let mut times = Vec::new();
        let mut shown = 0;
        for _ in 0..200 {
            let t = Instant::now();
            let mut tx = db.read().await?;
            shown =
                rounds::page_reads(&mut tx, id, unit.id, &unit.path, AccountId(account)).await?;
            drop(tx);
            times.push(t.elapsed());
        }
        let (p50, p99, max) = percentiles(times);
        println!("{who:<28} ({shown:>3}) {p50:>9.2} {p99:>9.2} {max:>9.2}");
    }
    Ok(())
}
