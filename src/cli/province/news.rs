//! The province's columns and articles, through both review steps, indexed for search.

use super::Province;
use crate::cli::demo_news::{ACTIVITIES, PARAGRAPHS};
use crate::db::Db;
use crate::news::model::render_body;
use crate::news::seed::{self as news, Text};
use chrono::{Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

/// Columns (two per county, one per city and the province's) and `count` articles by the
/// counties' editors: 90 % published through both review steps over the last two years,
/// the rest submitted or drafts; every one indexed for search. Returns the column ids, the
/// number of articles and the id of the last published one.
pub(super) async fn articles(
    db: &Db,
    rng: &mut StdRng,
    p: &Province,
    count: usize,
) -> anyhow::Result<(Vec<i64>, usize, i64)> {
    let mut tx = db.write().await?;
    let mut columns = Vec::new();
    for c in &p.counties {
        for (name, desc) in [
            ("工作动态", "县委老干部局和各乡镇的工作动态"),
            ("通知公告", "面向离退休干部的通知和公告"),
        ] {
            columns.push((
                news::column(&mut tx, c.unit.id, name, "column", Some(desc)).await?,
                c,
            ));
        }
    }
    tx.commit().await?;
    let now = Utc::now();
    let mut last_published = 0;
    let mut written = 0;
    while written < count {
        let batch = 1000.min(count - written);
        let mut tx = db.write().await?;
        for i in written..written + batch {
            let (column, county) = columns[i % columns.len()];
            let town = county
                .towns
                .choose(rng)
                .map_or("城关镇", |t| t.name.as_str());
            let activity = ACTIVITIES.choose(rng).copied().unwrap_or(ACTIVITIES[0]);
            let title = format!("{town}{activity}");
            let body = (0..rng.random_range(3..7))
                .map(|_| PARAGRAPHS.choose(rng).copied().unwrap_or(PARAGRAPHS[0]))
                .collect::<Vec<_>>()
                .join("\n\n");
            let text = Text {
                title: &title,
                summary: Some(activity),
                body_md: &body,
                body_html: &render_body(&body),
                tags: "工作动态",
                source: Some(town),
                byline: None,
                correspondent_id: None,
            };
            let id = news::article(&mut tx, column, county.unit.id, county.editor, &text).await?;
            let roll = rng.random_range(0..100);
            if roll < 90 {
                news::set_state(
                    &mut tx,
                    id,
                    "draft",
                    "published",
                    Some(county.reviewer.into()),
                    None,
                    None,
                )
                .await?;
                for (action, from, to, actor) in [
                    ("submit", "draft", "submitted", county.editor),
                    ("approve", "submitted", "first_approved", county.reviewer),
                    ("approve", "first_approved", "published", county.admin),
                ] {
                    news::trail_step(&mut tx, id, action, from, to, Some(actor), None, 1).await?;
                }
                // Spread over two years, older first, so ids follow publishing order.
                let age = (count - i) as i64 * 2 * 365 * 24 * 60 / count as i64;
                news::backdate(
                    &mut tx,
                    id,
                    now - Duration::minutes(age),
                    rng.random_range(5..800),
                )
                .await?;
                last_published = id.0;
            } else if roll < 95 {
                news::set_state(&mut tx, id, "draft", "submitted", None, None, None).await?;
                news::trail_step(
                    &mut tx,
                    id,
                    "submit",
                    "draft",
                    "submitted",
                    Some(county.editor),
                    None,
                    1,
                )
                .await?;
            }
        }
        tx.commit().await?;
        written += batch;
        if written % 50_000 == 0 {
            println!("  … {written} articles");
        }
    }
    Ok((
        columns.iter().map(|c| c.0.0).collect(),
        written,
        last_published,
    ))
}
