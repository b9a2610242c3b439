//! The team's template (团队模板), edited at the office: kinds of activity,
//! roles, each kind's own fields, the attendance thresholds, the points
//! scheme's base and pass mark, the default duration; with a preview of the
//! record editor. Saved into the synced team-settings document (autosaved in
//! the editor shell like a record, conflicts shown the same way).

use crate::components::custom_fields::{CustomFields, ValueChange};
use crate::components::editor_shell::{EditorPage, Opened};
use crate::components::field::{CheckField, SelectField, TextArea, TextField};
use crate::editing::Editor;
use crate::i18n::{use_i18n, T};
use crate::storage::{Db, StoreError};
use leptos::prelude::*;
use std::collections::BTreeMap;
use xunfang_core::custom::FieldValue;
use xunfang_core::template::{team_settings_id, ChoiceDef, FieldDef, LabelDef};
use xunfang_core::{FieldType, Template};

/// The stored settings, or those this device uses until the team saves some.
async fn open(_: Option<String>) -> Result<Option<Opened<Template, ()>>, StoreError> {
    let stored = Db::app().await?.team_settings().await?;
    let mut doc = stored.unwrap_or_else(crate::settings::first_settings);
    // Listed in their order; the order of a keyed list is no change of its own.
    doc.body = doc.body.in_order();
    let blank = doc.body.clone();
    Ok(Some(Opened { id: team_settings_id(), doc: Some(doc), blank, extra: () }))
}

/// The label of a settings field name (for conflicts).
fn labels(name: &str) -> Option<T> {
    Some(match name {
        "kinds" => T::TplKinds,
        "roles" => T::TplRoles,
        "fields" => T::TplFields,
        "rule" => T::TplRule,
        "scheme" => T::PointsScheme,
        "default_minutes" => T::TplDefaultMinutes,
        "zh" => T::TplLabelZh,
        "en" => T::TplLabelEn,
        "retired" => T::TplRetired,
        "required" => T::TplRequired,
        "unit" => T::TplUnit,
        "options" => T::TplOptions,
        "type" => T::TplType,
        "kind" => T::FieldKind,
        _ => return None,
    })
}

#[component]
pub fn TemplatePage() -> impl IntoView {
    view! {
        <EditorPage
            back_href="/office"
            back_label=T::BackToOffice
            heading=T::TplTitle
            not_found=T::PageNotFound
            open=open
            labels=labels
            form=|editor, ()| view! { <TemplateForm editor=editor/> }
        />
    }
}

/// The rows of kinds or roles (`list` picks which), and "add".
#[component]
fn LabelRows(editor: Editor<Template>, list: fn(&mut Template) -> &mut Vec<LabelDef>, heading: T, add: T, prefix: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let read = move |key: &str, f: fn(&LabelDef) -> String| {
        let key = key.to_string();
        Signal::derive(move || list(&mut draft.get()).iter().find(|d| d.key == key).map(f).unwrap_or_default())
    };
    let change = move |key: String, set: Box<dyn FnOnce(&mut LabelDef)>| {
        editor.edit(|t| {
            if let Some(d) = list(t).iter_mut().find(|d| d.key == key) {
                set(d);
            }
        })
    };
    // In their order, whatever order a merge left the list in.
    let keys = move || {
        let mut items = list(&mut draft.get()).clone();
        items.sort_by_key(|d| d.position);
        items.into_iter().map(|d| d.key).collect::<Vec<_>>()
    };
    let add_one = move |_| {
        editor.edit(|t| {
            let items = list(t);
            let key = Template::fresh_key(prefix, items.iter().map(|d| d.key.as_str()));
            let position = Template::next_position(items.iter().map(|d| d.position));
            items.push(LabelDef { position, ..LabelDef::new(&key, "", "") });
        })
    };
    let label = move |k: T| Signal::derive(move || i18n.t(k).to_string());
    view! {
        <section class="tpl-section">
            <h2>{move || i18n.t(heading)}</h2>
            <For each=keys key=|k: &String| k.clone() let:key>
                <div class="row tpl-row" data-key=key.clone()>
                    <TextField id=format!("{prefix}zh-{key}") label=label(T::TplLabelZh) value=read(&key, |d| d.zh.clone()) on_input={
                        let key = key.clone();
                        move |v: String| change(key.clone(), Box::new(move |d| d.zh = v))
                    }/>
                    <TextField id=format!("{prefix}en-{key}") label=label(T::TplLabelEn) value=read(&key, |d| d.en.clone()) on_input={
                        let key = key.clone();
                        move |v: String| change(key.clone(), Box::new(move |d| d.en = v))
                    }/>
                    <CheckField id=format!("{prefix}retired-{key}") label=label(T::TplRetired) checked=Signal::derive({
                        let key = key.clone();
                        move || list(&mut draft.get()).iter().any(|d| d.key == key && d.retired)
                    }) on_change={
                        let key = key.clone();
                        move |on| change(key.clone(), Box::new(move |d| d.retired = on))
                    }/>
                </div>
            </For>
            <button type="button" on:click=add_one>{move || i18n.t(add)}</button>
        </section>
    }
}

/// Options of a choice field as the editor shows them: one per line,
/// "中文 / English". A line keeps the key of the option it had before (found
/// by either label), so values in old records keep their meaning.
fn options_text(def: &FieldDef) -> String {
    def.options.iter().map(|o| format!("{} / {}", o.zh, o.en)).collect::<Vec<_>>().join("\n")
}

fn options_from(text: &str, old: &[ChoiceDef]) -> Vec<ChoiceDef> {
    let mut out: Vec<ChoiceDef> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (zh, en) = line.split_once('/').map_or((line, line), |(z, e)| (z.trim(), e.trim()));
        let known = old.iter().find(|o| (o.zh == zh || o.en == en) && !out.iter().any(|x| x.key == o.key));
        let key = known.map_or_else(|| Template::fresh_key("o", old.iter().chain(&out).map(|o| o.key.as_str())), |o| o.key.clone());
        out.push(ChoiceDef { key, zh: zh.to_string(), en: en.to_string() });
    }
    out
}

/// The fields of every kind, and "add a field" (to the kind the preview shows).
#[component]
fn FieldRows(editor: Editor<Template>, preview_kind: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let field = move |key: &str| {
        let key = key.to_string();
        move || draft.read().field(&key).cloned().unwrap_or_default()
    };
    let change = move |key: String, f: Box<dyn FnOnce(&mut FieldDef)>| {
        editor.edit(|t| {
            if let Some(d) = t.fields.iter_mut().find(|d| d.key == key) {
                f(d);
            }
        })
    };
    let keys = move || draft.get().in_order().fields.into_iter().map(|f| f.key).collect::<Vec<_>>();
    let add = move |_| {
        editor.edit(|t| {
            let key = Template::fresh_key("field_", t.fields.iter().map(|f| f.key.as_str()));
            let kind = preview_kind.get_untracked();
            let position = Template::next_position(t.fields.iter().map(|f| f.position));
            t.fields.push(FieldDef { key, kind, position, ..FieldDef::default() });
        })
    };
    let label = move |k: T| Signal::derive(move || i18n.t(k).to_string());
    let kinds = Signal::derive(move || draft.get().in_order().kind_options(i18n.english(), ""));
    let types = Signal::derive(move || FieldType::ALL.iter().map(|t| (t.key().to_string(), type_label(*t, i18n.english()).to_string())).collect::<Vec<_>>());
    view! {
        <section class="tpl-section">
            <h2>{move || i18n.t(T::TplFields)}</h2>
            <For each=keys key=|k: &String| k.clone() let:key>
                {
                    let get = field(&key);
                    let k = key.clone();
                    let set = move |f: Box<dyn FnOnce(&mut FieldDef)>| change(k.clone(), f);
                    let (s1, s2, s3, s4, s5, s6, s7, s8) = (set.clone(), set.clone(), set.clone(), set.clone(), set.clone(), set.clone(), set.clone(), set);
                    let (g1, g2, g3, g4, g5, g6, g7, g8) = (get.clone(), get.clone(), get.clone(), get.clone(), get.clone(), get.clone(), get.clone(), get.clone());
                    let old_options = get.clone();
                    view! {
                        <fieldset class="tpl-field" data-key=key.clone()>
                            <div class="row">
                                <SelectField id=format!("field-kind-{key}") label=label(T::FieldKind) options=kinds value=Signal::derive(move || g1().kind) on_change=move |v| s1(Box::new(move |d| d.kind = v))/>
                                <TextField id=format!("field-zh-{key}") label=label(T::TplLabelZh) value=Signal::derive(move || g2().zh) on_input=move |v| s2(Box::new(move |d| d.zh = v))/>
                                <TextField id=format!("field-en-{key}") label=label(T::TplLabelEn) value=Signal::derive(move || g3().en) on_input=move |v| s3(Box::new(move |d| d.en = v))/>
                                <SelectField id=format!("field-type-{key}") label=label(T::TplType) options=types value=Signal::derive(move || g4().field_type.key().to_string()) on_change=move |v: String| s4(Box::new(move |d| d.field_type = FieldType::from_key(&v).unwrap_or_default()))/>
                                <TextField id=format!("field-unit-{key}") label=label(T::TplUnit) value=Signal::derive(move || g5().unit) on_input=move |v| s5(Box::new(move |d| d.unit = v))/>
                            </div>
                            <Show when=move || g8().field_type == FieldType::Choice>
                                <TextArea id=format!("field-options-{}", get().key) label=label(T::TplOptionsHint) value=Signal::derive({ let g = get.clone(); move || options_text(&g()) }) on_input={
                                    let (s, old) = (s6.clone(), old_options.clone());
                                    move |v: String| {
                                        let options = options_from(&v, &old().options);
                                        s(Box::new(move |d| d.options = options))
                                    }
                                } rows=3/>
                            </Show>
                            <div class="row">
                                <CheckField id=format!("field-required-{key}") label=label(T::TplRequired) checked=Signal::derive(move || g6().required) on_change=move |on| s7(Box::new(move |d| d.required = on))/>
                                <CheckField id=format!("field-retired-{key}") label=label(T::TplRetired) checked=Signal::derive(move || g7().retired) on_change=move |on| s8(Box::new(move |d| d.retired = on))/>
                            </div>
                        </fieldset>
                    }
                }
            </For>
            <button type="button" on:click=add>{move || i18n.t(T::TplAddField)}</button>
        </section>
    }
}

fn type_label(t: FieldType, english: bool) -> &'static str {
    let (zh, en) = match t {
        FieldType::Text => ("文字", "Text"),
        FieldType::LongText => ("长文字", "Long text"),
        FieldType::Number => ("数字", "Number"),
        FieldType::YesNo => ("是/否", "Yes/no"),
        FieldType::Choice => ("单选", "One of a list"),
        FieldType::Date => ("日期", "Date"),
    };
    if english {
        en
    } else {
        zh
    }
}

/// Points per occurrence of each rule of the scheme, and its cap (empty: none).
#[component]
fn PointsRules(editor: Editor<Template>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let label = move |k: T| Signal::derive(move || i18n.t(k).to_string());
    let rules = move || (0..draft.read().scheme.rules.len()).collect::<Vec<_>>();
    let rule_text =
        move |i: usize, get: fn(&xunfang_core::points::Rule) -> String| Signal::derive(move || draft.read().scheme.rules.get(i).map(get).unwrap_or_default());
    view! {
        <section class="tpl-section">
            <h2>{move || i18n.t(T::PointsScheme)}</h2>
            <For each=rules key=|i: &usize| *i let:i>
                <div class="row tpl-points">
                    <p class="tpl-points-item">{move || draft.read().scheme.rules.get(i).map(|r| i18n.t(crate::i18n::points_item(&r.item)))}</p>
                    <TextField id=format!("tpl-points-{i}") kind="number" label=label(T::TplPoints) value=rule_text(i, |r| r.points.to_string()) on_input=move |v: String| {
                        if let Ok(n) = v.trim().parse::<i32>() {
                            editor.edit(|t| if let Some(r) = t.scheme.rules.get_mut(i) { r.points = n })
                        }
                    }/>
                    <TextField id=format!("tpl-cap-{i}") kind="number" label=label(T::PointsCap) value=rule_text(i, |r| r.cap.map(|c| c.to_string()).unwrap_or_default()) on_input=move |v: String| {
                        let cap = v.trim().parse::<u32>().ok();
                        if cap.is_some() || v.trim().is_empty() {
                            editor.edit(|t| if let Some(r) = t.scheme.rules.get_mut(i) { r.cap = cap })
                        }
                    }/>
                </div>
            </For>
        </section>
    }
}

#[component]
fn TemplateForm(editor: Editor<Template>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = editor.draft;
    let label = move |k: T| Signal::derive(move || i18n.t(k).to_string());
    // The preview opens on the first active kind with fields of its own.
    let first_kind = {
        let t = draft.get_untracked();
        let active = || t.kinds.iter().filter(|k| !k.retired);
        active().find(|k| t.fields_of(&k.key).next().is_some()).or_else(|| active().next()).map(|k| k.key.clone()).unwrap_or_default()
    };
    let preview_kind = RwSignal::new(first_kind);
    let sample = RwSignal::new(BTreeMap::<String, FieldValue>::new());
    let number = move |get: fn(&Template) -> u32, set: fn(&mut Template, u32)| {
        (Signal::derive(move || get(&draft.read()).to_string()), move |v: String| {
            if let Ok(n) = v.trim().parse::<u32>() {
                editor.edit(|t| set(t, n))
            }
        })
    };
    let signed = move |get: fn(&Template) -> i32, set: fn(&mut Template, i32)| {
        (Signal::derive(move || get(&draft.read()).to_string()), move |v: String| {
            if let Ok(n) = v.trim().parse::<i32>() {
                editor.edit(|t| set(t, n))
            }
        })
    };
    let (warn, set_warn) = number(|t| t.rule.warn_after, |t, n| t.rule.warn_after = n);
    let (remove, set_remove) = number(|t| t.rule.remove_after, |t, n| t.rule.remove_after = n);
    let (minutes, set_minutes) = number(|t| t.default_minutes, |t, n| t.default_minutes = n);
    let (base, set_base) = signed(|t| t.scheme.base, |t, n| t.scheme.base = n);
    let (pass, set_pass) = signed(|t| t.scheme.pass_mark, |t, n| t.scheme.pass_mark = n);
    let problems = Memo::new(move |_| draft.read().problems());
    let adopt = move |example: fn() -> Template| move |_| editor.edit(|t| t.adopt(&example()));
    // What is saved is in use on this device at once (the record editor,
    // reports); other devices get it with their next sync.
    Effect::new(move |_| {
        if let Some(doc) = editor.doc.get() {
            crate::settings::use_template(&doc.body);
        }
    });
    view! {
        <form class="template-form" on:submit=|ev| ev.prevent_default()>
            <section class="tpl-section">
                <h2>{move || i18n.t(T::TplExamples)}</h2>
                <p>{move || i18n.t(T::TplExamplesHint)}</p>
                <button type="button" on:click=adopt(Template::liaison)>{move || i18n.t(T::TplUseLiaison)}</button>
                " "
                <button type="button" on:click=adopt(Template::school_safety)>{move || i18n.t(T::TplUseSchool)}</button>
            </section>
            <Show when=move || !problems.read().is_empty()>
                <div class="problems" role="status" data-testid="template-problems">
                    <ul>{move || problems.get().into_iter().map(|p| view! { <li>{p.message(i18n.lang())}</li> }).collect_view()}</ul>
                </div>
            </Show>
            <LabelRows editor=editor list=|t: &mut Template| &mut t.kinds heading=T::TplKinds add=T::TplAddKind prefix="kind_"/>
            <FieldRows editor=editor preview_kind=preview_kind/>
            <LabelRows editor=editor list=|t: &mut Template| &mut t.roles heading=T::TplRoles add=T::TplAddRole prefix="role_"/>
            <section class="tpl-section">
                <h2>{move || i18n.t(T::TplRule)}</h2>
                <div class="row">
                    <TextField id="tpl-warn-after".into() kind="number" label=label(T::WarnAfter) value=warn on_input=set_warn/>
                    <TextField id="tpl-remove-after".into() kind="number" label=label(T::RemoveAfter) value=remove on_input=set_remove/>
                    <TextField id="tpl-default-minutes".into() kind="number" label=label(T::TplDefaultMinutes) value=minutes on_input=set_minutes/>
                    <TextField id="tpl-points-base".into() kind="number" label=label(T::PointsBase) value=base on_input=set_base/>
                    <TextField id="tpl-points-pass".into() kind="number" label=label(T::PointsPass) value=pass on_input=set_pass/>
                </div>
            </section>
            <PointsRules editor=editor/>
            <section class="tpl-section tpl-preview" data-testid="template-preview">
                <h2>{move || i18n.t(T::TplPreview)}</h2>
                <SelectField
                    id="tpl-preview-kind".into()
                    label=label(T::FieldKind)
                    options=Signal::derive(move || draft.get().in_order().kind_options(i18n.english(), ""))
                    value=preview_kind
                    on_change=move |v| preview_kind.set(v)
                />
                <CustomFields
                    kind=preview_kind
                    template=Signal::derive(move || draft.get().in_order())
                    values=sample
                    on_change=Callback::new(move |(key, value): ValueChange| sample.update(|s| {
                        match value {
                            Some(v) => s.insert(key, v),
                            None => s.remove(&key),
                        };
                    }))
                />
            </section>
        </form>
    }
}
