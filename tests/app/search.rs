//! The full-text index on both backends: writing in the caller's transaction, Traditional
//! text found by Simplified queries, short queries, ranking, query syntax typed by users,
//! and the join pattern other modules use.

use crate::helpers::TestApp;
use yinyao::db::Tx;
use yinyao::search::index;
use yinyao::search::text::{Backend, match_query};

async fn put_all(app: &TestApp, docs: &[(&str, i64, &str)]) {
    let mut tx = app.db().write().await.unwrap();
    for (kind, id, text) in docs {
        index::put(&mut tx, kind, *id, text).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn ids(app: &TestApp, kind: &str, q: &str) -> Vec<i64> {
    let mut tx = app.db().read().await.unwrap();
    let found = index::find(&mut tx, kind, q, 50)
        .await
        .unwrap_or_else(|e| panic!("query {q:?} failed: {e}"));
    let mut ids: Vec<i64> = found.into_iter().map(|(id, _)| id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn put_find_replace_remove() {
    let app = TestApp::new().await;
    put_all(
        &app,
        &[
            ("article", 1, "市老幹部局舉辦重陽節聯歡會"),
            ("article", 2, "長安一片月，萬戶擣衣聲。"),
            ("article", 3, "加强党的建设，开好三会一课"),
            ("article", 4, "春风又绿江南岸，明月何时照我还"),
            ("work", 2, "長安"),
        ],
    )
    .await;
    // Traditional text, Simplified (or Traditional) query.
    assert_eq!(ids(&app, "article", "老干部").await, [1]);
    assert_eq!(ids(&app, "article", "老幹部局").await, [1]);
    // One and two characters find every text containing them, and only of this kind.
    assert_eq!(ids(&app, "article", "长安").await, [2]);
    assert_eq!(ids(&app, "work", "长安").await, [2]);
    assert_eq!(ids(&app, "article", "党").await, [3]);
    assert_eq!(ids(&app, "article", "月").await, [2, 4]);
    assert_eq!(ids(&app, "article", "明月").await, [4]);
    assert_eq!(ids(&app, "article", "三会一课").await, [3]);
    // Characters present but not in a row, or split by punctuation, are no match.
    assert!(ids(&app, "article", "明岸").await.is_empty());
    assert!(ids(&app, "article", "月万").await.is_empty());
    assert!(ids(&app, "article", "").await.is_empty());
    assert!(ids(&app, "article", "，。").await.is_empty());

    let mut tx = app.db().write().await.unwrap();
    index::put(&mut tx, "article", 2, "黄河远上白云间")
        .await
        .unwrap();
    index::remove(&mut tx, "article", 3).await.unwrap();
    index::remove(&mut tx, "article", 99).await.unwrap();
    tx.commit().await.unwrap();
    assert!(ids(&app, "article", "长安").await.is_empty());
    assert_eq!(ids(&app, "article", "黄河").await, [2]);
    assert!(ids(&app, "article", "党").await.is_empty());
    assert_eq!(ids(&app, "work", "长安").await, [2]);

    let mut tx = app.db().read().await.unwrap();
    assert!(
        index::stale(&mut tx, "article", 10)
            .await
            .unwrap()
            .is_empty()
    );
    let mut all = index::find_all(&mut tx, "article", "月").await.unwrap();
    all.sort();
    assert_eq!(all, [4]);
}

#[tokio::test]
async fn the_index_commits_and_rolls_back_with_the_document() {
    let app = TestApp::new().await;
    put_all(&app, &[("article", 1, "故乡的明月")]).await;
    let mut tx = app.db().write().await.unwrap();
    index::put(&mut tx, "article", 2, "故乡").await.unwrap();
    index::remove(&mut tx, "article", 1).await.unwrap();
    drop(tx);
    assert_eq!(ids(&app, "article", "故乡").await, [1]);
}

#[tokio::test]
async fn more_occurrences_rank_higher() {
    let app = TestApp::new().await;
    put_all(
        &app,
        &[
            (
                "article",
                1,
                "今天开会，讨论了很多事情，其中也提到了明月，然后散会回家吃饭",
            ),
            ("article", 2, "明月明月，明月几时有"),
        ],
    )
    .await;
    let mut tx = app.db().read().await.unwrap();
    let found = index::find(&mut tx, "article", "明月", 10).await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].0, 2, "{found:?}");
    assert!(found[0].1 > found[1].1, "{found:?}");
}

#[tokio::test]
async fn query_syntax_typed_by_users_is_plain_text() {
    let app = TestApp::new().await;
    put_all(
        &app,
        &[
            ("article", 1, "He said \"hi\" (OR) a-b *star* 长安"),
            ("article", 2, "NEAR col:x 'quoted' back\\slash 黄河"),
        ],
    )
    .await;
    for q in [
        "\"",
        "\"\"\"",
        "*",
        "OR",
        "AND",
        "NOT",
        "-",
        "(",
        ")",
        "()",
        "a-b",
        "\"hi\" OR *",
        "长安 OR 黄河",
        "-长安",
        "NEAR(长安 黄河)",
        "col:x",
        "'",
        "''quoted",
        "&",
        "|",
        "!",
        "<->",
        "\\",
        "长安:*",
        "^长安",
        "{长安}",
    ] {
        ids(&app, "article", q).await;
    }
    assert_eq!(ids(&app, "article", "a-b").await, [1]);
    assert_eq!(ids(&app, "article", "\"hi\"").await, [1]);
    assert_eq!(ids(&app, "article", "(OR)").await, [1]);
    assert_eq!(ids(&app, "article", "*star*").await, [1]);
    assert_eq!(ids(&app, "article", "-长安").await, [1]);
    assert!(ids(&app, "article", "长安 OR 黄河").await.is_empty());
    assert_eq!(ids(&app, "article", "NEAR(黄河)").await, [2]);
    assert_eq!(ids(&app, "article", "col:x").await, [2]);
    assert_eq!(ids(&app, "article", "'quoted'").await, [2]);
    assert_eq!(ids(&app, "article", "back\\slash").await, [2]);
    assert!(ids(&app, "article", "*").await.is_empty());
}

#[tokio::test]
async fn the_join_pattern_filters_visibility_in_sql() {
    let app = TestApp::new().await;
    app.exec("CREATE TABLE test_docs (id BIGINT PRIMARY KEY, visible BOOLEAN NOT NULL)")
        .await
        .unwrap();
    app.exec("INSERT INTO test_docs VALUES (1, TRUE), (2, FALSE), (3, TRUE)")
        .await
        .unwrap();
    put_all(
        &app,
        &[
            ("doc", 1, "離退休幹部"),
            ("doc", 2, "离退休干部座谈会"),
            ("doc", 3, "退休"),
            ("other", 1, "离退休干部"),
        ],
    )
    .await;
    let mut tx = app.db().read().await.unwrap();
    let q = match_query("离退休", Backend::of(&tx)).unwrap();
    let rows: Vec<(i64, f64)> = match &mut tx {
        Tx::Sqlite(c) => sqlx::query_as(concat!(
            "SELECT d.id, h.score FROM ",
            yinyao::search_hits!(sqlite, "$1", "'doc'"),
            " h JOIN test_docs d ON d.id = h.doc_id WHERE d.visible ORDER BY h.score DESC LIMIT $2"
        ))
        .bind(&q)
        .bind(10)
        .fetch_all(&mut **c)
        .await
        .unwrap(),
        Tx::Postgres(c) => sqlx::query_as(concat!(
            "SELECT d.id, h.score FROM ",
            yinyao::search_hits!(postgres, "$1", "'doc'"),
            " h JOIN test_docs d ON d.id = h.doc_id WHERE d.visible ORDER BY h.score DESC LIMIT $2"
        ))
        .bind(&q)
        .bind(10)
        .fetch_all(&mut **c)
        .await
        .unwrap(),
    };
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1]);
}

/// The cut is the most recent matches whatever the gaps between their ids: all 100 new
/// documents and the newest 100 of the old ones, never a document that does not match.
#[tokio::test]
async fn the_cut_takes_the_most_recent_matches_across_old_and_new_ids() {
    let app = TestApp::new().await;
    let mut tx = app.db().write().await.unwrap();
    // 150 old documents, 100 new ones 20,000 ids later, and non-matching ones in between.
    let ids: Vec<i64> = (1..=150).chain(20_001..=20_100).collect();
    for id in &ids {
        index::put(&mut tx, "poem", *id, "九九重阳敬老")
            .await
            .unwrap();
    }
    for id in [10_000, 19_999, 20_101] {
        index::put(&mut tx, "poem", id, "春风又绿江南岸")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = app.db().read().await.unwrap();
    let mut found: Vec<i64> = index::find(&mut tx, "poem", "敬老", 500)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    found.sort_unstable();
    // The 200 most recent: all 100 new ones and the newest 100 old ones.
    let expected: Vec<i64> = (51..=150).chain(20_001..=20_100).collect();
    assert_eq!(found, expected);
    // Matches far apart in ids, fewer than the cut: all of them.
    let found = index::find(&mut tx, "poem", "春风", 500).await.unwrap();
    let mut got: Vec<i64> = found.into_iter().map(|(id, _)| id).collect();
    got.sort_unstable();
    assert_eq!(got, vec![10_000, 19_999, 20_101]);
}
