//! Exceptions and interrupts after the entry stubs.
//!
//! From user mode: an exception becomes a fault message to the thread's
//! pager (the thread waits for the reply, then retries the instruction); a
//! thread with no pager is stopped. Interrupts signal notifications or tick
//! the scheduler. From kernel mode: interrupts are served (the kernel is
//! idle), and an exception is a kernel bug: registers and a backtrace are
//! printed and the machine halts.

use abi::MsgInfo;
use abi::ipc::{LABEL_EXCEPTION, LABEL_PAGE_FAULT, REG_WORDS};

use crate::apic;
use crate::arena::Id;
use crate::entry::KernelFrame;
use crate::idt::{VECTOR_IRQ_BASE, VECTOR_SPURIOUS, VECTOR_TIMER};
use crate::sched::run_next;
use crate::state::{KERNEL, Kernel};
use crate::thread::{Message, State};

const NMI: u64 = 2;
const DEVICE_NOT_AVAILABLE: u64 = 7;
const PAGE_FAULT: u64 = 14;

/// Called by the stubs for every trap from user mode.
pub extern "C" fn trap_from_user(vector: u64, error: u64) -> ! {
    let mut k = KERNEL.lock();
    {
        match vector {
            NMI => crate::log!(Warn, "kernel: non-maskable interrupt"),
            DEVICE_NOT_AVAILABLE => {
                if let Some(t) = k.sched.current {
                    k.take_fpu(t);
                }
            }
            0..=31 => {
                let addr = if vector == PAGE_FAULT { crate::cpu::read_cr2() } else { 0 };
                if let Some(t) = k.sched.current {
                    k.user_fault(t, vector, error, addr);
                }
            }
            _ => k.interrupt(vector),
        }
    }
    run_next(k)
}

/// Called by the stubs for traps taken in kernel mode.
pub extern "C" fn trap_from_kernel(frame: &mut KernelFrame) {
    if frame.vector >= VECTOR_IRQ_BASE {
        KERNEL.lock().interrupt(frame.vector);
        return;
    }
    if frame.vector == NMI {
        crate::log!(Warn, "kernel: non-maskable interrupt");
        return;
    }
    let cr2 = crate::cpu::read_cr2();
    crate::console::print_panic(format_args!(
        "\nkernel fault: vector {} error {:#x} at {:#x} cr2 {:#x}\n{:#x?}\n",
        frame.vector, frame.error, frame.rip, cr2, frame
    ));
    crate::symbols::print_backtrace(frame.rip, frame.rbp);
    crate::halt_after_kernel_failure();
}

impl Kernel {
    fn interrupt(&mut self, vector: u64) {
        match vector {
            VECTOR_TIMER => {
                apic::apic_eoi();
                self.tick();
            }
            VECTOR_SPURIOUS => {}
            v if (VECTOR_IRQ_BASE..VECTOR_IRQ_BASE + 16).contains(&v) => self.device_irq((v - VECTOR_IRQ_BASE) as u8),
            _ => apic::apic_eoi(),
        }
    }

    /// Turn a user exception into a call to the thread's pager.
    pub fn user_fault(&mut self, t: Id, vector: u64, error: u64, addr: u64) {
        let Some(th) = self.threads.get(t) else { return };
        let (rip, rsp, tid) = (th.saved.regs.rip, th.saved.regs.rsp, th.tid);
        let label = if vector == PAGE_FAULT { LABEL_PAGE_FAULT } else { LABEL_EXCEPTION };
        let mut words = [0u64; REG_WORDS];
        words[..6].copy_from_slice(&[addr, error, rip, vector, rsp, tid]);
        let msg = Message { info: MsgInfo::new(label, 6), words };
        let delivered = match th.pager {
            Some(pager) => self.send(t, pager.endpoint, pager.badge, msg, true, true).is_ok(),
            None => false,
        };
        if !delivered {
            crate::log!(
                Warn,
                "kernel: thread {} stopped: unhandled exception {} (error {:#x}) at rip {:#x}, address {:#x}",
                tid,
                vector,
                error,
                rip,
                addr
            );
            if let Some(th) = self.threads.get_mut(t) {
                th.state = State::Inactive;
            }
        }
    }
}
