//! Attendance per person, counted from the records (never typed in).

use crate::id::Id;
use crate::model::{Activity, Attendance};

/// How often a person was invited to, attended, was excused from or missed
/// the given activities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttendanceCount {
    pub invited: u32,
    pub attended: u32,
    pub excused: u32,
    pub absent: u32,
}

pub fn count_for<'a>(person: &Id, activities: impl IntoIterator<Item = &'a Activity>) -> AttendanceCount {
    let mut c = AttendanceCount::default();
    for p in activities.into_iter().filter_map(|a| a.participant(person)) {
        c.invited += 1;
        match p.status {
            Attendance::Attended => c.attended += 1,
            Attendance::Excused => c.excused += 1,
            Attendance::Absent => c.absent += 1,
        }
    }
    c
}

/// Person-times (人次) over activities: attendees summed over activities.
pub fn person_times<'a>(activities: impl IntoIterator<Item = &'a Activity>) -> u32 {
    activities.into_iter().map(Activity::person_times).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Participant;

    fn id(n: u64) -> Id {
        Id::new_v7(n, [n as u8; 10])
    }

    fn with(people: &[(u64, Attendance)], others: u32) -> Activity {
        Activity {
            participants: people.iter().map(|(n, s)| Participant { person: id(*n), status: *s, reason: String::new() }).collect(),
            other_attendees: others,
            ..Activity::default()
        }
    }

    #[test]
    fn attendance_is_counted_per_person_from_the_records() {
        use Attendance::*;
        let year = [with(&[(1, Attended), (2, Absent)], 0), with(&[(1, Excused), (2, Absent)], 3), with(&[(1, Attended)], 2)];
        assert_eq!(count_for(&id(1), &year), AttendanceCount { invited: 3, attended: 2, excused: 1, absent: 0 });
        assert_eq!(count_for(&id(2), &year), AttendanceCount { invited: 2, attended: 0, excused: 0, absent: 2 });
        assert_eq!(count_for(&id(3), &year), AttendanceCount::default());
        // 1 + 0 + 3 + 1 + 2: excused and absent people are not person-times.
        assert_eq!(person_times(&year), 7);
    }
}
