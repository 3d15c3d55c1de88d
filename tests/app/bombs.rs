//! Upload bombs: small files that claim huge sheets, rows, unpacked sizes or canvases are
//! refused with a clear message before anything is built from them, on every route that parses
//! a file, and write nothing. (The server's memory under the same bombs is measured by
//! `e2e/bombs.py` against the real binary.)

use crate::fixtures::{self, county};
use crate::helpers::{Resp, TestApp};
use axum::http::StatusCode;
use std::io::Write;
use yinyao::accounts::model::UnitRole;

/// An XLSX holding A1 = 姓名 and XFD1048576 = x: 4.8 KB that would be a 550 GB range.
pub fn xlsx_far_cell() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// A valid roster XLSX with one more part that unpacks to 40 MB of zeros (about 40 KB packed).
pub fn xlsx_zip_bomb() -> Vec<u8> {
    let good = yinyao::people::transfer::write_xlsx(&[]).unwrap();
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        out.raw_copy_file(src.by_index(i).unwrap()).unwrap();
    }
    out.start_file("xl/media/zeros.bin", opts).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..40 {
        out.write_all(&zeros).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// 姓名 and then `rows` one-character rows.
pub fn csv_rows(rows: usize) -> Vec<u8> {
    let mut s = String::from("姓名\n");
    for _ in 0..rows {
        s.push_str("x\n");
    }
    s.into_bytes()
}

/// A header of 41 columns.
pub fn csv_wide() -> Vec<u8> {
    let mut s = String::from("姓名");
    for i in 1..41 {
        s.push_str(&format!(",c{i}"));
    }
    s.push_str("\n张三\n");
    s.into_bytes()
}

fn says(r: &Resp, text: &str) {
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains(text),
        "expected 422 saying {text:?}, got {}: {}",
        r.status,
        r.body.split("<main").nth(1).unwrap_or(&r.body)
    );
}

#[tokio::test]
async fn roster_bombs_are_refused_on_the_page_and_the_api_and_write_nothing() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let unit = c.village_a.to_string();
    let bombs: [(&str, Vec<u8>, &str, &str); 5] = [
        (
            "far.xlsx",
            xlsx_far_cell(),
            "最多 40 列",
            "at most 40 columns",
        ),
        (
            "zip.xlsx",
            xlsx_zip_bomb(),
            "解压后太大",
            "unpacks to more than 64 MB",
        ),
        (
            "rows.csv",
            csv_rows(20_001),
            "最多 20000 行",
            "at most 20,000 data rows",
        ),
        ("wide.csv", csv_wide(), "最多 40 列", "at most 40 columns"),
        (
            "far-rows.xlsx",
            {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                sheet.write_string(0, 0, "姓名").unwrap();
                sheet.write_string(1_048_575, 0, "x").unwrap();
                book.save_to_buffer().unwrap()
            },
            "最多 20000 行",
            "at most 20,000 data rows",
        ),
    ];
    for (name, data, zh, _) in &bombs {
        let r = staff
            .upload("/people/import", name, data, &[("unit_id", &unit)])
            .await;
        says(&r, zh);
        let r = staff
            .upload(
                "/api/v1/people/import?commit=true",
                name,
                data,
                &[("unit_id", &unit)],
            )
            .await;
        says(&r, zh);
        assert_eq!(r.json()["fields"][0]["field"], "file", "{}", r.body);
    }
    // In English too.
    staff.post("/prefs", &[("locale", "en")]).await;
    for (name, data, _, en) in &bombs {
        let r = staff
            .upload("/api/v1/people/import", name, data, &[("unit_id", &unit)])
            .await;
        says(&r, en);
    }
    // The caps are the limit, not below it: 20,000 rows are read and checked.
    let r = staff
        .upload(
            "/api/v1/people/import",
            "ok.csv",
            &csv_rows(20_000),
            &[("unit_id", &unit)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        &r.body[..r.body.len().min(300)]
    );
    assert_eq!(r.json()["report"]["rows"], 20_000);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_uploads").await, 0);
}

/// One long shared string referred to by every cell: small packed and unpacked, huge once
/// each cell is copied out. Refused by the count of the text handed out.
#[tokio::test]
async fn a_shared_string_multiplied_by_every_cell_is_refused() {
    let app = TestApp::new().await;
    let c = county(&app).await;
    let mut staff = fixtures::user_client(&app, "staff_a", c.town_a, UnitRole::Staff).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    let long = "长".repeat(1_000);
    for r in 1..2_500u32 {
        for col in 0..30u16 {
            sheet.write_string(r, col, &long).unwrap();
        }
    }
    let data = book.save_to_buffer().unwrap();
    assert!(data.len() < 2 << 20, "{} bytes", data.len());
    let r = staff
        .upload(
            "/api/v1/people/import",
            "shared.xlsx",
            &data,
            &[("unit_id", &c.village_a.to_string())],
        )
        .await;
    says(&r, "解压后太大");
}
