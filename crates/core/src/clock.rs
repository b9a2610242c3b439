//! Who changed a field and when: a device id plus a hybrid logical clock.
//!
//! Wall clocks on tablets drift; an HLC never goes backwards and still sorts
//! close to real time, so "the later change wins" means something across devices.

use serde::{Deserialize, Serialize};

/// A device's own id, made once on first start and kept in settings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(pub String);

/// The latest wall time a clock reading may have: 2^53 ms (the year 287 396),
/// the largest integer a JavaScript number holds exactly, so that every valid
/// reading survives any JSON reader on the way.
pub const MAX_MILLIS: u64 = 1 << 53;

/// The largest counter a reading may have. An honest device adds one per
/// change made within one millisecond, or while its wall clock lags a reading
/// it has seen (never more than the skew bound, a day): millions in a day is
/// not a person typing. The room above it up to `u32::MAX` is what keeps
/// `tick` and `observe` from ever running out of counter on an accepted one.
pub const MAX_COUNTER: u32 = (1 << 24) - 1;

/// How far ahead of the receiver's own clock a reading may be by default:
/// tablets whose clocks are off by a time zone or a day still sync.
pub const DEFAULT_MAX_SKEW_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// Hybrid logical clock reading: wall milliseconds, then a counter for
/// several events within the same millisecond (or while the wall clock lags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
}

impl Hlc {
    /// The next reading for a local event at wall time `now_millis`.
    pub fn tick(self, now_millis: u64) -> Hlc {
        if now_millis > self.millis {
            Hlc { millis: now_millis, counter: 0 }
        } else {
            self.next()
        }
    }

    /// The next reading after receiving `remote`, so that local events that
    /// follow sort after everything this device has seen. A remote reading
    /// the default bound refuses (far ahead of `now_millis`, forged or from a
    /// tablet whose date is wrong) is not adopted: one such reading would
    /// otherwise carry this device's clock, and every edit after, with it.
    pub fn observe(self, remote: Hlc, now_millis: u64) -> Hlc {
        let admitted = ClockBound::new(now_millis, DEFAULT_MAX_SKEW_MILLIS).check(remote).is_ok();
        let max = if admitted { self.max(remote) } else { self };
        if now_millis > max.millis {
            Hlc { millis: now_millis, counter: 0 }
        } else {
            max.next()
        }
    }

    /// The smallest reading after this one, never wrapping: a full counter
    /// moves on to the next millisecond, and the very last reading stays.
    fn next(self) -> Hlc {
        match (self.counter.checked_add(1), self.millis.checked_add(1)) {
            (Some(counter), _) => Hlc { millis: self.millis, counter },
            (None, Some(millis)) => Hlc { millis, counter: 0 },
            (None, None) => self,
        }
    }
}

/// Which clock readings a receiver accepts: none past `MAX_MILLIS`, none more
/// than `max_skew_millis` ahead of its own clock, no counter past
/// `MAX_COUNTER`. Readings in the past are all fine (offline for months).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockBound {
    /// The receiver's wall clock, Unix milliseconds.
    pub now_millis: u64,
    pub max_skew_millis: u64,
}

/// Why a clock reading is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockProblem {
    /// Past `MAX_MILLIS`: no clock reads that; damaged or forged.
    PastLimit { millis: u64 },
    /// Ahead of the receiver's clock by more than the skew allowed.
    Ahead { ahead_millis: u64 },
    /// A counter past `MAX_COUNTER`.
    Counter { counter: u32 },
}

impl ClockProblem {
    /// How many hours ahead, rounded up (for `Ahead`; 0 otherwise).
    pub fn hours_ahead(self) -> u64 {
        match self {
            ClockProblem::Ahead { ahead_millis } => ahead_millis.div_ceil(3_600_000),
            _ => 0,
        }
    }
}

impl ClockBound {
    pub fn new(now_millis: u64, max_skew_millis: u64) -> ClockBound {
        ClockBound { now_millis, max_skew_millis }
    }

    /// The latest wall time accepted.
    pub fn limit(self) -> u64 {
        self.now_millis.saturating_add(self.max_skew_millis).min(MAX_MILLIS)
    }

    /// Whether `hlc` is a reading this receiver accepts.
    pub fn check(self, hlc: Hlc) -> Result<(), ClockProblem> {
        if hlc.millis > MAX_MILLIS {
            Err(ClockProblem::PastLimit { millis: hlc.millis })
        } else if hlc.millis > self.limit() {
            Err(ClockProblem::Ahead { ahead_millis: hlc.millis - self.now_millis })
        } else if hlc.counter > MAX_COUNTER {
            Err(ClockProblem::Counter { counter: hlc.counter })
        } else {
            Ok(())
        }
    }
}

/// The mark a change carries: when (HLC) and where (device). Ordered by time,
/// then by device, so two devices never produce equal stamps.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub hlc: Hlc,
    pub device: DeviceId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_never_goes_backwards_even_when_the_wall_clock_does() {
        let a = Hlc::default().tick(1000);
        let b = a.tick(900);
        let c = b.tick(900);
        assert!(a < b && b < c);
        assert_eq!(c, Hlc { millis: 1000, counter: 2 });
    }

    #[test]
    fn observing_a_remote_reading_moves_past_it() {
        let local = Hlc { millis: 1000, counter: 0 };
        let remote = Hlc { millis: 5000, counter: 3 };
        let next = local.observe(remote, 2000);
        assert!(next > remote);
        assert_eq!(local.observe(remote, 9000), Hlc { millis: 9000, counter: 0 });
    }

    #[test]
    fn a_remote_reading_far_ahead_is_not_adopted() {
        let now = 1_700_000_000_000;
        let local = Hlc { millis: now, counter: 0 };
        let forged = Hlc { millis: MAX_MILLIS + 5, counter: 0 };
        assert_eq!(local.observe(forged, now + 1), Hlc { millis: now + 1, counter: 0 });
        let tomorrow_and_more = Hlc { millis: now + DEFAULT_MAX_SKEW_MILLIS + 1, counter: 0 };
        assert_eq!(local.observe(tomorrow_and_more, now), Hlc { millis: now, counter: 1 });
        let within = Hlc { millis: now + DEFAULT_MAX_SKEW_MILLIS, counter: 7 };
        assert_eq!(local.observe(within, now), Hlc { millis: within.millis, counter: 8 });
    }

    #[test]
    fn a_full_counter_or_the_last_millisecond_never_wraps_or_panics() {
        let full = Hlc { millis: 5, counter: u32::MAX };
        assert_eq!(full.tick(1), Hlc { millis: 6, counter: 0 });
        assert_eq!(full.observe(full, 1), Hlc { millis: 6, counter: 0 });
        let last = Hlc { millis: u64::MAX, counter: u32::MAX };
        assert_eq!(last.tick(0), last, "saturates instead of wrapping to zero");
        assert!(last.tick(0) >= last);
    }

    #[test]
    fn readings_past_two_to_the_53_ahead_of_the_skew_or_with_a_huge_counter_are_refused() {
        let bound = ClockBound::new(1_000_000, 3_600_000);
        assert_eq!(bound.check(Hlc { millis: 1, counter: 0 }), Ok(()), "the past is fine");
        assert_eq!(bound.check(Hlc { millis: 4_600_000, counter: MAX_COUNTER }), Ok(()), "exactly the skew");
        let ahead = bound.check(Hlc { millis: 4_600_001, counter: 0 }).unwrap_err();
        assert_eq!(ahead, ClockProblem::Ahead { ahead_millis: 3_600_001 });
        assert_eq!(ahead.hours_ahead(), 2);
        assert_eq!(bound.check(Hlc { millis: 9_007_199_254_740_993, counter: 0 }), Err(ClockProblem::PastLimit { millis: 9_007_199_254_740_993 }));
        assert_eq!(bound.check(Hlc { millis: 5, counter: MAX_COUNTER + 1 }), Err(ClockProblem::Counter { counter: MAX_COUNTER + 1 }));
        let generous = ClockBound::new(MAX_MILLIS - 1, u64::MAX);
        assert_eq!(generous.limit(), MAX_MILLIS);
        assert_eq!(generous.check(Hlc { millis: MAX_MILLIS, counter: 0 }), Ok(()));
    }
}
