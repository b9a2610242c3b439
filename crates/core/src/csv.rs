//! CSV exports for spreadsheets: records, suggestions, people and the
//! per-person sheet. UTF-8 with a byte-order mark (so Excel on Chinese
//! Windows reads it as UTF-8), CRLF line ends, RFC 4180 quoting (a field with
//! a comma, quote, CR or LF is quoted, quotes doubled). Column headers are in
//! the chosen language. A cell that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or CR: citizens' suggestions are
//! typed by anyone) is written with a leading apostrophe, which Excel and WPS
//! show as text (OWASP's advice); plain numbers such as `-3` stay numbers.
//! `parse` reads the same format back, apostrophe removed (tests check
//! `parse(export(x)) == x`; an import could use it too).

use crate::doc::Document;
use crate::lang::Lang;
use crate::model::{Activity, Attendance};
use crate::records::Records;
use crate::report::PeriodReport;
use crate::suggestions_board::BoardRow;
use crate::template::Template;
use chrono::NaiveDate;
use std::fmt;

/// The byte-order mark written first.
pub const BOM: char = '\u{FEFF}';

/// A table: a header row and data rows (every row as wide as the header).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Column headers.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<Vec<String>>,
}

fn quote(field: &str) -> String {
    let field = guard(field);
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.into_owned()
    }
}

/// First characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_formula(text: &str) -> bool {
    text.starts_with(FORMULA_START)
}

/// A plain decimal number (`-3`, `-0.5`): a value, never a formula.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty() && !fraction.is_empty() && whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
}

/// The cell as written: an apostrophe before anything a spreadsheet would
/// run. Text that already starts with apostrophes before such a character
/// gets one more, so [`unguard`] gives back exactly what was exported.
fn guard(field: &str) -> std::borrow::Cow<'_, str> {
    if starts_formula(field.trim_start_matches('\'')) && !is_plain_number(field) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// The cell as exported, from the cell as written ([`guard`] undone).
fn unguard(field: String) -> String {
    match field.strip_prefix('\'') {
        Some(rest) if starts_formula(rest.trim_start_matches('\'')) && !is_plain_number(rest) => rest.to_string(),
        _ => field,
    }
}

fn write_row(out: &mut String, row: &[String]) {
    if row.len() == 1 && row[0].is_empty() {
        // A lone empty field would be an empty line: quote it to keep the row.
        out.push_str("\"\"");
    } else {
        out.push_str(&row.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
    }
    out.push_str("\r\n");
}

impl Table {
    /// The table as CSV text: BOM, header, rows, CRLF after every row.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(BOM);
        write_row(&mut out, &self.header);
        for row in &self.rows {
            write_row(&mut out, row);
        }
        out
    }
}

/// Why CSV text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsvError {
    /// There is no header row.
    Empty,
    /// A quoted field is not closed by the end of the text.
    UnclosedQuote {
        /// Line (1-based) where the row starts.
        line: usize,
    },
    /// Text after a closing quote before the next comma or line end.
    AfterQuote {
        /// Line (1-based) of the closing quote.
        line: usize,
    },
    /// A row is not as wide as the header.
    Width {
        /// Line (1-based) where the row starts.
        line: usize,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::Empty => write!(f, "the file is empty"),
            CsvError::UnclosedQuote { line } => write!(f, "line {line}: a quoted field is never closed"),
            CsvError::AfterQuote { line } => write!(f, "line {line}: unexpected text after a closing quote"),
            CsvError::Width { line, expected, found } => write!(f, "line {line}: {found} fields where the header has {expected}"),
        }
    }
}

impl std::error::Error for CsvError {}

/// Reads CSV text (with or without BOM; CRLF or LF line ends) into a table.
/// The first row is the header.
pub fn parse(text: &str) -> Result<Table, CsvError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut row_line) = (1, 1);
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() && !quoted_field => {
                quoted_field = true;
                loop {
                    match chars.next() {
                        None => return Err(CsvError::UnclosedQuote { line: row_line }),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            field.push(ch);
                        }
                    }
                }
                if !matches!(chars.peek(), None | Some(',') | Some('\r') | Some('\n')) {
                    return Err(CsvError::AfterQuote { line });
                }
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                quoted_field = false;
                line += 1;
                row_line = line;
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() || quoted_field {
        row.push(field);
        rows.push((row_line, row));
    }
    let unguarded = |row: Vec<String>| row.into_iter().map(unguard).collect::<Vec<_>>();
    let mut rows = rows.into_iter();
    let (_, header) = rows.next().ok_or(CsvError::Empty)?;
    let mut out = Table { header: unguarded(header), rows: Vec::new() };
    for (line, r) in rows {
        if r.len() != out.header.len() {
            return Err(CsvError::Width { line, expected: out.header.len(), found: r.len() });
        }
        out.rows.push(unguarded(r));
    }
    Ok(out)
}

fn h(lang: Lang, cols: &[(&str, &str)]) -> Vec<String> {
    cols.iter().map(|(zh, en)| if lang == Lang::En { en.to_string() } else { zh.to_string() }).collect()
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn yes_no(b: bool, lang: Lang) -> String {
    match (b, lang) {
        (true, Lang::Zh) => "是",
        (false, Lang::Zh) => "否",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
    .to_string()
}

/// Live activities, oldest first (undated drafts last): one row each.
pub fn activities_table(records: &Records<'_>, template: &Template, lang: Lang) -> Table {
    let header = h(
        lang,
        &[
            ("日期", "Date"),
            ("类别", "Kind"),
            ("标题", "Title"),
            ("地点", "Place"),
            ("开始", "Start"),
            ("结束", "End"),
            ("组织者", "Organiser"),
            ("出席人员", "Attended"),
            ("请假人员", "Excused"),
            ("缺席人员", "Absent"),
            ("其他参加人数", "Other attendees"),
            ("人次", "Person-times"),
            ("内容", "Notes"),
            ("发现问题", "Findings"),
            ("意见建议条数", "Suggestions"),
            ("后续跟进", "Follow-up"),
            ("标签", "Tags"),
            ("记录编号", "Record id"),
        ],
    );
    let mut docs: Vec<&Document<Activity>> = records.live_activities().collect();
    // Custom fields follow as their own columns, after the built-in ones so
    // that the built-in columns keep their places for existing spreadsheets.
    let custom = crate::custom::columns(&docs, template);
    let mut header = header;
    header.extend(custom.iter().map(|(key, def)| def.map_or_else(|| key.clone(), |d| crate::custom::header(d, lang))));
    let names = records.names();
    let sep = if lang == Lang::En { ", " } else { "、" };
    let who = |a: &Activity, s: Attendance| -> String {
        a.participants
            .iter()
            .filter(|p| p.status == s)
            .map(|p| names.get(&p.person).cloned().unwrap_or_else(|| p.person.to_string()))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let time = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
    docs.sort_by(|a, b| (a.body.date.is_none(), a.body.date, a.body.start, &a.id).cmp(&(b.body.date.is_none(), b.body.date, b.body.start, &b.id)));
    let rows = docs
        .into_iter()
        .map(|d| {
            let a = &d.body;
            vec![
                date(a.date),
                template.kind_label(&a.kind, lang == Lang::En).to_string(),
                a.title.clone(),
                a.place.clone(),
                time(a.start),
                time(a.end),
                a.organiser.clone(),
                who(a, Attendance::Attended),
                who(a, Attendance::Excused),
                who(a, Attendance::Absent),
                a.other_attendees.to_string(),
                a.person_times().to_string(),
                a.notes.clone(),
                a.findings.clone(),
                a.suggestions.len().to_string(),
                a.follow_up.clone(),
                a.tags.join(sep),
                d.id.to_string(),
            ]
            .into_iter()
            .chain(custom.iter().map(|(key, def)| a.custom.get(key).map(|v| crate::custom::display(*def, v, lang)).unwrap_or_default()))
            .collect()
        })
        .collect();
    Table { header, rows }
}

/// The board's rows (as filtered by the UI): one row per suggestion.
pub fn suggestions_table(rows: &[BoardRow], template: &Template, lang: Lang) -> Table {
    let header = h(
        lang,
        &[
            ("活动日期", "Activity date"),
            ("活动类别", "Activity kind"),
            ("活动", "Activity"),
            ("意见建议", "Suggestion"),
            ("提出人", "Raised by"),
            ("承办部门", "Department"),
            ("状态", "Status"),
            ("转交日期", "Forwarded on"),
            ("答复", "Reply"),
            ("答复日期", "Reply date"),
            ("已告知建议人", "Raiser told"),
            ("转为提案", "Proposals"),
            ("转为社情民意", "Opinion reports"),
            ("活动编号", "Activity id"),
            ("建议编号", "Suggestion id"),
        ],
    );
    let rows = rows
        .iter()
        .map(|r| {
            let s = &r.suggestion;
            vec![
                date(r.activity_date),
                template.kind_label(&r.activity_kind, lang == Lang::En).to_string(),
                r.activity_title.clone(),
                s.content.clone(),
                s.raised_by.clone(),
                s.department.clone(),
                s.status.label(lang).to_string(),
                date(s.forwarded_on),
                s.reply.clone(),
                date(s.reply_date),
                yes_no(s.told_raiser, lang),
                r.proposals.len().to_string(),
                r.opinion_reports.len().to_string(),
                r.activity_id.to_string(),
                s.id.to_string(),
            ]
        })
        .collect();
    Table { header, rows }
}

/// The roster (live people), in stored order.
pub fn people_table(records: &Records<'_>, template: &Template, lang: Lang) -> Table {
    let header = h(
        lang,
        &[
            ("姓名", "Name"),
            ("角色", "Role"),
            ("界别", "Sector"),
            ("活动小组", "Group"),
            ("工作单位", "Unit"),
            ("电话", "Phone"),
            ("在册", "Active"),
            ("备注", "Note"),
            ("人员编号", "Person id"),
        ],
    );
    let rows = records
        .live_people()
        .map(|d| {
            let p = &d.body;
            vec![
                p.name.clone(),
                template.role_label(&p.role, lang == Lang::En).to_string(),
                p.sector.clone(),
                p.group.clone(),
                p.unit.clone(),
                p.phone.clone(),
                yes_no(p.active, lang),
                p.note.clone(),
                d.id.to_string(),
            ]
        })
        .collect();
    Table { header, rows }
}

/// The period report's per-person sheet: attendance per kind, invited,
/// attended, excused, absent, the rule's flag, score and pass.
pub fn sheet_table(report: &PeriodReport, template: &Template, lang: Lang) -> Table {
    let en = lang == Lang::En;
    let mut header = h(lang, &[("姓名", "Name")]);
    header.extend(report.kinds.iter().map(|k| {
        if en {
            format!("Attended: {}", template.kind_label(k, true))
        } else {
            format!("出席{}", template.kind_label(k, false))
        }
    }));
    header.extend(h(
        lang,
        &[
            ("应邀", "Invited"),
            ("出席", "Attended"),
            ("请假", "Excused"),
            ("缺席", "Absent"),
            ("考勤提醒", "Attendance flag"),
            ("履职积分", "Score"),
            ("是否合格", "Passed"),
            ("人员编号", "Person id"),
        ],
    ));
    let rows = report
        .sheet
        .iter()
        .map(|r| {
            let mut row = vec![r.name.clone()];
            row.extend(r.attended_by_kind.iter().map(u32::to_string));
            row.extend([
                r.count.invited.to_string(),
                r.count.attended.to_string(),
                r.count.excused.to_string(),
                r.count.absent.to_string(),
                r.flag.map(|f| f.label(lang).to_string()).unwrap_or_default(),
                r.score.to_string(),
                yes_no(r.passed, lang),
                r.person.to_string(),
            ]);
            row
        })
        .collect();
    Table { header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance_rule::RuleSettings;
    use crate::fixture::{d, year_2024};
    use crate::points::Scheme;
    use crate::records::DateRange;
    use crate::report::period_report;
    use crate::suggestions_board::{board, BoardFilter};
    use proptest::prelude::*;

    #[test]
    fn fields_with_commas_quotes_newlines_and_chinese_are_quoted_and_read_back() {
        let t = Table {
            header: vec!["意见建议".into(), "提出人".into()],
            rows: vec![vec!["他说：\"路灯，坏了\"\n请修".into(), "王建国".into()], vec!["".into(), "a,b".into()], vec!["末尾换行\r\n".into(), "".into()]],
        };
        let csv = t.to_csv();
        assert!(csv.starts_with('\u{FEFF}'), "starts with a BOM");
        assert!(csv.contains("\"他说：\"\"路灯，坏了\"\"\n请修\",王建国\r\n"), "{csv:?}");
        assert!(csv.ends_with("\"末尾换行\r\n\",\r\n"));
        assert_eq!(parse(&csv).unwrap(), t);
        let lone = Table { header: vec!["备注".into()], rows: vec![vec!["".into()], vec!["x".into()]] };
        assert_eq!(parse(&lone.to_csv()).unwrap(), lone, "a row with one empty field survives");
    }

    /// Each data cell of one-column CSV text, as written (quotes removed).
    fn written_cells(csv: &str) -> Vec<String> {
        let table = parse_raw(csv);
        table.into_iter().skip(1).collect()
    }

    /// The fields as they stand in the file: RFC 4180 unquoted, nothing else.
    fn parse_raw(csv: &str) -> Vec<String> {
        csv.trim_start_matches(BOM)
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(|l| if l.starts_with('"') { l[1..l.len() - 1].replace("\"\"", "\"") } else { l.to_string() })
            .collect()
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text() {
        let cells = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "'=already", "''@twice"];
        let table = Table { header: vec!["意见".into()], rows: cells.iter().map(|c| vec![c.to_string()]).collect() };
        let csv = table.to_csv();
        for (cell, written) in cells.iter().zip(written_cells(&csv)) {
            assert_eq!(written, format!("'{cell}"), "{cell:?}");
        }
        assert_eq!(parse(&csv).unwrap(), table, "read back exactly as exported");
    }

    #[test]
    fn numbers_and_ordinary_text_are_written_as_they_are() {
        let cells = ["-3", "-0.5", "12", "'tis", "a-b", "user@example.org", "", "1 + 1"];
        let table = Table { header: vec!["n".into()], rows: cells.iter().map(|c| vec![c.to_string()]).collect() };
        let csv = table.to_csv();
        assert_eq!(written_cells(&csv), cells);
        assert_eq!(parse(&csv).unwrap(), table);
    }

    #[test]
    fn broken_csv_is_refused_with_the_line() {
        assert_eq!(parse(""), Err(CsvError::Empty));
        assert_eq!(parse("a,b\r\n\"open,x\r\n"), Err(CsvError::UnclosedQuote { line: 2 }));
        assert_eq!(parse("a,b\n\"q\"x,y\n"), Err(CsvError::AfterQuote { line: 2 }));
        assert_eq!(parse("a,b\n1,2,3\n"), Err(CsvError::Width { line: 2, expected: 2, found: 3 }));
        assert_eq!(parse("a,b\n1,2").unwrap().rows, vec![vec!["1".to_string(), "2".to_string()]], "the last line may lack a line end");
    }

    #[test]
    fn the_exports_read_back_with_headers_in_the_chosen_language() {
        let mut all = year_2024();
        all.activities[1].body.suggestions[0].content = "他说：\"庭审，太长\"\n建议控制".into();
        let r = all.records();
        let t = Template::liaison();
        let acts = activities_table(&r, &t, Lang::Zh);
        assert_eq!(parse(&acts.to_csv()).unwrap(), acts);
        assert_eq!(acts.rows.len(), 15, "14 dated records and the undated draft; not the trashed one");
        assert_eq!(acts.header[11], "人次");
        let open_day = acts.rows.iter().find(|row| row[2] == "法院开放日").unwrap();
        assert_eq!((open_day[0].as_str(), open_day[1].as_str(), open_day[7].as_str(), open_day[11].as_str()), ("2024-09-20", "其他", "韦志强、李明德", "5"));
        let sum: u32 = acts.rows.iter().map(|row| row[11].parse::<u32>().unwrap()).sum();
        assert_eq!(sum, 38);

        let rows = board(&r, &BoardFilter::default(), d(2024, 12, 31));
        let sug = suggestions_table(&rows, &t, Lang::En);
        let back = parse(&sug.to_csv()).unwrap();
        assert_eq!(back, sug);
        assert_eq!(back.header[..4], ["Activity date", "Activity kind", "Activity", "Suggestion"]);
        assert!(back.rows.iter().any(|row| row[3] == "他说：\"庭审，太长\"\n建议控制" && row[6] == "Answered" && row[10] == "yes"));

        let people = people_table(&r, &t, Lang::Zh);
        assert_eq!(parse(&people.to_csv()).unwrap(), people);
        assert_eq!((people.rows.len(), people.rows[0][1].as_str(), people.rows[10][1].as_str()), (11, "代表", "廉政监督员"));

        let report = period_report(&r, DateRange::year(2024), &t, &RuleSettings::default(), &Scheme::default());
        let sheet = sheet_table(&report, &t, Lang::Zh);
        assert_eq!(parse(&sheet.to_csv()).unwrap(), sheet);
        assert_eq!(sheet.header[..5], ["姓名", "出席调研", "出席座谈会", "出席旁听庭审", "出席其他"]);
        let ma = sheet.rows.iter().find(|row| row[0] == "马晓东").unwrap();
        assert_eq!(ma[5..12], ["4", "1", "0", "3", "建议取消资格", "53", "否"]);
    }

    #[test]
    fn custom_fields_are_columns_of_their_own_with_units_and_labels() {
        let mut all = year_2024();
        let t = Template::school_safety();
        let title = crate::fixture::school_inspection(&mut all);
        for lang in [Lang::Zh, Lang::En] {
            let acts = activities_table(&all.records(), &t, lang);
            assert_eq!(parse(&acts.to_csv()).unwrap(), acts);
            let col = |name: &str| acts.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
            let row = acts.rows.iter().find(|r| r[2] == title).unwrap();
            let (found, result, exits) = if lang == Lang::Zh {
                ("发现隐患（处）", "检查结论", "消防通道畅通")
            } else {
                ("Hazards found (处)", "Result", "Fire exits clear")
            };
            let expected = if lang == Lang::Zh { ["14", "限期整改", "是"] } else { ["14", "Rectify by a date", "yes"] };
            assert_eq!([row[col(found)].as_str(), row[col(result)].as_str(), row[col(exits)].as_str()], expected);
            assert_eq!(acts.header[17], if lang == Lang::Zh { "记录编号" } else { "Record id" }, "built-in columns keep their places");
            assert!(acts.rows.iter().filter(|r| r[2] != title).all(|r| r[col(found)].is_empty()));
        }
    }

    proptest! {
        #[test]
        fn any_table_survives_export_and_parse(
            width in 1usize..4,
            cells in proptest::collection::vec("[a-z,\"\r\n 县人民法院，“”]{0,6}", 0..24),
        ) {
            let header: Vec<String> = (0..width).map(|i| format!("列{i}")).collect();
            let rows: Vec<Vec<String>> = cells.chunks(width).filter(|c| c.len() == width).map(|c| c.to_vec()).collect();
            let t = Table { header, rows };
            prop_assert_eq!(parse(&t.to_csv()).unwrap(), t);
        }
    }
}
