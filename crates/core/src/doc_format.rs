//! How a `Document` is written as JSON: format 2 (what this build writes: a device table, compact stamps,
//! stamps that follow from `created` left out) and format 1 (still read, and written for readers that know no other).
//!
//! Format 2 keeps everything format 1 holds, so a document goes 1 → 2 → 1 without loss. A stamp is
//! `[device, millis]` or `[device, millis, counter]` (counter left out when 0), `device` an index into
//! the document's `"devices"` list. In `"stamps"`, a path of the body is left out when its stamp is its
//! parent's (a keyed list element's field: the element's stamp) or, with no parent, `created`; a body
//! path with no stamp at all is written `null`. Paths not in the body (removed fields and elements,
//! `$trashed`) are always written. `"seen"` is a list of stamps (device, newest reading); `"trashed"`
//! is left out when false. The reader is one pass over the text for either format.

use crate::clock::{DeviceId, Hlc, Stamp};
use crate::doc::{Body, ConflictValue, DocType, Document, FORMAT_VERSION};
use crate::id::Id;
use crate::paths::field_path_set;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The first format: stamps written out in full, every one of them.
pub const FORMAT_1: u32 = 1;

/// The format a reader that announces nothing reads (an app from before format 2).
pub const OLDEST_FORMAT: u32 = FORMAT_1;

/// The stamp a body path has when format 2 leaves it out: its keyed list element's stamp
/// ("participants/<id>/status" → "participants/<id>") when that element is a path of the body
/// with a stamp, else `created`. Writer and reader apply this same rule to the same paths, so
/// what is left out comes back exactly.
/// `stamp_of` gives a path's stamp (the element's).
fn implied<'a, 'p, T: Body>(path: &'p str, paths: &BTreeSet<String>, stamp_of: impl FnOnce(&'p str) -> Option<&'a Stamp>, created: &'a Stamp) -> &'a Stamp {
    parent::<T>(path).filter(|p| paths.contains(*p)).and_then(stamp_of).unwrap_or(created)
}

/// "list/<id>" for "list/<id>/<field>" of a keyed list.
fn parent<T: Body>(path: &str) -> Option<&str> {
    let (list, rest) = path.split_once('/')?;
    let (id, _field) = rest.split_once('/')?;
    T::KEYED_LISTS.contains(&list).then(|| &path[..list.len() + 1 + id.len()])
}

/// A stamp in format 2: the device's index in the table, then the clock reading.
#[derive(Clone, Copy)]
struct Short(usize, Hlc);

impl Serialize for Short {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Short(device, hlc) = *self;
        let mut seq = s.serialize_seq(Some(if hlc.counter == 0 { 2 } else { 3 }))?;
        seq.serialize_element(&device)?;
        seq.serialize_element(&hlc.millis)?;
        if hlc.counter != 0 {
            seq.serialize_element(&hlc.counter)?;
        }
        seq.end()
    }
}

/// The device table of one document being written: sorted, each device once.
struct Table<'a>(Vec<&'a DeviceId>);

impl<'a> Table<'a> {
    fn short(&self, device: &DeviceId, hlc: Hlc) -> Short {
        Short(self.0.binary_search(&device).expect("every device written is in the table"), hlc)
    }

    fn stamp(&self, s: &Stamp) -> Short {
        self.short(&s.device, s.hlc)
    }
}

#[derive(Serialize)]
struct Conflict2<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    value: &'a Option<Value>,
    stamp: Short,
}

#[derive(Serialize)]
#[serde(bound = "T: Body")]
struct Out2<'a, T: Body> {
    format: u32,
    id: &'a Id,
    #[serde(rename = "type")]
    doc_type: DocType,
    body: &'a T,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    trashed: bool,
    devices: &'a [&'a DeviceId],
    created: Short,
    updated: Short,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    stamps: BTreeMap<&'a str, Option<Short>>,
    seen: Vec<Short>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    conflicts: BTreeMap<&'a str, Vec<Conflict2<'a>>>,
}

/// Writes `doc` in format 2 (what `Serialize for Document` does).
pub(crate) fn write2<T: Body, S: Serializer>(doc: &Document<T>, s: S) -> Result<S::Ok, S::Error> {
    let paths = field_path_set::<T>(&doc.body);
    let mut written: BTreeMap<&str, Option<&Stamp>> = BTreeMap::new();
    for (path, stamp) in &doc.stamps {
        let left_out = paths.contains(path) && implied::<T>(path, &paths, |p| doc.stamps.get(p), &doc.created) == stamp;
        if !left_out {
            written.insert(path, Some(stamp));
        }
    }
    for path in paths.iter().filter(|p| !doc.stamps.contains_key(*p)) {
        written.insert(path, None);
    }
    let mut devices: BTreeSet<&DeviceId> = BTreeSet::from([&doc.created.device, &doc.updated.device]);
    devices.extend(written.values().flatten().map(|s| &s.device));
    devices.extend(doc.seen.keys());
    devices.extend(doc.conflicts.values().flatten().map(|c| &c.stamp.device));
    let table = Table(devices.into_iter().collect());
    let out = Out2 {
        format: FORMAT_VERSION,
        id: &doc.id,
        doc_type: doc.doc_type,
        body: &doc.body,
        trashed: doc.trashed,
        devices: &table.0,
        created: table.stamp(&doc.created),
        updated: table.stamp(&doc.updated),
        stamps: written.into_iter().map(|(p, s)| (p, s.map(|s| table.stamp(s)))).collect(),
        seen: doc.seen.iter().map(|(d, h)| table.short(d, *h)).collect(),
        conflicts: doc
            .conflicts
            .iter()
            .map(|(p, cs)| (p.as_str(), cs.iter().map(|c| Conflict2 { value: &c.value, stamp: table.stamp(&c.stamp) }).collect()))
            .collect(),
    };
    out.serialize(s)
}

/// Format 1 exactly as the builds before format 2 wrote it (field order, every field present).
#[derive(Serialize)]
#[serde(bound = "T: Body")]
struct Out1<'a, T: Body> {
    format: u32,
    id: &'a Id,
    #[serde(rename = "type")]
    doc_type: DocType,
    body: &'a T,
    trashed: bool,
    created: &'a Stamp,
    updated: &'a Stamp,
    stamps: &'a BTreeMap<String, Stamp>,
    seen: &'a BTreeMap<DeviceId, Hlc>,
    conflicts: &'a BTreeMap<String, Vec<ConflictValue>>,
}

impl<T: Body> Document<T> {
    /// The document in format 1, for a reader that knows no later format (an app from before
    /// format 2 pulling from the server). Nothing is lost: format 1 holds all a document has.
    pub fn to_json_format1(&self) -> String {
        let out = Out1 {
            format: FORMAT_1,
            id: &self.id,
            doc_type: self.doc_type,
            body: &self.body,
            trashed: self.trashed,
            created: &self.created,
            updated: &self.updated,
            stamps: &self.stamps,
            seen: &self.seen,
            conflicts: &self.conflicts,
        };
        serde_json::to_string(&out).expect("documents always serialise")
    }
}

/// A stamp as read: written out (format 1) or by device index (format 2).
enum WireStamp {
    Full(Stamp),
    Indexed(u64, Hlc),
}

impl<'de> Deserialize<'de> for WireStamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WireStamp, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireStamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a stamp: {\"hlc\": …, \"device\": …} or [device, millis, counter]")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<WireStamp, A::Error> {
                Stamp::deserialize(de::value::MapAccessDeserializer::new(map)).map(WireStamp::Full)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireStamp, A::Error> {
                let device: u64 = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let millis: u64 = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let counter: u32 = seq.next_element()?.unwrap_or(0);
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(WireStamp::Indexed(device, Hlc { millis, counter }))
            }
        }
        d.deserialize_any(V)
    }
}

/// `seen` as read: a map device → reading (format 1) or a list of stamps (format 2).
#[derive(Default)]
enum WireSeen {
    #[default]
    Absent,
    Map(BTreeMap<DeviceId, Hlc>),
    List(Vec<WireStamp>),
}

impl<'de> Deserialize<'de> for WireSeen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WireSeen, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireSeen;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"seen\": a map of devices to clock readings, or a list of stamps")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<WireSeen, A::Error> {
                BTreeMap::deserialize(de::value::MapAccessDeserializer::new(map)).map(WireSeen::Map)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<WireSeen, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(WireSeen::List)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct WireConflict {
    #[serde(default, deserialize_with = "present")]
    value: Option<Value>,
    stamp: WireStamp,
}

/// Reads a present `value` (even `null`) as `Some`; an absent one is `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(bound = "T: Body")]
struct Wire<T: Body> {
    format: u32,
    id: Id,
    #[serde(rename = "type")]
    doc_type: DocType,
    body: T,
    #[serde(default)]
    trashed: bool,
    #[serde(default)]
    devices: Option<Vec<DeviceId>>,
    created: WireStamp,
    updated: WireStamp,
    #[serde(default)]
    stamps: BTreeMap<String, Option<WireStamp>>,
    #[serde(default)]
    seen: WireSeen,
    #[serde(default)]
    conflicts: BTreeMap<String, Vec<WireConflict>>,
}

/// Resolves stamps against the format's rules: format 1 writes them out, format 2 names devices by index.
struct Resolver {
    format: u32,
    devices: Vec<DeviceId>,
}

impl Resolver {
    fn stamp(&self, s: WireStamp) -> Result<Stamp, String> {
        match (self.format, s) {
            (FORMAT_1, WireStamp::Full(s)) => Ok(s),
            (FORMAT_1, WireStamp::Indexed(..)) => Err("a format 1 document writes its stamps out: {\"hlc\": …, \"device\": …}".into()),
            (_, WireStamp::Full(_)) => Err("a format 2 stamp is [device, millis, counter]".into()),
            (_, WireStamp::Indexed(i, hlc)) => {
                let device = usize::try_from(i).ok().and_then(|i| self.devices.get(i));
                let device = device.ok_or_else(|| format!("a stamp names device {i} but \"devices\" lists {}", self.devices.len()))?;
                Ok(Stamp { hlc, device: device.clone() })
            }
        }
    }
}

/// Format 2's stamps: those written (a `null` one: the path has none), and for every body path
/// not written, the one `implied` gives it. One walk over the written paths and the body's, both
/// in path order, so that an element ("list/<id>") is settled before its fields; the map is built
/// from the sorted list at once (reading documents is most of a first sync's work).
fn fill_implied<'p, T: Body>(
    r: &Resolver,
    written: BTreeMap<String, Option<WireStamp>>,
    paths: &'p BTreeSet<String>,
    created: &Stamp,
) -> Result<BTreeMap<String, Stamp>, String> {
    let mut out: Vec<(String, Stamp)> = Vec::with_capacity(written.len() + paths.len());
    let mut written = written.into_iter().peekable();
    // The last parent looked up, and where its stamp is in `out` (`None`: `created`): the fields
    // of one element come one after another.
    let mut last_parent: Option<(&'p str, Option<usize>)> = None;
    for path in paths {
        // Written paths up to this one go first; a path written (even as `null`) is not implied.
        let mut given = false;
        while let Some((p, s)) = written.next_if(|(p, _)| p <= path) {
            given = p == *path;
            if let Some(s) = s {
                out.push((p, r.stamp(s)?));
            }
        }
        if given {
            continue;
        }
        let stamp_of = |parent: &'p str| {
            let at = match last_parent {
                Some((p, at)) if p == parent => at,
                _ => out.binary_search_by(|(p, _)| p.as_str().cmp(parent)).ok(),
            };
            last_parent = Some((parent, at));
            at.map(|i| &out[i].1)
        };
        let stamp = implied::<T>(path, paths, stamp_of, created).clone();
        out.push((path.clone(), stamp));
    }
    for (p, s) in written {
        if let Some(s) = s {
            out.push((p, r.stamp(s)?));
        }
    }
    Ok(out.into_iter().collect())
}

/// Reads a document of format 1 or 2 (what `Deserialize for Document` does); a newer format is refused.
pub(crate) fn read<'de, T: Body, D: Deserializer<'de>>(d: D) -> Result<Document<T>, D::Error> {
    let wire = Wire::<T>::deserialize(d)?;
    resolve(wire).map_err(de::Error::custom)
}

fn resolve<T: Body>(wire: Wire<T>) -> Result<Document<T>, String> {
    match (wire.format, &wire.devices) {
        (0, _) => return Err("format 0 does not exist".into()),
        (FORMAT_1, Some(_)) => return Err("a format 1 document has no \"devices\"".into()),
        (f, _) if f > FORMAT_VERSION => return Err(format!("format {f} is newer than this build reads ({FORMAT_VERSION})")),
        _ => {}
    }
    let r = Resolver { format: wire.format, devices: wire.devices.unwrap_or_default() };
    let created = r.stamp(wire.created)?;
    let updated = r.stamp(wire.updated)?;
    let stamps = if r.format == FORMAT_1 {
        let mut stamps = BTreeMap::new();
        for (path, s) in wire.stamps {
            let s = s.ok_or_else(|| format!("the stamp of \"{path}\" is null"))?;
            stamps.insert(path, r.stamp(s)?);
        }
        stamps
    } else {
        fill_implied::<T>(&r, wire.stamps, &field_path_set::<T>(&wire.body), &created)?
    };
    let seen = match wire.seen {
        WireSeen::Absent => BTreeMap::new(),
        WireSeen::Map(map) if r.format == FORMAT_1 => map,
        WireSeen::List(list) if r.format != FORMAT_1 => {
            let mut seen: BTreeMap<DeviceId, Hlc> = BTreeMap::new();
            for s in list {
                let s = r.stamp(s)?;
                let slot = seen.entry(s.device).or_default();
                *slot = (*slot).max(s.hlc);
            }
            seen
        }
        _ => return Err("\"seen\" is not written as this format writes it".into()),
    };
    let mut conflicts = BTreeMap::new();
    for (path, values) in wire.conflicts {
        let values = values.into_iter().map(|c| Ok(ConflictValue { value: c.value, stamp: r.stamp(c.stamp)? })).collect::<Result<Vec<_>, String>>()?;
        conflicts.insert(path, values);
    }
    Ok(Document {
        format: FORMAT_VERSION,
        id: wire.id,
        doc_type: wire.doc_type,
        body: wire.body,
        trashed: wire.trashed,
        created,
        updated,
        stamps,
        seen,
        conflicts,
    })
}

/// The text to send a reader of formats up to `reads` instead of the stored `json`: `None` when
/// `json` can go as it is (a format that reader reads; or no document this build reads, which
/// then goes as stored and is refused there as before), else the document in format 1.
pub fn for_reader(json: &str, reads: u32) -> Option<String> {
    let format = crate::doc::Header::of(json).and_then(|h| h.format)?;
    if reads >= FORMAT_VERSION || format <= u64::from(reads.max(FORMAT_1)) {
        return None;
    }
    crate::sync::AnyDoc::from_json(json).ok().map(|doc| doc.to_json_format1())
}

/// Whether a document's text is already in the format this build writes (`Header`'s `format`), so
/// that it can be kept as it is rather than written out anew.
pub fn is_current(json: &str) -> bool {
    crate::doc::Header::of(json).is_some_and(|h| h.format == Some(u64::from(FORMAT_VERSION)))
}

#[cfg(test)]
#[path = "doc_format_tests.rs"]
pub(crate) mod tests;
