//! The home page: real figures from the database for the caller's role and scope.

use crate::access::Grant;
use crate::access::Perm;
use crate::accounts::repo as accounts;
use crate::audit::repo::{self as audit, Filter};
use crate::db::now;
use crate::error::AppResult;
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
    grants: Vec<Grant>,
    /// The caller has a person file of their own (a retiree with an account).
    own_file: bool,
}

async fn home(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let mut figures = Vec::new();
    let mut units_by_kind = Vec::new();
    if let Ok(s) = v.scope(Perm::ViewUnits) {
        units_by_kind = crate::units::repo::count_by_kind(&mut tx, &s).await?;
        let total = units_by_kind.iter().map(|(_, n)| n).sum();
        figures.push(Figure {
            label_key: "home.units_in_scope".into(),
            value: total,
            href: Some("/units"),
        });
    }
    if let Ok(s) = v.scope(Perm::ViewAccounts) {
        let n = accounts::count_in_scope(&mut tx, &s).await?;
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
        let (open, overdue) = crate::care::service::my_counts(&mut tx, v.p.id.0, &today).await?;
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
    let own_file = crate::people::service::file_of_account(&mut tx, v.p.id.0)
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
        grants: v.p.grants.clone(),
        own_file,
    })
}
