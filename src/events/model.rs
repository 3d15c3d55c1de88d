//! An event's vocabulary: its kind, its state and a registration's; the event as the form or
//! the API sends it and as parsed (the window, the audience, the capacity); the rules of where
//! a new registration goes and who a freed place goes to; check-in codes.

use crate::error::{AppResult, FieldError};
use crate::ids::UnitId;
use crate::people::model::{Category, code_enum};
use crate::web::form::Fields;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

pub use crate::ids::{EventId, RegistrationId};

code_enum!(
    /// What an event is.
    EventKind, "activity_kind" {
        Lecture => "lecture", Meeting => "meeting", Class => "class", Visit => "visit",
        Volunteer => "volunteer", Culture => "culture", Other => "other",
    }
);
code_enum!(
    /// Open (registrations taken until the window closes), or cancelled by the organiser.
    EventStatus, "activity_status" { Open => "open", Cancelled => "cancelled" }
);
code_enum!(
    /// Where a registration stands: waiting for staff to approve it, holding a place, on the
    /// waiting list, cancelled by the person (or for them), or refused by staff.
    RegistrationState, "registration_state" {
        Pending => "pending", Registered => "registered", Waiting => "waiting",
        Cancelled => "cancelled", Refused => "refused",
    }
);

impl RegistrationState {
    /// Whether the registration still counts (a person with one cannot register again).
    pub fn active(self) -> bool {
        matches!(
            self,
            RegistrationState::Pending | RegistrationState::Registered | RegistrationState::Waiting
        )
    }
}

/// The most places an event may offer.
pub const MAX_CAPACITY: i64 = 100_000;

/// An event as the form or the API sends it. Times are China time, `YYYY-MM-DDTHH:MM` (the
/// form's `datetime-local`) or RFC 3339.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EventForm {
    /// The organising unit.
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub unit_id: Option<i64>,
    /// At most 60 characters.
    pub title: String,
    /// lecture, meeting, class, visit, volunteer, culture or other.
    pub kind: String,
    /// At most 2,000 characters.
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    /// Where it takes place (a place, an online link, or both).
    pub place: String,
    /// Tencent Meeting, DingTalk or any `https://` link.
    pub online_url: String,
    /// Units below the organiser whose subtrees it is for (none: all below the organiser).
    pub audience: Vec<String>,
    /// Person categories it is for (none: all).
    pub categories: Vec<String>,
    /// On the public reading pages and open to any account.
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub public: bool,
    /// Places (empty: no limit; 0 to 100,000).
    pub capacity: Option<String>,
    /// When registration opens (empty: now).
    pub opens_at: String,
    /// When registration closes (empty: at the start).
    pub closes_at: String,
    /// Whether staff approve each registration.
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub approval: bool,
}

/// An event as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub unit: UnitId,
    pub title: String,
    pub kind: EventKind,
    pub description: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub audience: Vec<UnitId>,
    pub categories: Vec<Category>,
    pub public: bool,
    pub capacity: Option<i64>,
    pub opens: Option<DateTime<Utc>>,
    pub closes: Option<DateTime<Utc>>,
    pub approval: bool,
}

/// Reads a time as people type it in China: `YYYY-MM-DDTHH:MM` (or with a space, or seconds),
/// or an RFC 3339 time with its own offset.
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let s = raw.trim();
    let t = match DateTime::parse_from_rfc3339(s) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .and_then(|t| crate::i18n::china().from_local_datetime(&t).single())
        .map(|t| t.with_timezone(&Utc)),
    };
    // Years outside 2000–2100 are refused: a typo, and date arithmetic stays far from its ends.
    t.filter(|t| (2000..=2100).contains(&t.year()))
}

/// The words of an event's time, China time: its day and hours (`2026-10-29 09:00–11:00`),
/// or both ends in full when it spans days.
pub fn when(starts: &DateTime<Utc>, ends: &DateTime<Utc>) -> String {
    let start = crate::i18n::local_time(starts);
    let end = crate::i18n::local_time(ends);
    match (start.split_once(' '), end.split_once(' ')) {
        (Some((d1, _)), Some((d2, t2))) if d1 == d2 => format!("{start}–{t2}"),
        _ => format!("{start} – {end}"),
    }
}

/// A time as the form's `datetime-local` shows it (China time).
pub fn form_time(at: &DateTime<Utc>) -> String {
    at.with_timezone(&crate::i18n::china())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A time field (China time or RFC 3339): `Some(None)` when empty and not required, `None`
/// when refused (the error recorded).
pub fn time(
    f: &mut Fields,
    field: &'static str,
    raw: &str,
    required: bool,
) -> Option<Option<DateTime<Utc>>> {
    if raw.trim().is_empty() {
        if required {
            f.add(FieldError::new(field, "validation.required"));
            return None;
        }
        return Some(None);
    }
    match parse_time(raw) {
        Some(t) => Some(Some(t)),
        None => {
            f.add(FieldError::new(field, "activity.time_format"));
            None
        }
    }
}

fn optional_text(
    f: &mut Fields,
    field: &'static str,
    raw: &str,
    max: usize,
) -> Option<Option<String>> {
    f.text(field, Some(raw), max)
}

impl NewEvent {
    /// Parses an event: an end after the start, somewhere to be (a place or a link), a
    /// capacity from 0, a registration window that opens before it closes and closes by the
    /// end.
    pub fn parse(raw: &EventForm) -> AppResult<Self> {
        let mut f = Fields::new();
        let unit = f.id(
            "unit_id",
            &raw.unit_id.map(|n| n.to_string()).unwrap_or_default(),
        );
        let title = f.required_text("title", Some(&raw.title), 60);
        let kind = f.choice("kind", Some(&raw.kind), EventKind::parse);
        let description = optional_text(&mut f, "description", &raw.description, 2000);
        let starts = time(&mut f, "starts_at", &raw.starts_at, true).flatten();
        let ends = time(&mut f, "ends_at", &raw.ends_at, true).flatten();
        if let (Some(s), Some(e)) = (starts, ends)
            && e <= s
        {
            f.add(FieldError::new("ends_at", "activity.end_before_start"));
        }
        let place = optional_text(&mut f, "place", &raw.place, 100);
        let online_url = optional_text(&mut f, "online_url", &raw.online_url, 300);
        if let Some(Some(u)) = &online_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            f.add(FieldError::new("online_url", "activity.url"));
        }
        if matches!((&place, &online_url), (Some(None), Some(None))) {
            f.add(FieldError::new("place", "activity.where_required"));
        }
        let mut audience = Vec::new();
        for a in raw.audience.iter().filter(|a| !a.trim().is_empty()) {
            if let Some(u) = f.id::<UnitId>("audience", a)
                && !audience.contains(&u)
            {
                audience.push(u);
            }
        }
        let mut categories = Vec::new();
        for c in raw.categories.iter().filter(|c| !c.trim().is_empty()) {
            if let Some(c) = f.choice("categories", Some(c), Category::parse)
                && !categories.contains(&c)
            {
                categories.push(c);
            }
        }
        let capacity = capacity(&mut f, raw.capacity.as_deref(), MAX_CAPACITY);
        let opens = time(&mut f, "opens_at", &raw.opens_at, false);
        let closes = time(&mut f, "closes_at", &raw.closes_at, false);
        if let (Some(Some(o)), Some(Some(c))) = (opens, closes)
            && c <= o
        {
            f.add(FieldError::new("closes_at", "activity.window_order"));
        }
        if let (Some(Some(c)), Some(e)) = (closes, ends)
            && c > e
        {
            f.add(FieldError::new("closes_at", "activity.window_after_end"));
        }
        let value = (|| {
            Some(NewEvent {
                unit: unit?,
                title: title?,
                kind: kind?,
                description: description?.unwrap_or_default(),
                starts: starts?,
                ends: ends?,
                place: place?,
                online_url: online_url?,
                audience,
                categories,
                public: raw.public,
                capacity: capacity?,
                opens: opens?,
                closes: closes?,
                approval: raw.approval,
            })
        })();
        f.done(value)
    }

    /// The categories as stored: codes joined by commas ("" for all).
    pub fn category_list(&self) -> String {
        let v: Vec<&str> = self.categories.iter().map(|c| c.as_str()).collect();
        v.join(",")
    }
}

/// The reason given for cancelling an event (required, at most 200 characters): everyone
/// registered reads it.
pub fn cancel_reason(raw: &str) -> AppResult<String> {
    let mut f = Fields::new();
    let r = f.required_text("reason", Some(raw), 200);
    f.done(r)
}

/// A number of places: empty is no limit; below 0 and above `max` are refused.
pub fn capacity(f: &mut Fields, raw: Option<&str>, max: i64) -> Option<Option<i64>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n < 0 => {
                f.add(FieldError::new("capacity", "activity.capacity_negative"));
                None
            }
            Ok(n) if n <= max => Some(Some(n)),
            _ => {
                f.add(FieldError::new("capacity", "validation.number"));
                None
            }
        },
    }
}

/// Whether registration is open at `now`: from `opens` (if set) until `closes` (or the start).
/// The error is the message key saying why not.
pub fn window(
    now: DateTime<Utc>,
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
    starts: DateTime<Utc>,
) -> Result<(), &'static str> {
    if opens.is_some_and(|o| now < o) {
        return Err("activity.not_open_yet");
    }
    if now >= closes.unwrap_or(starts) {
        return Err("activity.closed");
    }
    Ok(())
}

/// Where a new registration goes: to staff for approval when the event asks for it, else a
/// place while one is free, else the waiting list.
pub fn placement(capacity: Option<i64>, registered: i64, approval: bool) -> RegistrationState {
    if approval {
        RegistrationState::Pending
    } else if free(capacity, registered) > 0 {
        RegistrationState::Registered
    } else {
        RegistrationState::Waiting
    }
}

/// How many places are free (`i64::MAX` without a limit). Lowering the capacity below those
/// registered frees nothing and removes no one: the answer is 0 until enough cancel.
pub fn free(capacity: Option<i64>, registered: i64) -> i64 {
    match capacity {
        None => i64::MAX,
        Some(c) => (c - registered).max(0),
    }
}

/// The ids of the units at and above each path (`/1/14/203/` → 1, 14, 203), once each, in
/// order.
pub fn ancestors(paths: &[String]) -> Vec<i64> {
    let mut out: Vec<i64> = paths
        .iter()
        .flat_map(|p| p.split('/').filter_map(|x| x.parse::<i64>().ok()))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The characters of a check-in code: no 0/O, 1/I/L, so it can be read aloud and typed.
const CODE_CHARS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// A code's length: 31^8 ≈ 8.5 × 10^11 codes.
pub const CODE_LEN: usize = 8;

/// A fresh check-in code.
pub fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_CHARS[rng.random_range(0..CODE_CHARS.len())] as char)
        .collect()
}

/// A code as typed or scanned: upper case, spaces and dashes dropped; `None` when it cannot be
/// a code.
pub fn read_code(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == CODE_LEN && s.bytes().all(|b| CODE_CHARS.contains(&b))).then_some(s)
}

/// The span a list page shows: a month or a week (from its Monday), China time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Month(chrono::NaiveDate),
    Week(chrono::NaiveDate),
}

impl Span {
    /// The span the query names (`month=YYYY-MM` or `week=YYYY-MM-DD`), else the month of
    /// `today`; a malformed value is a field error.
    pub fn parse(
        month: Option<&str>,
        week: Option<&str>,
        today: chrono::NaiveDate,
    ) -> AppResult<Self> {
        use chrono::Datelike;
        let mut f = Fields::new();
        let span = match (
            month.map(str::trim).filter(|s| !s.is_empty()),
            week.map(str::trim).filter(|s| !s.is_empty()),
        ) {
            (_, Some(w)) => match f.date("week", Some(w)) {
                Some(d) if (2000..=2100).contains(&d.year()) => Some(Span::Week(
                    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday())),
                )),
                Some(_) => {
                    f.add(FieldError::new("week", "activity.month_format"));
                    None
                }
                None => None,
            },
            (Some(m), None) => {
                match chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d") {
                    Ok(d) if (2000..=2100).contains(&d.year()) => Some(Span::Month(d)),
                    _ => {
                        f.add(FieldError::new("month", "activity.month_format"));
                        None
                    }
                }
            }
            (None, None) => today.with_day(1).map(Span::Month),
        };
        f.done(span)
    }

    /// The first day and the day after the last.
    pub fn days(self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        match self {
            Span::Week(d) => (d, d + chrono::Duration::days(7)),
            Span::Month(d) => (d, d.checked_add_months(chrono::Months::new(1)).unwrap_or(d)),
        }
    }

    /// The span as instants: from midnight China time of the first day to that of the day
    /// after the last.
    pub fn range(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let (a, b) = self.days();
        let at = |d: chrono::NaiveDate| {
            crate::i18n::china()
                .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                .single()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        (at(a), at(b))
    }

    /// The spans before and after, as query strings.
    pub fn neighbours(self) -> (String, String) {
        match self {
            Span::Week(d) => (
                format!("week={}", d - chrono::Duration::days(7)),
                format!("week={}", d + chrono::Duration::days(7)),
            ),
            Span::Month(d) => {
                let prev = d.checked_sub_months(chrono::Months::new(1)).unwrap_or(d);
                let next = d.checked_add_months(chrono::Months::new(1)).unwrap_or(d);
                (
                    format!("month={}", prev.format("%Y-%m")),
                    format!("month={}", next.format("%Y-%m")),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EventForm {
        EventForm {
            unit_id: Some(2),
            title: "重阳节健康讲座".into(),
            kind: "lecture".into(),
            starts_at: "2026-10-29T09:00".into(),
            ends_at: "2026-10-29T11:00".into(),
            place: "老干部活动中心".into(),
            capacity: Some("50".into()),
            ..EventForm::default()
        }
    }

    #[test]
    fn an_event_needs_an_end_after_its_start_and_somewhere_to_be() {
        let e = NewEvent::parse(&input()).unwrap();
        assert_eq!(e.capacity, Some(50));
        assert_eq!(form_time(&e.starts), "2026-10-29T09:00");
        assert_eq!(e.starts.to_rfc3339(), "2026-10-29T01:00:00+00:00");
        let backwards = EventForm {
            ends_at: "2026-10-29T08:00".into(),
            ..input()
        };
        assert!(NewEvent::parse(&backwards).is_err());
        let nowhere = EventForm {
            place: " ".into(),
            ..input()
        };
        assert!(NewEvent::parse(&nowhere).is_err());
        let online = EventForm {
            place: String::new(),
            online_url: "https://meeting.tencent.com/dm/abc".into(),
            ..input()
        };
        assert!(NewEvent::parse(&online).is_ok());
        let script = EventForm {
            online_url: "javascript:alert(1)".into(),
            ..input()
        };
        assert!(NewEvent::parse(&script).is_err());
    }

    #[test]
    fn a_capacity_below_zero_and_a_window_closing_before_it_opens_are_refused() {
        let neg = EventForm {
            capacity: Some("-1".into()),
            ..input()
        };
        match NewEvent::parse(&neg) {
            Err(crate::error::AppError::Validation(v)) => {
                assert_eq!(v[0].key, "activity.capacity_negative")
            }
            other => panic!("{other:?}"),
        }
        let window = EventForm {
            opens_at: "2026-10-20T09:00".into(),
            closes_at: "2026-10-19T09:00".into(),
            ..input()
        };
        assert!(NewEvent::parse(&window).is_err());
        let late = EventForm {
            closes_at: "2026-10-30T09:00".into(),
            ..input()
        };
        assert!(NewEvent::parse(&late).is_err());
        let unlimited = EventForm {
            capacity: Some(String::new()),
            ..input()
        };
        assert_eq!(NewEvent::parse(&unlimited).unwrap().capacity, None);
    }

    #[test]
    fn registrations_fill_the_places_then_wait_and_lowering_the_capacity_removes_no_one() {
        assert_eq!(placement(Some(2), 1, false), RegistrationState::Registered);
        assert_eq!(placement(Some(2), 2, false), RegistrationState::Waiting);
        assert_eq!(placement(None, 5000, false), RegistrationState::Registered);
        assert_eq!(placement(Some(2), 0, true), RegistrationState::Pending);
        assert_eq!(free(Some(3), 5), 0, "lowered below those registered");
        assert_eq!(free(Some(5), 3), 2);
    }

    #[test]
    fn the_window_opens_and_closes() {
        let t = |s: &str| parse_time(s).unwrap();
        let starts = t("2026-10-29T09:00");
        assert_eq!(
            window(
                t("2026-10-01T09:00"),
                Some(t("2026-10-10T09:00")),
                None,
                starts
            ),
            Err("activity.not_open_yet")
        );
        assert!(window(t("2026-10-28T09:00"), None, None, starts).is_ok());
        assert_eq!(window(starts, None, None, starts), Err("activity.closed"));
        assert_eq!(
            window(
                t("2026-10-28T09:00"),
                None,
                Some(t("2026-10-27T18:00")),
                starts
            ),
            Err("activity.closed")
        );
    }

    #[test]
    fn a_span_is_a_month_or_a_week_from_monday_in_china_time() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let m = Span::parse(None, None, today).unwrap();
        assert_eq!(m.range().0.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(m.neighbours().1, "month=2027-01");
        let w = Span::parse(None, Some("2026-12-10"), today).unwrap();
        assert_eq!(w.days().0.to_string(), "2026-12-07");
        assert!(Span::parse(Some("2026-13"), None, today).is_err());
        assert!(Span::parse(Some("x"), None, today).is_err());
        assert!(Span::parse(None, Some("9999-12-31"), today).is_err());
        assert!(parse_time("9999-12-31T10:00").is_none());
    }

    #[test]
    fn the_units_above_a_path_are_its_segments() {
        let paths = vec![
            "/1/14/203/".to_string(),
            "/1/14/".to_string(),
            String::new(),
        ];
        assert_eq!(ancestors(&paths), vec![1, 14, 203]);
    }

    #[test]
    fn codes_are_read_as_typed() {
        let c = new_code();
        assert_eq!(read_code(&c.to_lowercase()), Some(c.clone()));
        assert_eq!(read_code("abcd-efgh"), Some("ABCDEFGH".into()));
        assert_eq!(read_code("ABCD EFG0"), None, "0 is not a code character");
        assert_eq!(read_code("short"), None);
        assert_eq!(read_code("OIABCDEF"), None, "no O or I in a code");
    }
}
