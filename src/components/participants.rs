//! Participants of an activity: picked from the roster, each with attendance
//! (出席 / 请假 with a reason / 缺席), plus a count of other attendees.

use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use leptos_router::components::A;
use xunfang_core::{Activity, Attendance, Id, Participant, Roster};

#[component]
pub fn ParticipantsEditor(
    editor: Editor<Activity>,
    /// Everyone: the picker offers the active, still-serving people; a row
    /// names its person even if they were moved to the trash later.
    people: StoredValue<Roster>,
) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let picked = RwSignal::new(String::new());
    let choices = move || {
        let a = draft.read();
        people.with_value(|ps| {
            ps.active().filter(|d| d.body.active && a.participant(&d.id).is_none()).map(|d| (d.id.to_string(), d.body.name.clone())).collect::<Vec<_>>()
        })
    };
    let add = move |_| {
        let id = picked.get_untracked();
        if let Some(person) = xunfang_core::Id::parse(&id) {
            editor.edit(|a| {
                if a.participant(&person).is_none() {
                    a.participants.push(Participant { person, status: Attendance::Attended, reason: String::new() });
                }
            });
            picked.set(String::new());
        }
    };
    let ids = move || draft.read().participants.iter().map(|p| p.person.clone()).collect::<Vec<_>>();
    let roster_empty = move || people.with_value(|ps| ps.active().next().is_none());

    view! {
        <fieldset class="participants" id="participants">
            <legend>{move || i18n.t(T::Participants)}</legend>
            <ul class="participant-list">
                <For each=ids key=|id: &Id| id.clone() let:person>
                    <ParticipantRow editor=editor people=people person=person/>
                </For>
            </ul>
            <Show
                when=move || !roster_empty()
                fallback=move || view! { <p class="roster-empty">{move || i18n.t(T::RosterEmpty)} " " <A href="/people/new">{move || i18n.t(T::AddToRoster)}</A></p> }
            >
                <div class="pick-row">
                    <div class="field">
                        <label for="pick-person">{move || i18n.t(T::PickPerson)}</label>
                        <select id="pick-person" prop:value=move || picked.get() on:change=move |ev| picked.set(event_target_value(&ev))>
                            <option value="">{move || i18n.t(T::ChoosePerson)}</option>
                            {move || choices().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="button" on:click=add disabled=move || picked.get().is_empty()>{move || i18n.t(T::AddParticipant)}</button>
                    <A href="/people/new">{move || i18n.t(T::AddToRoster)}</A>
                </div>
            </Show>
            <div class="row">
                <crate::components::field::TextField
                    id="other-attendees".into()
                    kind="number"
                    label=Signal::derive(move || i18n.t(T::OtherAttendees).to_string())
                    value=Signal::derive(move || draft.read().other_attendees.to_string())
                    on_input=move |v: String| editor.edit(|a| a.other_attendees = v.trim().parse().unwrap_or(0))
                />
                <p class="computed">{move || i18n.t(T::PersonTimes)} ": " <strong>{move || draft.read().person_times()}</strong></p>
            </div>
        </fieldset>
    }
}

/// One participant. Keyed by person, so typing a reason does not rebuild the
/// row (and the input keeps focus).
#[component]
fn ParticipantRow(editor: Editor<Activity>, people: StoredValue<Roster>, person: Id) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let name = people.with_value(|ps| ps.get(&person).map(|d| d.body.name.clone()));
    let status_id = format!("att-{person}");
    let reason_id = format!("reason-{person}");
    let p = person.clone();
    let status = Memo::new(move |_| draft.read().participant(&p).map(|x| x.status).unwrap_or(Attendance::Attended));
    let p = person.clone();
    let reason = move || draft.read().participant(&p).map(|x| x.reason.clone()).unwrap_or_default();
    let (p1, p2, p3) = (person.clone(), person.clone(), person);
    view! {
        <li class="participant">
            <span class="name">
                {match name {
                    Some(n) => n.into_any(),
                    None => view! { {move || i18n.t(T::UnknownPerson)} }.into_any(),
                }}
            </span>
            <div class="field">
                <label for=status_id.clone() class="sr-label">{move || i18n.t(T::AttendanceOf)}</label>
                <select
                    id=status_id
                    on:change=move |ev| {
                        if let Some(s) = Attendance::from_key(&event_target_value(&ev)) {
                            let p1 = p1.clone();
                            editor.edit(move |a| a.participants.iter_mut().filter(|x| x.person == p1).for_each(|x| x.status = s));
                        }
                    }
                >
                    {Attendance::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.key() selected=move || status.get() == s>{move || s.label(i18n.lang())}</option> })
                        .collect_view()}
                </select>
            </div>
            <Show when=move || status.get() == Attendance::Excused>
                <div class="field">
                    <label for=reason_id.clone() class="sr-label">{move || i18n.t(T::Reason)}</label>
                    <input
                        id=reason_id.clone()
                        type="text"
                        placeholder=move || i18n.t(T::Reason)
                        prop:value=reason.clone()
                        on:input={
                            let p2 = p2.clone();
                            move |ev| {
                                let v = event_target_value(&ev);
                                let p2 = p2.clone();
                                editor.edit(move |a| a.participants.iter_mut().filter(|x| x.person == p2).for_each(|x| x.reason = v.clone()));
                            }
                        }
                    />
                </div>
            </Show>
            <button type="button" class="small" on:click=move |_| { let p3 = p3.clone(); editor.edit(move |a| a.participants.retain(|x| x.person != p3)) }>
                {move || i18n.t(T::RemoveParticipant)}
            </button>
        </li>
    }
}
