//! The field paths of a body without its values: what `doc::field_paths`
//! gives as keys, found by walking the body's `Serialize` and writing
//! nothing. Document format 2 leaves out the stamps that follow from others,
//! so reading and writing any document needs its paths; `field_paths` builds
//! a `serde_json::Value` of the whole body for them (every string copied,
//! then dropped), which was most of the cost of reading a document.
//!
//! The rule is `field_paths`'s, and a test holds the two to the same answer:
//! a top-level field is a path; an element of a keyed list with a string
//! `id` is "list/<id>", each of its other fields "list/<id>/<field>" (an
//! element without one gives nothing); an entry of a keyed map is
//! "map/<key>"; a keyed list or map whose value is not a list or a map
//! (`None`) is a path of its own, as any other field.

use crate::doc::Body;
use serde::ser::{self, Impossible, Serialize, SerializeSeq, SerializeStruct, Serializer};
use std::collections::BTreeSet;
use std::fmt;

/// The body's field paths (see the module's text).
pub fn field_path_set<T: Body>(body: &T) -> BTreeSet<String> {
    // Gathered, then made a set at once (sorted, built in one pass): inserting one by one costs more.
    let mut out = Vec::new();
    let _ = body.serialize(Top::<T> { out: &mut out, body: std::marker::PhantomData });
    out.into_iter().collect()
}

/// Why a walk stopped: never shown, every caller turns it into "no paths here".
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a shape that has field paths")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<M: fmt::Display>(_: M) -> Stop {
        Stop
    }
}

/// Implements every method of `Serializer` this walk has no use for as
/// "stop" (the value is not the shape looked for).
macro_rules! stop_all {
    ($($name:ident($($arg:ty),*);)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<Self::Ok, Stop> { Err(Stop) })*
    };
}

macro_rules! stop_scalars {
    () => {
        stop_all! {
            serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
            serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64); serialize_f32(f32);
            serialize_f64(f64); serialize_char(char); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
            serialize_unit_struct(&'static str); serialize_unit_variant(&'static str, u32, &'static str);
        }
        // `Some(x)` and a newtype are `x`, as in serde_json's `Value`.
        fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<Self::Ok, Stop> {
            value.serialize(self)
        }
        fn serialize_newtype_struct<V: Serialize + ?Sized>(self, _: &'static str, value: &V) -> Result<Self::Ok, Stop> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<V: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &V) -> Result<Self::Ok, Stop> {
            Err(Stop)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
            Err(Stop)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Stop> {
            Err(Stop)
        }
        fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, Stop> {
            Err(Stop)
        }
        fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, Stop> {
            Err(Stop)
        }
    };
}

/// The associated types of a walk's `Serializer`: the shapes it takes are
/// named, every other is `Impossible`.
macro_rules! shapes {
    (Ok = $ok:ty, Seq = $seq:ty, Map = $map:ty, Struct = $st:ty) => {
        type Ok = $ok;
        type Error = Stop;
        type SerializeSeq = $seq;
        type SerializeTuple = Impossible<$ok, Stop>;
        type SerializeTupleStruct = Impossible<$ok, Stop>;
        type SerializeTupleVariant = Impossible<$ok, Stop>;
        type SerializeMap = $map;
        type SerializeStruct = $st;
        type SerializeStructVariant = Impossible<$ok, Stop>;
    };
}

/// The shapes (of `str`, `seq`, `map`, `struct`) a walk does not take: each stops.
macro_rules! stop_shapes {
    ($($shape:ident),*) => { $(stop_shape!($shape);)* };
}

macro_rules! stop_shape {
    (str) => {
        fn serialize_str(self, _: &str) -> Result<Self::Ok, Stop> {
            Err(Stop)
        }
    };
    (seq) => {
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
            Err(Stop)
        }
    };
    (map) => {
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
            Err(Stop)
        }
    };
    (struct) => {
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
            Err(Stop)
        }
    };
}

/// The body: its fields.
struct Top<'o, T> {
    out: &'o mut Vec<String>,
    body: std::marker::PhantomData<T>,
}

impl<'o, T: Body> Serializer for Top<'o, T> {
    shapes!(Ok = (), Seq = Impossible<(), Stop>, Map = Impossible<(), Stop>, Struct = Self);

    stop_scalars!();
    stop_shapes!(str, seq, map);

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
}

impl<'o, T: Body> SerializeStruct for Top<'o, T> {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) -> Result<(), Stop> {
        let keyed = if T::KEYED_LISTS.contains(&name) {
            value.serialize(List { name, out: self.out })
        } else if T::KEYED_MAPS.contains(&name) {
            value.serialize(MapKeys { name, out: self.out })
        } else {
            Err(Stop)
        };
        // Not a keyed list or map, or one whose value is not a list or map: a path of its own.
        if keyed.is_err() {
            self.out.push(name.to_string());
        }
        Ok(())
    }

    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// A keyed list: each element's paths. `Err` when the value is not a list.
struct List<'o> {
    name: &'static str,
    out: &'o mut Vec<String>,
}

impl<'o> Serializer for List<'o> {
    shapes!(Ok = (), Seq = Self, Map = Impossible<(), Stop>, Struct = Impossible<(), Stop>);

    stop_scalars!();
    stop_shapes!(str, map, struct);

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
}

impl<'o> SerializeSeq for List<'o> {
    type Ok = ();
    type Error = Stop;

    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Stop> {
        let mut element = Element { id: None, fields: Vec::new() };
        // An element that is no struct, or has no string id, has no paths (as in `field_paths`).
        if value.serialize(&mut element).is_ok() {
            if let Some(id) = element.id {
                let base = format!("{}/{id}", self.name);
                self.out.extend(element.fields.iter().map(|field| format!("{base}/{field}")));
                self.out.push(base);
            }
        }
        Ok(())
    }

    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// One element of a keyed list: its id and the names of its other fields.
struct Element {
    id: Option<String>,
    fields: Vec<&'static str>,
}

impl Serializer for &mut Element {
    shapes!(Ok = (), Seq = Impossible<(), Stop>, Map = Impossible<(), Stop>, Struct = Self);

    stop_scalars!();
    stop_shapes!(str, seq, map);

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
}

impl SerializeStruct for &mut Element {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) -> Result<(), Stop> {
        if name == "id" {
            // A later `id` field wins, as a later key does in a JSON object; one that is no string means no id.
            self.id = value.serialize(Text).ok();
        } else {
            self.fields.push(name);
        }
        Ok(())
    }

    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// A keyed map: its entries' keys. `Err` when the value is not a map.
struct MapKeys<'o> {
    name: &'static str,
    out: &'o mut Vec<String>,
}

impl<'o> Serializer for MapKeys<'o> {
    shapes!(Ok = (), Seq = Impossible<(), Stop>, Map = Self, Struct = Impossible<(), Stop>);

    stop_scalars!();
    stop_shapes!(str, seq, struct);

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
}

impl<'o> ser::SerializeMap for MapKeys<'o> {
    type Ok = ();
    type Error = Stop;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), Stop> {
        // Keys are strings (`serde_json` refuses any other, and so `field_paths` would).
        let key = key.serialize(Text)?;
        self.out.push(format!("{}/{key}", self.name));
        Ok(())
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, _: &V) -> Result<(), Stop> {
        Ok(())
    }

    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// A string value, copied; anything else stops.
struct Text;

impl Serializer for Text {
    shapes!(Ok = String, Seq = Impossible<String, Stop>, Map = Impossible<String, Stop>, Struct = Impossible<String, Stop>);

    stop_scalars!();
    stop_shapes!(seq, map, struct);

    fn serialize_str(self, text: &str) -> Result<String, Stop> {
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::field_paths;
    use crate::model::{Activity, Person};
    use crate::proposal::{OpinionReport, Proposal};
    use crate::template::Template;

    fn same<T: Body + std::fmt::Debug>(body: &T) {
        let keys: BTreeSet<String> = field_paths(body).into_keys().collect();
        assert_eq!(field_path_set(body), keys, "{body:?}");
    }

    #[test]
    fn the_paths_are_field_paths_keys_for_every_body() {
        for doc in crate::doc_format::tests::varied() {
            same(&doc.body);
            let mut custom = doc.body.clone();
            custom.custom.insert("hours".into(), crate::custom::FieldValue::Number(3.0));
            custom.custom.insert("村/组".into(), crate::custom::FieldValue::Text("三组".into()));
            same(&custom);
        }
        let year = crate::fixture::year_2024();
        year.activities.iter().for_each(|d| same(&d.body));
        year.people.iter().for_each(|d| same(&d.body));
        year.proposals.iter().for_each(|d| same(&d.body));
        year.opinion_reports.iter().for_each(|d| same(&d.body));
        same(&Activity::default());
        same(&Person::default());
        same(&Proposal::default());
        same(&OpinionReport::default());
        same(&Template::default());
    }
}
