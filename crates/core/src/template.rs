//! The team's template as data: kinds of activity, roles, the custom fields
//! each kind records, the attendance thresholds, the points scheme and the
//! default duration. It is a synced document of its own (`DocType::TeamSettings`,
//! one per team under `TEAM_SETTINGS_ID`), edited at the office and merged
//! field by field like any other; a team without one uses `Template::liaison()`.
//!
//! Kinds, roles and fields are keyed lists (their `key` is the element's `id`
//! on the wire), so two offices editing different kinds or fields both keep
//! their edits. A kind or field is retired, never deleted: old records that
//! use it still read and show its label.

use crate::attendance_rule::RuleSettings;
use crate::clock::{DeviceId, Hlc, Stamp};
use crate::doc::{Body, DocType, Document};
use crate::id::Id;
use crate::points::{Item, Rule, Scheme};
use crate::visits::VisitRule;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of the team-settings document: the same on every device, so two
/// office computers that each save settings edit one document.
pub fn team_settings_id() -> Id {
    Id::new_v7(0, [0; 10])
}

/// The team-settings document before anyone edited it: the liaison template,
/// stamped at time 0 by no device, the same on every device. Every first
/// edit starts from this one rather than from a document of its own: two
/// office computers that each created one would have written every field
/// concurrently, and every field either of them later changed would be a
/// conflict with the other's untouched default.
pub fn base_settings() -> Document<Template> {
    Document::create(team_settings_id(), Template::liaison(), Stamp { hlc: Hlc::default(), device: DeviceId("xunfang".into()) })
}

/// A kind of activity or a role: a stable key stored in records, and its labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelDef {
    #[serde(rename = "id")]
    pub key: String,
    #[serde(default)]
    pub zh: String,
    #[serde(default)]
    pub en: String,
    /// No longer offered for new records or people; those that have it keep
    /// it and its label.
    #[serde(default)]
    pub retired: bool,
    /// Where it is listed (`Template::in_order`). Kept as a field because a
    /// merged keyed list is ordered by when its elements were added, and
    /// elements added together by their keys.
    #[serde(default)]
    pub position: u32,
}

impl LabelDef {
    pub fn new(key: &str, zh: &str, en: &str) -> LabelDef {
        LabelDef { key: key.into(), zh: zh.into(), en: en.into(), retired: false, position: 0 }
    }
}

/// One kind of activity (视察, 走访 …).
pub type KindDef = LabelDef;
/// A role a person on the roster can have (委员, 代表 …).
pub type RoleDef = LabelDef;

/// What a custom field holds, which picks its input and how it is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// One line of text.
    #[default]
    Text,
    /// Several lines of text.
    LongText,
    /// A number, with the field's unit (处, 人, m²); summed in the report.
    Number,
    /// 是 / 否.
    YesNo,
    /// One of the field's options; counted per option in the report.
    Choice,
    /// A date (YYYY-MM-DD).
    Date,
}

impl FieldType {
    /// Every type, in the order the template editor offers them.
    pub const ALL: [FieldType; 6] = [FieldType::Text, FieldType::LongText, FieldType::Number, FieldType::YesNo, FieldType::Choice, FieldType::Date];

    /// The stable key stored in the settings.
    pub fn key(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::LongText => "long_text",
            FieldType::Number => "number",
            FieldType::YesNo => "yes_no",
            FieldType::Choice => "choice",
            FieldType::Date => "date",
        }
    }

    pub fn from_key(key: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.key() == key)
    }
}

/// One option of a choice field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceDef {
    pub key: String,
    #[serde(default)]
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

/// A field a kind of activity records beyond the built-in ones. The key is
/// unique in the template (a record stores values by it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldDef {
    #[serde(rename = "id")]
    pub key: String,
    /// The kind whose records show this field.
    pub kind: String,
    pub zh: String,
    pub en: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// The unit of a number field, shown after the input and in the report.
    pub unit: String,
    /// The options of a choice field, in the order they are offered.
    pub options: Vec<ChoiceDef>,
    /// A record of this kind is incomplete without a value.
    pub required: bool,
    /// No longer shown for new input; values in old records still read.
    pub retired: bool,
    /// Where it is listed among its kind's fields (see `LabelDef::position`).
    pub position: u32,
}

impl FieldDef {
    pub fn label(&self, english: bool) -> &str {
        if english {
            &self.en
        } else {
            &self.zh
        }
    }

    pub fn option(&self, key: &str) -> Option<&ChoiceDef> {
        self.options.iter().find(|o| o.key == key)
    }

    /// The label of an option; an option since removed shows as its key.
    pub fn option_label<'a>(&'a self, key: &'a str, english: bool) -> &'a str {
        match self.option(key) {
            Some(o) if english => &o.en,
            Some(o) => &o.zh,
            None => key,
        }
    }
}

/// The whole team settings document. Fields missing from a stored one take
/// the liaison template's values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Template {
    pub kinds: Vec<KindDef>,
    pub roles: Vec<RoleDef>,
    pub fields: Vec<FieldDef>,
    /// The attendance rule's thresholds, the same on every office computer.
    pub rule: RuleSettings,
    /// The points scheme (履职积分).
    pub scheme: Scheme,
    /// How long an activity lasts unless said otherwise, in minutes: the
    /// editor proposes the end time from the start time.
    pub default_minutes: u32,
    /// The visit rule (走访委员制度): which kinds count as a visit, whom and how often.
    pub visits: VisitRule,
}

impl Default for Template {
    fn default() -> Self {
        Template::liaison()
    }
}

impl Body for Template {
    const TYPE: DocType = DocType::TeamSettings;
    const KEYED_LISTS: &'static [&'static str] = &["kinds", "roles", "fields"];
}

fn defs(items: &[(&str, &str, &str)]) -> Vec<LabelDef> {
    items.iter().zip(0..).map(|(&(key, zh, en), position)| LabelDef { position, ..LabelDef::new(key, zh, en) }).collect()
}

fn choices(items: &[(&str, &str, &str)]) -> Vec<ChoiceDef> {
    items.iter().map(|&(key, zh, en)| ChoiceDef { key: key.into(), zh: zh.into(), en: en.into() }).collect()
}

fn field(kind: &str, (key, zh, en): (&str, &str, &str), field_type: FieldType) -> FieldDef {
    FieldDef { key: key.into(), kind: kind.into(), zh: zh.into(), en: en.into(), field_type, ..FieldDef::default() }
}

/// The longest key a kind, role, field or option may have.
pub const MAX_KEY_CHARS: usize = 40;

/// Whether `key` can name a kind, role, field or option: 1 to 40 of a–z,
/// 0–9, `_` and `-`. A key is part of field paths ("kinds/<key>/zh"), so it
/// must not hold '/'; lowercase ASCII keeps it the same on every device.
pub fn is_valid_key(key: &str) -> bool {
    (1..=MAX_KEY_CHARS).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// What is wrong with a template, for the template editor and for a
/// settings document arriving from elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateProblem {
    /// A kind, role, field or option key that is empty, too long or holds
    /// characters other than a–z, 0–9, `_`, `-`.
    BadKey(String),
    /// Two kinds, roles, fields or options of one field with the same key.
    DuplicateKey(String),
    /// A kind, role, field or option without a Chinese or an English label.
    MissingLabel(String),
    /// A field for a kind the template does not have.
    UnknownKind { field: String, kind: String },
    /// A choice field without options.
    NoOptions(String),
    /// No kind is active: nothing new could be recorded.
    NoActiveKind,
    /// Removal recommended at fewer absences than the warning.
    RuleOrder,
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateProblem::BadKey(k) => write!(f, "the key \"{k}\" must be 1 to {MAX_KEY_CHARS} of a–z, 0–9, _ and -"),
            TemplateProblem::DuplicateKey(k) => write!(f, "the key \"{k}\" is used twice"),
            TemplateProblem::MissingLabel(k) => write!(f, "\"{k}\" needs a Chinese and an English label"),
            TemplateProblem::UnknownKind { field, kind } => write!(f, "the field \"{field}\" belongs to the kind \"{kind}\", which the template does not have"),
            TemplateProblem::NoOptions(k) => write!(f, "the choice field \"{k}\" needs at least one option"),
            TemplateProblem::NoActiveKind => write!(f, "at least one kind of activity must be active"),
            TemplateProblem::RuleOrder => write!(f, "removal must be recommended after more absences in a row than the warning"),
        }
    }
}

fn check_keys<'a>(keys: impl Iterator<Item = (&'a str, &'a str, &'a str)>, out: &mut Vec<TemplateProblem>) {
    let mut seen = std::collections::BTreeSet::new();
    for (key, zh, en) in keys {
        if !is_valid_key(key) {
            out.push(TemplateProblem::BadKey(key.chars().take(MAX_KEY_CHARS).collect()));
        } else if !seen.insert(key) {
            out.push(TemplateProblem::DuplicateKey(key.to_string()));
        }
        if zh.trim().is_empty() || en.trim().is_empty() {
            out.push(TemplateProblem::MissingLabel(key.chars().take(MAX_KEY_CHARS).collect()));
        }
    }
}

impl Template {
    /// The default template: CPPCC / people's congress / court liaison work.
    pub fn liaison() -> Template {
        Template {
            kinds: defs(&[
                ("inspection", "视察", "Inspection"),
                ("survey", "调研", "Survey"),
                ("visit", "走访", "Visit"),
                ("forum", "座谈会", "Forum"),
                ("hearing", "旁听庭审", "Court hearing"),
                ("study", "学习", "Study session"),
                ("appraisal", "民主评议", "Appraisal"),
                ("other", "其他", "Other"),
            ]),
            roles: defs(&[
                ("member", "委员", "CPPCC member"),
                ("deputy", "代表", "Deputy"),
                ("liaison", "联络员", "Liaison officer"),
                ("supervisor", "廉政监督员", "Integrity supervisor"),
                ("other", "其他", "Other"),
            ]),
            fields: Vec::new(),
            rule: RuleSettings::default(),
            scheme: Scheme::default(),
            default_minutes: 120,
            visits: VisitRule::default(),
        }
    }

    /// A second built-in example: a school safety inspection team
    /// (学校安全检查), whose records count hazards found and fixed.
    pub fn school_safety() -> Template {
        let inspection = "school_inspection";
        let mut result = field(inspection, ("result", "检查结论", "Result"), FieldType::Choice);
        result.options = choices(&[("pass", "合格", "Passed"), ("rectify", "限期整改", "Rectify by a date"), ("fail", "不合格", "Failed")]);
        result.required = true;
        let mut found = field(inspection, ("hazards_found", "发现隐患", "Hazards found"), FieldType::Number);
        found.unit = "处".into();
        found.required = true;
        let mut fixed = field(inspection, ("hazards_fixed", "当场整改", "Hazards fixed"), FieldType::Number);
        fixed.unit = "处".into();
        Template {
            kinds: defs(&[
                (inspection, "学校安全检查", "School safety inspection"),
                ("fire_drill", "消防演练", "Fire drill"),
                ("canteen", "食堂检查", "Canteen inspection"),
                ("training", "安全培训", "Safety training"),
                ("other", "其他", "Other"),
            ]),
            roles: defs(&[("inspector", "检查员", "Inspector"), ("lead", "组长", "Team lead"), ("school_contact", "学校联系人", "School contact")]),
            fields: [
                result,
                found,
                fixed,
                field(inspection, ("fire_exits_clear", "消防通道畅通", "Fire exits clear"), FieldType::YesNo),
                field(inspection, ("deadline", "整改期限", "Rectify by"), FieldType::Date),
                field(inspection, ("school", "学校名称", "School"), FieldType::Text),
                field("canteen", ("hygiene_notes", "卫生情况", "Hygiene"), FieldType::LongText),
            ]
            .into_iter()
            .zip(0..)
            .map(|(f, position)| FieldDef { position, ..f })
            .collect(),
            rule: RuleSettings::default(),
            scheme: Scheme {
                base: 60,
                pass_mark: 70,
                rules: vec![Rule { item: Item::Attended("*".into()), points: 3, cap: Some(30) }, Rule { item: Item::Absent, points: -3, cap: None }],
            },
            default_minutes: 90,
            // This team visits no one: its rule is switched off.
            visits: VisitRule { kinds: Vec::new(), roles: vec!["school_contact".into()], ..VisitRule::default() },
        }
    }

    pub fn kind(&self, key: &str) -> Option<&KindDef> {
        self.kinds.iter().find(|k| k.key == key)
    }

    pub fn role(&self, key: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.key == key)
    }

    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The fields a record of `kind` shows for input (retired ones left out),
    /// in template order.
    pub fn fields_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a FieldDef> + 'a {
        self.fields.iter().filter(move |f| f.kind == kind && !f.retired)
    }

    /// The label of a kind in the UI language; an unknown key (a record
    /// synced from a device with a newer template) shows as the key itself.
    pub fn kind_label<'a>(&'a self, key: &'a str, english: bool) -> &'a str {
        match self.kind(key) {
            Some(k) if english => &k.en,
            Some(k) => &k.zh,
            None => key,
        }
    }

    pub fn role_label<'a>(&'a self, key: &'a str, english: bool) -> &'a str {
        match self.role(key) {
            Some(r) if english => &r.en,
            Some(r) => &r.zh,
            None => key,
        }
    }

    /// (key, label) of every active kind, in template order, plus `current`
    /// if it is retired or unknown (a record keeps its kind): a picker's options.
    pub fn kind_options(&self, english: bool, current: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> =
            self.kinds.iter().filter(|k| !k.retired || k.key == current).map(|k| (k.key.clone(), if english { &k.en } else { &k.zh }.clone())).collect();
        if !current.is_empty() && self.kind(current).is_none() {
            out.push((current.to_string(), current.to_string()));
        }
        out
    }

    /// (key, label) of every active role, in template order, plus `current`
    /// if it is retired or unknown: a picker's options.
    pub fn role_options(&self, english: bool, current: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> =
            self.roles.iter().filter(|r| !r.retired || r.key == current).map(|r| (r.key.clone(), if english { &r.en } else { &r.zh }.clone())).collect();
        if !current.is_empty() && self.role(current).is_none() {
            out.push((current.to_string(), current.to_string()));
        }
        out
    }

    /// Takes over `example`'s kinds, roles, fields, rule, scheme and duration
    /// (a built-in template chosen as the starting point), retiring what this
    /// template has and the example lacks rather than removing it, so that
    /// records of those kinds keep their labels and values.
    pub fn adopt(&mut self, example: &Template) {
        // Retired ones are listed after the example's.
        fn merge_defs<D: Clone>(mine: &mut Vec<D>, theirs: &[D], key: fn(&D) -> &str, retire: fn(&mut D, u32)) {
            let mut after = theirs.len() as u32;
            for d in mine.iter_mut() {
                if !theirs.iter().any(|t| key(t) == key(d)) {
                    retire(d, after);
                    after += 1;
                }
            }
            for t in theirs {
                match mine.iter_mut().find(|d| key(d) == key(t)) {
                    Some(d) => *d = t.clone(),
                    None => mine.push(t.clone()),
                }
            }
        }
        fn retire_label(d: &mut LabelDef, position: u32) {
            (d.retired, d.position) = (true, position);
        }
        merge_defs(&mut self.kinds, &example.kinds, |k| &k.key, retire_label);
        merge_defs(&mut self.roles, &example.roles, |r| &r.key, retire_label);
        merge_defs(&mut self.fields, &example.fields, |f| &f.key, |f, position| (f.retired, f.position) = (true, position));
        self.rule = example.rule;
        self.scheme = example.scheme.clone();
        self.default_minutes = example.default_minutes;
        self.visits = example.visits.clone();
    }

    /// Sorts kinds, roles and fields by their `position` (equal ones keep
    /// their order): what pickers, the editor and reports list them in.
    pub fn in_order(mut self) -> Template {
        self.kinds.sort_by_key(|k| k.position);
        self.roles.sort_by_key(|r| r.position);
        self.fields.sort_by_key(|f| f.position);
        self
    }

    /// The position after every kind's, role's or field's in `positions`:
    /// for one added in the editor, listed last.
    pub fn next_position(positions: impl Iterator<Item = u32>) -> u32 {
        positions.max().map_or(0, |p| p + 1)
    }

    /// A key of the form `<prefix><n>` that none of `taken` is: for a kind,
    /// role, field or option added in the editor, whose users type labels.
    pub fn fresh_key<'a>(prefix: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
        (1..).map(|n| format!("{prefix}{n}")).find(|k| !taken.clone().any(|t| t == k)).expect("some number is free")
    }

    /// Everything wrong with the template; empty when it can be saved.
    pub fn problems(&self) -> Vec<TemplateProblem> {
        let mut out = Vec::new();
        check_keys(self.kinds.iter().map(|k| (k.key.as_str(), k.zh.as_str(), k.en.as_str())), &mut out);
        check_keys(self.roles.iter().map(|r| (r.key.as_str(), r.zh.as_str(), r.en.as_str())), &mut out);
        check_keys(self.fields.iter().map(|f| (f.key.as_str(), f.zh.as_str(), f.en.as_str())), &mut out);
        for f in &self.fields {
            if self.kind(&f.kind).is_none() {
                out.push(TemplateProblem::UnknownKind { field: f.key.clone(), kind: f.kind.chars().take(MAX_KEY_CHARS).collect() });
            }
            if f.field_type == FieldType::Choice && f.options.is_empty() {
                out.push(TemplateProblem::NoOptions(f.key.clone()));
            }
            check_keys(f.options.iter().map(|o| (o.key.as_str(), o.zh.as_str(), o.en.as_str())), &mut out);
        }
        if !self.kinds.iter().any(|k| !k.retired) {
            out.push(TemplateProblem::NoActiveKind);
        }
        let r = self.rule;
        if r.warn_after > 0 && r.remove_after > 0 && r.remove_after <= r.warn_after {
            out.push(TemplateProblem::RuleOrder);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::merge;

    fn stamp(ms: u64, device: &str) -> Stamp {
        Stamp { hlc: Hlc { millis: ms, counter: 0 }, device: DeviceId(device.into()) }
    }

    #[test]
    fn liaison_template_has_the_domain_kinds_and_a_new_kind_needs_no_code() {
        let mut t = Template::liaison();
        assert_eq!(t.kind_label("hearing", false), "旁听庭审");
        assert_eq!(t.kind_label("hearing", true), "Court hearing");
        t.kinds.push(KindDef::new("school", "学校检查", "School inspection"));
        assert_eq!(t.kind_label("school", false), "学校检查");
        assert_eq!(t.kind_label("unknown-kind", true), "unknown-kind");
        assert_eq!(t.kind_options(false, "").last(), Some(&("school".to_string(), "学校检查".to_string())));
        assert_eq!(t.role_options(true, "")[0], ("member".to_string(), "CPPCC member".to_string()));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), t);
    }

    #[test]
    fn both_built_in_templates_are_valid_and_differ_in_shape() {
        assert_eq!(Template::liaison().problems(), vec![]);
        let school = Template::school_safety();
        assert_eq!(school.problems(), vec![]);
        assert_eq!(school.kind_label("school_inspection", false), "学校安全检查");
        let shown: Vec<&str> = school.fields_of("school_inspection").map(|f| f.key.as_str()).collect();
        assert_eq!(shown, ["result", "hazards_found", "hazards_fixed", "fire_exits_clear", "deadline", "school"]);
        assert_eq!(school.field("hazards_found").map(|f| (f.field_type, f.unit.as_str())), Some((FieldType::Number, "处")));
        assert!(Template::liaison().fields_of("visit").next().is_none());
    }

    #[test]
    fn a_retired_kind_is_not_offered_for_new_records_but_keeps_its_label_and_an_old_records_choice() {
        let mut t = Template::liaison();
        t.kinds.iter_mut().find(|k| k.key == "hearing").unwrap().retired = true;
        assert!(!t.kind_options(false, "").iter().any(|(k, _)| k == "hearing"));
        assert!(t.kind_options(false, "hearing").iter().any(|(k, l)| k == "hearing" && l == "旁听庭审"));
        assert_eq!(t.kind_label("hearing", true), "Court hearing");
        assert_eq!(t.kind_options(true, "from-elsewhere").last(), Some(&("from-elsewhere".to_string(), "from-elsewhere".to_string())));
    }

    #[test]
    fn adopting_an_example_retires_what_it_lacks_and_keeps_labels_for_old_records() {
        let mut t = Template::liaison();
        t.adopt(&Template::school_safety());
        assert!(t.kind("hearing").is_some_and(|k| k.retired), "a liaison kind is retired, not removed");
        assert_eq!(t.kind_label("hearing", false), "旁听庭审");
        assert!(t.kind_options(false, "").iter().all(|(k, _)| Template::school_safety().kind(k).is_some()));
        assert_eq!(t.kind("other").map(|k| k.retired), Some(false), "a kind both have stays active");
        assert_eq!(t.fields_of("school_inspection").count(), 6);
        assert_eq!((t.default_minutes, t.problems()), (90, vec![]));
        assert_eq!(Template::fresh_key("kind_", ["kind_1", "kind_3"].into_iter()), "kind_2");
        let ordered = t.in_order();
        assert_eq!(ordered.kinds[0].key, "school_inspection");
        assert!(ordered.kinds[5..].iter().all(|k| k.retired), "retired kinds are listed after the example's");
    }

    #[test]
    fn the_template_editor_is_told_what_is_wrong() {
        let mut t = Template::liaison();
        t.kinds.push(KindDef::new("Bad/Key", "坏", ""));
        t.kinds.push(KindDef::new("visit", "走访", "Visit"));
        let mut choice = field("nowhere", ("pick", "选", "Pick"), FieldType::Choice);
        choice.options = choices(&[("a", "甲", "A"), ("a", "乙", "B")]);
        t.fields.push(choice);
        t.fields.push(field("visit", ("empty_choice", "空", "Empty"), FieldType::Choice));
        t.rule = RuleSettings { warn_after: 3, remove_after: 3 };
        assert_eq!(
            t.problems(),
            vec![
                TemplateProblem::BadKey("Bad/Key".into()),
                TemplateProblem::MissingLabel("Bad/Key".into()),
                TemplateProblem::DuplicateKey("visit".into()),
                TemplateProblem::UnknownKind { field: "pick".into(), kind: "nowhere".into() },
                TemplateProblem::DuplicateKey("a".into()),
                TemplateProblem::NoOptions("empty_choice".into()),
                TemplateProblem::RuleOrder,
            ]
        );
        for k in t.kinds.iter_mut() {
            k.retired = true;
        }
        assert!(t.problems().contains(&TemplateProblem::NoActiveKind));
        assert!(TemplateProblem::RuleOrder.to_string().contains("more absences"));
    }

    #[test]
    fn two_offices_editing_different_parts_of_the_settings_both_keep_their_edits() {
        let base = Document::create(team_settings_id(), Template::liaison(), stamp(1, "office-a"));
        let mut a = base.clone();
        let mut body = a.body.clone();
        body.rule = RuleSettings { warn_after: 3, remove_after: 5 };
        body.kinds.iter_mut().find(|k| k.key == "visit").unwrap().zh = "走访委员".into();
        a.edit(body, stamp(2, "office-a"));
        let mut b = base.clone();
        let mut body = b.body.clone();
        body.kinds.push(KindDef::new("school_inspection", "学校安全检查", "School safety inspection"));
        body.fields.extend(Template::school_safety().fields.into_iter().filter(|f| f.kind == "school_inspection"));
        body.kinds.iter_mut().find(|k| k.key == "visit").unwrap().en = "Home visit".into();
        body.default_minutes = 60;
        b.edit(body, stamp(3, "office-b"));
        let ab = merge(&a, &b).unwrap();
        assert_eq!(ab, merge(&b, &a).unwrap());
        assert!(!ab.has_conflicts());
        assert_eq!(ab.body.rule, RuleSettings { warn_after: 3, remove_after: 5 });
        assert_eq!((ab.body.kind_label("visit", false), ab.body.kind_label("visit", true)), ("走访委员", "Home visit"));
        assert_eq!(ab.body.fields_of("school_inspection").count(), 6);
        assert_eq!(ab.body.default_minutes, 60);
    }

    #[test]
    fn two_offices_that_each_save_settings_first_from_the_base_merge_without_conflicts() {
        let mut a = base_settings();
        let mut body = a.body.clone();
        body.rule = RuleSettings { warn_after: 1, remove_after: 2 };
        a.edit(body, stamp(2_000, "office-a"));
        let mut b = base_settings();
        let mut body = b.body.clone();
        body.default_minutes = 45;
        b.edit(body, stamp(1_500, "office-b"));
        let ab = merge(&a, &b).unwrap();
        assert!(!ab.has_conflicts(), "{:?}", ab.conflicts());
        assert_eq!((ab.body.rule, ab.body.default_minutes), (RuleSettings { warn_after: 1, remove_after: 2 }, 45));
        // What each would have made on its own: every changed field a conflict.
        let own = Document::create(team_settings_id(), Template::liaison(), stamp(1_500, "office-b"));
        assert!(merge(&a, &own).unwrap().has_conflicts());
    }

    #[test]
    fn kinds_keep_their_order_through_a_merge() {
        let mut a = base_settings();
        let mut body = a.body.clone();
        body.adopt(&Template::school_safety());
        a.edit(body, stamp(2, "office-a"));
        let merged = merge(&a, &base_settings()).unwrap();
        let keys = |t: &Template| t.kinds.iter().filter(|k| !k.retired).map(|k| k.key.clone()).collect::<Vec<_>>();
        assert_ne!(keys(&merged.body), keys(&Template::school_safety()), "a merged keyed list is in the order elements were added");
        assert_eq!(keys(&merged.body.in_order()), keys(&Template::school_safety()));
        let liaison = merge(&base_settings(), &base_settings()).unwrap().body.in_order();
        assert_eq!(liaison.kind_options(false, "")[0].1, "视察");
        assert_eq!(Template::next_position(liaison.kinds.iter().map(|k| k.position)), 8);
    }

    #[test]
    fn concurrent_threshold_changes_are_a_conflict_the_editor_shell_can_show() {
        let base = Document::create(team_settings_id(), Template::liaison(), stamp(1, "office-a"));
        let (mut a, mut b) = (base.clone(), base);
        let mut body = a.body.clone();
        body.rule.warn_after = 4;
        a.edit(body, stamp(2, "office-a"));
        let mut body = b.body.clone();
        body.rule.warn_after = 1;
        b.edit(body, stamp(3, "office-b"));
        let ab = merge(&a, &b).unwrap();
        assert_eq!(ab.body.rule.warn_after, 1, "the later edit is shown");
        let conflicts = ab.conflicts();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].path, "rule");
        assert_eq!(conflicts[0].others[0].value.as_ref().and_then(|v| v.get("warn_after")).and_then(|v| v.as_u64()), Some(4));
    }

    #[test]
    fn a_settings_document_with_missing_parts_reads_with_the_liaison_values() {
        let t: Template = serde_json::from_str(r#"{"kinds":[{"id":"visit","zh":"走访","en":"Visit"}]}"#).unwrap();
        assert_eq!(t.kinds.len(), 1);
        assert_eq!((t.rule, t.default_minutes, t.roles.len()), (RuleSettings::default(), 120, 5));
        assert_eq!(team_settings_id().as_str(), "00000000-0000-7000-8000-000000000000");
        assert!(crate::id::Id::is_canonical(team_settings_id().as_str()));
    }
}
