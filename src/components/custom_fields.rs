//! The inputs of a kind's custom fields (`xunfang_core::template::FieldDef`),
//! one per active field, each with the message of its problem beside it; and
//! the values of fields no longer shown (retired or from elsewhere), read only.
//! The record editor binds it to its draft, the template screen's preview to
//! a sample record.

use crate::components::field::{SelectField, TextArea, TextField};
use crate::i18n::{use_i18n, T};
use leptos::prelude::*;
use std::collections::BTreeMap;
use xunfang_core::custom::{check, display, header, FieldValue};
use xunfang_core::{FieldDef, FieldType, Template};

/// A change to one value: the field's key and the new value (`None`: cleared).
pub type ValueChange = (String, Option<FieldValue>);

/// What an input's text means for a field of this type: blank is no value;
/// a number that does not read stays text, so the field's problem says so.
fn value_of(def: &FieldDef, text: String) -> Option<FieldValue> {
    if text.trim().is_empty() {
        return None;
    }
    Some(match def.field_type {
        FieldType::Number => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()).map_or(FieldValue::Text(text), FieldValue::Number),
        FieldType::YesNo => FieldValue::Bool(text == "yes"),
        _ => FieldValue::Text(text),
    })
}

/// The text an input shows for a stored value.
fn text_of(value: Option<&FieldValue>) -> String {
    match value {
        None => String::new(),
        Some(FieldValue::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
        Some(FieldValue::Number(n)) => xunfang_core::custom::number_text(*n),
        Some(FieldValue::Text(t)) => t.clone(),
    }
}

#[component]
pub fn CustomFields(
    /// The record's kind.
    #[prop(into)]
    kind: Signal<String>,
    /// The template whose fields are shown.
    #[prop(into)]
    template: Signal<Template>,
    /// The record's values.
    #[prop(into)]
    values: Signal<BTreeMap<String, FieldValue>>,
    on_change: Callback<ValueChange>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let t = template.get();
        let kind = kind.get();
        let lang = i18n.lang();
        let defs: Vec<FieldDef> = t.fields_of(&kind).cloned().collect();
        let shown: Vec<String> = defs.iter().map(|d| d.key.clone()).collect();
        let inputs = defs
            .into_iter()
            .map(|def| {
                let id = format!("custom-{}", def.key);
                let label = Signal::derive({
                    let def = def.clone();
                    move || header(&def, i18n.lang())
                });
                let key = def.key.clone();
                let value = Signal::derive({
                    let key = key.clone();
                    move || text_of(values.read().get(&key))
                });
                let problem = Signal::derive({
                    let def = def.clone();
                    move || check(&def, values.read().get(&def.key)).map(|p| p.label(i18n.lang()))
                });
                let set = {
                    let def = def.clone();
                    Callback::new(move |text: String| on_change.run((def.key.clone(), value_of(&def, text))))
                };
                let choose = Signal::derive(move || i18n.t(T::ChooseKind).to_string());
                let input = match def.field_type {
                    FieldType::Text => view! { <TextField id=id.clone() label=label value=value on_input=set invalid=Signal::derive(move || problem.get().is_some()) required=def.required/> }.into_any(),
                    FieldType::Number => view! { <TextField id=id.clone() kind="number" label=label value=value on_input=set invalid=Signal::derive(move || problem.get().is_some()) required=def.required/> }.into_any(),
                    FieldType::Date => view! { <TextField id=id.clone() kind="date" label=label value=value on_input=set invalid=Signal::derive(move || problem.get().is_some()) required=def.required/> }.into_any(),
                    FieldType::LongText => view! { <TextArea id=id.clone() label=label value=value on_input=set rows=3/> }.into_any(),
                    FieldType::YesNo => {
                        let options = Signal::derive(move || vec![("yes".to_string(), i18n.t(T::Yes).to_string()), ("no".to_string(), i18n.t(T::No).to_string())]);
                        view! { <SelectField id=id.clone() label=label options=options value=value on_change=set placeholder=choose invalid=Signal::derive(move || problem.get().is_some())/> }.into_any()
                    }
                    FieldType::Choice => {
                        let options = Signal::derive({
                            let def = def.clone();
                            move || def.options.iter().map(|o| (o.key.clone(), def.option_label(&o.key, i18n.english()).to_string())).collect::<Vec<_>>()
                        });
                        view! { <SelectField id=id.clone() label=label options=options value=value on_change=set placeholder=choose invalid=Signal::derive(move || problem.get().is_some())/> }.into_any()
                    }
                };
                view! {
                    <div class="custom-field" data-field=key>
                        {input}
                        {move || problem.get().map(|p| view! { <p class="field-problem" role="alert">{p}</p> })}
                    </div>
                }
            })
            .collect_view();
        // Values the inputs do not show stay readable (a retired field, a
        // field of another kind or of a newer template).
        let others: Vec<(String, String)> = values
            .read()
            .iter()
            .filter(|(k, _)| !shown.contains(k))
            .map(|(k, v)| {
                let def = t.field(k);
                (def.map_or_else(|| k.clone(), |d| header(d, lang)), display(def, v, lang))
            })
            .collect();
        let others = (!others.is_empty()).then(|| {
            let items = others.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view();
            view! {
                <dl class="custom-other" aria-label=i18n.t(T::OtherCustomValues)>{items}</dl>
            }
        });
        (!shown.is_empty() || others.is_some()).then(|| {
            view! {
                <fieldset class="custom-fields">
                    <legend>{i18n.t(T::KindFields)}</legend>
                    <div class="row">{inputs}</div>
                    {others}
                </fieldset>
            }
        })
    }
}
