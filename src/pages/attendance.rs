//! Attendance and points (考勤与履职积分): per person over a period, invited /
//! attended / excused / absent, the longest run of absences, what the rule
//! says (口头警告, 建议取消资格; thresholds are team settings, synced), and
//! the score under the team's points scheme.

use crate::components::field::TextField;
use crate::components::loaded::Loaded;
use crate::components::period_picker::{PeriodChoice, PeriodPicker};
use crate::i18n::{use_i18n, T};
use crate::settings;
use crate::storage::Db;
use leptos::prelude::*;
use leptos_router::components::A;
use xunfang_core::attendance_rule::RuleSettings;
use xunfang_core::records::{AllDocs, DateRange};
use xunfang_core::report::period_report;
use xunfang_core::Attendance;

#[component]
pub fn AttendancePage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(|| async { Db::app().await?.all_docs().await });
    let period = PeriodChoice::new("year");
    let rule = RwSignal::new(settings::rule_settings());
    let save_error = RwSignal::new(None::<crate::storage::StoreError>);
    // Settings synced in (or loaded after the page was drawn) show here too.
    Effect::new(move |_| rule.set(settings::rule_settings()));
    // The thresholds are team settings: saved into the synced document, so
    // every office computer flags the same people.
    let set_rule = move |change: fn(&mut RuleSettings, u32), v: String| {
        if let Ok(n) = v.trim().parse::<u32>() {
            rule.update(|r| change(r, n));
            let chosen = rule.get_untracked();
            leptos::task::spawn_local(async move {
                save_error.set(crate::editing::update_settings(move |t| t.rule = chosen).await.err());
            });
        }
    };
    let label = move |key: T| Signal::derive(move || i18n.t(key).to_string());

    let table = move |docs: AllDocs, range: DateRange| {
        let report = period_report(&docs.records(), range, &settings::template(), &rule.get(), &settings::template().scheme);
        let lang = i18n.lang();
        let rows = report
            .sheet_flagged_first()
            .into_iter()
            .cloned()
            .map(|a| {
                view! {
                    <tr class:flagged=a.flag.is_some()>
                        <th scope="row">{a.name}</th>
                        <td>{a.count.invited}</td>
                        <td>{a.count.attended}</td>
                        <td>{a.count.excused}</td>
                        <td>{a.count.absent}</td>
                        <td>{a.longest_absent_run}</td>
                        <td class="flag">{a.flag.map(|f| f.label(lang))}</td>
                        <td>{a.score}</td>
                        <td>{move || if a.passed { i18n.t(T::Yes) } else { i18n.t(T::No) }}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="sheet">
                    <thead><tr>
                        <th scope="col">{move || i18n.t(T::Name)}</th>
                        <th scope="col">{move || i18n.t(T::Invited)}</th>
                        <th scope="col">{move || Attendance::Attended.label(i18n.lang())}</th>
                        <th scope="col">{move || Attendance::Excused.label(i18n.lang())}</th>
                        <th scope="col">{move || Attendance::Absent.label(i18n.lang())}</th>
                        <th scope="col">{move || i18n.t(T::LongestAbsentRun)}</th>
                        <th scope="col">{move || i18n.t(T::AttendanceFlag)}</th>
                        <th scope="col">{move || i18n.t(T::Score)}</th>
                        <th scope="col">{move || i18n.t(T::Passed)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    };

    view! {
        <section class="page">
            <A href="/office" attr:class="back">{move || i18n.t(T::BackToOffice)}</A>
            <div class="page-head"><h1>{move || i18n.t(T::AttendanceTitle)}</h1></div>
            <div class="filters">
                <PeriodPicker choice=period id="att-period"/>
                <TextField id="warn-after".into() kind="number" label=label(T::WarnAfter) value=Signal::derive(move || rule.get().warn_after.to_string()) on_input=move |v| set_rule(|r, n| r.warn_after = n, v)/>
                <TextField id="remove-after".into() kind="number" label=label(T::RemoveAfter) value=Signal::derive(move || rule.get().remove_after.to_string()) on_input=move |v| set_rule(|r, n| r.remove_after = n, v)/>
            </div>
            {move || save_error.get().map(|e| view! { <crate::components::store_error::StoreErrorNotice error=e/> })}
            <PointsScheme/>
            <Loaded data=data content=move |(docs, _)| match period.range() {
                Some(range) => table(docs, range).into_any(),
                None => view! { <p class="notice">{move || i18n.t(T::ChooseRange)}</p> }.into_any(),
            }/>
        </section>
    }
}

/// The team's points scheme in words.
#[component]
fn PointsScheme() -> impl IntoView {
    let i18n = use_i18n();
    let scheme = settings::template().scheme.clone();
    let rules = scheme
        .rules
        .iter()
        .map(|r| {
            let what = crate::i18n::points_item(&r.item);
            let (points, cap) = (r.points, r.cap);
            view! {
                <li>
                    {move || i18n.t(what)} " " {format!("{points:+}")}
                    {cap.map(|c| view! { " (" {move || i18n.t(T::PointsCap)} " " {c} ")" })}
                </li>
            }
        })
        .collect_view();
    let (base, pass) = (scheme.base, scheme.pass_mark);
    view! {
        <details class="scheme">
            <summary>{move || i18n.t(T::PointsScheme)}</summary>
            <p>{move || i18n.t(T::PointsBase)} " " {base} " · " {move || i18n.t(T::PointsPass)} " " {pass}</p>
            <ul>{rules}</ul>
        </details>
    }
}
