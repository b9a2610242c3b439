//! Choosing the period a screen covers: this month, quarter or year, or a
//! custom range (and, where a list allows it, all time).

use crate::components::field::{SelectField, TextField};
use crate::device;
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use xunfang_core::records::DateRange;
use xunfang_core::Period;

/// The chosen period, as the picker's inputs hold it.
#[derive(Clone, Copy)]
pub struct PeriodChoice {
    pub kind: RwSignal<String>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
}

impl PeriodChoice {
    /// Starts at `kind`: "all", "month", "quarter", "year" or "custom".
    pub fn new(kind: &str) -> PeriodChoice {
        PeriodChoice { kind: RwSignal::new(kind.to_string()), from: RwSignal::new(String::new()), to: RwSignal::new(String::new()) }
    }

    /// The period (subscribes to the inputs).
    pub fn period(&self) -> Period {
        match self.kind.get().as_str() {
            "month" => Period::ThisMonth,
            "quarter" => Period::ThisQuarter,
            "year" => Period::ThisYear,
            "custom" => Period::Custom { from: self.from.get().parse().ok(), to: self.to.get().parse().ok() },
            _ => Period::All,
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

#[component]
pub fn PeriodPicker(choice: PeriodChoice, id: &'static str, #[prop(optional)] with_all: bool) -> impl IntoView {
    let i18n = use_i18n();
    let options = Signal::derive(move || {
        let all = with_all.then_some(("all", T::PeriodAll));
        all.into_iter()
            .chain([("month", T::PeriodMonth), ("quarter", T::PeriodQuarter), ("year", T::PeriodYear), ("custom", T::PeriodCustom)])
            .map(|(k, t)| (k.to_string(), i18n.t(t).to_string()))
            .collect::<Vec<_>>()
    });
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());
    view! {
        <SelectField id=id.to_string() label=label(T::FilterPeriod) options=options value=choice.kind on_change=move |v| choice.kind.set(v)/>
        <Show when=move || choice.kind.get() == "custom">
            <TextField id=format!("{id}-from") kind="date" label=label(T::From) value=choice.from on_input=move |v| choice.from.set(v)/>
            <TextField id=format!("{id}-to") kind="date" label=label(T::To) value=choice.to on_input=move |v| choice.to.set(v)/>
        </Show>
    }
}
