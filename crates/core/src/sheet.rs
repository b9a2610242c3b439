//! Typed tables for Excel files: the CSV exports' tables (`csv`) with a type
//! per column, so numbers are written as numbers and dates as dates.
//!
//! The cells come from the same tables as the CSV files (one home for what a
//! column holds); a column's type only says how to read its text. A cell that
//! does not read as its column's type (a hand-edited or foreign value) stays
//! text, never an error and never a guessed number.

use crate::csv::{activities_table, people_table, sheet_table, suggestions_table, Table};
use crate::custom;
use crate::lang::Lang;
use crate::records::Records;
use crate::report::PeriodReport;
use crate::suggestions_board::BoardRow;
use crate::template::{FieldType, Template};
use chrono::NaiveDate;

/// How a column's text is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Number,
    /// `YYYY-MM-DD`.
    Date,
}

/// One typed cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// One worksheet: its tab name, a header row and typed data rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// The tab's name (at most 31 characters, none of `[]:*?/\`).
    pub name: String,
    pub header: Vec<String>,
    pub types: Vec<ColumnType>,
    pub rows: Vec<Vec<Cell>>,
}

fn cell(text: String, ty: ColumnType) -> Cell {
    if text.is_empty() {
        return Cell::Empty;
    }
    let typed = match ty {
        ColumnType::Text => None,
        ColumnType::Number => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()).map(Cell::Number),
        ColumnType::Date => custom::parse_date(&text).map(Cell::Date),
    };
    typed.unwrap_or(Cell::Text(text))
}

/// Excel refuses a tab name longer than 31 characters or holding `[]:*?/\`.
fn tab_name(name: &str) -> String {
    let clean: String = name.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(31).collect();
    if clean.trim().is_empty() {
        "Sheet".into()
    } else {
        clean
    }
}

/// `table` typed column by column; columns past `types` are text.
pub fn typed(name: &str, table: Table, types: &[ColumnType]) -> Sheet {
    let ty = |i: usize| types.get(i).copied().unwrap_or(ColumnType::Text);
    let rows = table.rows.into_iter().map(|row| row.into_iter().enumerate().map(|(i, text)| cell(text, ty(i))).collect()).collect();
    Sheet { name: tab_name(name), types: (0..table.header.len()).map(ty).collect(), header: table.header, rows }
}

fn name(lang: Lang, zh: &str, en: &str) -> String {
    if lang == Lang::En { en } else { zh }.to_string()
}

use ColumnType::{Date as D, Number as N, Text as T};

/// The live activities (see `csv::activities_table`); custom number and date
/// fields of the template are number and date columns.
pub fn activities_sheet(records: &Records<'_>, template: &Template, lang: Lang) -> Sheet {
    let mut types = vec![D, T, T, T, T, T, T, T, T, T, N, N, T, T, N, T, T, T];
    let docs: Vec<_> = records.live_activities().collect();
    types.extend(custom::columns(&docs, template).iter().map(|(_, def)| match def.map(|d| d.field_type) {
        Some(FieldType::Number) => N,
        Some(FieldType::Date) => D,
        _ => T,
    }));
    typed(&name(lang, "活动记录", "Records"), activities_table(records, template, lang), &types)
}

/// The board's rows as filtered (see `csv::suggestions_table`).
pub fn suggestions_sheet(rows: &[BoardRow], template: &Template, lang: Lang) -> Sheet {
    let types = [D, T, T, T, T, T, T, D, T, D, T, N, N, T, T];
    typed(&name(lang, "意见建议", "Suggestions"), suggestions_table(rows, template, lang), &types)
}

/// The roster: all text (a phone number is not a number to add up).
pub fn people_sheet(records: &Records<'_>, template: &Template, lang: Lang) -> Sheet {
    typed(&name(lang, "人员名册", "Roster"), people_table(records, template, lang), &[])
}

/// The per-person sheet of a period report (see `csv::sheet_table`).
pub fn person_sheet(report: &PeriodReport, template: &Template, lang: Lang) -> Sheet {
    let mut types = vec![T];
    types.extend(report.kinds.iter().map(|_| N));
    types.extend([N, N, N, N, T, N, T, T]);
    typed(&name(lang, "人员履职", "Per person"), sheet_table(report, template, lang), &types)
}

/// The period report as a workbook: the figures (with the period's first and
/// last day as dates), activities by kind, suggestions by status, activities
/// per month, and the per-person sheet.
pub fn report_sheets(report: &PeriodReport, template: &Template, lang: Lang) -> Vec<Sheet> {
    let en = lang == Lang::En;
    let row = |zh: &str, en_: &str, value: Cell| vec![Cell::Text(name(lang, zh, en_)), value];
    let n = |v: u32| Cell::Number(f64::from(v));
    let figures = vec![
        row("起始日期", "From", Cell::Date(report.range.from)),
        row("截止日期", "To", Cell::Date(report.range.to)),
        row("活动次数", "Activities", n(report.activities)),
        row("参加人次", "Person-times", n(report.person_times)),
        row("出席人数", "People who attended", n(report.people_attended)),
        row("应邀人数", "People invited", n(report.people_invited)),
        row("意见建议", "Suggestions", n(report.suggestions)),
        row("已转交", "Forwarded", n(report.suggestions_forwarded)),
        row("已办结", "Closed", n(report.suggestions_closed)),
        row("已告知建议人", "Raiser told", n(report.suggestions_raiser_told)),
        row("提案", "Proposals", n(report.proposals)),
        row("社情民意", "Opinion reports", n(report.opinion_reports)),
        row("未填日期的活动（未计入）", "Undated activities (not counted)", n(report.undated_activities)),
    ];
    let summary = Sheet {
        name: name(lang, "概况", "Summary"),
        header: vec![name(lang, "项目", "Figure"), name(lang, "数值", "Value")],
        types: vec![T, N],
        rows: figures,
    };
    let by_kind = Sheet {
        name: name(lang, "按类别", "By kind"),
        header: vec![name(lang, "活动类别", "Kind"), name(lang, "次数", "Activities")],
        types: vec![T, N],
        rows: report.kinds.iter().zip(&report.by_kind).map(|(k, c)| vec![Cell::Text(template.kind_label(k, en).to_string()), n(*c)]).collect(),
    };
    let by_status = Sheet {
        name: name(lang, "意见建议状态", "Suggestions by status"),
        header: vec![name(lang, "状态", "Status"), name(lang, "条数", "Suggestions")],
        types: vec![T, N],
        rows: report.suggestions_by_status.iter().map(|(s, c)| vec![Cell::Text(s.label(lang).to_string()), n(*c)]).collect(),
    };
    let mut month_header = vec![name(lang, "月份", "Month")];
    month_header.extend(report.kinds.iter().map(|k| template.kind_label(k, en).to_string()));
    let by_month = Sheet {
        name: name(lang, "按月", "By month"),
        types: std::iter::once(T).chain(report.kinds.iter().map(|_| N)).collect(),
        header: month_header,
        rows: report
            .by_month
            .iter()
            .map(|m| std::iter::once(Cell::Text(format!("{}-{:02}", m.year, m.month))).chain(m.counts.iter().map(|c| n(*c))).collect())
            .collect(),
    };
    vec![summary, by_kind, by_status, by_month, person_sheet(report, template, lang)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance_rule::RuleSettings;
    use crate::custom::FieldValue;
    use crate::fixture::{d, year_2024};
    use crate::points::Scheme;
    use crate::records::DateRange;
    use crate::report::period_report;
    use crate::suggestions_board::{board, BoardFilter};

    fn col(s: &Sheet, header: &str) -> usize {
        s.header.iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header} in {:?}", s.header))
    }

    #[test]
    fn record_dates_are_dates_and_counts_are_numbers_text_stays_text() {
        let all = year_2024();
        let s = activities_sheet(&all.records(), &Template::liaison(), Lang::Zh);
        assert_eq!(s.types.len(), s.header.len());
        let open_day = s.rows.iter().find(|r| r[2] == Cell::Text("法院开放日".into())).unwrap();
        assert_eq!(open_day[0], Cell::Date(d(2024, 9, 20)));
        assert_eq!(open_day[col(&s, "人次")], Cell::Number(5.0));
        assert_eq!(open_day[col(&s, "出席人员")], Cell::Text("韦志强、李明德".into()));
        let undated = s.rows.last().unwrap();
        assert_eq!(undated[0], Cell::Empty, "the undated draft has no date cell");
        let total: f64 = s.rows.iter().map(|r| if let Cell::Number(n) = r[col(&s, "人次")] { n } else { 0.0 }).sum();
        assert_eq!(total, 38.0);
    }

    #[test]
    fn custom_number_and_date_fields_are_typed_columns_choices_are_labels() {
        let mut all = year_2024();
        let t = Template::school_safety();
        let title = crate::fixture::school_inspection(&mut all);
        // A value that does not fit its number field stays as text.
        all.activities[1].body.kind = "school_inspection".into();
        all.activities[1].body.custom.insert("hazards_found".into(), FieldValue::Text("很多".into()));
        let s = activities_sheet(&all.records(), &t, Lang::En);
        let found = col(&s, "Hazards found (处)");
        assert_eq!(s.types[found], ColumnType::Number);
        let row = s.rows.iter().find(|r| r[2] == Cell::Text(title.clone())).unwrap();
        assert_eq!(row[found], Cell::Number(14.0));
        assert_eq!(row[col(&s, "Result")], Cell::Text("Rectify by a date".into()));
        assert!(s.rows.iter().any(|r| r[found] == Cell::Text("很多".into())));
    }

    #[test]
    fn suggestions_sheet_holds_exactly_the_rows_given_with_dates() {
        let all = year_2024();
        let r = all.records();
        let t = Template::liaison();
        let every = board(&r, &BoardFilter::default(), d(2024, 12, 31));
        let first = &every[..2];
        let s = suggestions_sheet(first, &t, Lang::Zh);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0][0], first[0].activity_date.map_or(Cell::Empty, Cell::Date));
        assert_eq!(s.name, "意见建议");
    }

    #[test]
    fn the_report_workbook_has_its_figures_as_numbers_and_the_period_as_dates() {
        let all = year_2024();
        let t = Template::liaison();
        let report = period_report(&all.records(), DateRange::year(2024), &t, &RuleSettings::default(), &Scheme::default());
        let sheets = report_sheets(&report, &t, Lang::Zh);
        let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["概况", "按类别", "意见建议状态", "按月", "人员履职"]);
        assert_eq!(sheets[0].rows[0][1], Cell::Date(d(2024, 1, 1)));
        assert_eq!(sheets[0].rows[3][1], Cell::Number(f64::from(report.person_times)));
        let people = &sheets[4];
        let ma = people.rows.iter().find(|r| r[0] == Cell::Text("马晓东".into())).unwrap();
        assert_eq!(ma[col(people, "履职积分")], Cell::Number(53.0));
        assert_eq!(ma[col(people, "考勤提醒")], Cell::Text("建议取消资格".into()));
    }

    #[test]
    fn tab_names_are_cut_and_cleaned_for_excel() {
        assert_eq!(tab_name("a/b:c"), "a_b_c");
        assert_eq!(tab_name(&"长".repeat(40)).chars().count(), 31);
        assert_eq!(tab_name(" "), "Sheet");
    }
}
