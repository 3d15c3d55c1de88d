//! `yinyao demo`: a generated, realistic county — city bureau, county bureau, towns,
//! villages and communities, party committees and branches, an online branch, the
//! youth-care committee with schools, volunteer teams, and staff accounts with roles.
//! The same seed always gives the same county.

use crate::accounts::model::{UnitRole, hash_password};
use crate::accounts::{NewAccount, bulk as accounts};
use crate::audit::{
    self as audit,
    model::{Actor, Event},
};
use crate::db::{Db, Tx};
use crate::ids::{AccountId, UnitId};
use crate::units::model::UnitKind;
use crate::units::{Unit, bulk as units_bulk, service as units};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const TOWNS: [(&str, UnitKind); 6] = [
    ("城关镇", UnitKind::Town),
    ("东湖镇", UnitKind::Town),
    ("西山乡", UnitKind::Town),
    ("南河街道", UnitKind::Town),
    ("北坪镇", UnitKind::Town),
    ("青石镇", UnitKind::Town),
];
const PLACE_HEADS: [&str; 24] = [
    "杨柳", "桃源", "石桥", "大坪", "白果", "新华", "红星", "龙泉", "长乐", "安居", "清河", "枫林",
    "槐树", "凤鸣", "金沙", "柏树", "双井", "马家", "李家", "高庄", "前进", "光明", "和平", "幸福",
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: [&str; 24] = [
    "建国", "秀英", "桂兰", "志强", "丽华", "国华", "文明", "淑珍", "永红", "海燕", "春生", "玉兰",
    "德明", "建华", "晓梅", "卫东", "红梅", "立新", "明辉", "雪芳", "振华", "凤英", "金花", "庆丰",
];

struct Demo<'a> {
    tx: Tx,
    rng: StdRng,
    password_hash: String,
    accounts: Vec<(String, String, String)>,
    actor: &'a Actor,
    crypto: &'a crate::crypto::FieldCrypto,
    n: usize,
}

impl Demo<'_> {
    fn person_name(&mut self) -> String {
        format!(
            "{}{}",
            SURNAMES.choose(&mut self.rng).unwrap_or(&"王"),
            GIVEN.choose(&mut self.rng).unwrap_or(&"建国")
        )
    }

    async fn unit(
        &mut self,
        parent: Option<&Unit>,
        name: &str,
        kind: UnitKind,
    ) -> anyhow::Result<Unit> {
        Ok(units_bulk::insert(&mut self.tx, parent, name, kind).await?)
    }

    async fn staff(&mut self, unit: &Unit, role: UnitRole, what: &str) -> anyhow::Result<i64> {
        self.n += 1;
        let username = format!("{}{:02}", role.as_str().replace('_', ""), self.n);
        let display = self.person_name();
        let phone = format!(
            "13{}{:08}",
            self.rng.random_range(0..10),
            self.rng.random_range(0..100_000_000u32)
        );
        let phone = crate::accounts::service::seal_phone(self.crypto, &phone)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let id = accounts::insert(
            &mut self.tx,
            &NewAccount {
                username: &username,
                phone: Some(&phone),
                display_name: &display,
                unit_id: Some(unit.id),
                password_hash: &self.password_hash,
                must_change_password: false,
                platform_role: None,
            },
        )
        .await?;
        accounts::insert_grant(&mut self.tx, id, unit.id, role, None).await?;
        audit::record(&mut self.tx, self.actor, Event::ok("role.grant", format!("account:{}", id.0)).unit(unit.id)
            .detail(serde_json::json!({ "after": { "role": role.as_str(), "unit_id": unit.id, "demo": true } })))
            .await?;
        self.accounts
            .push((username, display, format!("{what} · {}", unit.name)));
        Ok(id.0)
    }
}

pub async fn run(db: &Db, config: &crate::config::Config, seed: u64) -> anyhow::Result<()> {
    let crypto = crate::crypto::from_config(config, matches!(db, Db::Sqlite(_)))?;
    let actor = Actor::cli("demo");
    let mut tx = db.write().await?;
    let existing = units::list(&mut tx, &crate::access::Scope::EVERYTHING, true, 1).await?;
    if !existing.is_empty() {
        anyhow::bail!(
            "this database already has units; `yinyao demo` fills an empty database (use a new YINYAO_DATA_DIR)"
        );
    }
    let mut rng = StdRng::seed_from_u64(seed);
    // One shared, generated password keeps the demo easy to try; it still meets the policy.
    let password = format!(
        "Demo-{}{}",
        rng.random_range(1000..9999),
        ["yy", "Yy", "yY"][rng.random_range(0..3)]
    );
    let mut d = Demo {
        tx,
        rng,
        password_hash: hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?,
        accounts: Vec::new(),
        actor: &actor,
        crypto: &crypto,
        n: 0,
    };

    let city = d
        .unit(None, "江州市委老干部局", UnitKind::CityBureau)
        .await?;
    d.staff(&city, UnitRole::UnitAdmin, "市局管理员").await?;
    let county = d
        .unit(Some(&city), "清江县委老干部局", UnitKind::CountyBureau)
        .await?;
    let county_admin = d.staff(&county, UnitRole::UnitAdmin, "县局管理员").await?;
    let county_staff = d.staff(&county, UnitRole::Staff, "县局工作人员").await?;
    d.staff(&county, UnitRole::Staff, "县局工作人员").await?;
    let editor = d.staff(&county, UnitRole::Editor, "编辑").await?;
    let reviewer = d.staff(&county, UnitRole::Reviewer, "审核").await?;
    let mut correspondents = Vec::new();
    let committee = d
        .unit(
            Some(&county),
            "清江县委老干部局机关党委",
            UnitKind::PartyCommittee,
        )
        .await?;
    let online = d
        .unit(
            Some(&committee),
            "流动党员网络党支部",
            UnitKind::OnlineBranch,
        )
        .await?;
    d.staff(&online, UnitRole::Staff, "网络党支部书记").await?;
    d.unit(
        Some(&committee),
        "离退休干部第一党支部",
        UnitKind::PartyBranch,
    )
    .await?;
    d.unit(
        Some(&committee),
        "离退休干部第二党支部",
        UnitKind::PartyBranch,
    )
    .await?;
    let youth = d
        .unit(
            Some(&county),
            "清江县关心下一代工作委员会",
            UnitKind::YouthCare,
        )
        .await?;
    // The youth-care worker holds the one role that sees minors' files; the minors are
    // filed under the committee's schools.
    d.staff(&youth, UnitRole::YouthCare, "关工委工作人员")
        .await?;
    let mut schools = Vec::new();
    for school in ["清江县第一中学", "清江县实验小学", "城关镇中心小学"] {
        schools.push(d.unit(Some(&youth), school, UnitKind::School).await?.id.0);
    }
    d.unit(Some(&county), "银发先锋志愿服务队", UnitKind::VolunteerTeam)
        .await?;

    let mut heads: Vec<&str> = PLACE_HEADS.to_vec();
    let mut village_list: Vec<(i64, i64)> = Vec::new();
    // Each member account, its village and its line in the printed list.
    let mut members: Vec<(i64, UnitId, usize)> = Vec::new();
    for (town_name, kind) in TOWNS {
        let town = d.unit(Some(&county), town_name, kind).await?;
        d.staff(&town, UnitRole::UnitAdmin, "乡镇管理员").await?;
        let town_staff = d.staff(&town, UnitRole::Staff, "乡镇工作人员").await?;
        let party = d
            .unit(
                Some(&town),
                &format!("{town_name}党委"),
                UnitKind::PartyCommittee,
            )
            .await?;
        d.unit(
            Some(&town),
            &format!("{town_name}五老志愿服务队"),
            UnitKind::VolunteerTeam,
        )
        .await?;
        let villages = d.rng.random_range(4..=6);
        for i in 0..villages {
            let idx = d.rng.random_range(0..heads.len());
            let head = heads.swap_remove(idx.min(heads.len() - 1));
            if heads.is_empty() {
                heads = PLACE_HEADS.to_vec();
            }
            let (name, branch) = if town_name.ends_with("街道") {
                (format!("{head}社区"), format!("{head}社区党支部"))
            } else {
                (format!("{head}村"), format!("{head}村党支部"))
            };
            let village = d.unit(Some(&town), &name, UnitKind::Village).await?;
            village_list.push((village.id.0, town_staff));
            d.unit(Some(&party), &branch, UnitKind::PartyBranch).await?;
            if i == 0 {
                let who = d.staff(&village, UnitRole::Correspondent, "通讯员").await?;
                correspondents.push((who, village.id.0, village.name.clone()));
            }
            if i == 1 {
                let m = d.staff(&village, UnitRole::Member, "党员").await?;
                members.push((m, village.id, d.accounts.len() - 1));
            }
        }
    }
    let people =
        super::demo_people::generate(&mut d.tx, &mut d.rng, &crypto, &village_list, &schools, 120)
            .await?;
    let (round, marked) = demo_round(&mut d.tx, county.id, AccountId(county_staff)).await?;
    // Each member's account is linked to a file of their village, so they register for
    // events and enrol in courses as themselves.
    for (account, village, line) in &members {
        if let Some((_, name)) =
            crate::people::bulk::link_first(&mut d.tx, *village, AccountId(*account)).await?
        {
            d.accounts[*line].2.push_str(&format!(" · 档案：{name}"));
        }
    }
    let made = super::demo_events::generate(
        &mut d.tx,
        &mut d.rng,
        (county.id, &county.path),
        AccountId(county_staff),
    )
    .await?;
    let newsroom = super::demo_news::Newsroom {
        county: county.id.0,
        editor,
        reviewer,
        admin: county_admin,
        correspondents,
    };
    let (columns, articles, comments) =
        super::demo_news::generate(&mut d.tx, &mut d.rng, &newsroom).await?;
    audit::record(
        &mut d.tx,
        &actor,
        Event::ok("demo.generate", format!("seed:{seed}")).detail(serde_json::json!({
            "people": people, "columns": columns, "articles": articles, "comments": comments
        })),
    )
    .await?;
    let Demo { tx, accounts, .. } = d;
    tx.commit().await?;
    let tasks =
        crate::jobs::visit_tasks::generate(db, chrono::Utc::now().date_naive(), None).await?;
    super::province::rebuild_rollups(db).await?;
    println!("{people} person files with care plans, visits and life events; {tasks} visit tasks.");
    println!(
        "{columns} columns, {articles} articles in every review state, {comments} readers' comments."
    );
    println!("A heat-wave contact round of {round} people, {marked} of them reached or tried.");
    println!(
        "{} events with {} registrations; a seniors' university term of {} courses with {} enrolments.",
        made.events, made.registrations, made.courses, made.enrolments
    );
    println!(
        "Demo county created (seed {seed}). Every demo account uses the password: {password}\n"
    );
    for (username, name, what) in &accounts {
        println!("  {username:<16} {name:<6} {what}");
    }
    println!("\nLog in at http://127.0.0.1:8080/login with any user name above.");
    Ok(())
}

/// The demo's contact round: a heat wave, everyone 75 or older living alone in the county,
/// started by the county's staff member two days before its deadline; half reached safe, some
/// needing help, some unreachable after two tries, one tried once, the rest still to call.
async fn demo_round(tx: &mut Tx, county: UnitId, staff: AccountId) -> anyhow::Result<(u64, usize)> {
    use crate::care::rounds::model::{
        Attempt, NewRound, RoundChannel as Channel, RoundFilter as Filter, RoundNeed as Need,
        RoundOutcome as Outcome, RoundReason as Reason,
    };
    let r = NewRound {
        unit: county,
        reason: Reason::Heat,
        title: "高温天气独居老人排查".into(),
        filter: Filter {
            living_alone: true,
            age_min: Some(75),
            ..Filter::default()
        },
        deadline: crate::i18n::china_today() + chrono::Duration::days(2),
        max_attempts: 2,
    };
    let (id, n) = crate::care::rounds::bulk::start(tx, staff, &r).await?;
    let at = |channel, outcome, needs: Vec<Need>, note: Option<&str>| Attempt {
        channel,
        outcome,
        needs,
        note: note.map(str::to_string),
    };
    let marked = crate::care::rounds::bulk::mark(tx, id, 2, staff, |k| match k % 10 {
        0..=4 => vec![at(Channel::Phone, Outcome::Safe, vec![], None)],
        5 => vec![at(
            Channel::Phone,
            Outcome::NeedsHelp,
            vec![Need::Medicine, Need::Ride],
            Some("降压药只够三天，需要陪同去卫生院复诊"),
        )],
        6 => vec![
            at(Channel::Phone, Outcome::NoAnswer, vec![], None),
            at(Channel::Family, Outcome::NoAnswer, vec![], None),
        ],
        7 => vec![at(Channel::Phone, Outcome::NoAnswer, vec![], None)],
        _ => vec![],
    })
    .await?;
    Ok((n, marked))
}
