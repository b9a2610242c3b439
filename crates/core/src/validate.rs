//! What makes a record complete. Problems are values with a field and a code;
//! the app turns each into a message in the UI's language.
//!
//! Validation never blocks saving: an incomplete note is still kept, and the
//! problems are shown until they are fixed.

use crate::model::{Activity, Person};
use crate::template::Template;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    KindMissing,
    /// A kind key the template does not know (e.g. typed into an import).
    KindUnknown,
    TitleMissing,
    DateMissing,
    EndBeforeStart,
    /// A participant marked excused with no reason given.
    ExcuseWithoutReason,
    SuggestionEmpty,
    NameMissing,
    /// A custom field of the record's kind is missing or not valid
    /// (`custom::problems` says which and why).
    CustomFields,
}

impl Problem {
    /// The form field the problem belongs to (the input's id in the editor).
    pub fn field(self) -> &'static str {
        match self {
            Problem::KindMissing | Problem::KindUnknown => "kind",
            Problem::TitleMissing => "title",
            Problem::DateMissing => "date",
            Problem::EndBeforeStart => "end",
            Problem::ExcuseWithoutReason => "participants",
            Problem::SuggestionEmpty => "suggestions",
            Problem::NameMissing => "name",
            Problem::CustomFields => "custom",
        }
    }
}

pub fn activity_problems(a: &Activity, template: &Template) -> Vec<Problem> {
    let mut out = Vec::new();
    if a.kind.trim().is_empty() {
        out.push(Problem::KindMissing);
    } else if template.kind(&a.kind).is_none() {
        out.push(Problem::KindUnknown);
    }
    if a.title.trim().is_empty() {
        out.push(Problem::TitleMissing);
    }
    if a.date.is_none() {
        out.push(Problem::DateMissing);
    }
    if let (Some(start), Some(end)) = (a.start, a.end) {
        if end < start {
            out.push(Problem::EndBeforeStart);
        }
    }
    if a.participants.iter().any(|p| p.status == crate::model::Attendance::Excused && p.reason.trim().is_empty()) {
        out.push(Problem::ExcuseWithoutReason);
    }
    if a.suggestions.iter().any(|s| s.content.trim().is_empty()) {
        out.push(Problem::SuggestionEmpty);
    }
    if !crate::custom::problems(a, template).is_empty() {
        out.push(Problem::CustomFields);
    }
    out
}

pub fn person_problems(p: &Person) -> Vec<Problem> {
    if p.name.trim().is_empty() {
        vec![Problem::NameMissing]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Id;
    use crate::model::{Attendance, Participant, Suggestion};
    use chrono::{NaiveDate, NaiveTime};

    fn complete() -> Activity {
        Activity {
            kind: "inspection".into(),
            title: "视察农村饮水安全工程".into(),
            date: NaiveDate::from_ymd_opt(2024, 6, 3),
            start: NaiveTime::from_hms_opt(9, 0, 0),
            end: NaiveTime::from_hms_opt(11, 30, 0),
            ..Activity::default()
        }
    }

    #[test]
    fn a_complete_record_has_no_problems() {
        assert!(activity_problems(&complete(), &Template::liaison()).is_empty());
    }

    #[test]
    fn title_kind_and_date_are_required() {
        let t = Template::liaison();
        let blank = Activity::default();
        assert_eq!(activity_problems(&blank, &t), vec![Problem::KindMissing, Problem::TitleMissing, Problem::DateMissing]);
        let spaces = Activity { title: "   ".into(), kind: "nonsense".into(), ..complete() };
        assert_eq!(activity_problems(&spaces, &t), vec![Problem::KindUnknown, Problem::TitleMissing]);
    }

    #[test]
    fn end_before_start_is_a_problem_but_equal_times_are_not() {
        let t = Template::liaison();
        let a = Activity { end: NaiveTime::from_hms_opt(8, 0, 0), ..complete() };
        assert_eq!(activity_problems(&a, &t), vec![Problem::EndBeforeStart]);
        assert_eq!(Problem::EndBeforeStart.field(), "end");
        let same = Activity { end: a.start, ..complete() };
        assert!(activity_problems(&same, &t).is_empty());
    }

    #[test]
    fn an_excuse_needs_a_reason_and_a_suggestion_needs_content() {
        let t = Template::liaison();
        let id = Id::new_v7(1, [1; 10]);
        let a = Activity {
            participants: vec![Participant { person: id.clone(), status: Attendance::Excused, reason: " ".into() }],
            suggestions: vec![Suggestion::new(id)],
            ..complete()
        };
        assert_eq!(activity_problems(&a, &t), vec![Problem::ExcuseWithoutReason, Problem::SuggestionEmpty]);
    }

    #[test]
    fn a_required_custom_field_left_empty_is_one_problem_of_the_record() {
        let t = Template::school_safety();
        let mut a = Activity { kind: "school_inspection".into(), ..complete() };
        assert_eq!(activity_problems(&a, &t), vec![Problem::CustomFields]);
        a.custom.insert("result".into(), crate::custom::FieldValue::Text("pass".into()));
        a.custom.insert("hazards_found".into(), crate::custom::FieldValue::Number(0.0));
        assert_eq!(activity_problems(&a, &t), vec![]);
        assert_eq!(Problem::CustomFields.field(), "custom");
    }

    #[test]
    fn a_person_needs_a_name() {
        assert_eq!(person_problems(&Person::default()), vec![Problem::NameMissing]);
        assert!(person_problems(&Person { name: "李四".into(), ..Person::default() }).is_empty());
    }
}
