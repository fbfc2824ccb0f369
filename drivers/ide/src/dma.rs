//! Bus-master DMA on the primary channel (the PCI IDE controller's
//! "bus master IDE" registers, as on the PIIX chips QEMU models).
//!
//! The controller reads a table of physical regions (PRDs) and moves the
//! sectors between the drive and those regions itself. The driver owns one
//! table and a 128 KiB buffer (the largest request, 256 sectors), both in
//! pages from mm0 whose physical addresses it knows (DMA_MEMORY); a region
//! is one page, so the pages need not be contiguous. A transfer: table
//! address, direction, the ATA command, start; then IRQ 14 (bound to the
//! driver's notification) says the drive is done; stop, and the drive's
//! and the controller's status say whether it went well.

use abi::PAGE_SIZE;
use alloc::vec::Vec;
use core::sync::atomic::{Ordering, compiler_fence};
use libtern::device::{inb, outb, outl};
use libtern::ipc::{self, Message};
use libtern::{cap, device, notify, println, time};
use mm0_proto::{SLOT_IDE_BUS_MASTER, SLOT_IDE_IRQ, SLOT_IDE_NOTIFICATION, SLOT_MM0};

use crate::ata::{self, AtaError};

/// Bus-master registers, from the channel's first port.
const BM_COMMAND: u16 = 0;
const BM_STATUS: u16 = 2;
const BM_TABLE: u16 = 4;
/// Command: start, and the direction "to memory" (a read from the disk).
const START: u8 = 0x01;
const TO_MEMORY: u8 = 0x08;
/// Status: the controller is moving data; it failed; the drive interrupted.
const ACTIVE: u8 = 0x01;
const FAILED: u8 = 0x02;
const INTERRUPT: u8 = 0x04;
/// A table entry's flag for the last region.
const END_OF_TABLE: u32 = 0x8000_0000;
/// Pages of the buffer: 256 sectors.
const BUFFER_PAGES: usize = 32;
/// How long a transfer may take.
const TIMEOUT_NS: u64 = 5_000_000_000;
/// The notification bit IRQ 14 sets.
const IRQ_BIT: u64 = 1;

pub struct Dma {
    /// The first bus-master port.
    ports: u16,
    /// The table page's physical address, and its address here.
    table_phys: u32,
    table: *mut u32,
    /// The buffer pages' physical addresses, and the buffer here.
    pages: Vec<u32>,
    buffer: *mut u8,
}

impl Dma {
    /// Sets DMA up if mm0 gave the driver the bus-master registers; `None`
    /// (PIO then) if it did not or anything is missing.
    pub fn setup() -> Option<Dma> {
        // An I/O port capability identifies as its first port.
        let ports = cap::identify(SLOT_IDE_BUS_MASTER).ok()?.object as u16;
        let ready = device::ioport_enable(SLOT_IDE_BUS_MASTER)
            .and_then(|()| device::irq_bind(SLOT_IDE_IRQ, SLOT_IDE_NOTIFICATION, IRQ_BIT));
        if let Err(e) = ready {
            println!("ide: no DMA ({e:?}); using PIO");
            return None;
        }
        let pages = 1 + BUFFER_PAGES as u64;
        let reply = ipc::call(SLOT_MM0, &Message::new(mm0_proto::label::DMA_MEMORY, &[pages])).ok()?;
        if reply.label() != 0 {
            println!("ide: no DMA memory (errno {}); using PIO", reply.label());
            return None;
        }
        let mut physical = [0u64; 1 + BUFFER_PAGES];
        ipc::buf_words(&mut physical);
        // The controller takes 32-bit addresses.
        let physical: Vec<u32> = physical.iter().filter_map(|&p| u32::try_from(p).ok()).collect();
        if physical.len() != 1 + BUFFER_PAGES {
            println!("ide: DMA memory above 4 GiB; using PIO");
            return None;
        }
        let base = reply.word(0);
        Some(Dma {
            ports,
            table_phys: physical[0],
            table: base as *mut u32,
            pages: physical[1..].to_vec(),
            buffer: (base + PAGE_SIZE) as *mut u8,
        })
    }

    /// The transfer buffer.
    pub fn buffer(&mut self) -> &mut [u8] {
        // SAFETY: mm0 mapped these `BUFFER_PAGES` pages right after the
        // table page for the driver's whole life; only this value refers
        // to them, and `&mut self` keeps the slice unique.
        unsafe { core::slice::from_raw_parts_mut(self.buffer, BUFFER_PAGES * PAGE_SIZE as usize) }
    }

    /// Moves `count` sectors (1..=256) at `lba` between the drive and the
    /// buffer with `command` (READ DMA or WRITE DMA).
    pub fn transfer(&mut self, command: u8, lba: u64, count: u64, writing: bool) -> Result<(), AtaError> {
        let bytes = (count * 512) as usize;
        let regions = bytes.div_ceil(PAGE_SIZE as usize);
        for (i, &page) in self.pages.iter().take(regions).enumerate() {
            let len = (bytes - i * PAGE_SIZE as usize).min(PAGE_SIZE as usize) as u32;
            let flags = if i + 1 == regions { END_OF_TABLE } else { 0 };
            // SAFETY: the table page is mapped for the driver's life and
            // holds 512 entries of two words; `regions` is at most 32.
            unsafe {
                self.table.add(2 * i).write_volatile(page);
                self.table.add(2 * i + 1).write_volatile(len | flags);
            }
        }
        let direction = if writing { 0 } else { TO_MEMORY };
        // The table and buffer writes above happen before the controller
        // is started (port I/O is not ordered with memory otherwise).
        compiler_fence(Ordering::SeqCst);
        outb(self.ports + BM_COMMAND, 0);
        outl(self.ports + BM_TABLE, self.table_phys);
        // Writing ones clears the interrupt and error bits.
        outb(self.ports + BM_STATUS, FAILED | INTERRUPT);
        // An interrupt from before the transfer must not end its wait.
        let _ = notify::poll(SLOT_IDE_NOTIFICATION);
        outb(ata::CONTROL, 0);
        let result = ata::issue(command, lba, count).and_then(|()| {
            outb(self.ports + BM_COMMAND, direction | START);
            self.wait()
        });
        outb(self.ports + BM_COMMAND, direction);
        // ... and the buffer is read only after it stopped.
        compiler_fence(Ordering::SeqCst);
        outb(ata::CONTROL, ata::NIEN);
        // Reading the status ends the drive's interrupt.
        let status = inb(ata::BASE + ata::STATUS);
        let bm_status = inb(self.ports + BM_STATUS);
        outb(self.ports + BM_STATUS, FAILED | INTERRUPT);
        let _ = device::irq_ack(SLOT_IDE_IRQ);
        result?;
        if status & (ata::ERR | ata::DF) != 0 {
            return Err(AtaError::Device(inb(ata::BASE + ata::ERROR)));
        }
        if bm_status & FAILED != 0 {
            return Err(AtaError::Dma);
        }
        Ok(())
    }

    /// Waits for the drive's interrupt after a started transfer.
    fn wait(&self) -> Result<(), AtaError> {
        let deadline = time::now_ns() + TIMEOUT_NS;
        loop {
            let status = inb(self.ports + BM_STATUS);
            if status & INTERRUPT != 0 || status & (ACTIVE | FAILED) == FAILED {
                return ata::not_busy().map(|_| ());
            }
            match notify::wait_until(SLOT_IDE_NOTIFICATION, deadline) {
                Ok(_) => {
                    let _ = device::irq_ack(SLOT_IDE_IRQ);
                }
                Err(_) => return Err(AtaError::Timeout),
            }
        }
    }
}
