//! Who changed a field and when: a device id plus a hybrid logical clock.
//!
//! Wall clocks on tablets drift; an HLC never goes backwards and still sorts
//! close to real time, so "the later change wins" means something across devices.

use serde::{Deserialize, Serialize};

/// A device's own id, made once on first start and kept in settings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(pub String);

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
            Hlc { millis: self.millis, counter: self.counter + 1 }
        }
    }

    /// The next reading after receiving `remote`, so that local events that
    /// follow sort after everything this device has seen.
    pub fn observe(self, remote: Hlc, now_millis: u64) -> Hlc {
        let max = self.max(remote);
        if now_millis > max.millis {
            Hlc { millis: now_millis, counter: 0 }
        } else {
            Hlc { millis: max.millis, counter: max.counter + 1 }
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
}
