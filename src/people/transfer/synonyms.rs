//! Words staff write in rosters for the coded columns, besides the codes and their labels:
//! each is read as the code beside it. docs/ROSTER.md lists this table (a test keeps the two
//! equal); add a row here and there when a county's spreadsheets use another word.

/// `(column field, word as written, code)`.
pub const SYNONYMS: &[(&str, &str, &str)] = &[
    ("gender", "女性", "female"),
    ("gender", "男性", "male"),
    ("gender", "F", "female"),
    ("gender", "M", "male"),
    ("living", "独居老人", "alone"),
    ("living", "一人居住", "alone"),
    ("living", "空巢老人", "empty_nest"),
    ("living", "空巢家庭", "empty_nest"),
    ("living", "与子女同住", "with_family"),
    ("living", "和子女同住", "with_family"),
    ("living", "与家人同住", "with_family"),
    ("living", "与配偶同住", "with_family"),
    ("living", "养老院", "care_home"),
    ("living", "敬老院", "care_home"),
    ("living", "养老机构", "care_home"),
    ("living", "异地居住", "relocated"),
    ("living", "易地安置", "relocated"),
    ("living", "随子女异地居住", "relocated"),
    ("categories", "离休干部", "lixiu"),
    ("categories", "退休干部", "tuixiu"),
    // The collective word: most are retired, not 离休 (joined before October 1949); a 离休
    // cadre is marked 离休.
    ("categories", "离退休", "tuixiu"),
    ("categories", "离退休干部", "tuixiu"),
    ("categories", "中共党员", "party_member"),
    ("categories", "共产党员", "party_member"),
    ("categories", "五老人员", "wulao"),
    ("categories", "志愿服务者", "volunteer"),
    ("categories", "困难青少年儿童", "youth"),
    ("willing_to_serve", "愿意", "yes"),
    ("willing_to_serve", "不愿意", "no"),
    ("willing_to_serve", "√", "yes"),
    ("willing_to_serve", "×", "no"),
];

/// The code a word stands for in a column, if the table has it.
pub fn synonym(field: &str, word: &str) -> Option<&'static str> {
    let w = word.trim();
    SYNONYMS
        .iter()
        .find(|(f, s, _)| *f == field && (*s == w || s.eq_ignore_ascii_case(w)))
        .map(|(_, _, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_table_is_the_table() {
        let doc = include_str!("../../../docs/ROSTER.md");
        for (field, word, code) in SYNONYMS {
            let line = format!("| {field} | {word} | {code} |");
            assert!(doc.contains(&line), "docs/ROSTER.md lacks `{line}`");
        }
        let rows = doc
            .lines()
            .filter(|l| l.starts_with("| ") && l.ends_with(" |"))
            .count();
        // The table's header row is the only other one.
        assert_eq!(
            rows,
            SYNONYMS.len() + 1,
            "docs/ROSTER.md lists words the code lacks"
        );
    }

    #[test]
    fn words_are_read_as_codes() {
        assert_eq!(synonym("gender", "女性"), Some("female"));
        assert_eq!(synonym("living", " 与子女同住 "), Some("with_family"));
        assert_eq!(synonym("categories", "离退休"), Some("tuixiu"));
        assert_eq!(synonym("gender", "与子女同住"), None, "per column");
    }
}
