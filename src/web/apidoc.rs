//! Finishing the generated OpenAPI document: every answer has its required description, and
//! every operation documents the error answers any request to it may get (a malformed or
//! refused request, a missing or out-of-scope id, a conflict, throttling), each with the one
//! JSON error body that `web::render` writes for all of them.

use utoipa::openapi::schema::Ref;
use utoipa::openapi::{Content, OpenApi, RefOr, Response};
use utoipa::{PartialSchema, ToSchema};

/// The body of every error answer of the API, in the caller's language.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable code: `validation`, `not_found`, `forbidden`, `unauthorized`, `conflict`,
    /// `too_many_requests`, `bad_request`, `too_large`, `unsupported_media_type`, …
    pub error: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The fields that need changing (validation errors); empty otherwise.
    pub fields: Vec<ErrorField>,
    /// Quote it to an administrator: it names the entry in the server's log.
    pub reference: String,
}

/// One field's problem.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorField {
    pub field: String,
    pub message: String,
}

// The multipart bodies, for the document only (handlers read them part by part).

/// A file upload: the part `file`.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct FileUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A person's photo: the part `photo` (JPEG, PNG or WebP; 10 MB at most).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct PhotoUpload {
    #[schema(value_type = String, format = Binary)]
    pub photo: Vec<u8>,
}

/// A roster (CSV or XLSX, 32 MB, 20,000 rows and 40 columns at most) and the unit for rows
/// without a unit number.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct RosterUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub unit_id: i64,
}

/// What a status means here.
fn describe(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no content",
        "303" => "See the location",
        "400" => "The request is malformed (a body or parameter that cannot be read)",
        "401" => "Not logged in, or the token is invalid or expired",
        "403" => "The caller's roles do not allow this (audited)",
        "404" => "Not found, or outside the caller's scope (the latter audited)",
        "409" => "Conflicts with the current state or an existing record",
        "413" => "The body is too large",
        "415" => "The body's content type is not accepted",
        "422" => "Validation failed; `fields` names each field and its problem",
        "429" => "Too many attempts; try again later",
        _ => "See the error body",
    }
}

/// Fills in descriptions and the error answers of every operation, and makes operation ids
/// unique (two modules may name a handler alike; generated clients need one name each).
pub fn finish(doc: &mut OpenApi) {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for item in doc.paths.paths.values() {
        for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
        {
            if let Some(id) = &op.operation_id {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        // `/api/v1/public/columns/{id}` → `public_columns_id`
        let slug: String = path
            .trim_start_matches("/api/v1/")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
            .split('_')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            if let Some(id) = op.operation_id.as_mut()
                && seen.get(id.as_str()).is_some_and(|n| *n > 1)
            {
                *id = format!("{id}_{slug}");
            }
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert(ErrorBody::name().into_owned(), ErrorBody::schema());
    components
        .schemas
        .insert(ErrorField::name().into_owned(), ErrorField::schema());
    let error_content = || Content::new(Some(Ref::from_schema_name(ErrorBody::name())));
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
        ];
        for (op, writes) in ops {
            let Some(op) = op.as_mut() else { continue };
            let mut codes = vec!["400", "401", "403", "404", "422", "429"];
            if writes {
                codes.push("409");
            }
            if op.request_body.is_some() {
                codes.extend(["413", "415"]);
            }
            for code in codes {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| RefOr::T(Response::new(describe(code))));
            }
            for (code, answer) in op.responses.responses.iter_mut() {
                let RefOr::T(r) = answer else { continue };
                if r.description.is_empty() {
                    r.description = describe(code).to_string();
                }
                if code.starts_with('4') && r.content.is_empty() {
                    r.content
                        .insert("application/json".to_string(), error_content().into());
                }
            }
        }
    }
}
