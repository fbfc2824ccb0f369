//! The test disk of the `disk` scenario (`block_proto::test_disk`): made
//! fresh before the boot, and read afterwards for what the guest wrote.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use block_proto::SECTOR;
use block_proto::test_disk::{SECTORS, SIGNATURE, WRITTEN_SECTOR, image_byte, written_byte};

/// Writes a fresh test disk at `path`; returns the path.
pub fn make_test_disk(path: &Path) -> Result<PathBuf> {
    let mut bytes: Vec<u8> = (0..SECTORS * SECTOR).map(image_byte).collect();
    bytes[..SIGNATURE.len()].copy_from_slice(SIGNATURE);
    fs::write(path, bytes).with_context(|| format!("writing the test disk {}", path.display()))?;
    Ok(path.to_path_buf())
}

/// Whether the two sectors the guest writes reached the image, and the
/// sectors around them are as they were.
pub fn check_written(path: &Path) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let start = (WRITTEN_SECTOR * SECTOR) as usize;
    if bytes.len() < start + 2 * SECTOR as usize + 1 {
        return Err(format!("the image is only {} bytes", bytes.len()));
    }
    let written = &bytes[start..start + 2 * SECTOR as usize];
    if let Some(i) = (0..written.len()).find(|&i| written[i] != written_byte(i as u64)) {
        return Err(format!("byte {i} of sector {WRITTEN_SECTOR} is {:#x}", written[i]));
    }
    for at in [start - 1, start + 2 * SECTOR as usize] {
        if bytes[at] != image_byte(at as u64) {
            return Err(format!("byte {at} next to the written sectors changed"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_disk_fails_the_check_until_written() {
        let path = std::env::temp_dir().join(format!("tern-test-disk-{}.img", std::process::id()));
        make_test_disk(&path).unwrap();
        assert!(check_written(&path).is_err());
        let mut bytes = fs::read(&path).unwrap();
        assert!(bytes.starts_with(SIGNATURE));
        let start = (WRITTEN_SECTOR * SECTOR) as usize;
        for i in 0..2 * SECTOR as usize {
            bytes[start + i] = written_byte(i as u64);
        }
        fs::write(&path, &bytes).unwrap();
        assert_eq!(check_written(&path), Ok(()));
        fs::remove_file(&path).unwrap();
    }
}
