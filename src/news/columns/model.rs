//! A column as sent ([`ColumnInput`]) and as parsed at the edge ([`NewColumn`]).

use crate::error::AppResult;
use crate::ids::UnitId;
use crate::news::model::given_id;
use crate::web::form::Fields;

/// A column as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ColumnInput {
    pub unit_id: i64,
    pub name: String,
    /// column (栏目) or special (专题).
    pub kind: String,
    pub description: Option<String>,
}

/// What a column is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// 栏目, kept running.
    Column,
    /// 专题, a special issue.
    Special,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Column => "column",
            ColumnKind::Special => "special",
        }
    }

    pub fn parse(s: &str) -> Option<ColumnKind> {
        [ColumnKind::Column, ColumnKind::Special]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Reads the stored code (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for ColumnKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ColumnKind::parse(&s).ok_or(s)
    }
}

/// A column as parsed; the unit is checked against the caller's scope by the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewColumn {
    pub unit_id: UnitId,
    pub name: String,
    pub kind: ColumnKind,
    pub description: Option<String>,
}

impl NewColumn {
    pub fn parse(raw: &ColumnInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let name = f.required_text("name", Some(&raw.name), 40);
        let kind = f.choice("kind", Some(&raw.kind), ColumnKind::parse);
        let description = f.text("description", raw.description.as_deref(), 200);
        let unit_id = f.take(given_id("unit_id", raw.unit_id));
        let value = (|| {
            Some(NewColumn {
                unit_id: unit_id?,
                name: name?,
                kind: kind?,
                description: description?,
            })
        })();
        f.done(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn a_column_names_every_bad_field() {
        let raw = ColumnInput {
            unit_id: 0,
            name: String::new(),
            kind: "blog".into(),
            description: None,
        };
        match NewColumn::parse(&raw) {
            Err(AppError::Validation(e)) => assert_eq!(
                e.iter().map(|e| e.field).collect::<Vec<_>>(),
                ["name", "kind", "unit_id"]
            ),
            other => panic!("{other:?}"),
        }
        let raw = ColumnInput {
            unit_id: 7,
            name: " 重阳专题 ".into(),
            kind: "special".into(),
            description: Some(String::new()),
        };
        let c = NewColumn::parse(&raw).unwrap();
        assert_eq!(
            (c.unit_id, c.name.as_str(), c.kind, c.description),
            (UnitId(7), "重阳专题", ColumnKind::Special, None)
        );
    }
}
