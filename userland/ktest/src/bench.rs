//! The kernel benchmarks: medians of TSC-measured samples, printed in
//! cycles and in nanoseconds (from StartInfo's `tsc_hz`).
//!
//! - `null_call`: `Clock`, the cheapest kernel call that does real work
//!   (reads the TSC, no capability lookup, never switches threads). One
//!   sample times a batch of calls, to keep `rdtsc` out of the figure.
//! - `ipc_roundtrip`: `Call` to the peer (another address space) and its
//!   `ReplyRecv` back, with an empty message.
//! - `page_fault`: the first write to each page of a fresh MMAP_ANON region:
//!   fault, IPC to mm0, a zeroed frame mapped, reply, retry.
//! - `thread_switch`: two threads of this task taking turns with `Yield`
//!   (nothing else is runnable); one sample is one round trip, two switches.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use abi::PAGE_SIZE;
use libtern::ipc::{self, Message};
use libtern::time::{clock, rdtsc, ticks_to_ns, yield_now};
use libtern::{mm0, println, thread};
use mm0_proto::{SLOT_TEST_ENDPOINT, prot};

use crate::peer;
use crate::report::bench;

const SAMPLES: usize = 201;
const BATCH: u64 = 32;
const FAULT_PAGES: u64 = 256;

fn median(mut samples: Vec<u64>) -> u64 {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or(0)
}

fn report(name: &str, cycles: u64, tsc_hz: u64) {
    bench(&alloc::format!("{name}_cycles"), cycles, "cycles");
    bench(&alloc::format!("{name}_ns"), ticks_to_ns(cycles, tsc_hz), "ns");
}

/// Median cycles of `op`, timed over batches of `batch` runs.
fn measure(batch: u64, mut op: impl FnMut()) -> u64 {
    let samples = (0..SAMPLES)
        .map(|_| {
            let start = rdtsc();
            for _ in 0..batch {
                op();
            }
            (rdtsc() - start) / batch
        })
        .collect();
    median(samples)
}

fn null_call() -> u64 {
    measure(BATCH, || {
        let _ = clock();
    })
}

fn ipc_roundtrip() -> Option<u64> {
    let msg = Message::empty(peer::NULL);
    ipc::call(SLOT_TEST_ENDPOINT, &msg).ok()?;
    Some(measure(BATCH, || {
        let _ = ipc::call(SLOT_TEST_ENDPOINT, &msg);
    }))
}

fn page_fault() -> Option<u64> {
    let len = FAULT_PAGES * PAGE_SIZE;
    let addr = mm0::mmap_anon(0, len, prot::READ | prot::WRITE, 0).ok()?;
    let samples = (0..FAULT_PAGES)
        .map(|i| {
            let p = (addr + i * PAGE_SIZE) as *mut u8;
            let start = rdtsc();
            // SAFETY: the page is in the read-write region just mapped for
            // this task; nothing else refers to it.
            unsafe { p.write_volatile(1) };
            rdtsc() - start
        })
        .collect();
    let _ = mm0::munmap(addr, len);
    Some(median(samples))
}

static PARTNER_RUNS: AtomicBool = AtomicBool::new(false);
static STOP: AtomicBool = AtomicBool::new(false);

fn thread_switch() -> Option<u64> {
    STOP.store(false, Ordering::SeqCst);
    let partner = thread::spawn(|| {
        PARTNER_RUNS.store(true, Ordering::SeqCst);
        while !STOP.load(Ordering::SeqCst) {
            yield_now();
        }
        0
    })
    .ok()?;
    while !PARTNER_RUNS.load(Ordering::SeqCst) {
        yield_now();
    }
    let round_trip = measure(1, yield_now);
    STOP.store(true, Ordering::SeqCst);
    partner.join().ok()?;
    Some(round_trip / 2)
}

/// Runs every benchmark; returns false if one could not run.
pub fn run(tsc_hz: u64) -> bool {
    let mut ok = true;
    let mut emit = |name: &str, cycles: Option<u64>| match cycles {
        Some(c) => report(name, c, tsc_hz),
        None => {
            println!("ktest: benchmark {name} could not run");
            ok = false;
        }
    };
    emit("null_call", Some(null_call()));
    emit("ipc_roundtrip", ipc_roundtrip());
    emit("page_fault", page_fault());
    emit("thread_switch", thread_switch());
    ok
}
