//! The roster as every screen sees it: people sorted by name, who can be picked, whose name a
//! record still shows. One rule here instead of a filter and a sort in each screen and in storage.

use crate::{Document, Id, Person, Suggestion};

/// Everyone on the roster, trashed people included, sorted by name (then id, so that two people
/// with the same name keep one order on every device).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Roster {
    people: Vec<Document<Person>>,
}

impl Roster {
    pub fn new(mut people: Vec<Document<Person>>) -> Roster {
        people.sort_by(|a, b| a.body.name.cmp(&b.body.name).then_with(|| a.id.as_str().cmp(b.id.as_str())));
        Roster { people }
    }

    /// People who can be picked and are listed: not in the trash.
    pub fn active(&self) -> impl Iterator<Item = &Document<Person>> {
        self.people.iter().filter(|p| !p.trashed)
    }

    /// The active people, owned (for a list screen or a picker).
    pub fn into_active(self) -> Vec<Document<Person>> {
        self.people.into_iter().filter(|p| !p.trashed).collect()
    }

    /// Everyone, trashed people included: a record that names someone who was later trashed
    /// still shows that name.
    pub fn everyone(&self) -> &[Document<Person>] {
        &self.people
    }

    /// The person with this id, trashed or not.
    pub fn get(&self, id: &Id) -> Option<&Document<Person>> {
        self.people.iter().find(|p| &p.id == id)
    }

    /// The active person who raised `suggestion` (see `raised_by`), the first by name when
    /// two share it: who a proposal made from the suggestion names as its lead.
    pub fn raiser_of(&self, suggestion: &Suggestion) -> Option<&Document<Person>> {
        self.active().find(|p| raised_by(suggestion, &p.body))
    }
}

/// Whether `person` raised `suggestion`: its `raised_by` is free text, and it names a roster
/// person when it is that person's name (spaces around either ignored). A villager's name, or
/// an empty one, names nobody. Points and promoting a suggestion both attribute by this rule.
pub fn raised_by(suggestion: &Suggestion, person: &Person) -> bool {
    let (who, name) = (suggestion.raised_by.trim(), person.name.trim());
    !who.is_empty() && who == name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{id, stamp};

    fn person(n: u64, name: &str) -> Document<Person> {
        Document::create(id(n), Person { name: name.into(), ..Person::default() }, stamp(1))
    }

    fn people() -> Vec<Document<Person>> {
        let mut trashed = person(3, "陈三");
        trashed.trashed = true;
        vec![person(1, "王五"), trashed, person(2, "李四")]
    }

    #[test]
    fn pickers_list_people_by_name_without_the_trashed() {
        let roster = Roster::new(people());
        let names: Vec<_> = roster.active().map(|p| p.body.name.as_str()).collect();
        assert_eq!(names, ["李四", "王五"]);
        assert_eq!(roster.clone().into_active().len(), 2);
    }

    #[test]
    fn a_trashed_person_is_still_found_by_id_for_old_records() {
        let roster = Roster::new(people());
        assert_eq!(roster.everyone().len(), 3);
        let trashed = roster.everyone().iter().find(|p| p.trashed).unwrap();
        assert_eq!(roster.get(&trashed.id).unwrap().body.name, "陈三");
    }

    #[test]
    fn a_suggestion_names_the_active_person_whose_name_it_gives() {
        let roster = Roster::new(people());
        let by = |who: &str| Suggestion { raised_by: who.into(), ..Suggestion::new(id(9)) };
        assert_eq!(roster.raiser_of(&by(" 李四 ")).map(|p| p.id.clone()), Some(id(2)));
        assert_eq!(roster.raiser_of(&by("陈三")), None, "a trashed person is not picked");
        assert_eq!(roster.raiser_of(&by("村民甲")), None, "a villager is not on the roster");
        assert!(!raised_by(&by(""), &Person::default()), "an empty name names nobody");
        assert!(raised_by(&by("陈三"), &roster.get(&id(3)).unwrap().body), "the rule itself ignores the trash");
    }

    #[test]
    fn people_with_one_name_keep_one_order() {
        let a = person(1, "张三");
        let b = person(2, "张三");
        let one = Roster::new(vec![a.clone(), b.clone()]);
        let other = Roster::new(vec![b, a]);
        assert_eq!(one, other);
    }
}
