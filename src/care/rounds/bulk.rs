//! A contact round written without a caller, for the generators (`yinyao demo`, the round
//! bench): the round and its snapshot as a request would make them, and attempts for its
//! people chosen by `mark`, with the visit tasks and care items they lead to. No audit:
//! requests go through `service`.

use super::model::{Attempt, NewRound, RoundId, RoundState, Standing};
use super::repo::{self, Change, Match};
use crate::db::Tx;
use crate::ids::{AccountId, CareItemId};

/// Starts a round as `starter` (whose grants decide whom it sees); returns it and how many
/// it took in.
pub async fn start(
    tx: &mut Tx,
    starter: AccountId,
    r: &NewRound,
) -> Result<(RoundId, u64), sqlx::Error> {
    let id = repo::insert(tx, r, starter).await?;
    let m = Match {
        unit: r.unit,
        account: starter,
        filter: &r.filter,
        born: r.filter.birth_bounds(crate::i18n::china_today()),
    };
    let n = repo::snapshot(tx, id, &m, false).await?;
    repo::recount_all(tx, id).await?;
    Ok((id, n))
}

/// Records attempts by `by` for the round's people, the `k`-th person getting `mark(k)`
/// (none: left pending); an unreachable person's task goes to their paired staff member
/// (else `by`). Returns how many were marked.
pub async fn mark(
    tx: &mut Tx,
    round: RoundId,
    max_attempts: i64,
    by: AccountId,
    mark: impl Fn(usize) -> Vec<Attempt>,
) -> Result<usize, sqlx::Error> {
    let people = repo::people_of(tx, round).await?;
    let today = crate::i18n::china_today();
    let mut marked = 0;
    for (k, (person, paired)) in people.into_iter().enumerate() {
        let attempts = mark(k);
        if attempts.is_empty() {
            continue;
        }
        marked += 1;
        let mut st = Standing {
            state: RoundState::Pending,
            failures: 0,
        };
        let (mut needs, mut note): (Option<String>, Option<String>) = (None, None);
        for a in attempts {
            let fx =
                super::model::effect(st, (needs.as_deref(), note.as_deref()), &a, max_attempts);
            let mut task = None;
            if fx.task {
                let key = format!("round:{round}");
                let to = paired.unwrap_or(by);
                task = crate::care::service::unreachable_task(tx, person, &key, today, to).await?;
            }
            let mut item = None;
            if fx.item {
                let name = format!("排查需求：{}", needs_zh(&a));
                let id = crate::care::bulk::insert_item(tx, person, &name, "planned", None, by.0)
                    .await?;
                item = Some(CareItemId(id));
            }
            (st, needs, note) = (fx.after, fx.needs, fx.note);
            let change = Change {
                state: st.state,
                failures: st.failures,
                needs: needs.as_deref(),
                note: note.as_deref(),
                by,
                task,
                item,
            };
            repo::record(tx, round, person, &a, &change).await?;
        }
    }
    repo::recount_all(tx, round).await?;
    Ok(marked)
}

fn needs_zh(a: &Attempt) -> String {
    let l = crate::i18n::Locale::ZhCn;
    a.needs
        .iter()
        .map(|n| l.t(&n.label_key()))
        .collect::<Vec<_>>()
        .join("、")
}

/// The reads of the round page as `account` at `unit` (path `path`): the round, its coverage
/// there, the first 50 not yet reached and the account's own count; returns how many people
/// the list shows. For the bench.
pub async fn page_reads(
    tx: &mut Tx,
    round: RoundId,
    unit: crate::ids::UnitId,
    path: &str,
    account: AccountId,
) -> Result<usize, sqlx::Error> {
    let scope = crate::access::Scope::of(account.0, crate::access::PEOPLE_KEEPERS);
    std::hint::black_box(repo::get(tx, &scope, round).await?);
    std::hint::black_box(repo::coverage(tx, round, unit).await?);
    let l = repo::Listing {
        state: RoundState::Pending,
        staff: None,
        under: path,
    };
    let shown = repo::members(tx, round, account, &l, 51, 0).await?.len();
    std::hint::black_box(repo::pending_of(tx, round, account).await?);
    Ok(shown)
}
