//! MBR partition tables: where the root file system starts on a disk.
//!
//! Sector 0 of a partitioned disk ends with 0x55 0xAA and holds four
//! 16-byte entries at offset 446; an entry gives the partition's type and
//! its first sector and length in sectors (the CHS fields are ignored, as
//! every system since LBA does). Partitions are numbered from 1, as Linux
//! names them (`sda2` is [`find`]`(.., 2)`).

/// What the table says of one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    pub kind: u8,
    pub first_sector: u64,
    pub sectors: u64,
}

/// Why a partition cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionError {
    /// Sector 0 has no MBR signature.
    NoTable,
    /// Partitions are numbered 1 to 4.
    BadNumber,
    /// The entry is empty (type 0 or no sectors).
    Unused,
    /// The entry reaches past the end of the disk.
    PastTheEnd,
}

const ENTRIES: usize = 446;
const ENTRY_LEN: usize = 16;

/// Partition `number` (1..=4) of the table in `sector0`, checked against a
/// disk of `disk_sectors`.
pub fn find(sector0: &[u8], number: u32, disk_sectors: u64) -> Result<Partition, PartitionError> {
    if sector0.len() < 512 || sector0[510] != 0x55 || sector0[511] != 0xaa {
        return Err(PartitionError::NoTable);
    }
    if !(1..=4).contains(&number) {
        return Err(PartitionError::BadNumber);
    }
    let at = ENTRIES + (number as usize - 1) * ENTRY_LEN;
    let entry = &sector0[at..at + ENTRY_LEN];
    let word = |i: usize| u64::from(u32::from_le_bytes([entry[i], entry[i + 1], entry[i + 2], entry[i + 3]]));
    let partition = Partition { kind: entry[4], first_sector: word(8), sectors: word(12) };
    if partition.kind == 0 || partition.sectors == 0 {
        return Err(PartitionError::Unused);
    }
    if partition.first_sector + partition.sectors > disk_sectors {
        return Err(PartitionError::PastTheEnd);
    }
    Ok(partition)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(u8, u32, u32)]) -> [u8; 512] {
        let mut sector = [0u8; 512];
        for (i, &(kind, first, count)) in entries.iter().enumerate() {
            let at = ENTRIES + i * ENTRY_LEN;
            sector[at + 4] = kind;
            sector[at + 8..at + 12].copy_from_slice(&first.to_le_bytes());
            sector[at + 12..at + 16].copy_from_slice(&count.to_le_bytes());
        }
        sector[510] = 0x55;
        sector[511] = 0xaa;
        sector
    }

    #[test]
    fn entries_are_found_by_number() {
        let sector = table(&[(0x0e, 2048, 32768), (0x0c, 34816, 100_000)]);
        assert_eq!(find(&sector, 1, 200_000), Ok(Partition { kind: 0x0e, first_sector: 2048, sectors: 32768 }));
        assert_eq!(find(&sector, 2, 200_000).unwrap().first_sector, 34816);
        assert_eq!(find(&sector, 3, 200_000), Err(PartitionError::Unused));
        assert_eq!(find(&sector, 5, 200_000), Err(PartitionError::BadNumber));
        assert_eq!(find(&sector, 0, 200_000), Err(PartitionError::BadNumber));
    }

    #[test]
    fn bad_tables_are_refused() {
        let mut sector = table(&[(0x0c, 2048, 1000)]);
        assert_eq!(find(&sector, 1, 2000), Err(PartitionError::PastTheEnd));
        sector[511] = 0;
        assert_eq!(find(&sector, 1, 1 << 20), Err(PartitionError::NoTable));
        assert_eq!(find(&[0u8; 100], 1, 1 << 20), Err(PartitionError::NoTable));
    }
}
