//! Demo person files: retirees, party members and a few young people in need in every
//! village, with care plans paired to the town's staff, a year of visits and some recent
//! life events, written through the same validation and encryption as the form.

use crate::care::bulk as care;
use crate::care::model::Tier;
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::people::bulk as people;
use crate::people::model::with_check_char;
use crate::people::service::{NewPerson, PersonInput, build};
use chrono::{Duration, NaiveDate, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢",
];
const GIVEN: [&str; 40] = [
    "建国", "秀英", "桂兰", "志强", "丽华", "国华", "文明", "淑珍", "永红", "海燕", "春生", "玉兰",
    "德明", "建华", "晓梅", "卫东", "红梅", "立新", "明辉", "雪芳", "振华", "凤英", "金花", "庆丰",
    "玉珍", "福生", "素珍", "长青", "桂芳", "树森", "兰英", "国强", "秀兰", "志华", "淑英", "保国",
    "翠花", "守成", "玉梅", "德胜",
];
const EMPLOYERS: [&str; 8] = [
    "县水利局",
    "县供销社",
    "县第一中学",
    "县人民医院",
    "县粮食局",
    "县委组织部",
    "县农机厂",
    "县邮电局",
];
const SKILLS: [&str; 8] = [
    "书法",
    "二胡",
    "太极拳",
    "中医推拿",
    "摄影",
    "诗词",
    "会计",
    "老年大学讲课",
];
const FINDINGS: [&str; 6] = [
    "身体尚好，精神状态不错",
    "血压偏高，已提醒按时服药",
    "独居，家中整洁，邻里照应",
    "行动不便，需要上门服务",
    "子女在外地，希望多联系",
    "刚出院，恢复良好",
];

/// Writes `per_village` people for each village; returns how many. One in forty is a
/// child in need, filed under one of `schools` (the youth-care committee's), where only
/// youth-care staff see them; the others live in the village.
pub async fn generate(
    tx: &mut Tx,
    rng: &mut StdRng,
    crypto: &FieldCrypto,
    villages: &[(i64, i64)],
    schools: &[i64],
    per_village: usize,
) -> anyhow::Result<usize> {
    let today = Utc::now().date_naive();
    let mut n = 0;
    for (vi, (village, staff)) in villages.iter().enumerate() {
        for i in 0..per_village {
            let youth = i % 40 == 39;
            let birth = if youth {
                NaiveDate::from_ymd_opt(
                    rng.random_range(2010..2016),
                    rng.random_range(1..13),
                    rng.random_range(1..29),
                )
            } else {
                NaiveDate::from_ymd_opt(
                    rng.random_range(1931..1966),
                    rng.random_range(1..13),
                    rng.random_range(1..29),
                )
            }
            .unwrap_or(today);
            let seq = 100 + (vi * per_village + i) % 900;
            let id = with_check_char(&format!(
                "36012{}{}{seq:03}",
                vi % 10,
                birth.format("%Y%m%d")
            ));
            let mut cats = vec![
                if birth.format("%Y").to_string().as_str() < "1940" {
                    "lixiu"
                } else {
                    "tuixiu"
                }
                .to_string(),
            ];
            if rng.random_bool(0.4) {
                cats.push("party_member".into());
            }
            if rng.random_bool(0.1) {
                cats.push("wulao".into());
            }
            if youth {
                cats = vec!["youth".into()];
            }
            let input = PersonInput {
                unit_id: Some(match schools.get((vi + i) % schools.len().max(1)) {
                    Some(school) if youth => school.to_string(),
                    _ => village.to_string(),
                }),
                name: format!(
                    "{}{}",
                    SURNAMES.choose(rng).unwrap_or(&"王"),
                    GIVEN.choose(rng).unwrap_or(&"建国")
                ),
                gender: Some(
                    if rng.random_bool(0.5) {
                        "male"
                    } else {
                        "female"
                    }
                    .into(),
                ),
                birth_date: Some(birth.to_string()),
                id_number: Some(id),
                mobile: Some(format!(
                    "1{}{:09}",
                    rng.random_range(3..10),
                    rng.random_range(0..1_000_000_000u32)
                )),
                address: Some(format!(
                    "{} 组 {} 号",
                    rng.random_range(1..12),
                    rng.random_range(1..80)
                )),
                health: rng.random_bool(0.5).then(|| "高血压，按时服药".to_string()),
                emergency: Some(format!(
                    "子女 13{:09}",
                    rng.random_range(0..1_000_000_000u32)
                )),
                former_employer: (!youth)
                    .then(|| EMPLOYERS.choose(rng).unwrap_or(&"县供销社").to_string()),
                living: Some(
                    [
                        "alone",
                        "empty_nest",
                        "with_family",
                        "with_family",
                        "care_home",
                        "relocated",
                    ]
                    .choose(rng)
                    .unwrap_or(&"with_family")
                    .to_string(),
                ),
                skills: rng
                    .random_bool(0.3)
                    .then(|| SKILLS.choose(rng).unwrap_or(&"书法").to_string()),
                willing_to_serve: !youth && rng.random_bool(0.3),
                categories: cats,
                ..PersonInput::default()
            };
            let b = NewPerson::parse(&input)
                .and_then(|p| build(crypto, &p, None))
                .map_err(|e| anyhow::anyhow!("demo person invalid: {e:?}"))?;
            let pid = people::insert(tx, &b.record).await?;
            people::set_categories(tx, pid, &b.categories).await?;
            n += 1;
            if youth {
                continue;
            }
            let tier = match rng.random_range(0..10) {
                0 | 1 => Tier::Key,
                2..=5 => Tier::Regular,
                _ => Tier::Routine,
            };
            care::upsert_care_plan(
                tx,
                pid,
                tier.as_str(),
                tier.default_interval_days(),
                Some(*staff),
                None,
            )
            .await?;
            let visits = rng.random_range(0..5);
            let mut last: Option<NaiveDate> = None;
            for _ in 0..visits {
                let on = today - Duration::days(rng.random_range(1..365));
                let rec = care::NewVisitRecord {
                    visited_on: &on.to_string(),
                    kind: ["home", "phone", "video", "home"]
                        .choose(rng)
                        .unwrap_or(&"home"),
                    visitors: "乡镇工作人员",
                    findings: FINDINGS.choose(rng).unwrap_or(&"身体尚好"),
                    needs: None,
                    follow_up: None,
                    recorded_by: *staff,
                };
                care::insert_visit(tx, pid, &rec).await?;
                last = last.max(Some(on));
            }
            if let Some(last) = last {
                let next = last + Duration::days(i64::from(tier.default_interval_days()));
                care::set_contact(tx, pid.0, &last.to_string(), Some(&next.to_string())).await?;
            }
            if rng.random_bool(0.06) {
                let (kind, note) = [
                    ("hospitalised", "县人民医院"),
                    ("hospitalised", "镇卫生院"),
                    ("bereavement", "老伴去世"),
                    ("hardship", "子女失业，家庭收入减少"),
                    ("discharged", "出院回家休养"),
                ]
                .choose(rng)
                .copied()
                .unwrap_or(("hospitalised", "县人民医院"));
                let on = today - Duration::days(rng.random_range(0..5));
                care::insert_event(tx, pid.0, kind, &on.to_string(), Some(note), *staff).await?;
            }
            if tier == Tier::Key {
                for (name, status) in [("家庭医生签约", "active"), ("每月电话问候", "active")]
                    .iter()
                    .take(rng.random_range(0..3))
                {
                    care::insert_item(tx, pid, name, status, None, *staff).await?;
                }
                if rng.random_bool(0.1) {
                    let on = today - Duration::days(rng.random_range(1..200));
                    let (kind, fen) = [
                        ("春节慰问金", 50_000),
                        ("困难补助", 100_000),
                        ("医疗救助", 200_000),
                    ]
                    .choose(rng)
                    .copied()
                    .unwrap_or(("春节慰问金", 50_000));
                    care::insert_aid(
                        tx,
                        pid.0,
                        kind,
                        fen,
                        "县委老干部局",
                        &on.to_string(),
                        None,
                        *staff,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(n)
}
