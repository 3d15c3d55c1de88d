//! The access module's rules asked directly, without HTTP: every unit role granted at town A
//! against a person file and a unit in town A (own), a village below it, town B (sibling) and
//! the county (parent), adult and minor; and the three platform roles. The answers are what
//! the pages and the API have always given (the access matrix checks those through HTTP).

use crate::fixtures::{self, county};
use crate::helpers::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use yinyao::access::{self, Perm, PlatformRole, UnitRole};
use yinyao::error::AppError;
use yinyao::ids::{PersonId, UnitId};

/// Where a subject stands from a grant at town A.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Own,
    Below,
    Sibling,
    Parent,
}

async fn file(client: &mut crate::helpers::Client<'_>, unit: i64, minor: bool, n: usize) -> i64 {
    let body = if minor {
        json!({ "unit_id": unit, "name": format!("少年{n}"), "birth_date": "2015-03-01", "categories": ["youth"] })
    } else {
        json!({ "unit_id": unit, "name": format!("老同志{n}"), "gender": "male" })
    };
    let r = client.json("POST", "/api/v1/people", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn every_role_reaches_its_subtree_and_its_kind_of_file_only() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let places = [
        (Place::Own, c.town_a),
        (Place::Below, c.village_a),
        (Place::Sibling, c.town_b),
        (Place::Parent, c.county),
    ];
    let mut admin = fixtures::user_client(&app, "city_admin", c.city, UnitRole::UnitAdmin).await;
    let mut youth = fixtures::user_client(&app, "city_youth", c.city, UnitRole::YouthCare).await;
    let mut people = Vec::new();
    for (i, (place, unit)) in places.iter().enumerate() {
        people.push((*place, false, file(&mut admin, *unit, false, i).await));
        people.push((*place, true, file(&mut youth, *unit, true, i).await));
    }

    let mut checked = 0;
    for role in UnitRole::ALL {
        let account = fixtures::account(
            &app,
            &format!("at_town_{}", role.as_str()),
            Some(c.town_a),
            Some(role),
        )
        .await;
        let mut tx = app.db().read().await.unwrap();
        let grants = access::grants_of(&mut tx, account).await.unwrap();
        let in_subtree = |p: Place| matches!(p, Place::Own | Place::Below);

        // Person files: adults to unit admins and staff, minors to youth care, in the subtree.
        let keeps = matches!(
            role,
            UnitRole::UnitAdmin | UnitRole::Staff | UnitRole::YouthCare
        );
        match access::decide(account.0, None, &grants, Perm::People) {
            Ok(scope) => {
                assert!(keeps, "{role:?} keeps person files");
                for (place, minor, id) in &people {
                    let seen = access::person(&mut tx, &scope, PersonId(*id)).await;
                    let kind_ok = if *minor {
                        role == UnitRole::YouthCare
                    } else {
                        matches!(role, UnitRole::UnitAdmin | UnitRole::Staff)
                    };
                    let expected = in_subtree(*place) && kind_ok;
                    match seen {
                        Ok(v) => {
                            assert!(expected, "{role:?} sees {place:?} minor={minor}");
                            assert_eq!(v.id(), PersonId(*id));
                        }
                        Err(AppError::OutOfScope) => {
                            assert!(!expected, "{role:?} refused {place:?} minor={minor}")
                        }
                        Err(e) => panic!("{role:?} {place:?}: {e:?}"),
                    }
                    checked += 1;
                }
            }
            Err(AppError::Forbidden) => assert!(!keeps, "{role:?} refused person files"),
            Err(e) => panic!("{e:?}"),
        }
        // A file that does not exist is not found, whoever asks.
        if let Ok(scope) = access::decide(account.0, None, &grants, Perm::People) {
            assert!(matches!(
                access::person(&mut tx, &scope, PersonId(987_654)).await,
                Err(AppError::NotFound)
            ));
        }

        // Units: every role sees its subtree and nothing else; only unit admins manage it.
        let view = access::decide(account.0, None, &grants, Perm::ViewUnits).unwrap();
        for (place, unit) in places {
            let got = yinyao::units::service::get_in_scope(&mut tx, &view, UnitId(unit))
                .await
                .unwrap();
            assert_eq!(got.is_some(), in_subtree(place), "{role:?} unit {place:?}");
            checked += 1;
        }
        for (perm, allowed) in [
            (Perm::ManageUnits, role == UnitRole::UnitAdmin),
            (Perm::GrantRoles, role == UnitRole::UnitAdmin),
            (Perm::ManageAccounts, role == UnitRole::UnitAdmin),
            (Perm::ExportUnmasked, role == UnitRole::UnitAdmin),
            (Perm::ReadAudit, false),
            (Perm::ManageSettings, false),
            (
                Perm::ReviewNews,
                matches!(role, UnitRole::UnitAdmin | UnitRole::Reviewer),
            ),
        ] {
            let got = access::decide(account.0, None, &grants, perm);
            assert_eq!(got.is_ok(), allowed, "{role:?} {perm:?}");
            if let Err(e) = got {
                assert!(matches!(e, AppError::Forbidden), "{role:?} {perm:?}: {e:?}");
            }
        }
    }
    assert_eq!(checked, UnitRole::ALL.len() * 4 + 3 * 8);

    // The three platform roles read no person file, and each holds only its own power.
    for (role, may) in [
        (
            PlatformRole::System,
            &[
                Perm::ViewUnits,
                Perm::ManageUnits,
                Perm::ViewAccounts,
                Perm::ManageAccounts,
                Perm::ManageSettings,
            ][..],
        ),
        (
            PlatformRole::Security,
            &[Perm::ViewUnits, Perm::ViewAccounts, Perm::GrantRoles][..],
        ),
        (PlatformRole::Audit, &[Perm::ReadAudit][..]),
    ] {
        for perm in [
            Perm::ViewUnits,
            Perm::ManageUnits,
            Perm::ViewAccounts,
            Perm::ManageAccounts,
            Perm::GrantRoles,
            Perm::ReadAudit,
            Perm::People,
            Perm::ExportUnmasked,
            Perm::ManageSettings,
            Perm::WriteNews,
            Perm::ReviewNews,
            Perm::ManageNews,
            Perm::ReadDrafts,
        ] {
            let got = access::decide(1, Some(role), &[], perm);
            assert_eq!(got.is_ok(), may.contains(&perm), "{role:?} {perm:?}");
            if let Ok(s) = got {
                assert!(s.all, "{role:?} {perm:?} reaches everywhere");
            }
        }
    }
}
