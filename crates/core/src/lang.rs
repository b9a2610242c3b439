//! The UI language (`Lang`), and the label table of every core enum a person reads (statuses,
//! attendance, the rule's flag, a record's problems), Chinese and English side by side.
//!
//! Why label tables live here and not in the app's `i18n.rs`: core writes some of these words
//! itself (CSV exports, the drafted summary, refusal messages) and the screens must show the
//! same ones, and core cannot reach the app; so every table of a core enum has this one home,
//! next to its enum's crate. The app's own wording (buttons, headings, hints) stays in `i18n.rs`.

use crate::attendance_rule::Flag;
use crate::custom::FieldProblemCode;
use crate::model::{Attendance, SuggestionStatus};
use crate::proposal::ProposalStatus;
use crate::template::TemplateProblem;
use crate::validate::Problem;
use serde::{Deserialize, Serialize};

/// The language of the UI, of an export or of a drafted summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 中文 (the default: the office files its work in Chinese).
    #[default]
    Zh,
    /// English, for an English UI.
    En,
}

impl Lang {
    /// The BCP 47 code, for `<html lang>` and the stored setting.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language a BCP 47 code asks for ("zh-TW" → Chinese, "en-GB" → English), if either.
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::Zh)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn is_english(self) -> bool {
        self == Lang::En
    }

    /// The language the switch offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Picks the text of this language from a Chinese–English pair.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl SuggestionStatus {
    /// The status as the board, the report and the exports name it.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            SuggestionStatus::Collected => lang.pick("新收集", "Collected"),
            SuggestionStatus::Forwarded => lang.pick("已转交", "Forwarded"),
            SuggestionStatus::InProgress => lang.pick("办理中", "In progress"),
            SuggestionStatus::Resolved => lang.pick("已办结", "Resolved"),
            SuggestionStatus::Answered => lang.pick("已答复", "Answered"),
        }
    }
}

impl ProposalStatus {
    /// The status as the office's screens name it.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ProposalStatus::Draft => lang.pick("草拟中", "Draft"),
            ProposalStatus::Submitted => lang.pick("已提交", "Submitted"),
            ProposalStatus::Accepted => lang.pick("已立案", "Accepted"),
            ProposalStatus::NotAccepted => lang.pick("不予立案", "Not accepted"),
            ProposalStatus::Answered => lang.pick("已答复", "Answered"),
        }
    }
}

impl Attendance {
    /// The attendance as the participant list and the sheet's columns name it.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Attendance::Attended => lang.pick("出席", "Attended"),
            Attendance::Excused => lang.pick("请假", "Excused"),
            Attendance::Absent => lang.pick("缺席", "Absent"),
        }
    }
}

impl Problem {
    /// What the record's problem list tells the user to do.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Problem::KindMissing => lang.pick("请选择活动类型。", "Choose the kind of activity."),
            Problem::KindUnknown => lang.pick("这个活动类型不在当前模板里，请重新选择。", "This kind is not in the current template; choose another."),
            Problem::TitleMissing => lang.pick("请填写标题。", "Enter a title."),
            Problem::DateMissing => lang.pick("请填写日期。", "Enter the date."),
            Problem::EndBeforeStart => lang.pick("结束时间不能早于开始时间。", "The end time cannot be before the start time."),
            Problem::ExcuseWithoutReason => lang.pick("请假人员需要填写请假事由。", "Give a reason for each excused person."),
            Problem::SuggestionEmpty => lang.pick("建议内容不能为空。", "A suggestion needs its content."),
            Problem::NameMissing => lang.pick("请填写姓名。", "Enter a name."),
            Problem::CustomFields => lang.pick("本类活动的专项内容有未填或填写不正确的项目。", "Some of this kind's own fields are missing or not valid."),
        }
    }
}

impl TemplateProblem {
    /// What the template editor says about the problem.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (TemplateProblem::BadKey(k), Lang::Zh) => format!("代码“{k}”只能由 1 至 40 个小写字母、数字、_ 和 - 组成。"),
            (TemplateProblem::DuplicateKey(k), Lang::Zh) => format!("代码“{k}”重复使用。"),
            (TemplateProblem::MissingLabel(k), Lang::Zh) => format!("“{k}”需要中文和英文名称。"),
            (TemplateProblem::UnknownKind { field, kind }, Lang::Zh) => format!("字段“{field}”所属的活动类型“{kind}”不在模板中。"),
            (TemplateProblem::NoOptions(k), Lang::Zh) => format!("选择字段“{k}”至少需要一个选项。"),
            (TemplateProblem::NoActiveKind, Lang::Zh) => "至少要有一种活动类型在用。".to_string(),
            (TemplateProblem::RuleOrder, Lang::Zh) => "建议取消资格的连续缺席次数必须多于口头警告的次数。".to_string(),
            (problem, Lang::En) => format!("{}.", capitalised(&problem.to_string())),
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl FieldProblemCode {
    /// What the editor says by a custom field's input.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            FieldProblemCode::Missing => lang.pick("此项必填。", "This field is required."),
            FieldProblemCode::NotANumber => lang.pick("请填写数字。", "Enter a number."),
            FieldProblemCode::NotYesNo => lang.pick("请选择是或否。", "Choose yes or no."),
            FieldProblemCode::NotADate => lang.pick("请填写日期（年-月-日）。", "Enter a date (year-month-day)."),
            FieldProblemCode::UnknownOption => lang.pick("请从列表中选择。", "Choose one of the list."),
            FieldProblemCode::NotText => lang.pick("请填写文字。", "Enter text."),
        }
    }
}

impl Flag {
    /// What the attendance rule says, as the sheet and its export name it.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Flag::Warning => lang.pick("口头警告", "verbal warning"),
            Flag::RecommendRemoval => lang.pick("建议取消资格", "removal recommended"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_language_code_picks_chinese_or_english() {
        assert_eq!(Lang::from_code("zh-TW"), Some(Lang::Zh));
        assert_eq!(Lang::from_code("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_code(Lang::Zh.code()), Some(Lang::Zh), "the stored code reads back");
        assert_eq!(Lang::En.other(), Lang::Zh);
    }

    #[test]
    fn every_status_attendance_flag_and_problem_has_a_label_in_each_language() {
        for lang in [Lang::Zh, Lang::En] {
            let mut labels: Vec<&str> = SuggestionStatus::ALL.iter().map(|s| s.label(lang)).collect();
            labels.sort();
            labels.dedup();
            assert_eq!(labels.len(), SuggestionStatus::ALL.len(), "{lang:?}: no two statuses share a label");
            assert!(ProposalStatus::ALL.iter().all(|s| !s.label(lang).is_empty()));
        }
        assert_eq!(SuggestionStatus::InProgress.label(Lang::Zh), "办理中");
        assert_eq!(Flag::RecommendRemoval.label(Lang::En), "removal recommended");
        assert_eq!(Attendance::ALL.map(|a| a.label(Lang::Zh)), ["出席", "请假", "缺席"]);
        assert_eq!(Problem::NameMissing.label(Lang::En), "Enter a name.");
    }
}
