//! The UI language (`Lang`), and the label tables of core's own enums (suggestion status,
//! proposal status, the attendance rule's flag) in Chinese and English side by side.
//!
//! Why these tables live here and not in the app's `i18n.rs`: core writes these words itself
//! (CSV exports, the drafted summary, refusal messages), and the screens must show the same
//! words, so the one home is the crate both use. The app's own wording stays in `i18n.rs`.

use crate::attendance_rule::Flag;
use crate::model::SuggestionStatus;
use crate::proposal::ProposalStatus;
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
    fn every_status_and_flag_has_a_label_in_each_language() {
        for lang in [Lang::Zh, Lang::En] {
            let mut labels: Vec<&str> = SuggestionStatus::ALL.iter().map(|s| s.label(lang)).collect();
            labels.sort();
            labels.dedup();
            assert_eq!(labels.len(), SuggestionStatus::ALL.len(), "{lang:?}: no two statuses share a label");
            assert!(ProposalStatus::ALL.iter().all(|s| !s.label(lang).is_empty()));
        }
        assert_eq!(SuggestionStatus::InProgress.label(Lang::Zh), "办理中");
        assert_eq!(Flag::RecommendRemoval.label(Lang::En), "removal recommended");
    }
}
