//! Merging two replicas of the same document, field by field, so that every
//! device ends with the same document whatever order states arrive in.
//!
//! Each field path is a multi-value register. Its *entries* are the value the
//! body shows (with `stamps[path]`) plus the values in `conflicts[path]`; a
//! value `None` means "removed". Each document also has a causal context,
//! `seen`: per device, the newest stamp of that device it has seen.
//!
//! `merge(a, b)` keeps, for every path, an entry of `a` if `b` has it too or
//! `b` has not seen it (`b.seen[device] < stamp`), and likewise for `b`'s
//! entries. An entry that the other side has seen but no longer holds was
//! overwritten there on purpose and goes. What is left are the concurrent
//! values: the one with the highest stamp is shown, the others are conflicts
//! the user can settle with `Document::resolve` ("use this"). A local edit of
//! a path replaces all its entries (the editor saw them). The merge is
//! commutative, associative and idempotent on documents that devices made.
//!
//! Keyed list elements (participants, suggestions) exist iff the winner of
//! their existence path ("participants/<id>") is `true`, and are ordered by
//! the stamp of that path (when they were added), then id. Keyed map entries
//! (an activity's custom fields, "custom/<key>") are registers like fields,
//! except that "removed" can win: the entry is then absent.
//!
//! Deletes versus concurrent edits: removing an element writes "removed" to
//! the element and all its fields. An edit to one of its fields that the
//! remover had not seen survives the merge as a value of that field path; the
//! element stays removed (the existence path decides), and `conflicts()`
//! reports it on the element's path as "edited on <device> while removed
//! here", with the element as edited there. Choosing it (`resolve` with that
//! value) restores the element with the edit; choosing `None` keeps it
//! removed and discards the edit. So a delete never silently discards an
//! unsynced edit, and nothing reappears by itself.

use crate::clock::{DeviceId, Hlc, Stamp};
use crate::doc::{field_paths, Body, ConflictValue, DocType, Document, FORMAT_VERSION, TRASHED_PATH};
use crate::id::Id;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A path with more than one surviving value, as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The field path ("title", "suggestions/<id>/status", "participants/<id>",
    /// "$trashed").
    pub path: String,
    /// What the document shows now (`None`: removed or absent).
    pub current: Option<Value>,
    /// The stamp of what is shown, if any.
    pub current_stamp: Option<Stamp>,
    /// The other values, newest first. For a removed list element that was
    /// edited elsewhere meanwhile, one value: the element (a JSON object with
    /// its `id`) as it would be with those edits.
    pub others: Vec<ConflictValue>,
}

/// Why two documents cannot be merged or a conflict cannot be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeError {
    /// The two replicas are of different documents.
    DifferentDocuments { a: Id, b: Id },
    /// A replica's type is not the expected one.
    WrongType { found: DocType, expected: DocType },
    /// The merged values do not make a valid body (a damaged document).
    Unreadable(String),
    /// `resolve` was asked about a path the document does not have.
    UnknownPath(String),
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeError::DifferentDocuments { a, b } => write!(f, "cannot merge two different documents ({a} and {b})"),
            MergeError::WrongType { found, expected } => write!(f, "expected a {expected} document, found a {found} document"),
            MergeError::Unreadable(why) => write!(f, "the merged document is damaged and cannot be read: {why}"),
            MergeError::UnknownPath(path) => write!(f, "the document has no field \"{path}\""),
        }
    }
}

impl std::error::Error for MergeError {}

/// Every surviving value of every path: stamp → value (`None` = removed).
type Entries = BTreeMap<String, Register>;
/// One path's surviving values: stamp → value (`None` = removed).
type Register = BTreeMap<Stamp, Option<Value>>;
/// Per device, the newest stamp seen.
type Context = BTreeMap<DeviceId, Hlc>;

/// Merges two replicas of the same document. Commutative, associative and
/// idempotent on documents made by `create`, `edit`, `set_trashed`,
/// `resolve` and `merge`; no concurrent value is dropped (see the module
/// header).
pub fn merge<T: Body>(a: &Document<T>, b: &Document<T>) -> Result<Document<T>, MergeError> {
    for doc in [a, b] {
        if doc.doc_type != T::TYPE {
            return Err(MergeError::WrongType { found: doc.doc_type, expected: T::TYPE });
        }
    }
    if a.id != b.id {
        return Err(MergeError::DifferentDocuments { a: a.id.clone(), b: b.id.clone() });
    }
    let (ea, eb) = (entries(a), entries(b));
    let (ca, cb) = (context(a, &ea), context(b, &eb));
    // Both sides' paths in order, walked once side by side (each is sorted): no look-ups by path, and the entries
    // moved, not copied, into the merge.
    let mut merged: Vec<(String, Register)> = Vec::with_capacity(ea.len().max(eb.len()));
    let (mut ia, mut ib) = (ea.into_iter().peekable(), eb.into_iter().peekable());
    loop {
        let order = match (ia.peek(), ib.peek()) {
            (Some((pa, _)), Some((pb, _))) => pa.cmp(pb),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => break,
        };
        let (path, xa, xb) = match order {
            std::cmp::Ordering::Less => ia.next().map(|(path, xa)| (path, xa, Register::new())),
            std::cmp::Ordering::Greater => ib.next().map(|(path, xb)| (path, Register::new(), xb)),
            std::cmp::Ordering::Equal => ia.next().zip(ib.next()).map(|((path, xa), (_, xb))| (path, xa, xb)),
        }
        .expect("the side peeked at has a next path");
        merged.push((path, merge_register(xa, xb, &ca, &cb)));
    }
    // Already in order: collecting builds the map without a search per path.
    let merged: Entries = merged.into_iter().collect();
    let mut seen = ca;
    for (device, hlc) in cb {
        let slot = seen.entry(device).or_default();
        *slot = (*slot).max(hlc);
    }
    let created = a.created.clone().min(b.created.clone());
    let updated = a.updated.clone().max(b.updated.clone());
    rebuild(a.id.clone(), created, updated, seen, merged)
}

/// One path's entries after the merge: an entry of either side survives if the other side has it too or has not seen
/// it (see the module header).
fn merge_register(xa: Register, xb: Register, ca: &Context, cb: &Context) -> Register {
    let keep_a: Vec<bool> = xa.keys().map(|stamp| xb.contains_key(stamp) || !covers(cb, stamp)).collect();
    let keep_b: Vec<bool> = xb.keys().map(|stamp| xa.contains_key(stamp) || !covers(ca, stamp)).collect();
    let mut keep: Register = xa.into_iter().zip(keep_a).filter(|(_, k)| *k).map(|(entry, _)| entry).collect();
    for ((stamp, value), _) in xb.into_iter().zip(keep_b).filter(|(_, k)| *k) {
        match keep.entry(stamp) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(value);
            }
            // Same stamp, different value only in damaged data: pick one independently of the argument order (the
            // same value on both sides, the usual case, needs no writing out to tell).
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                if *slot.get() != value && value_key(&value) > value_key(slot.get()) {
                    slot.insert(value);
                }
            }
        }
    }
    keep
}

fn value_key(v: &Option<Value>) -> String {
    v.as_ref().map(Value::to_string).unwrap_or_default()
}

fn covers(ctx: &Context, stamp: &Stamp) -> bool {
    ctx.get(&stamp.device).is_some_and(|hlc| *hlc >= stamp.hlc)
}

/// What the body shows, as path → value, with `$trashed` when it has a say.
fn shown<T: Body>(body: &T, trashed: bool, trash_known: bool) -> BTreeMap<String, Value> {
    let mut out = field_paths(body);
    if trashed || trash_known {
        out.insert(TRASHED_PATH.to_string(), Value::Bool(trashed));
    }
    out
}

/// All surviving values of a document, per path. A value the body shows with
/// no stamp (a document from before stamps, a field added to the app since)
/// counts as written at `created`.
fn entries<T: Body>(doc: &Document<T>) -> Entries {
    let body = shown(&doc.body, doc.trashed, doc.stamps.contains_key(TRASHED_PATH) || doc.conflicts.contains_key(TRASHED_PATH));
    let mut out: Entries = BTreeMap::new();
    for (path, values) in &doc.conflicts {
        let slot = out.entry(path.clone()).or_default();
        for c in values {
            slot.insert(c.stamp.clone(), c.value.clone());
        }
    }
    for (path, stamp) in &doc.stamps {
        out.entry(path.clone()).or_default().entry(stamp.clone()).or_insert_with(|| body.get(path).cloned());
    }
    for (path, value) in body {
        out.entry(path).or_insert_with(|| BTreeMap::from([(doc.created.clone(), Some(value))]));
    }
    out
}

/// The document's causal context: `seen`, plus every stamp it holds (a
/// replica has seen what it holds; this also covers documents from before
/// `seen` existed).
fn context<T: Body>(doc: &Document<T>, entries: &Entries) -> Context {
    let mut ctx = doc.seen.clone();
    let stamps = entries.values().flat_map(|e| e.keys()).chain([&doc.created, &doc.updated]);
    for stamp in stamps {
        let slot = ctx.entry(stamp.device.clone()).or_default();
        *slot = (*slot).max(stamp.hlc);
    }
    ctx
}

/// The highest entry, and the highest entry with a value.
fn winner(values: &BTreeMap<Stamp, Option<Value>>) -> Option<(&Stamp, &Option<Value>)> {
    values.iter().next_back()
}

fn highest_value(values: &BTreeMap<Stamp, Option<Value>>) -> Option<&Value> {
    values.values().rev().find_map(|v| v.as_ref())
}

/// Splits "list/<id>" and "list/<id>/<field>" paths of keyed lists.
fn list_path<T: Body>(path: &str) -> Option<(&str, &str, Option<&str>)> {
    let mut parts = path.splitn(3, '/');
    let list = parts.next()?;
    let id = parts.next()?;
    T::KEYED_LISTS.contains(&list).then_some((list, id, parts.next()))
}

/// Splits "map/<key>" paths of keyed maps (the key may hold '/' itself).
fn map_path<T: Body>(path: &str) -> Option<(&str, &str)> {
    let (map, key) = path.split_once('/')?;
    T::KEYED_MAPS.contains(&map).then_some((map, key))
}

/// Makes a document from merged entries: the body shows each path's winner
/// where it can; every other entry is kept in `conflicts`.
fn rebuild<T: Body>(id: Id, created: Stamp, updated: Stamp, seen: Context, entries: Entries) -> Result<Document<T>, MergeError> {
    let mut fields = Map::new();
    // list → id → (stamp of the existence path's winner, element object)
    type Elements<'e> = BTreeMap<&'e str, (Stamp, Map<String, Value>)>;
    let mut lists: BTreeMap<&str, Elements> = T::KEYED_LISTS.iter().map(|l| (*l, BTreeMap::new())).collect();
    let mut maps: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for (path, values) in &entries {
        if let Some((list, elem, None)) = list_path::<T>(path) {
            if let Some((stamp, Some(Value::Bool(true)))) = winner(values) {
                let mut obj = Map::new();
                obj.insert("id".into(), Value::String(elem.to_string()));
                lists.get_mut(list).expect("keyed list").insert(elem, (stamp.clone(), obj));
            }
        }
    }
    let mut trashed = false;
    for (path, values) in &entries {
        if path == TRASHED_PATH {
            trashed = match winner(values) {
                Some((_, Some(Value::Bool(b)))) => *b,
                _ => values.values().rev().find_map(|v| v.as_ref().and_then(Value::as_bool)).unwrap_or(false),
            };
        } else if let Some((list, elem, field)) = list_path::<T>(path) {
            if let (Some(field), Some((_, obj))) = (field, lists.get_mut(list).and_then(|l| l.get_mut(elem))) {
                if let Some(value) = highest_value(values) {
                    obj.insert(field.to_string(), value.clone());
                }
            }
        } else if let Some((map, key)) = map_path::<T>(path) {
            // Unlike a field, an entry can be removed: the newest write
            // decides whether it is there, as an element's existence does.
            if let Some((_, Some(value))) = winner(values) {
                maps.entry(map).or_default().insert(key.to_string(), value.clone());
            }
        } else if !path.contains('/') && !path.starts_with('$') {
            if let Some(value) = highest_value(values) {
                fields.insert(path.clone(), value.clone());
            }
        }
    }
    for (map, entries) in maps {
        fields.insert(map.to_string(), Value::Object(entries));
    }
    for (list, elements) in lists {
        let mut elements: Vec<_> = elements.into_iter().collect();
        elements.sort_by(|(ia, (sa, _)), (ib, (sb, _))| sa.cmp(sb).then(ia.cmp(ib)));
        let items = elements.into_iter().map(|(_, (_, obj))| Value::Object(obj)).collect();
        fields.insert(list.to_string(), Value::Array(items));
    }
    // Through text rather than `from_value`, so that bodies are read one way
    // only (see `Document::from_value`); a merge is rare enough not to feel it.
    let body: T = serde_json::from_value(Value::Object(fields)).map_err(|e| MergeError::Unreadable(e.to_string()))?;

    let trash_known = entries.contains_key(TRASHED_PATH);
    let show = shown(&body, trashed, trash_known);
    let mut stamps = BTreeMap::new();
    let mut conflicts = BTreeMap::new();
    for (path, values) in &entries {
        let current = show.get(path);
        let shown_stamp = values.iter().rev().find(|(_, v)| v.as_ref() == current).map(|(s, _)| s.clone());
        let rest: Vec<ConflictValue> =
            values.iter().rev().filter(|(s, _)| Some(*s) != shown_stamp.as_ref()).map(|(s, v)| ConflictValue { value: v.clone(), stamp: s.clone() }).collect();
        if let Some(stamp) = shown_stamp {
            stamps.insert(path.clone(), stamp);
        }
        if !rest.is_empty() {
            conflicts.insert(path.clone(), rest);
        }
    }
    // A field the body shows that no entry has (filled in by a serde default):
    // written at creation, as `entries` would read it back.
    for path in show.keys() {
        if !entries.contains_key(path) {
            stamps.insert(path.clone(), created.clone());
        }
    }
    let updated = entries.values().flat_map(|e| e.keys()).fold(updated.max(created.clone()), |m, s| m.max(s.clone()));
    Ok(Document { format: FORMAT_VERSION, id, doc_type: T::TYPE, body, trashed, created, updated, stamps, seen, conflicts })
}

impl<T: Body> Document<T> {
    /// Whether any path has a conflict to show.
    pub fn has_conflicts(&self) -> bool {
        !self.conflicts().is_empty()
    }

    /// The conflicts to show the user, by path ("also edited on <device> at
    /// <time>: … [use this]"). Edits made elsewhere to a list element removed
    /// here are reported once, on the element's path; so is a removal made
    /// elsewhere of an element shown here (not again on each of its fields).
    pub fn conflicts(&self) -> Vec<Conflict> {
        let show = shown(&self.body, self.trashed, self.stamps.contains_key(TRASHED_PATH));
        let all = entries(self);
        let mut out = Vec::new();
        let mut removed: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        let mut removed_stamp: BTreeMap<String, Stamp> = BTreeMap::new();
        for (path, stored) in &self.conflicts {
            if stored.is_empty() {
                continue;
            }
            let mut element_field = false;
            if let Some((list, elem, field)) = list_path::<T>(path) {
                element_field = field.is_some();
                let base = format!("{list}/{elem}");
                if !show.contains_key(&base) {
                    // An element removed here: gather what was written to it elsewhere.
                    let Some(newest) = stored.iter().filter(|c| c.value.is_some()).map(|c| &c.stamp).max() else { continue };
                    let obj = removed.entry(base.clone()).or_insert_with(|| {
                        let mut obj = Map::new();
                        obj.insert("id".into(), Value::String(elem.to_string()));
                        obj
                    });
                    if let (Some(field), Some(value)) = (field, all.get(path).and_then(highest_value)) {
                        obj.insert(field.to_string(), value.clone());
                    }
                    let slot = removed_stamp.entry(base).or_insert_with(|| newest.clone());
                    *slot = slot.clone().max(newest.clone());
                    continue;
                }
            } else if !show.contains_key(path) && map_path::<T>(path).is_none() {
                continue; // a field this version of the app does not know
            }
            let current = show.get(path).cloned();
            // The same value written twice concurrently is no choice to offer.
            // Nor is "removed" on a field of a shown element: it is a trace of
            // the element's removal, offered once on the element's path, and a
            // field alone cannot be removed (a participant needs its status).
            let others: Vec<ConflictValue> = stored.iter().filter(|c| c.value != current && !(element_field && c.value.is_none())).cloned().collect();
            if !others.is_empty() {
                out.push(Conflict { path: path.clone(), current, current_stamp: self.stamps.get(path).cloned(), others });
            }
        }
        for (base, obj) in removed {
            let stamp = removed_stamp.remove(&base).expect("stamp gathered with the object");
            out.push(Conflict {
                current: None,
                current_stamp: self.stamps.get(&base).cloned(),
                others: vec![ConflictValue { value: Some(Value::Object(obj)), stamp }],
                path: base,
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// The other values of `path` to offer the user (empty: no conflict).
    pub fn conflicts_for(&self, path: &str) -> Vec<ConflictValue> {
        self.conflicts().into_iter().find(|c| c.path == path).map(|c| c.others).unwrap_or_default()
    }

    /// Settles `path` with the chosen value ("use this", or "keep mine" with
    /// the current value) as a new local write at `stamp`: every other value
    /// of the path goes, here and, after sync, everywhere.
    ///
    /// On a list element's path ("participants/<id>"): `None` (or `false`)
    /// keeps it removed and drops edits made to it elsewhere; `true` or an
    /// element object restores it, its fields taking the object's values or
    /// else their newest values. Choosing a value for a field of a removed
    /// element restores the element with that value; choosing `None` for a
    /// field of a shown element removes the element.
    pub fn resolve(&mut self, path: &str, chosen: Option<Value>, stamp: Stamp) -> Result<(), MergeError> {
        let mut all = entries(self);
        let mut writes: BTreeMap<String, Option<Value>> = BTreeMap::new();
        let element = list_path::<T>(path).map(|(list, elem, field)| (format!("{list}/{elem}"), field));
        match element {
            // A value for a field of a removed element restores the element;
            // "removed" for a field of a shown element removes the element, as
            // "removed" on a field is only ever a trace of the element's
            // removal: writing it to the field alone would leave the element
            // without that field, and a required one (a participant's status)
            // makes the body unreadable.
            Some((base, field)) if field.is_none() || chosen.is_some() != field_paths(&self.body).contains_key(&base) => {
                let restore = match (&chosen, field) {
                    (None | Some(Value::Bool(false)), None) | (None, Some(_)) => false,
                    (Some(_), _) => true,
                };
                let mut given = match (&chosen, field) {
                    (Some(Value::Object(obj)), None) => obj.clone(),
                    (Some(value), Some(field)) => Map::from_iter([(field.to_string(), value.clone())]),
                    _ => Map::new(),
                };
                given.remove("id");
                let prefix = format!("{base}/");
                let field_names: Vec<String> = all.keys().filter_map(|p| p.strip_prefix(&prefix)).map(str::to_string).chain(given.keys().cloned()).collect();
                if !restore && !all.contains_key(&base) {
                    return Err(MergeError::UnknownPath(path.to_string()));
                }
                writes.insert(base.clone(), restore.then_some(Value::Bool(true)));
                for name in field_names {
                    let p = format!("{prefix}{name}");
                    if !restore {
                        writes.insert(p, None);
                    } else if let Some(value) = given.get(&name) {
                        writes.insert(p, Some(value.clone()));
                    } else if let Some(values) = all.get(&p).filter(|v| v.values().any(Option::is_none)) {
                        // Traces of the removal go; the newest value comes back.
                        writes.insert(p, highest_value(values).cloned());
                    }
                }
            }
            _ => {
                let known = all.contains_key(path) || shown(&self.body, self.trashed, true).contains_key(path);
                if !known {
                    return Err(MergeError::UnknownPath(path.to_string()));
                }
                writes.insert(path.to_string(), chosen);
            }
        }
        for (p, value) in writes {
            all.insert(p, BTreeMap::from([(stamp.clone(), value)]));
        }
        let mut seen = context(self, &entries(self));
        let slot = seen.entry(stamp.device.clone()).or_default();
        *slot = (*slot).max(stamp.hlc);
        let updated = self.updated.clone().max(stamp);
        *self = rebuild(self.id.clone(), self.created.clone(), updated, seen, all)?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
