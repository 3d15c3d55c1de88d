//! A person file as submitted (form, API or roster row) and its parse, at the edge, into a
//! typed [`NewPerson`]: the one place that says what each field accepts. Sealing the parsed
//! file into a stored record is `record`.

use super::model::{self as m, Category, Gender, IdNumber, Living, Status};
use super::repo::{PersonRecord, PersonRow};
use crate::accounts::model::parse_mobile;
use crate::error::{AppResult, FieldError};
use crate::ids::UnitId;
use crate::web::form::Fields;
use chrono::{NaiveDate, Utc};

/// A person file as submitted. Empty strings count as "not given"; on an update, sensitive
/// fields left empty keep their stored value (screens never hold them in clear). The form
/// posts the same names (`category` repeated for the categories, `willing_to_serve=1`).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonInput {
    /// The unit that keeps the file.
    #[serde(deserialize_with = "number_or_text")]
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<String>,
    pub name: String,
    pub gender: Option<String>,
    /// `YYYY-MM-DD`; taken from the ID number when empty.
    pub birth_date: Option<String>,
    pub id_number: Option<String>,
    pub mobile: Option<String>,
    pub address: Option<String>,
    pub health: Option<String>,
    pub emergency: Option<String>,
    pub former_employer: Option<String>,
    pub post: Option<String>,
    pub level: Option<String>,
    pub party_join_date: Option<String>,
    pub living: Option<String>,
    /// active, moved or deceased (default active).
    pub status: Option<String>,
    pub died_on: Option<String>,
    pub skills: Option<String>,
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub willing_to_serve: bool,
    /// Any of lixiu, tuixiu, party_member, mobile_member, wulao, volunteer, youth.
    #[serde(alias = "category")]
    pub categories: Vec<String>,
    /// For a mobile party member (`mobile_member`): the online branch (网络党支部) they
    /// take part in, a unit of kind `online_branch`.
    #[serde(deserialize_with = "number_or_text")]
    #[schema(value_type = Option<i64>)]
    pub online_branch_id: Option<String>,
}

impl PersonInput {
    /// Sets a text field by its name (a roster column's field); false for a name that is not
    /// a text field (categories, willing_to_serve, codes given as labels: the roster's own).
    pub fn set_text(&mut self, field: &str, value: String) -> bool {
        if field == "name" {
            self.name = value;
            return true;
        }
        let v = Some(value);
        match field {
            "unit_id" => self.unit_id = v,
            "gender" => self.gender = v,
            "birth_date" => self.birth_date = v,
            "id_number" => self.id_number = v,
            "mobile" => self.mobile = v,
            "address" => self.address = v,
            "health" => self.health = v,
            "emergency" => self.emergency = v,
            "former_employer" => self.former_employer = v,
            "post" => self.post = v,
            "level" => self.level = v,
            "party_join_date" => self.party_join_date = v,
            "living" => self.living = v,
            "status" => self.status = v,
            "died_on" => self.died_on = v,
            "skills" => self.skills = v,
            "online_branch_id" => self.online_branch_id = v,
            _ => return false,
        }
        true
    }

    /// The form's values for a file as screens show it (sensitive fields are never held in
    /// clear, so they stay empty and keep their stored values).
    pub fn of_row(row: PersonRow, categories: Vec<String>) -> Self {
        PersonInput {
            unit_id: Some(row.unit_id.to_string()),
            name: row.name,
            gender: row.gender,
            birth_date: row.birth_date,
            former_employer: row.former_employer,
            post: row.post,
            level: row.level,
            party_join_date: row.party_join_date,
            living: row.living,
            status: Some(row.status.as_str().to_string()),
            died_on: row.died_on,
            skills: row.skills,
            willing_to_serve: row.willing_to_serve,
            categories,
            online_branch_id: row.online_branch_id.map(|b| b.to_string()),
            ..PersonInput::default()
        }
    }

    /// A stored record as input, for a change of a few fields that re-parses the whole file
    /// (a person's own corrections); sensitive fields stay empty and keep their values.
    pub fn of_record(r: &PersonRecord, categories: Vec<String>) -> Self {
        PersonInput {
            unit_id: Some(r.unit_id.to_string()),
            name: r.name.clone(),
            gender: r.gender.clone(),
            birth_date: r.birth_date.clone(),
            former_employer: r.former_employer.clone(),
            post: r.post.clone(),
            level: r.level.clone(),
            party_join_date: r.party_join_date.clone(),
            living: r.living.clone(),
            status: Some(r.status.clone()),
            died_on: r.died_on.clone(),
            skills: r.skills.clone(),
            willing_to_serve: r.willing_to_serve,
            categories,
            ..PersonInput::default()
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(i64),
    Text(String),
}

/// An id that comes as a JSON number or as form text, kept as text for [`Fields::id`] to
/// parse (so that a bad one is a field error, not a refused body).
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(
        match <Option<NumberOrText> as serde::Deserialize>::deserialize(d)? {
            None => None,
            Some(NumberOrText::Number(n)) => Some(n.to_string()),
            Some(NumberOrText::Text(s)) => Some(s),
        },
    )
}

pub(super) fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A person file parsed: every field typed and checked on its own and against the others
/// (the ID number's birth date, a death's date). The same value files a new person and
/// replaces a file on update (where sensitive fields left `None` keep their stored value).
#[derive(Clone, Debug)]
pub struct NewPerson {
    pub unit_id: UnitId,
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub id_number: Option<IdNumber>,
    pub mobile: Option<String>,
    pub address: Option<String>,
    pub health: Option<String>,
    pub emergency: Option<String>,
    pub former_employer: Option<String>,
    pub post: Option<String>,
    pub level: Option<String>,
    pub party_join_date: Option<NaiveDate>,
    pub living: Option<Living>,
    pub status: Status,
    pub died_on: Option<NaiveDate>,
    pub skills: Option<String>,
    pub willing_to_serve: bool,
    /// Each category once, in the order given.
    pub categories: Vec<Category>,
    pub online_branch_id: Option<UnitId>,
}

/// A code from a closed set that may be left empty.
fn optional_choice<T>(
    f: &mut Fields,
    field: &'static str,
    raw: &Option<String>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Option<T> {
    let raw = given(raw)?;
    f.choice(field, Some(raw), parse)
}

/// A date that may be left empty and must not be after `today`.
fn past_date(
    f: &mut Fields,
    field: &'static str,
    raw: &Option<String>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let raw = given(raw)?;
    f.take(m::parse_past_date(field, raw, today))
}

impl NewPerson {
    /// Parses a submitted file; one answer names every bad field.
    pub fn parse(raw: &PersonInput) -> AppResult<Self> {
        let today = Utc::now().date_naive();
        let mut f = Fields::new();
        let id_number = given(&raw.id_number).and_then(|v| f.take(m::parse_id_number(v)));
        let name = f.take(m::parse_name(&raw.name));
        let gender = optional_choice(&mut f, "gender", &raw.gender, Gender::parse);
        let living = optional_choice(&mut f, "living", &raw.living, Living::parse);
        let status = match given(&raw.status) {
            None => Some(Status::Active),
            s => f.choice("status", s, Status::parse),
        };
        let birth_date = past_date(&mut f, "birth_date", &raw.birth_date, today);
        let party_join_date = past_date(&mut f, "party_join_date", &raw.party_join_date, today);
        let died_on = past_date(&mut f, "died_on", &raw.died_on, today);
        let mobile = given(&raw.mobile)
            .and_then(|v| f.take(parse_mobile(v).map_err(|e| FieldError::new("mobile", e.key))));
        let mut text =
            |field, raw: &Option<String>, max| f.text(field, raw.as_deref(), max).flatten();
        let former_employer = text("former_employer", &raw.former_employer, 100);
        let post = text("post", &raw.post, 60);
        let level = text("level", &raw.level, 40);
        let skills = text("skills", &raw.skills, 500);
        let address = text("address", &raw.address, 200);
        let health = text("health", &raw.health, 1000);
        let emergency = text("emergency", &raw.emergency, 200);
        let mut categories = Vec::new();
        for cat in &raw.categories {
            match Category::parse(cat.trim()) {
                Some(c) if !categories.contains(&c) => categories.push(c),
                Some(_) => {}
                None => f.add(FieldError::new("categories", "validation.choice")),
            }
        }
        // The ID number carries the birth date: it must agree with the field, or fill it.
        let birth_date = match (&id_number, birth_date) {
            (Some(id), Some(b)) if id.birth != b => {
                f.add(FieldError::new(
                    "birth_date",
                    "validation.id_birth_mismatch",
                ));
                Some(b)
            }
            (Some(id), None) => Some(id.birth),
            (_, b) => b,
        };
        if status == Some(Status::Deceased) && died_on.is_none() {
            f.add(FieldError::new("died_on", "validation.died_on_required"));
        }
        let unit_id = f.id("unit_id", raw.unit_id.as_deref().unwrap_or(""));
        let online_branch_id = f.optional_id("online_branch_id", raw.online_branch_id.as_deref());
        let (Some(unit_id), Some(name), Some(status), Some(online_branch_id)) =
            (unit_id, name, status, online_branch_id)
        else {
            return Err(f.failed());
        };
        f.done(Some(NewPerson {
            unit_id,
            name,
            gender,
            birth_date,
            id_number,
            mobile,
            address,
            health,
            emergency,
            former_employer,
            post,
            level,
            party_join_date,
            living,
            status,
            died_on,
            skills,
            willing_to_serve: raw.willing_to_serve,
            categories,
            online_branch_id,
        }))
    }

    /// Whether the file is a minor's (youth care keeps it): a youth, or under 18 on `today`.
    pub fn is_minor(&self, today: NaiveDate) -> bool {
        self.categories.contains(&Category::Youth)
            || self.birth_date.is_some_and(|b| m::age_on(b, today) < 18)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn fields(r: AppResult<NewPerson>) -> Vec<(&'static str, &'static str)> {
        match r {
            Err(AppError::Validation(e)) => e.iter().map(|e| (e.field, e.key)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_parses_into_typed_fields() {
        let p = NewPerson::parse(&PersonInput {
            unit_id: Some(" 7 ".into()),
            name: " 王建国 ".into(),
            id_number: Some("11010519491231002x".into()),
            categories: vec!["tuixiu".into(), "tuixiu".into(), "youth".into()],
            ..PersonInput::default()
        })
        .unwrap();
        assert_eq!((p.unit_id, p.name.as_str()), (UnitId(7), "王建国"));
        assert_eq!(p.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31));
        assert_eq!(p.status, Status::Active);
        assert_eq!(p.categories, vec![Category::Tuixiu, Category::Youth]);
        assert!(p.is_minor(Utc::now().date_naive()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let r = NewPerson::parse(&PersonInput {
            unit_id: Some("0".into()),
            gender: Some("x".into()),
            status: Some("deceased".into()),
            categories: vec!["nobody".into()],
            online_branch_id: Some("b".into()),
            ..PersonInput::default()
        });
        assert_eq!(
            fields(r),
            vec![
                ("name", "validation.person_name"),
                ("gender", "validation.choice"),
                ("categories", "validation.choice"),
                ("died_on", "validation.died_on_required"),
                ("unit_id", "validation.choose"),
                ("online_branch_id", "validation.choose"),
            ]
        );
    }
}
