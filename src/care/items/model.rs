//! A service item as submitted (the raw body serde reads) and its parse, at the edge, into
//! [`NewItem`] (adding one) or [`ItemChanges`] (its status and note).

use crate::care::model::ItemStatus;
use crate::error::AppResult;
use crate::web::form::Fields;

/// A service item as submitted; on an update only status and note change.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// What is done, e.g. 家庭医生签约 (at most 60 characters).
    pub name: String,
    /// planned, active, paused or done (planned when empty).
    pub status: Option<String>,
    pub note: Option<String>,
}

/// A new service item parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct NewItem {
    pub name: String,
    pub changes: ItemChanges,
}

/// What an update sets on an item: its status and note.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemChanges {
    pub status: ItemStatus,
    pub note: Option<String>,
}

impl ItemChanges {
    /// Parses the status (planned when empty) and note of a submitted item.
    pub fn parse(raw: &ItemInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let changes = Self::take(&mut f, raw);
        f.done(changes)
    }

    fn take(f: &mut Fields, raw: &ItemInput) -> Option<Self> {
        let status = match raw.status.as_deref().map(str::trim) {
            None | Some("") => Some(ItemStatus::Planned),
            s => f.choice("status", s, ItemStatus::parse),
        };
        let note = f.text("note", raw.note.as_deref(), 500).flatten();
        status.map(|status| ItemChanges { status, note })
    }
}

impl NewItem {
    /// Parses a new item; one answer names every bad field.
    pub fn parse(raw: &ItemInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let name = f.required_text("name", Some(&raw.name), 60);
        let changes = ItemChanges::take(&mut f, raw);
        let value = match (name, changes) {
            (Some(name), Some(changes)) => Some(NewItem { name, changes }),
            _ => None,
        };
        f.done(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_default_to_planned_and_need_a_name() {
        let i = NewItem::parse(&ItemInput {
            name: " 家庭医生签约 ".into(),
            ..ItemInput::default()
        })
        .unwrap();
        assert_eq!(i.name, "家庭医生签约");
        assert_eq!(i.changes.status, ItemStatus::Planned);
        assert!(NewItem::parse(&ItemInput::default()).is_err());
        let bad = ItemChanges::parse(&ItemInput {
            status: Some("lost".into()),
            ..ItemInput::default()
        });
        assert!(bad.is_err());
    }
}
