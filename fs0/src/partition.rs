//! Where the root file system starts on a disk: partition N of its MBR
//! (`block_proto::mbr`), numbered from 1 as Linux names them (`sda2` is
//! [`find`]`(.., 2)`), checked against the disk's size.

use block_proto::mbr;

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

/// Partition `number` (1..=4) of the table in `sector0`, checked against a
/// disk of `disk_sectors`.
pub fn find(sector0: &[u8], number: u32, disk_sectors: u64) -> Result<Partition, PartitionError> {
    let table = mbr::read(sector0).ok_or(PartitionError::NoTable)?;
    let index = (number as usize).checked_sub(1).filter(|&i| i < mbr::ENTRIES).ok_or(PartitionError::BadNumber)?;
    let entry = table[index].ok_or(PartitionError::Unused)?;
    let partition =
        Partition { kind: entry.kind, first_sector: u64::from(entry.start), sectors: u64::from(entry.sectors) };
    if partition.first_sector + partition.sectors > disk_sectors {
        return Err(PartitionError::PastTheEnd);
    }
    Ok(partition)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(u8, u32, u32)]) -> [u8; 512] {
        let partitions: alloc::vec::Vec<mbr::Partition> =
            entries.iter().map(|&(kind, start, sectors)| mbr::Partition { kind, start, sectors }).collect();
        mbr::write(&partitions)
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
