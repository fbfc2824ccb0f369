//! Rust std on Tern: threads, locks, channels, time, panics in threads,
//! randomness, the environment. Prints `test: rust_std/<name> ...` lines
//! and exits with 0 when all passed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tern_rust_tests::{ensure, report, status};

const SUITE: &str = "rust_std";

fn threads_and_mutex() -> Result<(), String> {
    let counter = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..8u64)
        .map(|i| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..1000 {
                    *counter.lock().unwrap() += 1;
                }
                i * 10
            })
        })
        .collect();
    let mut sum = 0;
    for h in handles {
        sum += h.join().map_err(|_| "a thread panicked".to_string())?;
    }
    let total = *counter.lock().unwrap();
    ensure(total == 8000, || format!("counter {total}, expected 8000"))?;
    ensure(sum == 280, || format!("join values sum to {sum}, expected 280"))
}

fn condvar() -> Result<(), String> {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let other = Arc::clone(&pair);
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        *other.0.lock().unwrap() = true;
        other.1.notify_one();
    });
    let (lock, cvar) = &*pair;
    let mut ready = lock.lock().unwrap();
    while !*ready {
        ready = cvar.wait(ready).unwrap();
    }
    drop(ready);
    t.join().map_err(|_| "the notifier panicked".to_string())?;
    let (guard, timeout) = cvar.wait_timeout(lock.lock().unwrap(), Duration::from_millis(30)).unwrap();
    drop(guard);
    ensure(timeout.timed_out(), || "wait_timeout did not time out".to_string())
}

fn channels() -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let producers: Vec<_> = (0..4u64)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..250 {
                    tx.send(p * 1000 + i).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let received: Vec<u64> = rx.iter().collect();
    for p in producers {
        p.join().map_err(|_| "a producer panicked".to_string())?;
    }
    let expected: u64 = (0..4u64).map(|p| (0..250).map(|i| p * 1000 + i).sum::<u64>()).sum();
    ensure(received.len() == 1000, || format!("{} messages, expected 1000", received.len()))?;
    let sum: u64 = received.iter().sum();
    ensure(sum == expected, || format!("sum {sum}, expected {expected}"))?;
    let (tx, rx) = mpsc::channel::<u8>();
    let started = Instant::now();
    let timed_out = rx.recv_timeout(Duration::from_millis(30)).is_err();
    drop(tx);
    ensure(timed_out && started.elapsed() >= Duration::from_millis(30), || "recv_timeout returned early".to_string())
}

fn time() -> Result<(), String> {
    let start = Instant::now();
    thread::sleep(Duration::from_millis(50));
    let slept = start.elapsed();
    ensure(slept >= Duration::from_millis(50) && slept < Duration::from_secs(2), || format!("slept {slept:?}"))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?;
    ensure(now.as_secs() > 1_577_836_800, || format!("the time is {now:?} after 1970"))
}

fn panics_in_threads() -> Result<(), String> {
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = thread::spawn(|| -> u32 { panic!("on purpose") }).join();
    let _ = std::panic::take_hook();
    ensure(outcome.is_err(), || "a panicking thread joined as Ok".to_string())
}

fn scoped_and_local() -> Result<(), String> {
    thread_local!(static OWN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
    let seen = AtomicU64::new(0);
    thread::scope(|s| {
        for i in 1..=4u64 {
            let seen = &seen;
            s.spawn(move || {
                OWN.with(|v| v.set(i));
                thread::yield_now();
                if OWN.with(|v| v.get()) == i {
                    seen.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let n = seen.load(Ordering::Relaxed);
    ensure(n == 4 && OWN.with(|v| v.get()) == 0, || format!("{n} threads kept their thread-local value"))
}

fn randomness_and_environment() -> Result<(), String> {
    let mut a = HashMap::new();
    a.insert("one", 1);
    a.insert("two", 2);
    ensure(a["two"] == 2, || "HashMap lookup failed".to_string())?;
    let path = std::env::var("PATH").map_err(|e| format!("PATH: {e}"))?;
    ensure(path.contains("/bin"), || format!("PATH is {path}"))?;
    let args: Vec<String> = std::env::args().collect();
    ensure(args.len() == 1 && args[0].ends_with("std_threads"), || format!("args {args:?}"))
}

fn main() {
    report(SUITE, "threads_and_mutex", threads_and_mutex());
    report(SUITE, "condvar", condvar());
    report(SUITE, "channels", channels());
    report(SUITE, "time", time());
    report(SUITE, "panic_in_thread", panics_in_threads());
    report(SUITE, "scoped_threads_and_thread_locals", scoped_and_local());
    report(SUITE, "randomness_and_environment", randomness_and_environment());
    std::process::exit(status());
}
