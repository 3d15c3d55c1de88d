//! The home page: real figures for the caller's role and scope. Figures over a subtree are
//! read from the totals kept by the outbox's consumer (`outbox::totals`), one indexed read per
//! unit the caller's grants reach, never counted over the records per request.

use crate::access::{self, ADULT_KEEPERS, Grant, MINOR_KEEPERS, Perm, RoleSet, Scope};
use crate::accounts::service as accounts;
use crate::audit::{self as audit, Filter};
use crate::db::Tx;
use crate::db::now;
use crate::error::AppResult;
use crate::outbox::totals;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::Duration;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// One figure on the home page.
pub struct Figure {
    pub label_key: String,
    pub value: i64,
    pub href: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "home/show.html")]
struct HomePage {
    page: Page,
    role_key: &'static str,
    figures: Vec<Figure>,
    units_by_kind: Vec<(String, i64)>,
    /// Active person files the caller may see, by category.
    people_by_category: Vec<(String, i64)>,
    grants: Vec<Grant>,
    /// The caller has a person file of their own (a retiree with an account).
    own_file: bool,
}

async fn home(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let mut figures = Vec::new();
    let mut units_by_kind = Vec::new();
    let mut people_by_category = Vec::new();
    let month = now().format("%Y-%m").to_string();
    if let Ok(s) = v.scope(Perm::ViewUnits) {
        let units = reached(&mut tx, &v, &s, RoleSet::ALL).await?;
        units_by_kind = totals::by_bucket(&mut tx, &units, "units").await?;
        let total = units_by_kind.iter().map(|(_, n)| n).sum();
        figures.push(Figure {
            label_key: "home.units_in_scope".into(),
            value: total,
            href: Some("/units"),
        });
        let articles = totals::sum(&mut tx, &units, "articles", Some(&month)).await?;
        figures.push(Figure {
            label_key: "home.articles_this_month".into(),
            value: articles,
            href: None,
        });
    }
    if let Ok(s) = v.scope(Perm::People) {
        let (people, by_category) = people_figures(&mut tx, &v, &s, &month).await?;
        figures.extend(people);
        people_by_category = by_category;
    }
    if let Ok(s) = v.scope(Perm::ViewAccounts) {
        let units = reached(&mut tx, &v, &s, s.roles).await?;
        let mut n = totals::sum(&mut tx, &units, "accounts", None).await?;
        if s.all {
            // The platform admins' accounts belong to no unit.
            n += accounts::count_without_unit(&mut tx).await?;
        }
        figures.push(Figure {
            label_key: "home.accounts_in_scope".into(),
            value: n,
            href: Some("/accounts"),
        });
        if s.all {
            let locked = accounts::count_locked(&mut tx).await?;
            figures.push(Figure {
                label_key: "home.locked_accounts".into(),
                value: locked,
                href: Some("/accounts"),
            });
        }
    }
    if v.p.can(Perm::People) {
        let today = crate::db::now().date_naive().to_string();
        let (open, overdue) = crate::care::service::my_counts(&mut tx, v.p.id, &today).await?;
        figures.push(Figure {
            label_key: "home.my_tasks".into(),
            value: open,
            href: Some("/tasks"),
        });
        figures.push(Figure {
            label_key: "home.my_overdue".into(),
            value: overdue,
            href: Some("/tasks"),
        });
    }
    if v.p.can(Perm::ReadAudit) {
        let since = now() - Duration::hours(24);
        let all = audit::count_since(&mut tx, since).await?;
        let denied = audit::count(
            &mut tx,
            &Filter {
                action: Some("access.denied".into()),
                from: Some(since),
                ..Filter::default()
            },
        )
        .await?;
        let failed = audit::count(
            &mut tx,
            &Filter {
                action: Some("login.failed".into()),
                from: Some(since),
                ..Filter::default()
            },
        )
        .await?;
        figures.push(Figure {
            label_key: "home.audit_24h".into(),
            value: all,
            href: Some("/audit"),
        });
        figures.push(Figure {
            label_key: "home.denied_24h".into(),
            value: denied,
            href: Some("/audit?action=access.denied"),
        });
        figures.push(Figure {
            label_key: "home.failed_logins_24h".into(),
            value: failed,
            href: Some("/audit?action=login.failed"),
        });
    }
    let own_file = crate::people::service::file_of_account(&mut tx, v.p.id)
        .await?
        .is_some();
    let role_key = match v.p.platform_role {
        Some(r) => r.label_key(),
        None if v.p.grants.is_empty() => "home.no_roles",
        None => "home.unit_roles",
    };
    html(&HomePage {
        page: Page::new(&v.ctx, "/"),
        role_key,
        figures,
        units_by_kind,
        people_by_category,
        grants: v.p.grants.clone(),
        own_file,
    })
}

/// The units a scope's roles reach, each once: the top of the tree for a scope over
/// everything.
async fn reached(
    tx: &mut Tx,
    v: &Viewer,
    s: &Scope,
    roles: RoleSet,
) -> AppResult<Vec<crate::ids::UnitId>> {
    let units = if s.all {
        totals::top_units(tx).await?
    } else {
        access::reach(&v.p.grants, roles)
    };
    Ok(units.into_iter().map(|(id, _)| id).collect())
}

/// Figures over the person files the caller may see: adults' where they keep adults' files,
/// minors' where they hold youth care (the rule of `access::person_visible!`).
async fn people_figures(
    tx: &mut Tx,
    v: &Viewer,
    s: &Scope,
    month: &str,
) -> AppResult<(Vec<Figure>, Vec<(String, i64)>)> {
    let today = now().date_naive().to_string();
    let mut sums = [0i64; 5];
    let mut categories: std::collections::BTreeMap<String, i64> = Default::default();
    for (roles, aud) in [(ADULT_KEEPERS, "adult"), (MINOR_KEEPERS, "minor")] {
        let units = reached(tx, v, s, roles).await?;
        if units.is_empty() {
            continue;
        }
        let m = |name: &str| format!("{name}:{aud}");
        sums[0] += totals::sum(tx, &units, &m("people"), None).await?;
        sums[1] += totals::sum(tx, &units, &m("key_due"), None).await?;
        sums[2] += totals::sum_from(tx, &units, &m("key_due"), &today).await?;
        sums[3] += totals::sum(tx, &units, &m("visits"), Some(month)).await?;
        sums[4] += totals::sum(tx, &units, &m("tasks_done"), Some(month)).await?;
        for (c, n) in totals::by_bucket(tx, &units, &m("category")).await? {
            *categories.entry(c).or_default() += n;
        }
    }
    let [people, key, in_time, visits, done] = sums;
    let figure = |key: &str, value: i64, href: Option<&'static str>| Figure {
        label_key: format!("home.{key}"),
        value,
        href,
    };
    let mut figures = vec![
        figure("people_in_scope", people, Some("/people")),
        figure("key_people", key, None),
    ];
    if key > 0 {
        // Whole percent, rounded down, so that 99.6 % never shows as 100.
        figures.push(figure("key_contacted_percent", in_time * 100 / key, None));
    }
    figures.push(figure("visits_this_month", visits, None));
    figures.push(figure("tasks_done_this_month", done, Some("/tasks")));
    let mut by_category: Vec<(String, i64)> = categories.into_iter().collect();
    by_category.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok((figures, by_category))
}
