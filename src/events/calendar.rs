//! iCalendar feeds (RFC 5545, written by the `icalendar` crate): a unit's public events, and
//! a person's own events behind a keyed link a calendar app can subscribe to without signing
//! in. A feed names no one.

use super::model::EventStatus;
use super::repo::EventRow;
use icalendar::{Calendar, Component, EventLike};

/// A calendar of events, named `name`, each linking to its page under `base`.
pub fn feed(name: &str, events: &[EventRow], base: &str) -> String {
    let mut cal = Calendar::new();
    cal.name(name).timezone("Asia/Shanghai");
    for e in events {
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("event-{}@yinyao", e.id))
            .summary(&e.title)
            .starts(e.starts_at)
            .ends(e.ends_at)
            .timestamp(e.updated_at)
            .url(&format!("{base}/events/{}", e.id));
        if !e.description.is_empty() {
            ev.description(&e.description);
        }
        let place = match (&e.place, &e.online_url) {
            (Some(p), Some(u)) => Some(format!("{p} · {u}")),
            (Some(p), None) => Some(p.clone()),
            (None, Some(u)) => Some(u.clone()),
            (None, None) => None,
        };
        if let Some(p) = place {
            ev.location(&p);
        }
        ev.status(if e.status == EventStatus::Cancelled {
            icalendar::EventStatus::Cancelled
        } else {
            icalendar::EventStatus::Confirmed
        });
        cal.push(ev.done());
    }
    cal.done().to_string()
}
