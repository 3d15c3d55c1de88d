//! Roster files: the columns (Chinese headers, as staff know them), reading CSV and XLSX
//! into rows (csv and calamine), turning a row into a `PersonInput`, and writing exports
//! (csv and rust_xlsxwriter).

use crate::i18n::Locale;

mod read;
mod synonyms;
mod write;

pub use read::{
    MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, accepted, header_index, read_rows, to_input,
};
pub use synonyms::SYNONYMS;
pub use write::{EXAMPLE_MARK, ExportRow, header_row, write_csv, write_template, write_xlsx};

/// `(Chinese header, English header, field)`. The field names match `PersonInput` and the
/// validation messages' field names.
pub const COLUMNS: [(&str, &str, &str); 17] = [
    ("姓名", "name", "name"),
    ("性别", "gender", "gender"),
    ("出生日期", "birth_date", "birth_date"),
    ("身份证号", "id_number", "id_number"),
    ("手机号", "mobile", "mobile"),
    ("住址", "address", "address"),
    ("健康状况", "health", "health"),
    ("紧急联系人", "emergency", "emergency"),
    ("原工作单位", "former_employer", "former_employer"),
    ("原职务", "post", "post"),
    ("职级", "level", "level"),
    ("入党日期", "party_join_date", "party_join_date"),
    ("居住情况", "living", "living"),
    ("人员类别", "categories", "categories"),
    ("特长技能", "skills", "skills"),
    ("愿意参与志愿服务", "willing_to_serve", "willing_to_serve"),
    ("所属单位编号", "unit_id", "unit_id"),
];

/// The header a field is shown under, in the user's language.
pub fn header_of(field: &str, locale: Locale) -> String {
    COLUMNS
        .iter()
        .find(|c| c.2 == field)
        .map(|c| {
            if locale == Locale::En {
                c.1.to_string()
            } else {
                c.0.to_string()
            }
        })
        .unwrap_or_else(|| field.to_string())
}

#[cfg(test)]
mod tests {
    use super::read::MAX_UNPACKED_BYTES;
    use super::*;

    #[test]
    fn csv_rows_with_chinese_headers_become_input() {
        let data =
            "\u{feff}姓名,性别,人员类别,愿意参与志愿服务,居住情况\n张三,男,退休、党员,是,独居\n"
                .as_bytes();
        let rows = read_rows("名册.csv", data).unwrap();
        let idx = header_index(&rows[0]).unwrap();
        let (p, errs) = to_input(&idx, &rows[1], crate::ids::UnitId(7));
        assert!(errs.is_empty());
        assert_eq!(p.name, "张三");
        assert_eq!(p.gender.as_deref(), Some("male"));
        assert_eq!(p.categories, vec!["tuixiu", "party_member"]);
        assert!(p.willing_to_serve);
        assert_eq!(p.living.as_deref(), Some("alone"));
        assert_eq!(p.unit_id.as_deref(), Some("7"));
    }

    #[test]
    fn gbk_csv_and_synonyms_are_read() {
        let text = "姓名,性别,居住情况,人员类别,愿意参与志愿服务\n王桂英,女性,与子女同住,离退休、中共党员,愿意\n";
        let (gbk, _, bad) = encoding_rs::GBK.encode(text);
        assert!(!bad);
        assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
        let rows = read_rows("名册.csv", &gbk).unwrap();
        let idx = header_index(&rows[0]).unwrap();
        let (p, errs) = to_input(&idx, &rows[1], crate::ids::UnitId(7));
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(p.name, "王桂英");
        assert_eq!(p.gender.as_deref(), Some("female"));
        assert_eq!(p.living.as_deref(), Some("with_family"));
        assert_eq!(p.categories, vec!["tuixiu", "party_member"]);
        assert!(p.willing_to_serve);
        // Bytes that are neither UTF-8 nor GB18030 are refused, not guessed.
        assert!(read_rows("x.csv", &[0x81, 0x20, 0xff, 0xff]).is_err());
    }

    #[test]
    fn xlsx_round_trips_as_text() {
        let rows = vec![vec![
            "李四".to_string(),
            "女".into(),
            "1950-01-02".into(),
            "11010519491231002X".into(),
            "13812345678".into(),
        ]];
        let mut full: Vec<ExportRow> = rows.clone();
        full[0].resize(COLUMNS.len(), String::new());
        let bytes = write_xlsx(&full).unwrap();
        let back = read_rows("x.xlsx", &bytes).unwrap();
        assert_eq!(back[0][0], "姓名");
        assert_eq!(&back[1][..5], &rows[0][..]);
    }

    #[test]
    fn a_file_without_a_name_column_is_refused() {
        let rows = read_rows("a.csv", b"foo,bar\n1,2\n").unwrap();
        assert!(header_index(&rows[0]).is_err());
        assert!(read_rows("a.pdf", b"%PDF").is_err());
    }

    #[test]
    fn formulas_are_defused() {
        let mut row = vec![String::new(); COLUMNS.len()];
        row[0] = "=1+1".into();
        let csv = String::from_utf8(write_csv(&[row]).unwrap()).unwrap();
        assert!(csv.contains("'=1+1"));
    }

    #[test]
    fn the_messages_name_the_caps_the_code_enforces() {
        use crate::i18n::Locale;
        let zh = Locale::ZhCn.t("validation.file_too_many_rows");
        assert!(zh.contains(&MAX_ROWS.to_string()), "{zh}");
        let zh = Locale::ZhCn.t("validation.file_too_many_columns");
        assert!(zh.contains(&MAX_COLUMNS.to_string()), "{zh}");
        let en = Locale::En.t("import.hint");
        assert!(en.contains("20,000") && MAX_ROWS == 20_000, "{en}");
        let zh = Locale::ZhCn.t("validation.file_unpacks_too_large");
        assert!(zh.contains(&(MAX_UNPACKED_BYTES >> 20).to_string()), "{zh}");
        // Rows up to the cap are read; one more is refused.
        let csv = |n: usize| format!("姓名\n{}", "x\n".repeat(n)).into_bytes();
        assert_eq!(
            read_rows("a.csv", &csv(MAX_ROWS)).unwrap().len(),
            MAX_ROWS + 1
        );
        assert!(read_rows("a.csv", &csv(MAX_ROWS + 1)).is_err());
    }
}
