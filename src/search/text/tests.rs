use super::*;

/// Does the FTS5-style query part `phrase` (space-separated tokens) occur as consecutive
/// tokens of `tokens`? A model of phrase matching, to check the scheme without a database.
fn phrase_in(tokens: &str, phrase: &[String]) -> bool {
    let t: Vec<&str> = tokens.split(' ').collect();
    t.windows(phrase.len())
        .any(|w| w.iter().zip(phrase).all(|(a, b)| a == b))
}

fn matches(text: &str, q: &str) -> bool {
    let tokens = index_tokens(text);
    query_terms(q).iter().all(|term| match term {
        Term::Gram(g) => tokens.split(' ').any(|t| t == g),
        Term::Phrase(b, _) => phrase_in(&tokens, b),
        Term::Prefix(w) => tokens.split(' ').any(|t| t.starts_with(w.as_str())),
    })
}

#[test]
fn runs_give_trigrams_then_characters_and_bigrams_come_last() {
    assert_eq!(
        tokens("長安城，明月", false),
        "长安城 长 安 城 明 月 长安 安城 明月"
    );
    assert_eq!(
        tokens("床前明月光", false),
        "床前明 前明月 明月光 床 前 明 月 光 床前 前明 明月 月光"
    );
    assert_eq!(tokens("党", false), "党");
    assert_eq!(tokens("", false), "");
    assert_eq!(tokens(" 。！", false), "");
}

#[test]
fn letters_digits_and_full_width_are_words() {
    assert_eq!(
        tokens("Hello ＷＯＲＬＤ，2024年 WiFi", false),
        "hello world 2024 年 wifi"
    );
    let long = "a".repeat(100);
    assert_eq!(tokens(&long, false).len(), MAX_WORD_CHARS);
}

#[test]
fn only_the_start_of_a_huge_text_is_indexed() {
    let text = format!("{}长安", "一".repeat(MAX_INDEXED_CHARS - 1));
    let t = tokens(&text, false);
    assert!(t.contains(" 一一长 一 "), "the last trigram");
    assert!(t.ends_with(" 一一 一长"), "the last bigrams");
    assert!(!t.contains('安'));
}

/// Bytes of the distinct tokens of `tokens`: what PostgreSQL counts against its 1 MB.
fn distinct_bytes(tokens: &str) -> usize {
    let set: std::collections::HashSet<&str> = tokens.split(' ').collect();
    set.iter().map(|t| t.len()).sum()
}

#[test]
fn the_distinct_tokens_of_a_text_stay_under_postgres_limit() {
    // Every character different: each run's grams are new, the worst case for the limit.
    let all: Vec<char> = (0x4E00u32..0x9FA5).filter_map(char::from_u32).collect();
    let mut text = String::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..150_000usize {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        text.push(all[(x % all.len() as u64) as usize]);
        if i % 10 == 9 {
            text.push('，');
        }
    }
    let t = index_tokens(&text);
    let bytes = distinct_bytes(&t);
    assert!(bytes <= MAX_DISTINCT_BYTES, "{bytes}");
    assert!(
        bytes > MAX_DISTINCT_BYTES - 200,
        "cut far below the limit: {bytes}"
    );
    // Cut between runs: the start is found, the end is not.
    let chars: Vec<char> = text.chars().collect();
    let start: String = chars[..3].iter().collect();
    let end: String = chars[chars.len() - 3..].iter().collect();
    assert!(matches(&text, &start));
    assert!(!matches(&text, &end));
    // A short text is not cut.
    assert_eq!(index_tokens("长安城").split(' ').count(), 6);
}

#[test]
fn dictionary_words_are_indexed_after_the_grams() {
    let t = index_tokens("市老幹部局召開三會一課");
    let words: Vec<&str> = t.split(' ').collect();
    for w in ["老干部局", "老干部", "三会一课"] {
        assert!(words.contains(&w), "{w} missing from {t}");
    }
    // Words of two or three characters are not repeated: they are bigrams or trigrams.
    assert_eq!(words.iter().filter(|w| **w == "干部").count(), 1);
    assert_eq!(words.iter().filter(|w| **w == "老干部").count(), 1);
    assert!(t.starts_with("市老干 老干部 干部局 "));
}

#[test]
fn traditional_text_is_found_by_simplified_queries() {
    assert!(matches("老幹部活動中心", "老干部"));
    assert!(matches("老幹部活動中心", "老幹部"));
    assert!(matches("床前明月光", "明月"));
    assert!(matches("床前明月光", "明月光"));
    assert!(matches("長安一片月", "长安"));
    assert!(matches("長安一片月", "月"));
    assert!(matches("為人民服務", "人民服务"));
    assert!(!matches("床前明月光", "明光"));
    assert!(!matches("床前明月光", "月明"));
}

#[test]
fn phrases_hold_within_a_run_only() {
    assert!(!matches("长安，安城", "长安城"));
    assert!(matches("长安城", "长安城"));
    assert!(!matches("明月\n月光", "明月月光"));
    assert!(!matches("床前明，月光", "前明月光"));
    assert!(matches("床前明月光", "前明月光"));
}

#[test]
fn every_substring_of_a_text_is_found() {
    let text = "春眠不覺曉，處處聞啼鳥。夜來風雨聲，花落知多少。老幹部局三會一課";
    let folded: Vec<char> = normalize(text).chars().collect();
    for len in 1..=8 {
        for w in folded.windows(len) {
            let q: String = w.iter().collect();
            if q.chars().any(|c| class(c) != Class::Cjk) {
                continue;
            }
            assert!(matches(text, &q), "{q} not found");
        }
    }
}

#[test]
fn queries_of_up_to_three_characters_are_one_listable_token() {
    assert_eq!(single_token("党").as_deref(), Some("党"));
    assert_eq!(single_token("長安").as_deref(), Some("长安"));
    assert_eq!(single_token(" 黃鶴樓 ").as_deref(), Some("黄鹤楼"));
    assert_eq!(single_token("床前明月"), None);
    assert_eq!(single_token("长安 明月"), None);
    assert_eq!(single_token("web"), None);
    assert!(listable("黄鹤楼") && listable("党"));
    assert!(!listable("床前明月") && !listable("web") && !listable(""));
}

#[test]
fn sqlite_queries() {
    let m = |q| match_query(q, Backend::Sqlite);
    assert_eq!(m("党").as_deref(), Some("\"党\""));
    assert_eq!(m("長安").as_deref(), Some("\"长安\""));
    assert_eq!(m("明月光").as_deref(), Some("\"明月光\""));
    assert_eq!(m("老幹部").as_deref(), Some("\"老干部\""));
    assert_eq!(m("床前明月").as_deref(), Some("\"床前明 前明月\""));
    assert_eq!(
        m("三會一課").as_deref(),
        Some("(\"三会一 会一课\" OR \"三会一课\")")
    );
    assert_eq!(m("长安 Web").as_deref(), Some("\"长安\" AND \"web\"*"));
    assert_eq!(m(""), None);
    assert_eq!(m("  ，。！?*\"()"), None);
}

#[test]
fn postgres_queries() {
    let m = |q| match_query(q, Backend::Postgres);
    assert_eq!(m("党").as_deref(), Some("'党'"));
    assert_eq!(m("长安").as_deref(), Some("'长安'"));
    assert_eq!(m("光明月").as_deref(), Some("'光明月'"));
    assert_eq!(m("床前明月").as_deref(), Some("('床前明' <-> '前明月')"));
    assert_eq!(
        m("三会一课").as_deref(),
        Some("('三会一' <-> '会一课' | '三会一课')")
    );
    assert_eq!(m("abc 党").as_deref(), Some("'abc':* & '党'"));
    assert_eq!(m("&|!<->"), None);
}

#[test]
fn query_syntax_in_user_input_is_inert() {
    let q = "\"长安\" OR 明月* -(故乡) NEAR(a b) col:x 'x' & !y <-> z\\";
    assert_eq!(
        match_query(q, Backend::Sqlite).as_deref(),
        Some(
            "\"长安\" AND \"or\"* AND \"明月\" AND \"故乡\" AND \"near\"* AND \"a\"* AND \"b\"* AND \"col\"*"
        )
    );
    let pg = match_query(q, Backend::Postgres).unwrap_or_default();
    assert!(pg.starts_with("'长安' & 'or':* & '明月' & '故乡'"), "{pg}");
    // Only quoted tokens joined by our own operators.
    for part in pg.split(" & ") {
        assert!(part.starts_with('\''), "{part}");
    }
    assert_eq!(query_terms(&"字".repeat(500)).len(), 1);
    assert_eq!(query_terms(&"a ".repeat(50)).len(), MAX_QUERY_TERMS);
}

fn marked(segs: &[(String, bool)]) -> String {
    segs.iter()
        .map(|(t, m)| if *m { format!("[{t}]") } else { t.clone() })
        .collect()
}

#[test]
fn highlight_marks_the_original_text() {
    assert_eq!(
        marked(&highlight("市老幹部局召開會議", "老干部", 50)),
        "市[老幹部]局召開會議"
    );
    assert_eq!(
        marked(&highlight("床前明月光，疑是地上霜。舉頭望明月", "明月", 50)),
        "床前[明月]光，疑是地上霜。舉頭望[明月]"
    );
    assert_eq!(
        marked(&highlight("Hello  WORLD\n\nwide", "world", 50)),
        "Hello [WORLD] wide"
    );
    assert_eq!(
        highlight("長安", "长安 安", 10),
        vec![("長安".to_string(), true)]
    );
}

#[test]
fn highlight_cuts_around_the_first_match() {
    let text = format!("{}長安{}", "一".repeat(100), "二".repeat(100));
    let s = marked(&highlight(&text, "长安", 20));
    assert_eq!(s, format!("…{}[長安]{}…", "一".repeat(5), "二".repeat(13)));
    let s = marked(&highlight(&text, "黄河", 10));
    assert_eq!(s, format!("{}…", "一".repeat(10)));
    let end = marked(&highlight(&text, "二", 10));
    assert!(end.starts_with("…長安[二二"), "{end}");
    assert!(highlight("", "x", 10).is_empty());
    assert_eq!(highlight("短", "x", 10), vec![("短".to_string(), false)]);
}

#[test]
fn every_occurrence_of_a_listed_word_is_marked_in_the_original_script() {
    let segs = mark_all(
        "老幹部說：干部要廉潔，幹部。",
        &["干部".to_string(), "".to_string()],
    );
    let marked: Vec<&str> = segs
        .iter()
        .filter(|(_, m)| *m)
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(marked, ["幹部", "干部", "幹部"]);
    let whole: String = segs.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        whole, "老幹部說：干部要廉潔，幹部。",
        "nothing lost or changed"
    );
    assert!(mark_all("", &["干部".to_string()]).is_empty());
}
