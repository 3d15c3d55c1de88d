//! Demo publishing: the county's columns and a special issue, a few hundred articles by the
//! villages' correspondents in every review state (most published over the last half year),
//! readers' comments waiting and shown.

use crate::campaigns::states::WorkState;
use crate::db::Tx;
use crate::news::model::render_body;
use crate::news::seed::{self as repo, NewComment, Text};
use chrono::{Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

/// Who writes and reviews in the demo county.
pub struct Newsroom {
    pub county: i64,
    pub editor: i64,
    pub reviewer: i64,
    pub admin: i64,
    /// Correspondents with their village and its name.
    pub correspondents: Vec<(i64, i64, String)>,
}

pub(super) const ACTIVITIES: [&str; 12] = [
    "开展重阳节走访慰问活动",
    "组织离退休干部学习党的二十大精神",
    "举办老年书画作品展",
    "开展“银龄讲堂”宣讲活动",
    "为独居老人送去冬季慰问品",
    "召开老干部情况通报会",
    "组织老党员过政治生日",
    "开展健康义诊进社区活动",
    "老年大学合唱班汇报演出",
    "五老志愿者为留守儿童辅导功课",
    "开展防范养老诈骗宣传",
    "组织老同志参观乡村振兴成果",
];

pub(super) const PARAGRAPHS: [&str; 6] = [
    "活动当天，老同志们精神饱满，早早来到活动现场。",
    "工作人员逐一询问老人的身体状况和生活需求，详细记录在册，做到底数清、情况明。",
    "大家纷纷表示，要继续发挥余热，为家乡发展贡献力量。",
    "下一步，将持续做好服务保障工作，让老同志们老有所依、老有所乐。",
    "活动结束后，大家合影留念，现场气氛温馨热烈。",
    "**据统计**，本次活动共服务老同志一百余人次。",
];

/// Fills the newsroom; returns (columns, articles, comments).
pub async fn generate(
    tx: &mut Tx,
    rng: &mut StdRng,
    n: &Newsroom,
) -> anyhow::Result<(usize, usize, usize)> {
    let mut columns = Vec::new();
    for (name, kind, desc) in [
        ("工作动态", "column", "县委老干部局和各乡镇的工作动态"),
        ("通知公告", "column", "面向离退休干部的通知和公告"),
        ("银龄风采", "column", "老同志的先进事迹和作品"),
        ("重阳敬老月", "special", "重阳敬老月专题报道"),
    ] {
        columns.push(repo::column(tx, n.county, name, kind, Some(desc)).await?);
    }
    let now = Utc::now();
    let (mut articles, mut comment_count) = (0, 0);
    for i in 0..300 {
        let Some((corr, village, village_name)) = n.correspondents.choose(rng).cloned() else {
            break;
        };
        let activity = ACTIVITIES.choose(rng).copied().unwrap_or(ACTIVITIES[0]);
        let title = format!("{village_name}{activity}");
        let body = (0..rng.random_range(2..5))
            .map(|_| PARAGRAPHS.choose(rng).copied().unwrap_or(PARAGRAPHS[0]))
            .collect::<Vec<_>>()
            .join("\n\n");
        let column = columns[rng.random_range(0..columns.len())];
        let text = Text {
            title: &title,
            summary: Some(activity),
            body_md: &body,
            body_html: &render_body(&body),
            tags: if activity.contains("重阳") {
                "重阳,敬老"
            } else {
                "工作动态"
            },
            source: Some(&village_name),
            byline: None,
            correspondent_id: Some(corr.into()),
        };
        let id = repo::article(tx, column, village, corr, &text).await?;
        articles += 1;
        // Most published, the rest spread over the workflow.
        let roll = rng.random_range(0..100);
        let path: &[(&str, &str, &str, Option<i64>)] = match roll {
            0..=69 => &[
                ("submit", "draft", "submitted", None),
                ("approve", "submitted", "first_approved", Some(n.reviewer)),
                ("approve", "first_approved", "published", Some(n.admin)),
            ],
            70..=79 => &[("submit", "draft", "submitted", None)],
            80..=82 => &[
                ("submit", "draft", "submitted", None),
                ("approve", "submitted", "first_approved", Some(n.reviewer)),
            ],
            // Approved to appear at a set time in the coming days.
            83..=84 => &[
                ("submit", "draft", "submitted", None),
                ("approve", "submitted", "first_approved", Some(n.reviewer)),
                ("approve", "first_approved", "approved", Some(n.admin)),
            ],
            85..=89 => &[],
            90..=94 => &[
                ("submit", "draft", "submitted", None),
                ("reject", "submitted", "rejected", Some(n.reviewer)),
            ],
            _ => &[
                ("submit", "draft", "submitted", None),
                ("approve", "submitted", "first_approved", Some(n.reviewer)),
                ("approve", "first_approved", "published", Some(n.admin)),
                ("withdraw", "published", "withdrawn", Some(n.editor)),
            ],
        };
        for (action, from, to, actor) in path {
            let comment = match *action {
                "reject" => Some("请补充活动照片和参加人数。"),
                "withdraw" => Some("活动时间有误，核实后重发。"),
                _ => None,
            };
            let first = (*to == "first_approved").then_some(n.reviewer.into());
            let publish_at =
                (*to == "approved").then(|| now + Duration::hours(rng.random_range(12..120)));
            repo::set_state(
                tx,
                id,
                from,
                to,
                first,
                publish_at,
                (*to == "withdrawn").then_some(comment.unwrap_or("")),
            )
            .await?;
            repo::trail_step(
                tx,
                id,
                action,
                from,
                to,
                Some(actor.unwrap_or(corr)),
                comment,
                1,
            )
            .await?;
        }
        // Drafts worked on twice: a second version to compare with the first.
        if (85..=89).contains(&roll) {
            let revised = format!("{body}\n\n{}", PARAGRAPHS[PARAGRAPHS.len() - 1]);
            let again = Text {
                body_md: &revised,
                body_html: &render_body(&revised),
                ..text
            };
            repo::revise(tx, id, column, corr, &again).await?;
        }
        if roll <= 69 || roll >= 95 {
            let at = now - Duration::minutes(rng.random_range(60..180 * 24 * 60));
            repo::backdate(tx, id, at, rng.random_range(5..800)).await?;
        }
        if roll <= 69 && i % 7 == 0 {
            for (who, words, state) in [
                ("老王", "写得真好，为老干部局点赞！", "approved"),
                ("热心读者", "希望多组织这样的活动。", "pending"),
            ] {
                let comment = repo::comment(
                    tx,
                    &NewComment {
                        article: id,
                        parent: None,
                        account: None,
                        author_name: who,
                        body: words,
                        state,
                        visitor: &format!("demo-{i}-{who}"),
                        official: false,
                    },
                )
                .await?;
                comment_count += 1;
                if state == "approved" && i % 14 == 0 {
                    repo::comment(
                        tx,
                        &NewComment {
                            article: id,
                            parent: Some(comment),
                            account: Some(n.editor.into()),
                            author_name: "县委老干部局",
                            body: "感谢关注，我们会继续组织好此类活动。",
                            state: "approved",
                            visitor: &format!("demo-{i}-reply"),
                            official: true,
                        },
                    )
                    .await?;
                    comment_count += 1;
                }
            }
        }
    }
    campaign(tx, rng, n, columns[2]).await?;
    Ok((columns.len(), articles, comment_count))
}

const POEMS: [(&str, &str); 6] = [
    (
        "重阳登高",
        "金风送爽菊花黄，老友相携上高岗。\n回首来时多少路，夕阳更比朝阳长。",
    ),
    (
        "我的退休生活",
        "退休以后，我报了老年大学的书法班，每天写上一个小时，心里格外踏实。",
    ),
    (
        "家乡的变化",
        "村口的土路变成了柏油路，路灯亮了，广场上天天有人跳舞。",
    ),
    (
        "忆入党那一年",
        "一九六五年的春天，我在田埂上递交了入党申请书。",
    ),
    (
        "银龄志愿者",
        "每周三上午，我们五老志愿者给留守儿童讲故事、辅导功课。",
    ),
    ("夕阳红", "满头白发映红霞，岁月如歌又一年。"),
];

/// An open campaign with works from the villages and some judges' scores.
async fn campaign(
    tx: &mut Tx,
    rng: &mut StdRng,
    n: &Newsroom,
    column: crate::ids::ColumnId,
) -> anyhow::Result<()> {
    use crate::campaigns::seed as c;
    let today = Utc::now().date_naive();
    let id = c::campaign(
        tx,
        &c::CampaignRow {
            unit: n.county.into(),
            open_units: &[n.county.into()],
            column,
            title: "“我的晚年生活”重阳征文",
            theme: "写写退休以后的学习、生活和为家乡做的事",
            rules: Some("诗词、散文均可，散文不超过两千字。"),
            opens_on: &(today - Duration::days(20)).to_string(),
            closes_on: &(today + Duration::days(10)).to_string(),
            by: n.editor.into(),
        },
    )
    .await?;
    c::judge(tx, id, n.reviewer).await?;
    c::judge(tx, id, n.editor).await?;
    for (i, (title, body)) in POEMS.iter().enumerate() {
        let Some((author, unit, _)) = n
            .correspondents
            .get(i % n.correspondents.len().max(1))
            .cloned()
        else {
            break;
        };
        let work = c::work(
            tx,
            &c::NewWork {
                campaign: Some(id),
                kind: if body.chars().count() < 40 {
                    "poem"
                } else {
                    "essay"
                },
                title,
                body,
                author: author.into(),
                unit: unit.into(),
                state: WorkState::Received,
            },
        )
        .await?;
        if i % 2 == 0 {
            c::score(tx, work, n.reviewer, rng.random_range(70..96), None).await?;
        }
    }
    Ok(())
}
