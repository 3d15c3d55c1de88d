//! The must-visit rules by occasion: festivals by the lunar calendar, hospitalisation,
//! milestone birthdays, the tier's festivals, the contact interval, a death; and the rules' own
//! validation.

use super::*;
use crate::error::AppError;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn festivals_follow_the_lunar_calendar() {
    assert_eq!(
        festivals(2026),
        vec![
            ("spring", d("2026-02-17")),
            ("double_ninth", d("2026-10-18"))
        ]
    );
    assert_eq!(festivals(2027)[0], ("spring", d("2027-02-06")));
}

#[test]
fn hospitalisation_is_due_within_three_days_and_old_events_are_ignored() {
    let f = Facts {
        active: true,
        events: vec![
            (LifeEventId(5), LifeEventKind::Hospitalised, d("2026-11-20")),
            (LifeEventId(6), LifeEventKind::Hospitalised, d("2026-09-01")),
        ],
        ..Facts::default()
    };
    let tasks = due(&Rules::default(), &f, d("2026-11-22"), &[]);
    assert_eq!(
        tasks,
        vec![Due {
            reason: TaskReason::Hospital,
            key: "event:5".into(),
            window_start: d("2026-11-20"),
            due_on: d("2026-11-23")
        }]
    );
}

#[test]
fn milestone_birthdays_and_every_year_from_ninety() {
    let r = Rules::default();
    let eighty = Facts {
        active: true,
        birth: Some(d("1946-12-01")),
        ..Facts::default()
    };
    let t = due(&r, &eighty, d("2026-11-22"), &[]);
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].reason, t[0].due_on),
        (TaskReason::Birthday, d("2026-12-04"))
    );
    let eighty_one = Facts {
        active: true,
        birth: Some(d("1945-12-01")),
        ..Facts::default()
    };
    assert!(due(&r, &eighty_one, d("2026-11-22"), &[]).is_empty());
    let ninety_three = Facts {
        active: true,
        birth: Some(d("1933-11-25")),
        ..Facts::default()
    };
    assert_eq!(due(&r, &ninety_three, d("2026-11-22"), &[]).len(), 1);
    let leap = Facts {
        active: true,
        birth: Some(d("1936-02-29")),
        ..Facts::default()
    };
    assert_eq!(
        due(&r, &leap, d("2026-02-20"), &[])[0].due_on,
        d("2026-03-03")
    );
}

#[test]
fn key_tier_people_are_visited_for_festivals() {
    let f = Facts {
        active: true,
        tier: Some(Tier::Key),
        last_contact: Some(d("2026-10-01")),
        ..Facts::default()
    };
    let fest = festivals(2026);
    let t = due(&Rules::default(), &f, d("2026-10-05"), &fest);
    assert!(
        t.iter()
            .any(|t| t.key == "festival:double_ninth:2026" && t.due_on == d("2026-10-25"))
    );
    let regular = Facts {
        tier: Some(Tier::Regular),
        ..f
    };
    assert!(
        !due(&Rules::default(), &regular, d("2026-10-05"), &fest)
            .iter()
            .any(|t| t.reason == TaskReason::Festival)
    );
}

#[test]
fn interval_tasks_follow_the_last_contact() {
    let f = Facts {
        active: true,
        tier: Some(Tier::Key),
        last_contact: Some(d("2026-11-01")),
        ..Facts::default()
    };
    let t = due(&Rules::default(), &f, d("2026-11-22"), &[]);
    assert_eq!(
        t,
        vec![Due {
            reason: TaskReason::Interval,
            key: "interval:2026-12-01".into(),
            window_start: d("2026-11-02"),
            due_on: d("2026-12-01")
        }]
    );
    assert!(
        due(&Rules::default(), &f, d("2026-11-10"), &[]).is_empty(),
        "not yet within the lead time"
    );
    let never = Facts {
        last_contact: None,
        ..f
    };
    assert_eq!(
        due(&Rules::default(), &never, d("2026-11-22"), &[])[0].key,
        "interval:first"
    );
}

#[test]
fn the_dead_get_only_the_condolence_visit() {
    let f = Facts {
        active: false,
        tier: Some(Tier::Key),
        birth: Some(d("1946-12-01")),
        events: vec![(LifeEventId(9), LifeEventKind::Died, d("2026-11-21"))],
        ..Facts::default()
    };
    let t = due(&Rules::default(), &f, d("2026-11-22"), &[]);
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].reason, t[0].due_on),
        (TaskReason::Death, d("2026-11-24"))
    );
}

#[test]
fn ages_parse_and_rules_validate() {
    assert_eq!(parse_ages("90，70、80 80"), Some(vec![70, 80, 90]));
    assert_eq!(parse_ages("七十"), None);
    let bad = Rules {
        hospital_days: 0,
        milestone_ages: vec![],
        ..Rules::default()
    };
    match bad.check() {
        Err(AppError::Validation(e)) => assert_eq!(
            e.iter().map(|e| e.field).collect::<Vec<_>>(),
            vec!["hospital_days", "milestone_ages"]
        ),
        other => panic!("{other:?}"),
    }
}
