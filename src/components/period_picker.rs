//! Choosing the period a screen covers: this month, quarter or year, any
//! year or quarter by number ("2025 年度", "2026 年第三季度"), in January the
//! year just ended by name, or a custom range (and, where a list allows it, all time).

use crate::components::field::{SelectField, TextField};
use crate::device;
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use xunfang_core::period::offered_years;
use xunfang_core::records::DateRange;
use xunfang_core::Period;

/// The chosen period, as the picker's inputs hold it.
#[derive(Clone, Copy)]
pub struct PeriodChoice {
    pub kind: RwSignal<String>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    /// The year of "a year" and "a quarter" (last year until changed).
    pub year: RwSignal<String>,
    /// The quarter (1–4) of "a quarter".
    pub quarter: RwSignal<String>,
}

impl PeriodChoice {
    /// Starts at `kind`: "all", "month", "quarter", "year", "a_year", "a_quarter" or "custom".
    pub fn new(kind: &str) -> PeriodChoice {
        let last_year = (chrono::Datelike::year(&device::today()) - 1).to_string();
        PeriodChoice {
            kind: RwSignal::new(kind.to_string()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            year: RwSignal::new(last_year),
            quarter: RwSignal::new("1".into()),
        }
    }

    /// The period (subscribes to the inputs).
    pub fn period(&self) -> Period {
        match self.kind.get().as_str() {
            "month" => Period::ThisMonth,
            "quarter" => Period::ThisQuarter,
            "year" => Period::ThisYear,
            "custom" => Period::Custom { from: self.from.get().parse().ok(), to: self.to.get().parse().ok() },
            // A year typed in is hostile until checked: an unreadable one is
            // an unfinished range, like a custom range without its end.
            "a_year" => match self.year.get().trim().parse::<i32>() {
                Ok(y) if YEARS.contains(&y) => Period::Year(y),
                _ => Period::Custom { from: None, to: None },
            },
            "a_quarter" => match (self.year.get().trim().parse::<i32>(), self.quarter.get().parse::<u32>()) {
                (Ok(year), Ok(quarter)) if YEARS.contains(&year) && (1..=4).contains(&quarter) => Period::Quarter { year, quarter },
                _ => Period::Custom { from: None, to: None },
            },
            // "year-2025": a year offered by name (the year just ended, in January).
            k => match k.strip_prefix("year-").and_then(|y| y.parse::<i32>().ok()) {
                Some(y) if YEARS.contains(&y) => Period::Year(y),
                _ => Period::All,
            },
        }
    }

    /// The date range a report covers; `None` for all time or a custom
    /// range with an end not filled in yet.
    pub fn range(&self) -> Option<DateRange> {
        match self.period() {
            Period::All => None,
            Period::Custom { from: Some(from), to: Some(to) } if from <= to => Some(DateRange::new(from, to)),
            Period::Custom { .. } => None,
            p => p.range(device::today()).map(|(from, to)| DateRange::new(from, to)),
        }
    }
}

/// The years a person may type: records are of this era, and the range keeps dates valid.
const YEARS: std::ops::RangeInclusive<i32> = 1949..=2200;

#[component]
pub fn PeriodPicker(choice: PeriodChoice, id: &'static str, #[prop(optional)] with_all: bool) -> impl IntoView {
    let i18n = use_i18n();
    let options = Signal::derive(move || {
        let all = with_all.then_some(("all", T::PeriodAll));
        let fixed = |items: &[(&str, T)]| items.iter().map(|&(k, t)| (k.to_string(), i18n.t(t).to_string())).collect::<Vec<_>>();
        // The year in progress is "this year"; any other offered by name (the year just ended, in January) comes next.
        let named = offered_years(device::today())
            .into_iter()
            .skip(1)
            .filter_map(|p| match p {
                Period::Year(y) => p.name(i18n.lang()).map(|n| (format!("year-{y}"), n)),
                _ => None,
            })
            .collect::<Vec<_>>();
        let mut out = fixed(&all.into_iter().chain([("month", T::PeriodMonth), ("quarter", T::PeriodQuarter), ("year", T::PeriodYear)]).collect::<Vec<_>>());
        out.extend(named);
        out.extend(fixed(&[("a_year", T::PeriodAYear), ("a_quarter", T::PeriodAQuarter), ("custom", T::PeriodCustom)]));
        out
    });
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    let quarters = Signal::derive(move || {
        [T::Quarter1, T::Quarter2, T::Quarter3, T::Quarter4]
            .into_iter()
            .zip(1..)
            .map(|(t, n): (T, u32)| (n.to_string(), i18n.t(t).to_string()))
            .collect::<Vec<_>>()
    });
    view! {
        <SelectField id=id.to_string() label=label(T::FilterPeriod) options=options value=choice.kind on_change=move |v| choice.kind.set(v)/>
        <Show when=move || choice.kind.get() == "custom">
            <TextField id=format!("{id}-from") kind="date" label=label(T::From) value=choice.from on_input=move |v| choice.from.set(v)/>
            <TextField id=format!("{id}-to") kind="date" label=label(T::To) value=choice.to on_input=move |v| choice.to.set(v)/>
        </Show>
        <Show when=move || matches!(choice.kind.get().as_str(), "a_year" | "a_quarter")>
            <TextField id=format!("{id}-year") kind="number" label=label(T::PeriodYearNumber) value=choice.year on_input=move |v| choice.year.set(v)/>
        </Show>
        <Show when=move || choice.kind.get() == "a_quarter">
            <SelectField id=format!("{id}-quarter") label=label(T::PeriodQuarterNumber) options=quarters value=choice.quarter on_change=move |v| choice.quarter.set(v)/>
        </Show>
    }
}
