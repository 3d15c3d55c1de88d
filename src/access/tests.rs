//! The access rules as pure functions: who may do what, and where.

use super::*;

fn grants(roles: &[UnitRole]) -> Vec<Grant> {
    roles
        .iter()
        .map(|r| Grant {
            id: 1,
            role: r.as_str().to_string(),
            unit_id: UnitId(1),
            unit_name: "x".into(),
            unit_path: "/1/".into(),
        })
        .collect()
}

fn can(platform: Option<PlatformRole>, roles: &[UnitRole], perm: Perm) -> bool {
    decide(1, platform, &grants(roles), perm).is_ok()
}

#[test]
fn three_admins_are_separated() {
    let (sys, sec, aud) = (
        Some(PlatformRole::System),
        Some(PlatformRole::Security),
        Some(PlatformRole::Audit),
    );
    assert!(can(sys, &[], Perm::ManageUnits) && !can(sys, &[], Perm::GrantRoles));
    assert!(!can(sys, &[], Perm::ReadAudit) && !can(sys, &[], Perm::People));
    assert!(can(sec, &[], Perm::GrantRoles) && !can(sec, &[], Perm::ManageUnits));
    assert!(!can(sec, &[], Perm::ReadAudit) && !can(sec, &[], Perm::People));
    assert!(can(aud, &[], Perm::ReadAudit) && !can(aud, &[], Perm::ViewUnits));
    for p in [sys, sec, aud] {
        assert!(
            !can(p, &[], Perm::UseTokens),
            "admins must not bypass TOTP with tokens"
        );
    }
}

#[test]
fn unit_roles_are_denied_by_default() {
    let staff = [UnitRole::Staff];
    assert!(can(None, &staff, Perm::ViewUnits) && can(None, &staff, Perm::ViewAccounts));
    assert!(can(None, &staff, Perm::People));
    assert!(!can(None, &staff, Perm::ManageUnits) && !can(None, &staff, Perm::GrantRoles));
    assert!(!can(None, &staff, Perm::ReadAudit) && !can(None, &staff, Perm::WriteNews));
    assert!(!can(None, &[], Perm::ViewUnits));
    let admin = [UnitRole::UnitAdmin];
    assert!(can(None, &admin, Perm::ManageUnits) && can(None, &admin, Perm::GrantRoles));
    let member = [UnitRole::Member];
    assert!(can(None, &member, Perm::ViewUnits) && !can(None, &member, Perm::People));
    let youth = [UnitRole::YouthCare];
    assert!(can(None, &youth, Perm::People) && !can(None, &youth, Perm::ViewAccounts));
    let scope = decide(1, None, &grants(&staff), Perm::People).unwrap();
    assert_eq!(scope.roles, PEOPLE_KEEPERS);
    assert!(!scope.all);
}

#[test]
fn a_reach_counts_every_unit_once() {
    let g = |id: i64, role: UnitRole, path: &str| Grant {
        id,
        role: role.as_str().to_string(),
        unit_id: UnitId(id),
        unit_name: String::new(),
        unit_path: path.to_string(),
    };
    let grants = [
        g(14, UnitRole::Staff, "/1/14/"),
        g(203, UnitRole::Staff, "/1/14/203/"),
        g(3, UnitRole::UnitAdmin, "/1/3/"),
        g(30, UnitRole::YouthCare, "/1/30/"),
        g(2, UnitRole::Editor, "/2/"),
    ];
    let adults = reach(&grants, ADULT_KEEPERS);
    assert_eq!(
        adults,
        vec![
            (UnitId(14), "/1/14/".to_string()),
            (UnitId(3), "/1/3/".to_string())
        ]
    );
    // "/1/3/" does not enclose "/1/30/": paths end with a slash.
    assert_eq!(
        reach(&grants, MINOR_KEEPERS),
        vec![(UnitId(30), "/1/30/".into())]
    );
    assert_eq!(
        reach_within(&adults, UnitId(203), "/1/14/203/"),
        vec![UnitId(203)]
    );
    assert_eq!(
        reach_within(&adults, UnitId(1), "/1/"),
        vec![UnitId(14), UnitId(3)]
    );
    assert!(reach_within(&adults, UnitId(30), "/1/30/").is_empty());
    assert!(reach(&grants, RoleSet::EMPTY).is_empty());
}

#[test]
fn the_sql_knows_every_role_by_its_bit() {
    let sql = role_in!("g.role", "$3");
    for r in UnitRole::ALL {
        assert!(
            sql.contains(&format!("WHEN '{}' THEN {}", r.as_str(), r.bit())),
            "{r:?} in {sql}"
        );
    }
    assert_eq!(
        under!("u.path", "gu.path"),
        "(u.path >= gu.path AND u.path < gu.path || '~')"
    );
}
