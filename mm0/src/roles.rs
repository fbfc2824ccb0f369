//! The capabilities each kind of task starts with, in the slots
//! `mm0_proto` names.
//!
//! The kernel puts a copied capability in the first free slot of the target
//! table, so capabilities are handed over in slot order and each landing
//! slot is checked. Every task gets, badged with its task id, SEND|GRANT on
//! mm0's endpoint ([`SLOT_MM0`]) and on fs0's ([`SLOT_FS0`]; fs0 too, which
//! keeps the slot numbers uniform). Then:
//! - fs0: RECV on its own endpoint, the first serial port's registers, the
//!   notification of process events ([`crate::fs0_events`]) and a CONTROL
//!   capability to its own thread (to bind that notification to it).
//! - ktest (and its peer): an endpoint shared by the pair, the PIT's ports,
//!   IRQ line 0 and a notification of its own.
//! - a POSIX process: a notification of its own ([`SLOT_POSIX_NOTIFICATION`]).
//!
//! Port capabilities are narrowed from mm0's all-ports capability: for an
//! IoPorts capability the kernel reads the badge argument of a copy as the
//! range, first port in bits 0..16 and last port in bits 16..32.

use abi::boot::{SLOT_FACTORY, SLOT_IOPORTS, SLOT_IRQ_FIRST};
use abi::{Error, PAGE_SIZE, Rights};
use libtern::{cap, factory};
use mm0::frames::Frame;
use mm0::layout::TaskKind;
use mm0::vma::{Kind, Vma, prot};
use mm0_proto::{
    FS0_VGA_TEXT, SLOT_DISK, SLOT_FS0, SLOT_FS0_EVENTS, SLOT_FS0_SERVICE, SLOT_IDE_BUS_MASTER, SLOT_IDE_CONTROL_PORT,
    SLOT_IDE_IRQ, SLOT_IDE_NOTIFICATION, SLOT_IDE_PORTS, SLOT_IDE_SERVICE, SLOT_IRQ0, SLOT_KEYBOARD_DATA,
    SLOT_KEYBOARD_IRQ, SLOT_KEYBOARD_STATUS, SLOT_MM0, SLOT_PIT_PORTS, SLOT_POSIX_NOTIFICATION, SLOT_SERIAL_IRQ,
    SLOT_SERIAL_PORTS, SLOT_TEST_ENDPOINT, SLOT_TEST_NOTIFICATION, SLOT_VGA_PORTS,
};

use crate::loader::StartError;
use crate::server::Mm0;
use crate::task::Task;

/// What a task is for, as far as its capabilities go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The file server; `disk` is mm0's slot of the disk endpoint, if the
    /// system has a disk driver.
    Fs0 { disk: Option<u64> },
    /// A ktest instance; `endpoint` is mm0's slot of the pair's endpoint.
    Ktest { endpoint: u64 },
    /// The IDE driver; `endpoint` is mm0's slot of the disk endpoint.
    Ide { endpoint: u64 },
    /// A client of the IDE driver (ktest's disk checks).
    DiskClient { endpoint: u64 },
    /// Anything else.
    Plain,
}

/// Gives `task` a copy of mm0's `slot` with `rights` and `badge`, and checks
/// that it landed in `want`.
pub fn give(task: &Task, slot: u64, rights: Rights, badge: u64, want: u64) -> Result<(), StartError> {
    let got = cap::copy_to(task.space, slot, rights, badge)?;
    if got != want {
        return Err(StartError::Slot { want, got });
    }
    Ok(())
}

/// The rights mm0 itself holds on `slot` (for copies of boot capabilities
/// whose rights mm0 did not choose).
fn held(slot: u64) -> Result<Rights, Error> {
    cap::identify(slot).map(|c| c.rights)
}

/// The badge that narrows an IoPorts copy to ports `first..=last`.
const fn port_range(first: u16, last: u16) -> u64 {
    first as u64 | ((last as u64) << 16)
}

/// The first serial port's registers.
const SERIAL_PORTS: u64 = port_range(0x3f8, 0x3ff);
/// The primary ATA channel's command block and control register.
const IDE_PORTS: u64 = port_range(0x1f0, 0x1f7);
const IDE_CONTROL_PORT: u64 = port_range(0x3f6, 0x3f6);
/// The first serial port's IRQ line.
const SERIAL_IRQ: u64 = 4;
/// The primary ATA channel's IRQ line.
const IDE_IRQ: u64 = 14;
/// The PS/2 controller's data and status ports, and the keyboard's IRQ.
const KEYBOARD_DATA: u64 = port_range(0x60, 0x60);
const KEYBOARD_STATUS: u64 = port_range(0x64, 0x64);
const KEYBOARD_IRQ: u64 = 1;
/// The VGA CRT controller's index and data registers.
const VGA_PORTS: u64 = port_range(0x3d4, 0x3d5);
/// The PIT's channel and command registers.
const PIT_PORTS: u64 = port_range(0x40, 0x43);

impl Mm0 {
    /// Maps the VGA text buffer into fs0 at [`FS0_VGA_TEXT`], as mm0's
    /// plumbing (fs0 cannot unmap it).
    fn map_vga_text(&mut self, task: &mut Task) -> Result<(), StartError> {
        let vga = self.vga_text;
        let len = vga.pages * PAGE_SIZE;
        let rw = prot::READ | prot::WRITE;
        task.vmas.insert(Vma { start: FS0_VGA_TEXT, end: FS0_VGA_TEXT + len, prot: rw, kind: Kind::System })?;
        for index in 0..vga.pages {
            let frame = Frame { slot: vga.slot, index, phys: vga.phys + index * PAGE_SIZE };
            task.map_device_page(frame, FS0_VGA_TEXT + index * PAGE_SIZE, rw)?;
        }
        Ok(())
    }

    pub fn install_caps(&mut self, task: &mut Task, role: &Role) -> Result<(), StartError> {
        let send = Rights::SEND.union(Rights::GRANT);
        give(task, self.endpoint, send, task.id, SLOT_MM0)?;
        give(task, self.fs0_endpoint, send, task.id, SLOT_FS0)?;
        match *role {
            Role::Fs0 { .. } => {
                give(task, self.fs0_endpoint, Rights::RECV.union(Rights::GRANT), 0, SLOT_FS0_SERVICE)?;
                give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, SERIAL_PORTS, SLOT_SERIAL_PORTS)?;
                let events = factory::notification(SLOT_FACTORY)?;
                task.owned_caps.push(events);
                give(task, events, Rights::RECV.union(Rights::SEND), 0, SLOT_FS0_EVENTS)?;
                give(task, SLOT_IRQ_FIRST + SERIAL_IRQ, held(SLOT_IRQ_FIRST + SERIAL_IRQ)?, 0, SLOT_SERIAL_IRQ)?;
                give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, KEYBOARD_DATA, SLOT_KEYBOARD_DATA)?;
                give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, KEYBOARD_STATUS, SLOT_KEYBOARD_STATUS)?;
                give(task, SLOT_IRQ_FIRST + KEYBOARD_IRQ, held(SLOT_IRQ_FIRST + KEYBOARD_IRQ)?, 0, SLOT_KEYBOARD_IRQ)?;
                give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, VGA_PORTS, SLOT_VGA_PORTS)?;
                self.map_vga_text(task)?;
                self.fs0_events.notification = events;
                self.fs0_events.task = task.id;
            }
            Role::Ktest { endpoint } => {
                give(task, endpoint, Rights::SEND.union(Rights::RECV).union(Rights::GRANT), 0, SLOT_TEST_ENDPOINT)?;
                give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, PIT_PORTS, SLOT_PIT_PORTS)?;
                give(task, SLOT_IRQ_FIRST, held(SLOT_IRQ_FIRST)?, 0, SLOT_IRQ0)?;
                let notification = factory::notification(SLOT_FACTORY)?;
                task.owned_caps.push(notification);
                give(task, notification, Rights::ALL, 0, SLOT_TEST_NOTIFICATION)?;
            }
            Role::Ide { endpoint } => {
                give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, IDE_PORTS, SLOT_IDE_PORTS)?;
                give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, IDE_CONTROL_PORT, SLOT_IDE_CONTROL_PORT)?;
                give(task, endpoint, Rights::RECV.union(Rights::GRANT), 0, SLOT_IDE_SERVICE)?;
                give(task, SLOT_IRQ_FIRST + IDE_IRQ, held(SLOT_IRQ_FIRST + IDE_IRQ)?, 0, SLOT_IDE_IRQ)?;
                let notification = factory::notification(SLOT_FACTORY)?;
                task.owned_caps.push(notification);
                give(task, notification, Rights::RECV.union(Rights::SEND), 0, SLOT_IDE_NOTIFICATION)?;
                if let Some(first) = crate::pci::ide_bus_master() {
                    let ports = port_range(first, first + 7);
                    give(task, SLOT_IOPORTS, held(SLOT_IOPORTS)?, ports, SLOT_IDE_BUS_MASTER)?;
                }
                task.dma = true;
            }
            Role::DiskClient { endpoint } => {
                give(task, endpoint, Rights::SEND.union(Rights::GRANT), task.id, SLOT_DISK)?;
            }
            Role::Plain => {}
        }
        if task.kind == TaskKind::Posix {
            let notification = factory::notification(SLOT_FACTORY)?;
            task.owned_caps.push(notification);
            task.notification = notification;
            give(task, notification, Rights::SEND.union(Rights::RECV), 0, SLOT_POSIX_NOTIFICATION)?;
        }
        Ok(())
    }
}
