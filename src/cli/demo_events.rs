//! The demo county's events and seniors' university: past events with attendance and
//! recordings, upcoming ones with registrations and a waiting list, a micro party lesson, and
//! a term of the county's seniors' university (with last term's students returning).

use crate::db::Tx;
use crate::events::model::{EventKind, NewEvent};
use crate::events::videos::model::{NewVideo, VideoKind};
use crate::ids::{AccountId, PersonId, UnitId};
use crate::university::model::{NewCourse, NewSection, NewTerm};
use chrono::{Duration, NaiveTime, TimeZone, Utc};
use rand::Rng;
use rand::rngs::StdRng;

/// What was made, for the demo's summary.
pub struct Made {
    pub events: usize,
    pub registrations: usize,
    pub courses: usize,
    pub enrolments: usize,
}

/// A time `days` from today at `hour` China time.
fn at(days: i64, hour: u32) -> chrono::DateTime<Utc> {
    let d = crate::i18n::china_today() + Duration::days(days);
    crate::i18n::china()
        .from_local_datetime(&d.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default()))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

#[allow(clippy::too_many_arguments)]
fn event(
    unit: UnitId,
    title: &str,
    kind: EventKind,
    (days, hour, hours): (i64, u32, i64),
    place: Option<&str>,
    online: Option<&str>,
    capacity: Option<i64>,
    public: bool,
) -> NewEvent {
    let starts = at(days, hour);
    NewEvent {
        unit,
        title: title.into(),
        kind,
        description: String::new(),
        starts,
        ends: starts + Duration::hours(hours),
        place: place.map(str::to_string),
        online_url: online.map(str::to_string),
        audience: vec![],
        categories: vec![],
        public,
        capacity,
        opens: None,
        closes: None,
        approval: false,
    }
}

pub async fn generate(
    tx: &mut Tx,
    rng: &mut StdRng,
    county: (UnitId, &str),
    staff: AccountId,
) -> anyhow::Result<Made> {
    use crate::events::bulk;
    // People without an account: the members who have one try registering and enrolling
    // themselves.
    let people: Vec<(PersonId, Option<AccountId>)> =
        crate::people::bulk::adults_under(tx, county.1, 400)
            .await?
            .into_iter()
            .filter(|(_, a)| a.is_none())
            .collect();
    let mut made = Made {
        events: 0,
        registrations: 0,
        courses: 0,
        enrolments: 0,
    };
    let pick = |rng: &mut StdRng, n: usize| -> Vec<(PersonId, Option<AccountId>)> {
        let mut out = Vec::new();
        while out.len() < n.min(people.len()) {
            let p = people[rng.random_range(0..people.len())];
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    };
    // Past: a lecture at the activity centre with its attendance and recording, and a cloud
    // class with a public recording watched across the county.
    let mut lecture = event(
        county.0,
        "重阳节健康知识讲座",
        EventKind::Lecture,
        (-10, 9, 2),
        Some("县老干部活动中心三楼报告厅"),
        None,
        Some(80),
        false,
    );
    lecture.description =
        "县人民医院心内科主任讲解秋冬季心脑血管疾病预防，现场免费测量血压。".into();
    let cloud = event(
        county.0,
        "云课堂：识破养老诈骗",
        EventKind::Class,
        (-4, 15, 1),
        None,
        Some("https://meeting.tencent.com/dm/yinyao-demo"),
        None,
        true,
    );
    for (e, attend, video, views) in [
        (lecture, 0.8, "重阳节健康知识讲座（录像）", 1_280),
        (cloud, 0.6, "云课堂：识破养老诈骗（回放）", 20_416),
    ] {
        let public = e.public;
        let id = bulk::event(tx, &e, staff).await?;
        made.events += 1;
        for (person, account) in pick(rng, 40) {
            if let Some((reg, _)) = bulk::register(tx, id, person, account, staff).await? {
                made.registrations += 1;
                if rng.random_bool(attend) {
                    bulk::check_in(tx, id, reg, staff).await?;
                }
            }
        }
        let v = NewVideo {
            unit: Some(county.0),
            event: Some(id),
            title: video.into(),
            kind: VideoKind::Recording,
            description: String::new(),
            url: Some(format!("https://v.qq.com/x/yinyao-demo-{id}")),
            public,
        };
        bulk::video(tx, county.0, &v, staff, views).await?;
    }
    // Upcoming: a New Year gathering that is full with people waiting, and a public phone class.
    let gala = event(
        county.0,
        "迎新春文艺联欢会",
        EventKind::Culture,
        (5, 14, 3),
        Some("县老干部活动中心一楼大厅"),
        None,
        Some(20),
        false,
    );
    let phones = event(
        county.0,
        "智能手机使用培训班（第三期）",
        EventKind::Class,
        (12, 9, 2),
        Some("县老年大学多媒体教室"),
        Some("https://meeting.tencent.com/dm/yinyao-phone"),
        Some(40),
        true,
    );
    for (e, n) in [(gala, 24), (phones, 15)] {
        let id = bulk::event(tx, &e, staff).await?;
        made.events += 1;
        for (person, account) in pick(rng, n) {
            if bulk::register(tx, id, person, account, staff)
                .await?
                .is_some()
            {
                made.registrations += 1;
            }
        }
    }
    let lesson = NewVideo {
        unit: Some(county.0),
        event: None,
        title: "微党课：一封红色家书".into(),
        kind: VideoKind::MicroLesson,
        description: "十分钟，讲一位老党员的家书。".into(),
        url: Some("https://v.qq.com/x/yinyao-demo-lesson".into()),
        public: true,
    };
    bulk::video(tx, county.0, &lesson, staff, 3_652).await?;

    // The seniors' university: last autumn's term, and this spring's open for enrolment.
    use crate::university::bulk as uni;
    let today = crate::i18n::china_today();
    let autumn = NewTerm {
        unit: county.0,
        name: "清江县老年大学 秋季学期".into(),
        starts_on: today - Duration::days(150),
        ends_on: today - Duration::days(30),
        opens: at(-180, 9),
        closes: at(-155, 18),
        priority_until: None,
        course_limit: 3,
    };
    let spring = NewTerm {
        unit: county.0,
        name: "清江县老年大学 春季学期".into(),
        starts_on: today + Duration::days(20),
        ends_on: today + Duration::days(130),
        opens: at(-3, 9),
        closes: at(15, 18),
        priority_until: Some(at(-1, 18)),
        course_limit: 3,
    };
    let t = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let course = |subject: &str,
                  teacher: &str,
                  weekday: i64,
                  hours: (u32, u32),
                  place: &str,
                  cap: i64,
                  fee: i64| NewCourse {
        subject: subject.into(),
        description: String::new(),
        fee_fen: fee,
        prerequisites: String::new(),
        section: NewSection {
            label: "一班".into(),
            teacher: teacher.into(),
            weekday,
            starts: t(hours.0, 0),
            ends: t(hours.1, 30),
            place: Some(place.into()),
            online_url: None,
            capacity: Some(cap),
        },
    };
    let old_term = uni::term(tx, &autumn, staff).await?;
    let old = uni::course(
        tx,
        &autumn,
        old_term,
        &course("书法", "王墨林", 1, (9, 10), "书画室", 30, 12_000),
    )
    .await?;
    let students = pick(rng, 18);
    for (person, account) in &students {
        if let Some((e, _)) = uni::enrol(tx, old_term, old, *person, *account, staff).await? {
            for (session, _) in uni::sessions(tx, old).await? {
                if rng.random_bool(0.85) {
                    uni::attend(tx, session, e, staff).await?;
                }
            }
        }
    }
    let term = uni::term(tx, &spring, staff).await?;
    let mut sections = Vec::new();
    for c in [
        course("书法", "王墨林", 1, (9, 10), "书画室", 30, 12_000),
        course("太极拳", "李静", 3, (8, 9), "健身广场", 40, 0),
        course("合唱", "周春华", 5, (14, 15), "音乐教室", 8, 8_000),
        course("智能手机", "陈晓", 2, (9, 10), "多媒体教室", 30, 0),
        course("国画", "赵青山", 4, (9, 11), "书画室", 20, 15_000),
    ] {
        sections.push(uni::course(tx, &spring, term, &c).await?);
        made.courses += 1;
    }
    // Last term's calligraphy students came back first; the choir filled, with people waiting.
    for (person, account) in students.iter().take(12) {
        if uni::enrol(tx, term, sections[0], *person, *account, staff)
            .await?
            .is_some()
        {
            made.enrolments += 1;
        }
    }
    for (k, (person, account)) in pick(rng, 40).into_iter().enumerate() {
        let s = sections[1 + k % 4];
        if uni::enrol(tx, term, s, person, account, staff)
            .await?
            .is_some()
        {
            made.enrolments += 1;
        }
    }
    Ok(made)
}
