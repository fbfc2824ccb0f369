//! The protocol between a block device driver (the IDE task) and its
//! clients: whole 512-byte sectors, addressed by number (LBA), moved
//! through one grant per request (the client lends its buffer, the driver
//! copies into or out of it). A request is checked whole before the disk
//! is touched: a bad range or grant changes nothing.
#![no_std]

/// Bytes of one sector.
pub const SECTOR: u64 = 512;
/// Most sectors one READ or WRITE moves.
pub const MAX_SECTORS: u64 = 256;

/// Request labels.
pub mod label {
    /// () -> (sectors): the disk's size. ENXIO without a disk.
    pub const INFO: u32 = 1;
    /// (lba, count) + grant 0 writable, `count` sectors long -> (): reads
    /// sectors `lba..lba + count` into the grant.
    pub const READ: u32 = 2;
    /// (lba, count) + grant 0 readable, `count` sectors long -> (): writes
    /// the grant to sectors `lba..lba + count`.
    pub const WRITE: u32 = 3;
    /// () -> (): what the disk holds in its cache reaches the medium.
    pub const FLUSH: u32 = 4;
}

/// Errors (Linux numbering).
pub mod errno {
    /// The disk failed the command.
    pub const EIO: u32 = 5;
    /// There is no disk.
    pub const ENXIO: u32 = 6;
    /// The grant could not be copied.
    pub const EFAULT: u32 = 14;
    /// A count of 0 or past [`crate::MAX_SECTORS`], a range past the end
    /// of the disk, a grant of the wrong size or access.
    pub const EINVAL: u32 = 22;
    /// Unknown request.
    pub const ENOSYS: u32 = 38;
}

/// The disk image the `disk` test scenario attaches: the harness makes it
/// and checks it afterwards, ktest's disk checks read and write it. One
/// description for both, so they cannot drift apart.
pub mod test_disk {
    /// Its size in sectors (4 MiB).
    pub const SECTORS: u64 = 8192;
    /// What sector 0 starts with.
    pub const SIGNATURE: &[u8] = b"TERN TEST DISK";
    /// Where the guest writes two sectors of [`written_byte`]s.
    pub const WRITTEN_SECTOR: u64 = 100;

    /// The byte at `offset` of the fresh image (past the signature).
    pub fn image_byte(offset: u64) -> u8 {
        (offset * 7 + offset / 512) as u8
    }

    /// The byte at `offset` of what the guest writes at [`WRITTEN_SECTOR`].
    pub fn written_byte(offset: u64) -> u8 {
        (offset as u8) ^ 0x5a
    }
}

/// The MBR partition table: sector 0 of a partitioned disk ends with 0x55
/// 0xAA and holds four 16-byte entries at offset 446, each a partition's
/// type and its first sector and length in sectors (the CHS fields are
/// ignored, as every system since LBA does). Partitions are numbered from
/// one. One description for the image builder, which writes tables, and
/// fs0, which reads them.
pub mod mbr {
    /// Where the table lies, and its entries' size.
    const TABLE_AT: usize = 0x1be;
    const ENTRY_BYTES: usize = 16;
    pub const ENTRIES: usize = 4;
    const SIGNATURE_AT: usize = 510;
    pub const SIGNATURE: [u8; 2] = [0x55, 0xaa];
    /// A CHS address that says "past what CHS can address: use the LBA
    /// fields" (cylinder 1023, head 254, sector 63).
    pub const CHS_USE_LBA: [u8; 3] = [0xfe, 0xff, 0xff];

    /// An entry of the table, in sectors.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Partition {
        /// The partition type (0x0C FAT32 with LBA, ...).
        pub kind: u8,
        pub start: u32,
        pub sectors: u32,
    }

    /// The table of `sector0`: entry `i` is partition `i + 1`, `None` where
    /// it is unused (type 0 or no sectors). `None` for a sector without
    /// the signature (no MBR).
    pub fn read(sector0: &[u8]) -> Option<[Option<Partition>; ENTRIES]> {
        if sector0.len() < 512 || sector0[SIGNATURE_AT..SIGNATURE_AT + 2] != SIGNATURE {
            return None;
        }
        let mut table = [None; ENTRIES];
        for (i, slot) in table.iter_mut().enumerate() {
            let entry = &sector0[TABLE_AT + i * ENTRY_BYTES..][..ENTRY_BYTES];
            let word = |at: usize| u32::from_le_bytes([entry[at], entry[at + 1], entry[at + 2], entry[at + 3]]);
            let partition = Partition { kind: entry[4], start: word(8), sectors: word(12) };
            if partition.kind != 0 && partition.sectors != 0 {
                *slot = Some(partition);
            }
        }
        Some(table)
    }

    /// An MBR holding `partitions` (at most four, numbered from 1 in
    /// order): no boot code, none marked active, addressed by LBA only.
    pub fn write(partitions: &[Partition]) -> [u8; 512] {
        assert!(partitions.len() <= ENTRIES, "an MBR has room for {ENTRIES} partitions");
        let mut sector = [0; 512];
        for (i, partition) in partitions.iter().enumerate() {
            let entry = &mut sector[TABLE_AT + i * ENTRY_BYTES..][..ENTRY_BYTES];
            entry[1..4].copy_from_slice(&CHS_USE_LBA);
            entry[4] = partition.kind;
            entry[5..8].copy_from_slice(&CHS_USE_LBA);
            entry[8..12].copy_from_slice(&partition.start.to_le_bytes());
            entry[12..16].copy_from_slice(&partition.sectors.to_le_bytes());
        }
        sector[SIGNATURE_AT..].copy_from_slice(&SIGNATURE);
        sector
    }
}

/// Whether `count` sectors from `lba` lie on a disk of `sectors`.
pub fn range_fits(lba: u64, count: u64, sectors: u64) -> bool {
    (1..=MAX_SECTORS).contains(&count) && lba.checked_add(count).is_some_and(|end| end <= sectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(range_fits(0, 1, 1));
        assert!(range_fits(10, 256, 266));
        assert!(!range_fits(10, 256, 265));
        assert!(!range_fits(0, 0, 10));
        assert!(!range_fits(0, 257, 1000));
        assert!(!range_fits(u64::MAX, 1, u64::MAX));
    }

    #[test]
    fn mbr_tables_round_trip() {
        use mbr::Partition;
        let written = [
            Partition { kind: 0x0e, start: 2048, sectors: 32768 },
            Partition { kind: 0x0c, start: 34816, sectors: 292864 },
            Partition { kind: 0x83, start: 0xdead_beef, sectors: 0x0102_0304 },
        ];
        let sector = mbr::write(&written);
        assert_eq!(sector[0x1c6..0x1ca], 2048u32.to_le_bytes());
        assert_eq!(sector[0x1bf..0x1c2], mbr::CHS_USE_LBA);
        assert_eq!(mbr::read(&sector), Some([Some(written[0]), Some(written[1]), Some(written[2]), None]));
        let mut broken = sector;
        broken[511] = 0;
        assert_eq!(mbr::read(&broken), None);
        assert_eq!(mbr::read(&sector[..100]), None);
    }
}
