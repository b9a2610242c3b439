//! Tags typed as one line: which characters separate them, and how the line is shown again.
//! One rule for the record editor and anything else that reads or writes a tag line.

/// Separators a person may type between tags: ASCII and full-width commas, the enumeration
/// comma 、, and ASCII or ideographic spaces.
const SEPARATORS: [char; 5] = [',', '，', '、', ' ', '\u{3000}'];

/// The tags in a typed line: split on any separator, trimmed, empty pieces dropped.
pub fn parse_tags(line: &str) -> Vec<String> {
    line.split(SEPARATORS).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// The line shown for stored tags (full-width comma, as a Chinese text would write it).
pub fn tags_line(tags: &[String]) -> String {
    tags.join("，")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_separator_a_person_types_splits_tags() {
        assert_eq!(parse_tags("安全,消防，食品、校园 交通\u{3000}环保"), ["安全", "消防", "食品", "校园", "交通", "环保"]);
    }

    #[test]
    fn empty_pieces_and_spaces_around_tags_are_dropped() {
        assert_eq!(parse_tags(" ，，安全 ,, "), ["安全"]);
        assert!(parse_tags("").is_empty());
    }

    #[test]
    fn a_shown_line_reads_back_as_the_same_tags() {
        let tags = vec!["安全".to_string(), "消防".to_string()];
        assert_eq!(parse_tags(&tags_line(&tags)), tags);
    }
}
