//! ktest: native test tasks for the kernel and mm0.
//!
//! Design principles:
//! - Every test is a real check that can fail, printed as one line in the
//!   runner's format ([`report`]); the task exits 0 only if all passed, so
//!   mm0's `mode=test` verdict sees failures too.
//! - Things expected to fault run in threads of their own ([`probe`]); the
//!   main thread learns the outcome from THREAD_JOIN and keeps going.
//! - Two address spaces are needed for IPC tests and the IPC benchmark: mm0
//!   starts every ktest with a peer ([`peer`]) on a shared endpoint. The
//!   main instance only calls, the peer only answers, and the main instance
//!   ends the peer with a last message.
//! - Threads are controlled through the capability THREAD_SPAWN hands back
//!   ([`thread_control`], on a [`spinner`]).
//!
//! Roles, by the first argument: none = the test suite, `bench` = the
//! benchmarks ([`bench`](mod@bench)), `peer` = the partner, `disk` = the
//! IDE driver's checks ([`disk`]), against the `disk` scenario's image
//! (`disk bench`: its throughput).
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod bad_pointers;
mod bench;
mod disk;
mod events;
mod garbage;
mod grant_copy;
mod hostile;
mod ipc_rights;
mod irq;
mod isolation;
mod memory;
mod peer;
mod pit;
mod ports;
mod probe;
mod report;
mod rng;
mod roundtrip;
mod scheduling;
mod spinner;
mod thread_control;

use libtern::println;
use libtern::rt::Info;

use crate::report::Report;

libtern::entry!(main, heap = 1 << 20);

fn main(info: Info) -> i32 {
    let Info::Start(start) = info else {
        println!("ktest: started without StartInfo");
        return 1;
    };
    match start.args().split_whitespace().next() {
        Some("peer") => peer::serve(),
        Some("disk") if start.args().split_whitespace().nth(1) == Some("bench") => i32::from(!disk::bench()),
        Some("disk") => disk::run(),
        Some("bench") => {
            let ran = bench::run(start.tsc_hz);
            let done = roundtrip::finish_peer();
            i32::from(!ran || done.is_err())
        }
        _ => suite(start.tsc_hz),
    }
}

fn suite(tsc_hz: u64) -> i32 {
    let mut r = Report::default();
    r.run("memory_isolation_kernel_half", || isolation::page_fault_at(isolation::KERNEL_HALF));
    r.run("memory_isolation_kernel_image", || isolation::page_fault_at(isolation::KERNEL_IMAGE));
    r.run("memory_isolation_unmapped_user", || isolation::page_fault_at(isolation::UNMAPPED_USER));
    r.run("memory_isolation_non_canonical", isolation::non_canonical);
    r.run("memory_isolation_task_survives", isolation::survivor);
    r.run("ipc_without_capability_empty_slot", ipc_rights::empty_slot);
    r.run("ipc_without_capability_wrong_type", ipc_rights::wrong_type);
    r.run("ipc_without_capability_no_send_right", ipc_rights::no_send_right);
    r.run("ioports_denied_without_capability", ports::denied_without_capability);
    r.run("ioports_allowed_with_capability", ports::allowed_with_capability);
    r.run("ioports_others_stay_closed", ports::others_stay_closed);
    r.run("hostile_direction_flag_at_fault", hostile::direction_flag_at_fault);
    r.run("hostile_direction_flag_while_preempted", hostile::direction_flag_while_preempted);
    r.run("hostile_fs_reset_stays_in_its_thread", hostile::fs_reset_stays_in_its_thread);
    r.run("timed_wait_deadline", scheduling::timed_wait);
    r.run("notification_timer", events::notification_timer);
    r.run("notification_bound_to_receiver", events::bound_notification);
    r.run("irq_delivery", || irq::delivery(tsc_hz));
    r.run("garbage_kernel_calls", garbage::every_call);
    r.run("bad_pointers_debug_write", bad_pointers::debug_write);
    r.run("ipc_roundtrip_registers", roundtrip::registers);
    r.run("ipc_roundtrip_buffer_payload", roundtrip::buffer_payload);
    r.run("ipc_capability_transfer", roundtrip::capability_transfer);
    r.run("grant_copy_between_spaces", grant_copy::between_spaces);
    r.run("grant_copy_refusals", grant_copy::refusals);
    r.run("grant_copy_after_reply", grant_copy::after_reply_refused);
    r.run("scheduling_preempts_busy_thread", || scheduling::preemption(tsc_hz));
    r.run("scheduling_fpu_state_preserved", scheduling::fpu_state_preserved);
    r.run("thread_spawn_gives_capability", thread_control::spawn_gives_capability);
    r.run("thread_capability_dead_after_exit", thread_control::capability_dead_after_exit);
    r.run("thread_suspend_resume", thread_control::suspend_resume);
    r.run("thread_read_regs_suspended", thread_control::read_suspended);
    r.run("thread_write_regs_redirects", thread_control::write_redirects);
    r.run("thread_write_regs_bad_addresses", thread_control::write_refuses_bad_addresses);
    r.run("thread_regs_wrong_capability", thread_control::wrong_capability);
    r.run("thread_regs_bad_buffer", thread_control::bad_buffer);
    r.run("thread_regs_own_thread_busy", thread_control::own_registers_busy);
    r.run("mm0_anonymous_memory", memory::anonymous_memory);
    r.run("mm0_brk", memory::brk);
    r.run("mm0_thread_exit_code", memory::thread_exit_code);
    r.run("mm0_bad_requests", memory::bad_requests);
    r.run("ipc_peer_exits", roundtrip::finish_peer);
    println!("ktest: {} passed, {} failed", r.passed, r.failed);
    i32::from(r.failed != 0)
}
