//! The app's entry point; everything else is in the library (`lib.rs`) so the
//! in-browser tests under `tests/` can reach the storage layer.

fn main() {
    xunfang::start();
}
