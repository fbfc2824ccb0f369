//! The IDE disk driver: serves the block protocol (`block-proto`) for the
//! master drive of the primary ATA channel.
//!
//! Design principles:
//! - A task like any other: it holds the channel's I/O ports (given by
//!   mm0) and a service endpoint, nothing more; a crash of it ends the
//!   driver, not the kernel (there is no restart yet: its clients' calls
//!   then fail or wait).
//! - Every request is checked whole (range, grant size and access) before
//!   the disk is touched; data moves through a buffer of the driver's, so
//!   a client's bad grant cannot leave the drive in the middle of a
//!   command.
//! - Without a disk it still serves, answering ENXIO.
//! - Data moves by bus-master DMA when the machine has a PCI IDE
//!   controller (mm0 hands the driver its bus-master ports, IRQ 14 and
//!   DMA memory; [`dma`]), else (or with the argument `pio`) by PIO.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod ata;
mod dma;

use alloc::vec::Vec;

use abi::ipc::grant;
use block_proto::{MAX_SECTORS, SECTOR, errno, label, range_fits};
use libtern::ipc::{self, Message, Received};
use libtern::println;
use libtern::rt::Info;
use libtern::server::{drop_received_caps, receive};
use mm0_proto::{SLOT_IDE_CONTROL_PORT, SLOT_IDE_PORTS, SLOT_IDE_SERVICE};

use crate::ata::{AtaError, Drive};

libtern::entry!(main, heap = 1 << 20);

/// Exit status when the driver cannot serve at all.
const FAILED: i32 = 1;

fn main(info: Info) -> i32 {
    // `pio` on the module line keeps DMA off (the PIO path's test).
    let pio_only = matches!(info, Info::Start(start) if start.args().split_whitespace().any(|a| a == "pio"));
    for slot in [SLOT_IDE_PORTS, SLOT_IDE_CONTROL_PORT] {
        if let Err(e) = libtern::device::ioport_enable(slot) {
            println!("ide: cannot use the channel's ports: {e:?}");
            return FAILED;
        }
    }
    let dma = if pio_only { None } else { dma::Dma::setup() };
    let mut drive = match Drive::identify(dma) {
        Ok(drive) => {
            let (sectors, mib) = (drive.sectors, (drive.sectors * SECTOR) >> 20);
            println!("ide: disk of {sectors} sectors ({mib} MiB), {}", drive.transfer_mode());
            Some(drive)
        }
        Err(e) => {
            println!("ide: no disk ({e:?})");
            None
        }
    };
    let mut next = receive(SLOT_IDE_SERVICE, "ide");
    loop {
        let request = match next {
            Ok(request) => request,
            Err(e) => {
                println!("ide: the service endpoint failed: {e:?}");
                return FAILED;
            }
        };
        let reply = serve(drive.as_mut(), &request);
        drop_received_caps(request.msg.info.caps(), "ide");
        next = ipc::reply_recv(SLOT_IDE_SERVICE, &reply).or_else(|e| {
            println!("ide: reply or next receive failed: {e:?}");
            receive(SLOT_IDE_SERVICE, "ide")
        });
    }
}

fn fail(e: u32) -> Message {
    Message::empty(e)
}

fn device_error(e: AtaError) -> Message {
    println!("ide: {e:?}");
    fail(errno::EIO)
}

/// Answers one request.
fn serve(drive: Option<&mut Drive>, request: &Received) -> Message {
    let msg = &request.msg;
    let Some(drive) = drive else { return fail(errno::ENXIO) };
    let (lba, count) = (msg.word(0), msg.word(1));
    match msg.label() {
        label::INFO => Message::new(0, &[drive.sectors]),
        label::READ | label::WRITE => {
            let writing = msg.label() == label::WRITE;
            let need = if writing { grant::READ } else { grant::WRITE };
            let grants = ipc::received_grants();
            let fits = msg.info.grants() == 1
                && range_fits(lba, count, drive.sectors)
                && grants[0].len == count * SECTOR
                && grants[0].access & need != 0;
            if !fits {
                return fail(errno::EINVAL);
            }
            let mut buffer = Vec::new();
            if buffer.try_reserve_exact((MAX_SECTORS * SECTOR) as usize).is_err() {
                return fail(errno::EIO);
            }
            buffer.resize((count * SECTOR) as usize, 0);
            if writing {
                if libtern::grant::read(abi::call::NONE, 0, 0, &mut buffer).is_err() {
                    return fail(errno::EFAULT);
                }
                drive.write(lba, &buffer).map_or_else(device_error, |()| Message::empty(0))
            } else {
                match drive.read(lba, &mut buffer) {
                    Ok(()) if libtern::grant::write(abi::call::NONE, 0, 0, &buffer).is_ok() => Message::empty(0),
                    Ok(()) => fail(errno::EFAULT),
                    Err(e) => device_error(e),
                }
            }
        }
        label::FLUSH => drive.flush().map_or_else(device_error, |()| Message::empty(0)),
        _ => fail(errno::ENOSYS),
    }
}
