//! A transport for tablets that talk to several server instances over one
//! database: each request to one of them at random, over [`super::tablet::Http`];
//! and what everything they pushed merges to offline, to compare the servers with.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use serde_json::Value;
use xunfang_core::sync::{AnyDoc, SyncRequest, SyncResponse};
use xunfang_core::sync_client::memory::MemoryStore;
use xunfang_core::sync_client::{LocalStore, NativeTransport, Received, SyncError};

use super::tablet::{block_on, Http};

/// A transport that sends each request to one of `addrs` at random, keeps every document it pushed, and counts
/// ids its answers hold twice when `count_ids` (the checks' full pulls: over all the pages of one, an id comes once).
pub struct Spread {
    addrs: Vec<SocketAddr>,
    token: String,
    rng: Cell<Rng>,
    /// Every document pushed through it, as sent.
    pub sent: RefCell<Vec<Value>>,
    /// Whether answers' ids are counted (off under load: it costs a parse of every document).
    pub count_ids: Cell<bool>,
    seen: RefCell<BTreeSet<String>>,
    /// Ids that came a second time, since the transport was made.
    pub repeated: Cell<usize>,
    /// Requests sent to each of `addrs`, in their order.
    pub hits: RefCell<Vec<usize>>,
}

impl Spread {
    pub fn new(addrs: &[SocketAddr], token: &str, seed: u64) -> Spread {
        Spread {
            addrs: addrs.to_vec(),
            token: token.into(),
            rng: Cell::new(Rng::new(seed)),
            sent: RefCell::default(),
            count_ids: Cell::new(false),
            seen: RefCell::default(),
            repeated: Cell::new(0),
            hits: RefCell::new(vec![0; addrs.len()]),
        }
    }
}

impl NativeTransport for Spread {
    async fn exchange(&self, request: &SyncRequest) -> Result<SyncResponse, SyncError> {
        let mut rng = self.rng.get();
        let n = rng.below(self.addrs.len());
        self.rng.set(rng);
        self.hits.borrow_mut()[n] += 1;
        let addr = self.addrs[n];
        self.sent.borrow_mut().extend(request.push.iter().cloned());
        let answer = Http::new(addr, &self.token).exchange(request).await?;
        for raw in answer.docs.iter().filter(|_| self.count_ids.get()) {
            let id = serde_json::from_str::<Value>(raw.get()).ok().and_then(|v| v["id"].as_str().map(String::from)).unwrap_or_default();
            if !self.seen.borrow_mut().insert(id) {
                self.repeated.set(self.repeated.get() + 1);
            }
        }
        Ok(answer)
    }
}

/// xorshift64: enough to spread picks; seeded per tablet so runs repeat.
#[derive(Clone, Copy)]
pub struct Rng(u64);

impl Rng {
    /// Any seed (0 too) gives a usable generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Every document pushed for a team, merged by core's one rule in the order sent (merging commutes: any order
/// gives the same), by id.
pub fn offline_merge(pushed: &[Value]) -> BTreeMap<String, Value> {
    let store = MemoryStore::default();
    let docs = pushed.iter().map(|v| Received::of(AnyDoc::from_value(v.clone()).expect("a document we sent reads back"))).collect();
    block_on(store.absorb(docs, None)).expect("memory store");
    let merged = store.docs.borrow().iter().map(|(id, d)| (id.to_string(), d.to_value())).collect();
    merged
}
