//! Kinds of activity and roles of people are data, not enums: a team doing
//! school or safety inspections brings its own template without code changes.
//! The built-in template is the liaison office's vocabulary from the domain notes.

use serde::{Deserialize, Serialize};

/// One kind of activity: a stable key stored in records, and its labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindDef {
    pub key: String,
    pub zh: String,
    pub en: String,
}

/// A role a person on the roster can have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDef {
    pub key: String,
    pub zh: String,
    pub en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub kinds: Vec<KindDef>,
    pub roles: Vec<RoleDef>,
}

fn def(key: &str, zh: &str, en: &str) -> (String, String, String) {
    (key.to_string(), zh.to_string(), en.to_string())
}

impl Template {
    /// The default template: CPPCC / people's congress / court liaison work.
    pub fn liaison() -> Template {
        let kinds = [
            def("inspection", "视察", "Inspection"),
            def("survey", "调研", "Survey"),
            def("visit", "走访", "Visit"),
            def("forum", "座谈会", "Forum"),
            def("hearing", "旁听庭审", "Court hearing"),
            def("study", "学习", "Study session"),
            def("appraisal", "民主评议", "Appraisal"),
            def("other", "其他", "Other"),
        ]
        .into_iter()
        .map(|(key, zh, en)| KindDef { key, zh, en })
        .collect();
        let roles = [
            def("member", "委员", "CPPCC member"),
            def("deputy", "代表", "Deputy"),
            def("liaison", "联络员", "Liaison officer"),
            def("supervisor", "廉政监督员", "Integrity supervisor"),
            def("other", "其他", "Other"),
        ]
        .into_iter()
        .map(|(key, zh, en)| RoleDef { key, zh, en })
        .collect();
        Template { kinds, roles }
    }

    pub fn kind(&self, key: &str) -> Option<&KindDef> {
        self.kinds.iter().find(|k| k.key == key)
    }

    pub fn role(&self, key: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.key == key)
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

    /// (key, label) of every kind, in template order: a picker's options.
    pub fn kind_options(&self, english: bool) -> Vec<(String, String)> {
        self.kinds.iter().map(|k| (k.key.clone(), if english { &k.en } else { &k.zh }.clone())).collect()
    }

    /// (key, label) of every role, in template order: a picker's options.
    pub fn role_options(&self, english: bool) -> Vec<(String, String)> {
        self.roles.iter().map(|r| (r.key.clone(), if english { &r.en } else { &r.zh }.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liaison_template_has_the_domain_kinds_and_a_new_kind_needs_no_code() {
        let mut t = Template::liaison();
        assert_eq!(t.kind_label("hearing", false), "旁听庭审");
        assert_eq!(t.kind_label("hearing", true), "Court hearing");
        t.kinds.push(KindDef { key: "school".into(), zh: "学校检查".into(), en: "School inspection".into() });
        assert_eq!(t.kind_label("school", false), "学校检查");
        assert_eq!(t.kind_label("unknown-kind", true), "unknown-kind");
        assert_eq!(t.kind_options(false).last(), Some(&("school".to_string(), "学校检查".to_string())));
        assert_eq!(t.role_options(true)[0], ("member".to_string(), "CPPCC member".to_string()));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), t);
    }
}
