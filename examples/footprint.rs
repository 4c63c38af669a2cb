//! What an instance and an empty project cost in memory: the heap a store holds for N of
//! them, less what it holds for none, per one. Run by `bench/run.sh`; prints
//! `<bytes per instance> <bytes per project>`.
//!
//! Every allocation is counted as glibc serves it (a chunk of the request and 8 bytes,
//! rounded up to 16, at least 32), live ones only: what the fixtures' parsing leaves behind
//! is freed and not counted, which a process's RSS would count. The store keeps its own copy
//! of its fixtures (a reset returns to them): that copy is counted, as it is part of what a
//! project or an instance costs. An instance is a fixtures' instance as the built-in one is
//! seeded (a primary node and a read replica, its policy, network and flavor).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use chrono::DateTime;
use taurusdb_emulator::domain::IdSource;
use taurusdb_emulator::fixtures::Fixtures;
use taurusdb_emulator::store::{Lifecycle, Store};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

fn chunk(size: usize) -> isize {
    ((size + 8 + 15) & !15).max(32) as isize
}

// SAFETY: every call is passed on to the system allocator as it came.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: a pointer this allocator gave with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(chunk(new_size) - chunk(layout.size()), Ordering::Relaxed);
        // SAFETY: as `GlobalAlloc::realloc` requires, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const N: usize = 1000;

/// The heap a store holds, less what it held before, for the fixtures `text`.
fn held(text: &str) -> isize {
    let before = LIVE.load(Ordering::Relaxed);
    let fixtures = Fixtures::parse(text).expect("fixtures");
    let store = Store::new(
        &fixtures,
        DateTime::UNIX_EPOCH,
        Lifecycle::default(),
        IdSource::new(1),
    );
    drop(fixtures);
    let held = LIVE.load(Ordering::Relaxed) - before;
    drop(store);
    held
}

fn project(n: usize, instances: usize) -> String {
    let instances: Vec<String> = (0..instances)
        .map(|i| format!(r#"{{"id": "{n:08x}{i:024x}in07", "name": "instance-{i:04}"}}"#))
        .collect();
    format!(
        r#"{{"id": "{n:032x}", "quotas": {{"instances": {}}}, "instances": [{}]}}"#,
        instances.len().max(1),
        instances.join(",")
    )
}

fn main() {
    let projects = |count: usize, instances: usize| {
        let all: Vec<String> = (0..count).map(|n| project(n, instances)).collect();
        format!(r#"{{"projects": [{}]}}"#, all.join(","))
    };
    let one = held(&projects(1, 0));
    let per_project = (held(&projects(N + 1, 0)) - one) / N as isize;
    let per_instance = (held(&projects(1, N)) - one) / N as isize;
    println!("{per_instance} {per_project}");
}
