//! The ATA commands on the primary channel's master drive: IDENTIFY,
//! READ/WRITE, CACHE FLUSH, with 28-bit sector numbers (disks up to 128
//! GiB). Data moves by bus-master DMA when mm0 gave the driver the
//! controller's bus-master registers ([`crate::dma`]), else by programmed
//! I/O (PIO), 256 16-bit words per sector.
//!
//! PIO runs with interrupts off (nIEN) and polls the status register; a
//! DMA transfer turns them on and waits for IRQ 14. Every wait is bounded,
//! so a missing or stuck drive is an error, never a hang.

use libtern::device::{inb, inw, outb, outw};

use crate::dma::Dma;

/// The primary channel's command block and control register.
pub const BASE: u16 = 0x1f0;
pub const CONTROL: u16 = 0x3f6;
const DATA: u16 = 0;
pub const ERROR: u16 = 1;
const COUNT: u16 = 2;
const LBA_LOW: u16 = 3;
const LBA_MID: u16 = 4;
const LBA_HIGH: u16 = 5;
const DRIVE: u16 = 6;
const COMMAND: u16 = 7;
pub const STATUS: u16 = 7;

const BSY: u8 = 0x80;
pub const DF: u8 = 0x20;
const DRQ: u8 = 0x08;
pub const ERR: u8 = 0x01;
/// Control register: interrupts off.
pub const NIEN: u8 = 0x02;

const IDENTIFY: u8 = 0xec;
const READ_SECTORS: u8 = 0x20;
const WRITE_SECTORS: u8 = 0x30;
const READ_DMA: u8 = 0xc8;
const WRITE_DMA: u8 = 0xca;
const CACHE_FLUSH: u8 = 0xe7;

/// Status polls before a wait gives up (a real drive answers in
/// milliseconds; QEMU at once).
const MAX_POLLS: u32 = 10_000_000;
/// Sectors reachable with 28-bit numbers.
pub const LBA28_SECTORS: u64 = 1 << 28;

/// Why a command failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtaError {
    /// No drive answers, or it is not an ATA disk (ATAPI).
    NoDisk,
    /// The drive reported an error (its error register).
    Device(u8),
    /// The drive did not become ready in time.
    Timeout,
    /// The DMA controller reported an error.
    Dma,
}

/// The master drive of the primary channel.
pub struct Drive {
    /// Its size in sectors (28-bit addressable part).
    pub sectors: u64,
    /// Bus-master DMA, if the machine has it.
    dma: Option<Dma>,
}

/// Waits until the drive is not busy; then its status.
pub fn not_busy() -> Result<u8, AtaError> {
    for _ in 0..MAX_POLLS {
        let status = inb(BASE + STATUS);
        if status & BSY == 0 {
            return Ok(status);
        }
    }
    Err(AtaError::Timeout)
}

/// Waits until the drive has a sector to move (DRQ), or reports its error.
fn data_ready() -> Result<(), AtaError> {
    for _ in 0..MAX_POLLS {
        let status = inb(BASE + STATUS);
        if status & BSY != 0 {
            continue;
        }
        if status & (ERR | DF) != 0 {
            return Err(AtaError::Device(inb(BASE + ERROR)));
        }
        if status & DRQ != 0 {
            return Ok(());
        }
    }
    Err(AtaError::Timeout)
}

/// The 400 ns the drive needs after a select: four reads of the
/// alternate status.
fn settle() {
    for _ in 0..4 {
        inb(CONTROL);
    }
}

/// Selects the master drive with the top bits of `lba` and issues
/// `command` for `count` sectors (1..=256).
pub fn issue(command: u8, lba: u64, count: u64) -> Result<(), AtaError> {
    not_busy()?;
    outb(BASE + DRIVE, 0xe0 | ((lba >> 24) & 0x0f) as u8);
    settle();
    outb(BASE + COUNT, (count & 0xff) as u8);
    outb(BASE + LBA_LOW, lba as u8);
    outb(BASE + LBA_MID, (lba >> 8) as u8);
    outb(BASE + LBA_HIGH, (lba >> 16) as u8);
    outb(BASE + COMMAND, command);
    // The status is valid 400 ns after a command.
    settle();
    Ok(())
}

impl Drive {
    /// Finds the drive: IDENTIFY, and its size; `dma` moves its data if
    /// given.
    pub fn identify(dma: Option<Dma>) -> Result<Drive, AtaError> {
        outb(CONTROL, NIEN);
        outb(BASE + DRIVE, 0xa0);
        settle();
        for reg in [COUNT, LBA_LOW, LBA_MID, LBA_HIGH] {
            outb(BASE + reg, 0);
        }
        outb(BASE + COMMAND, IDENTIFY);
        settle();
        // 0: no drive on the channel; all ones: no controller at all.
        let status = inb(BASE + STATUS);
        if status == 0 || status == 0xff {
            return Err(AtaError::NoDisk);
        }
        not_busy()?;
        // An ATAPI or SATA device answers with a signature here.
        if inb(BASE + LBA_MID) != 0 || inb(BASE + LBA_HIGH) != 0 {
            return Err(AtaError::NoDisk);
        }
        data_ready()?;
        let mut words = [0u16; 256];
        for w in words.iter_mut() {
            *w = inw(BASE + DATA);
        }
        let sectors = u64::from(words[60]) | (u64::from(words[61]) << 16);
        if sectors == 0 {
            return Err(AtaError::NoDisk);
        }
        Ok(Drive { sectors: sectors.min(LBA28_SECTORS), dma })
    }

    /// How data moves.
    pub fn transfer_mode(&self) -> &'static str {
        if self.dma.is_some() { "bus-master DMA" } else { "PIO" }
    }

    /// Reads `out.len() / 512` sectors (1..=256; the caller checked them
    /// against the size) from `lba` on into `out`.
    pub fn read(&mut self, lba: u64, out: &mut [u8]) -> Result<(), AtaError> {
        let count = (out.len() / 512) as u64;
        if let Some(dma) = &mut self.dma {
            dma.transfer(READ_DMA, lba, count, false)?;
            out.copy_from_slice(&dma.buffer()[..out.len()]);
            return Ok(());
        }
        issue(READ_SECTORS, lba, count)?;
        for sector in out.chunks_exact_mut(512) {
            data_ready()?;
            for pair in sector.chunks_exact_mut(2) {
                pair.copy_from_slice(&inw(BASE + DATA).to_le_bytes());
            }
            // The next sector's status is valid 400 ns after this one.
            settle();
        }
        Ok(())
    }

    /// Writes `data` (1..=256 whole sectors) from `lba` on.
    pub fn write(&mut self, lba: u64, data: &[u8]) -> Result<(), AtaError> {
        let count = (data.len() / 512) as u64;
        if let Some(dma) = &mut self.dma {
            dma.buffer()[..data.len()].copy_from_slice(data);
            return dma.transfer(WRITE_DMA, lba, count, true);
        }
        issue(WRITE_SECTORS, lba, count)?;
        for sector in data.chunks_exact(512) {
            data_ready()?;
            for pair in sector.chunks_exact(2) {
                outw(BASE + DATA, u16::from_le_bytes([pair[0], pair[1]]));
            }
            settle();
        }
        let status = not_busy()?;
        if status & (ERR | DF) != 0 {
            return Err(AtaError::Device(inb(BASE + ERROR)));
        }
        Ok(())
    }

    /// CACHE FLUSH: written sectors reach the medium.
    pub fn flush(&self) -> Result<(), AtaError> {
        issue(CACHE_FLUSH, 0, 0)?;
        let status = not_busy()?;
        if status & (ERR | DF) != 0 {
            return Err(AtaError::Device(inb(BASE + ERROR)));
        }
        Ok(())
    }
}
