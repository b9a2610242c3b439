//! Values of a kind's custom fields in a record (`Activity::custom`), checked
//! against the team's template, written as text for search and exports, and
//! totalled for the period report ("发现隐患：14 处", "检查结论：合格 3，整改 1").
//!
//! A value is stored by its field's key and merges per field like the
//! built-in fields (`Body::KEYED_MAPS`). A value whose field the template no
//! longer has (or has retired) is kept and shown as it is, never dropped.

use crate::doc::Document;
use crate::lang::Lang;
use crate::model::Activity;
use crate::template::{FieldDef, FieldType, Template};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A custom field's value as JSON holds it: `true`, `14`, `"…"`. Dates and
/// choices are text (`"2026-05-01"`, an option's key); what a value must be
/// follows from its field's type (`check`), not from its JSON shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

impl FieldValue {
    /// Whether the value says nothing (an empty or blank text).
    pub fn is_blank(&self) -> bool {
        matches!(self, FieldValue::Text(t) if t.trim().is_empty())
    }
}

/// Writes a number without a trailing ".0" and with at most six decimals.
pub fn number_text(n: f64) -> String {
    let rounded = (n * 1e6).round() / 1e6;
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

/// What is wrong with a custom value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldProblemCode {
    /// A required field without a value.
    Missing,
    /// A number field holding something else.
    NotANumber,
    /// A yes/no field holding something else.
    NotYesNo,
    /// A date field holding something that is not a date (YYYY-MM-DD).
    NotADate,
    /// A choice field holding a key that is not one of its options.
    UnknownOption,
    /// A text field holding a number or yes/no.
    NotText,
}

/// A problem of one custom field of a record: the editor puts the message
/// (in the UI's language) by the field's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's key (also the input's id, `custom-<key>`).
    pub field: String,
    pub code: FieldProblemCode,
}

impl fmt::Display for FieldProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Lang::En))
    }
}

/// Reads a date value as the editor writes it.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// What is wrong with `value` (absent: `None`) for `def`, if anything.
pub fn check(def: &FieldDef, value: Option<&FieldValue>) -> Option<FieldProblemCode> {
    let Some(value) = value.filter(|v| !v.is_blank()) else {
        return def.required.then_some(FieldProblemCode::Missing);
    };
    match (def.field_type, value) {
        (FieldType::Text | FieldType::LongText, FieldValue::Text(_)) => None,
        (FieldType::Text | FieldType::LongText, _) => Some(FieldProblemCode::NotText),
        (FieldType::Number, FieldValue::Number(_)) => None,
        (FieldType::Number, _) => Some(FieldProblemCode::NotANumber),
        (FieldType::YesNo, FieldValue::Bool(_)) => None,
        (FieldType::YesNo, _) => Some(FieldProblemCode::NotYesNo),
        (FieldType::Date, FieldValue::Text(t)) if parse_date(t).is_some() => None,
        (FieldType::Date, _) => Some(FieldProblemCode::NotADate),
        (FieldType::Choice, FieldValue::Text(t)) if def.option(t).is_some() => None,
        (FieldType::Choice, _) => Some(FieldProblemCode::UnknownOption),
    }
}

/// The problems of a record's custom fields: every active field of its kind
/// (a retired one asks for nothing), in template order.
pub fn problems(a: &Activity, template: &Template) -> Vec<FieldProblem> {
    template.fields_of(&a.kind).filter_map(|def| check(def, a.custom.get(&def.key)).map(|code| FieldProblem { field: def.key.clone(), code })).collect()
}

/// A value as a person reads it: a number with no unit, 是/否 or yes/no, an
/// option's label, a date or text as stored. A value that does not fit its
/// field (or of a field the template lacks) shows as stored.
pub fn display(def: Option<&FieldDef>, value: &FieldValue, lang: Lang) -> String {
    let english = lang == Lang::En;
    match (def.map(|d| d.field_type), value) {
        (_, FieldValue::Number(n)) => number_text(*n),
        (_, FieldValue::Bool(b)) => match (b, english) {
            (true, false) => "是",
            (false, false) => "否",
            (true, true) => "yes",
            (false, true) => "no",
        }
        .to_string(),
        (Some(FieldType::Choice), FieldValue::Text(key)) => def.map_or(key.as_str(), |d| d.option_label(key, english)).to_string(),
        (_, FieldValue::Text(t)) => t.clone(),
    }
}

/// A custom field's column header: its label, and its unit in brackets.
pub fn header(def: &FieldDef, lang: Lang) -> String {
    let label = def.label(lang == Lang::En);
    match (def.unit.trim(), lang) {
        ("", _) => label.to_string(),
        (unit, Lang::Zh) => format!("{label}（{unit}）"),
        (unit, Lang::En) => format!("{label} ({unit})"),
    }
}

/// The fields a table of `activities` gets a column for, in template order:
/// every field of the template that is active or holds a value there; then
/// keys the template lacks (from a newer template), sorted, as `None`.
pub fn columns<'a>(activities: &[&'a Document<Activity>], template: &'a Template) -> Vec<(String, Option<&'a FieldDef>)> {
    let used: std::collections::BTreeSet<&str> = activities.iter().flat_map(|d| d.body.custom.keys()).map(String::as_str).collect();
    let mut out: Vec<(String, Option<&FieldDef>)> =
        template.fields.iter().filter(|f| !f.retired || used.contains(f.key.as_str())).map(|f| (f.key.clone(), Some(f))).collect();
    out.extend(used.iter().filter(|k| template.field(k).is_none()).map(|k| (k.to_string(), None)));
    out
}

/// A total of one custom field over a period's activities.
#[derive(Clone, Debug, PartialEq)]
pub enum Total {
    /// A number field: the sum, and how many records gave a value.
    Sum { sum: f64, records: u32 },
    /// A choice or yes/no field: (option key, or "yes"/"no"; count), in
    /// option order, then keys the field no longer offers.
    Counts(Vec<(String, u32)>),
}

/// One figure of the period report for a custom field.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The field's key.
    pub field: String,
    pub total: Total,
}

impl Figure {
    /// "发现隐患：14 处" / "Hazards found: 14 处" / "检查结论：合格 3，限期整改 1".
    pub fn describe(&self, template: &Template, lang: Lang) -> String {
        let english = lang == Lang::En;
        let def = template.field(&self.field);
        let label = def.map_or(self.field.as_str(), |d| d.label(english));
        let colon = if english { ": " } else { "：" };
        let value = match &self.total {
            Total::Sum { sum, .. } => match def.map(|d| d.unit.trim()).filter(|u| !u.is_empty()) {
                Some(unit) => format!("{} {unit}", number_text(*sum)),
                None => number_text(*sum),
            },
            Total::Counts(counts) => {
                let part = |(key, n): &(String, u32)| {
                    let name = match (def.map(|d| d.field_type), key.as_str()) {
                        (Some(FieldType::YesNo), "yes") => display(def, &FieldValue::Bool(true), lang),
                        (Some(FieldType::YesNo), "no") => display(def, &FieldValue::Bool(false), lang),
                        _ => def.map_or(key.as_str(), |d| d.option_label(key, english)).to_string(),
                    };
                    format!("{name} {n}")
                };
                counts.iter().map(part).collect::<Vec<_>>().join(if english { ", " } else { "，" })
            }
        };
        format!("{label}{colon}{value}")
    }
}

/// The figures of the template's number, choice and yes/no fields over
/// `activities` (the period's live ones), in template order. Only values
/// that fit their field count; a field nobody filled in is left out.
pub fn figures(activities: &[&Document<Activity>], template: &Template) -> Vec<Figure> {
    let mut out = Vec::new();
    for def in &template.fields {
        let values: Vec<&FieldValue> =
            activities.iter().filter(|d| !d.trashed).filter_map(|d| d.body.custom.get(&def.key)).filter(|v| check(def, Some(v)).is_none()).collect();
        if values.is_empty() {
            continue;
        }
        let total = match def.field_type {
            FieldType::Number => {
                let sum = values.iter().map(|v| if let FieldValue::Number(n) = v { *n } else { 0.0 }).sum();
                Total::Sum { sum, records: values.len() as u32 }
            }
            FieldType::Choice => {
                let count = |key: &str| values.iter().filter(|v| matches!(v, FieldValue::Text(t) if t == key)).count() as u32;
                Total::Counts(def.options.iter().map(|o| (o.key.clone(), count(&o.key))).collect())
            }
            FieldType::YesNo => {
                let count = |b: bool| values.iter().filter(|v| **v == &FieldValue::Bool(b)).count() as u32;
                Total::Counts(vec![("yes".into(), count(true)), ("no".into(), count(false))])
            }
            FieldType::Text | FieldType::LongText | FieldType::Date => continue,
        };
        out.push(Figure { field: def.key.clone(), total });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DeviceId, Hlc, Stamp};
    use crate::id::Id;
    use crate::merge::merge;
    use std::collections::BTreeMap;

    fn stamp(ms: u64, device: &str) -> Stamp {
        Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId(device.into()) }
    }

    fn inspection(n: u8, values: &[(&str, FieldValue)]) -> Document<Activity> {
        let custom: BTreeMap<String, FieldValue> = values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let body = Activity {
            kind: "school_inspection".into(),
            title: format!("检查 {n}"),
            date: NaiveDate::from_ymd_opt(2026, 3, n.into()),
            custom,
            ..Activity::default()
        };
        Document::create(Id::new_v7(1_700_000_000_000, [n; 10]), body, stamp(1, "tablet"))
    }

    fn text(t: &str) -> FieldValue {
        FieldValue::Text(t.into())
    }

    #[test]
    fn each_field_type_accepts_its_own_values_and_names_what_is_wrong() {
        let t = Template::school_safety();
        let f = |key| t.field(key).unwrap();
        assert_eq!(check(f("hazards_found"), Some(&FieldValue::Number(3.0))), None);
        assert_eq!(check(f("hazards_found"), Some(&text("三"))), Some(FieldProblemCode::NotANumber));
        assert_eq!(check(f("hazards_found"), None), Some(FieldProblemCode::Missing), "required");
        assert_eq!(check(f("hazards_fixed"), None), None, "optional");
        assert_eq!(check(f("hazards_fixed"), Some(&text("  "))), None, "blank is absent");
        assert_eq!(check(f("result"), Some(&text("rectify"))), None);
        assert_eq!(check(f("result"), Some(&text("maybe"))), Some(FieldProblemCode::UnknownOption));
        assert_eq!(check(f("fire_exits_clear"), Some(&FieldValue::Bool(false))), None);
        assert_eq!(check(f("fire_exits_clear"), Some(&text("no"))), Some(FieldProblemCode::NotYesNo));
        assert_eq!(check(f("deadline"), Some(&text("2026-04-30"))), None);
        assert_eq!(check(f("deadline"), Some(&text("2026-02-30"))), Some(FieldProblemCode::NotADate));
        assert_eq!(check(f("school"), Some(&text("城关小学"))), None);
        assert_eq!(check(f("school"), Some(&FieldValue::Number(1.0))), Some(FieldProblemCode::NotText));
        assert_eq!(FieldProblemCode::Missing.label(Lang::Zh), "此项必填。");
    }

    #[test]
    fn a_records_problems_are_its_kinds_active_fields_only() {
        let mut t = Template::school_safety();
        let doc = inspection(1, &[("hazards_found", text("many")), ("not_in_template", FieldValue::Bool(true))]);
        let codes: Vec<(&str, FieldProblemCode)> = problems(&doc.body, &t).iter().map(|p| (t.field(&p.field).unwrap().key.as_str(), p.code)).collect();
        assert_eq!(codes, [("result", FieldProblemCode::Missing), ("hazards_found", FieldProblemCode::NotANumber)]);
        t.fields.iter_mut().for_each(|f| f.retired = true);
        assert!(problems(&doc.body, &t).is_empty(), "a retired field asks for nothing");
        let visit = Activity { kind: "visit".into(), ..Activity::default() };
        assert!(problems(&visit, &Template::school_safety()).is_empty());
    }

    #[test]
    fn values_merge_per_field_and_a_removal_can_win() {
        let base = inspection(1, &[("hazards_found", FieldValue::Number(2.0)), ("school", text("城关小学"))]);
        let (mut a, mut b) = (base.clone(), base);
        let mut body = a.body.clone();
        body.custom.insert("hazards_found".into(), FieldValue::Number(5.0));
        a.edit(body, stamp(2, "tablet-a"));
        let mut body = b.body.clone();
        body.custom.remove("school");
        body.custom.insert("result".into(), text("pass"));
        b.edit(body, stamp(3, "office"));
        let ab = merge(&a, &b).unwrap();
        assert_eq!(ab, merge(&b, &a).unwrap());
        assert!(!ab.has_conflicts());
        let expected: BTreeMap<String, FieldValue> =
            [("hazards_found", FieldValue::Number(5.0)), ("result", text("pass"))].into_iter().map(|(k, v)| (k.into(), v)).collect();
        assert_eq!(ab.body.custom, expected);
        assert_eq!(ab.stamps["custom/hazards_found"], stamp(2, "tablet-a"));
    }

    #[test]
    fn concurrent_edits_of_one_custom_field_are_a_conflict_to_resolve() {
        let base = inspection(1, &[("hazards_found", FieldValue::Number(2.0))]);
        let (mut a, mut b) = (base.clone(), base);
        let mut body = a.body.clone();
        body.custom.insert("hazards_found".into(), FieldValue::Number(4.0));
        a.edit(body, stamp(2, "tablet-a"));
        let mut body = b.body.clone();
        body.custom.remove("hazards_found");
        b.edit(body, stamp(3, "tablet-b"));
        let mut ab = merge(&a, &b).unwrap();
        assert!(!ab.body.custom.contains_key("hazards_found"), "the later removal is shown");
        let conflicts = ab.conflicts();
        assert_eq!(conflicts.len(), 1);
        assert_eq!((conflicts[0].path.as_str(), conflicts[0].current.clone()), ("custom/hazards_found", None));
        assert_eq!(conflicts[0].others[0].value, Some(serde_json::json!(4.0)));
        ab.resolve("custom/hazards_found", Some(serde_json::json!(4.0)), stamp(4, "office")).unwrap();
        assert_eq!(ab.body.custom.get("hazards_found"), Some(&FieldValue::Number(4.0)));
        assert!(!ab.has_conflicts());
    }

    #[test]
    fn a_record_without_custom_values_is_written_and_read_as_before() {
        let doc = inspection(1, &[]);
        assert!(!doc.to_json().contains("custom"), "no new key in records that do not use it");
        let back = Document::<Activity>::from_json(&doc.to_json()).unwrap();
        assert_eq!(back, doc);
        let with = inspection(2, &[("hazards_found", FieldValue::Number(1.5)), ("fire_exits_clear", FieldValue::Bool(true)), ("school", text("一中"))]);
        assert_eq!(Document::<Activity>::from_json(&with.to_json()).unwrap(), with);
    }

    #[test]
    fn the_report_sums_numbers_and_counts_choices() {
        let t = Template::school_safety();
        let docs = [
            inspection(1, &[("hazards_found", FieldValue::Number(6.0)), ("hazards_fixed", FieldValue::Number(4.0)), ("result", text("rectify"))]),
            inspection(2, &[("hazards_found", FieldValue::Number(8.0)), ("hazards_fixed", FieldValue::Number(5.0)), ("result", text("pass"))]),
            inspection(3, &[("hazards_found", text("a few")), ("result", text("rectify")), ("fire_exits_clear", FieldValue::Bool(false))]),
        ];
        let mut trashed = inspection(4, &[("hazards_found", FieldValue::Number(100.0))]);
        trashed.set_trashed(true, stamp(2, "office"));
        let acts: Vec<&Document<Activity>> = docs.iter().chain([&trashed]).collect();
        let figs = figures(&acts, &t);
        let lines: Vec<String> = figs.iter().map(|f| f.describe(&t, Lang::Zh)).collect();
        assert_eq!(lines, ["检查结论：合格 1，限期整改 2，不合格 0", "发现隐患：14 处", "当场整改：9 处", "消防通道畅通：是 0，否 1"]);
        assert_eq!(figs[1].total, Total::Sum { sum: 14.0, records: 2 }, "a value that is no number does not count");
        assert_eq!(figs[1].describe(&t, Lang::En), "Hazards found: 14 处");
        assert_eq!(figs[0].describe(&t, Lang::En), "Result: Passed 1, Rectify by a date 2, Failed 0");
    }

    #[test]
    fn values_show_as_people_read_them_and_columns_keep_unknown_fields() {
        let t = Template::school_safety();
        assert_eq!(display(t.field("result"), &text("pass"), Lang::Zh), "合格");
        assert_eq!(display(t.field("fire_exits_clear"), &FieldValue::Bool(true), Lang::En), "yes");
        assert_eq!(display(t.field("hazards_found"), &FieldValue::Number(2.5), Lang::Zh), "2.5");
        assert_eq!(display(None, &text("x"), Lang::Zh), "x");
        assert_eq!(header(t.field("hazards_found").unwrap(), Lang::Zh), "发现隐患（处）");
        assert_eq!(header(t.field("hazards_found").unwrap(), Lang::En), "Hazards found (处)");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        let doc = inspection(1, &[("zz_newer", text("v"))]);
        let cols = columns(&[&doc], &t);
        assert_eq!(cols.len(), t.fields.len() + 1);
        assert_eq!(cols.last().map(|(k, d)| (k.as_str(), d.is_none())), Some(("zz_newer", true)));
    }
}
