//! Recent-match lists on both backends: a query of one to three characters answered from its list
//! gives the same documents in the same order as the full-text query it stands for, through
//! new documents, replaced and removed ones, trims, and lists left short by removals.

use crate::helpers::TestApp;
use yinyao::search::{index, lists};

/// Characters that vary the texts' lengths; none of them is queried.
const FILLER: [char; 12] = [
    '山', '水', '花', '鸟', '云', '天', '江', '河', '湖', '海', '松', '竹',
];

/// Document `i`'s text: 月 one to three times, 春风吹柳 in every other one, 秋 in every 50th,
/// and filler of several lengths, so that term frequencies and lengths differ and tie.
fn text(i: i64) -> String {
    let mut s = "月".repeat(1 + (i % 3) as usize);
    s.push('，');
    for k in 0..(i % 7) * 3 {
        s.push(FILLER[((i + k) % 12) as usize]);
    }
    if i % 2 == 0 {
        s.push_str("，春风吹柳");
    }
    if i % 50 == 0 {
        s.push_str("，秋");
    }
    s
}

async fn put_range(app: &TestApp, kind: &str, ids: impl Iterator<Item = i64>) {
    let mut tx = app.db().write().await.unwrap();
    for i in ids {
        index::put(&mut tx, kind, i, &text(i)).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Asserts that `q` is answered from its list (or not), with the full-text query's answer.
async fn same_answer(app: &TestApp, q: &str, listed: bool) -> Vec<i64> {
    let mut tx = app.db().read().await.unwrap();
    assert_eq!(
        index::listed_token(&mut tx, "poem", q)
            .await
            .unwrap()
            .is_some(),
        listed,
        "is {q} answered from its list?"
    );
    let fast = index::find_planned(&mut tx, "poem", q, 200, true)
        .await
        .unwrap();
    let slow = index::find_planned(&mut tx, "poem", q, 200, false)
        .await
        .unwrap();
    let fast_ids: Vec<i64> = fast.iter().map(|(id, _)| *id).collect();
    let slow_ids: Vec<i64> = slow.iter().map(|(id, _)| *id).collect();
    assert_eq!(fast_ids, slow_ids, "{q}: list against full text");
    for n in [0, 10, 150, 199, 200] {
        assert_eq!(
            index::more_than(&mut tx, "poem", q, n).await.unwrap(),
            index::find_all(&mut tx, "poem", q).await.unwrap().len() as i64 > n,
            "{q}: more than {n}"
        );
    }
    fast_ids
}

async fn list_len(app: &TestApp, token: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM search_recent r JOIN search_lists l ON l.id = r.list
         WHERE l.kind = 'poem' AND l.token = '{token}'"
    ))
    .await
}

#[tokio::test]
async fn lists_answer_as_the_full_text_query_through_writes_trims_and_removals() {
    let app = TestApp::new().await;
    // One document indexed first with a high id: the recency order is the index's own
    // (SQLite: order of indexing; PostgreSQL: the id), the same for both answers.
    put_range(&app, "poem", std::iter::once(10_000)).await;
    put_range(&app, "poem", 1..=600).await;
    // Another kind never shows up in this one's lists.
    put_range(&app, "work", 1..=300).await;

    // Before any refresh every query goes to the full-text index.
    same_answer(&app, "月", false).await;

    let r = yinyao::jobs::search_lists::refresh(app.db()).await.unwrap();
    // 月 (601 poems), 春风 as one bigram and 春风吹 as one trigram (301), 春 and 风 (301 each),
    // and the same in `work`.
    assert!(r.created >= 8, "{r:?}");
    assert_eq!(r.trimmed, 0, "{r:?}");
    assert_eq!(list_len(&app, "月").await, lists::KEEP);
    assert_eq!(list_len(&app, "春风").await, lists::KEEP);
    assert_eq!(list_len(&app, "春风吹").await, lists::KEEP);
    // 秋 is in 13 poems (19 once 920 are indexed), fewer than MIN_DOCS: no list, the
    // full-text index answers.
    const { assert!(19 < lists::MIN_DOCS) };
    assert_eq!(list_len(&app, "秋").await, 0);
    let top = same_answer(&app, "月", true).await;
    assert_eq!(top.len(), 200);
    same_answer(&app, "春风", true).await;
    same_answer(&app, "風", true).await;
    same_answer(&app, "秋", false).await;
    same_answer(&app, "春風吹", true).await;
    // Four characters are a phrase, never a list.
    let phrase = same_answer(&app, "春风吹柳", false).await;
    assert_eq!(phrase.len(), 200);
    // A second refresh has nothing to do.
    assert_eq!(
        yinyao::jobs::search_lists::refresh(app.db()).await.unwrap(),
        lists::Refresh::default()
    );

    // New, replaced and removed documents change the lists in their own transaction.
    put_range(&app, "poem", 601..=640).await;
    let mut tx = app.db().write().await.unwrap();
    index::put(&mut tx, "poem", 640, "没有那个字")
        .await
        .unwrap();
    index::put(&mut tx, "poem", 3, "春风明月").await.unwrap();
    index::remove(&mut tx, "poem", 638).await.unwrap();
    tx.commit().await.unwrap();
    let top = same_answer(&app, "月", true).await;
    assert!(top.contains(&639) && !top.contains(&640) && !top.contains(&638));
    same_answer(&app, "春风", true).await;
    same_answer(&app, "春风吹", true).await;

    // Growth past TRIM_AT is cut back by the next refresh, which raises the floor.
    put_range(&app, "poem", 641..=920).await;
    assert!(list_len(&app, "月").await > lists::TRIM_AT);
    let r = yinyao::jobs::search_lists::refresh(app.db()).await.unwrap();
    assert!(r.trimmed >= 1, "{r:?}");
    assert_eq!(list_len(&app, "月").await, lists::KEEP);
    same_answer(&app, "月", true).await;

    // Indexing every document again (as a tokenizer upgrade does) keeps the two in step:
    // bm25's totals count every write (FTS5 keeps them when a row is deleted).
    put_range(&app, "poem", 1..=920).await;
    put_range(&app, "poem", 1..=920).await;
    same_answer(&app, "月", true).await;
    same_answer(&app, "春风", true).await;
    same_answer(&app, "风吹", true).await;
    same_answer(&app, "春风吹", true).await;

    // Removing the newest documents leaves the list short above its floor: the full-text
    // index answers until the refresh rebuilds the list.
    let mut tx = app.db().write().await.unwrap();
    for i in 861..=920 {
        index::remove(&mut tx, "poem", i).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert!(list_len(&app, "月").await < 200);
    same_answer(&app, "月", false).await;
    let r = yinyao::jobs::search_lists::refresh(app.db()).await.unwrap();
    assert!(r.rebuilt >= 1, "{r:?}");
    same_answer(&app, "月", true).await;
    same_answer(&app, "春风", true).await;

    // A token that became frequent gets its list at the next refresh (PostgreSQL looks
    // only at the documents indexed since the last one).
    let mut tx = app.db().write().await.unwrap();
    for i in 2_001..=2_150 {
        index::put(&mut tx, "poem", i, "秋风秋雨").await.unwrap();
    }
    tx.commit().await.unwrap();
    same_answer(&app, "秋", false).await;
    let r = yinyao::jobs::search_lists::refresh(app.db()).await.unwrap();
    assert!(r.created >= 1, "{r:?}");
    same_answer(&app, "秋", true).await;
    same_answer(&app, "秋雨", true).await;
    same_answer(&app, "秋风秋", true).await;

    // Rolled back, a write leaves the lists as they were.
    let before = list_len(&app, "月").await;
    let mut tx = app.db().write().await.unwrap();
    index::put(&mut tx, "poem", 5_000, "月月月").await.unwrap();
    drop(tx);
    assert_eq!(list_len(&app, "月").await, before);
    same_answer(&app, "月", true).await;
}

#[tokio::test]
async fn a_list_of_every_match_answers_however_short() {
    let app = TestApp::new().await;
    put_range(&app, "poem", 1..=420).await;
    yinyao::jobs::search_lists::refresh(app.db()).await.unwrap();
    // 春风 is in 210 poems: fewer than KEEP, so the list holds every one (floor 0).
    assert_eq!(list_len(&app, "春风").await, 210);
    let mut tx = app.db().write().await.unwrap();
    for i in (2..=200).step_by(2) {
        index::remove(&mut tx, "poem", i).await.unwrap();
    }
    tx.commit().await.unwrap();
    let found = same_answer(&app, "春风", true).await;
    assert_eq!(found.len(), 110);
}

#[tokio::test]
async fn the_daily_job_makes_the_lists_once_a_day_and_records_it() {
    let app = TestApp::new().await;
    put_range(&app, "poem", 1..=300).await;
    assert!(yinyao::jobs::daily_search_lists(&app.state).await.unwrap());
    assert_eq!(list_len(&app, "月").await, lists::KEEP);
    // The slot is taken: a second run the same day does nothing.
    assert!(!yinyao::jobs::daily_search_lists(&app.state).await.unwrap());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'job.search_lists'")
            .await,
        1
    );
    same_answer(&app, "月", true).await;
}
