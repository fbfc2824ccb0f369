//! The IDE driver through its protocol (`block-proto`), as fs0 will use
//! it: the size, a sector the test harness wrote into the disk image, a
//! multi-sector read, a write read back (and left for the harness to find
//! in the image after the run), a flush, and the requests the driver must
//! refuse. Run as `ktest disk`, with the disk image the `disk` scenario
//! attaches.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use abi::ipc::{Grant, grant};
use block_proto::test_disk::{SECTORS, SIGNATURE, WRITTEN_SECTOR, image_byte, written_byte};
use block_proto::{SECTOR, errno, label};
use libtern::ipc::{self, Message};
use mm0_proto::SLOT_DISK;

use crate::ensure;
use crate::report::{Outcome, Report};

/// One request with `buffer` lent (writable for READ, readable for
/// WRITE); the reply's label (0: success) and first word.
fn request(
    label: u32,
    words: &[u64],
    buffer: Option<&mut [u8]>,
    access: u64,
) -> Result<(u32, u64), alloc::string::String> {
    let msg = Message::new(label, words);
    let msg = match buffer {
        Some(b) => {
            let n = ipc::set_grants(&[Grant { addr: b.as_mut_ptr() as u64, len: b.len() as u64, access }]);
            msg.with_info(msg.info.with_grants(n))
        }
        None => msg,
    };
    let reply = ipc::call(SLOT_DISK, &msg).map_err(|e| format!("call failed: {e:?}"))?;
    Ok((reply.label(), reply.word(0)))
}

fn read(lba: u64, count: u64) -> Result<Vec<u8>, alloc::string::String> {
    let mut buffer = vec![0u8; (count * SECTOR) as usize];
    let (status, _) = request(label::READ, &[lba, count], Some(&mut buffer), grant::WRITE)?;
    ensure!(status == 0, "READ {lba}+{count} failed with {status}");
    Ok(buffer)
}

fn size() -> Outcome {
    let (status, sectors) = request(label::INFO, &[], None, 0)?;
    ensure!(status == 0 && sectors == SECTORS, "INFO: status {status}, {sectors} sectors");
    Ok(())
}

fn signature() -> Outcome {
    let sector = read(0, 1)?;
    ensure!(sector.starts_with(SIGNATURE), "sector 0 starts with {:?}", &sector[..16]);
    Ok(())
}

fn many_sectors() -> Outcome {
    let data = read(3, 40)?;
    let wrong = (0..data.len()).find(|&i| data[i] != image_byte(3 * SECTOR + i as u64));
    ensure!(wrong.is_none(), "byte {:?} of sectors 3..43 differs from the image", wrong);
    Ok(())
}

fn write_read_back() -> Outcome {
    let mut data: Vec<u8> = (0..2 * SECTOR).map(written_byte).collect();
    let (status, _) = request(label::WRITE, &[WRITTEN_SECTOR, 2], Some(&mut data), grant::READ)?;
    ensure!(status == 0, "WRITE failed with {status}");
    let (status, _) = request(label::FLUSH, &[], None, 0)?;
    ensure!(status == 0, "FLUSH failed with {status}");
    ensure!(read(WRITTEN_SECTOR, 2)? == data, "the sectors read back differ");
    Ok(())
}

fn refusals() -> Outcome {
    let mut one = vec![0u8; SECTOR as usize];
    let cases: [(&str, u32, [u64; 2], usize, u64); 5] = [
        ("past the end", label::READ, [SECTORS - 1, 2], 2, grant::WRITE),
        ("count 0", label::READ, [0, 0], 1, grant::WRITE),
        ("grant of the wrong size", label::READ, [0, 2], 1, grant::WRITE),
        ("read into a read-only grant", label::READ, [0, 1], 1, grant::READ),
        ("more than 256 sectors", label::WRITE, [0, 257], 1, grant::READ),
    ];
    for (what, op, words, sectors, access) in cases {
        let mut buffer = vec![0u8; sectors * SECTOR as usize];
        let (status, _) = request(op, &words, Some(&mut buffer), access)?;
        ensure!(status == errno::EINVAL, "{what}: status {status}, expected EINVAL");
    }
    let (status, _) = request(99, &[], Some(&mut one), grant::READ)?;
    ensure!(status == errno::ENOSYS, "an unknown request: status {status}");
    Ok(())
}

/// Sectors per request of the throughput bench (64 KiB).
const BENCH_CHUNK: u64 = 128;
/// Where the bench's sectors start: past the checks' sectors.
const BENCH_FIRST: u64 = 256;

/// Sequential write, then read, of the test disk from [`BENCH_FIRST`] on in
/// 64 KiB requests: MiB/s from the clock. Returns whether every request
/// succeeded.
pub fn bench() -> bool {
    let mut buffer = vec![0x42u8; (BENCH_CHUNK * SECTOR) as usize];
    let bytes = (SECTORS - BENCH_FIRST) / BENCH_CHUNK * BENCH_CHUNK * SECTOR;
    let mut ok = true;
    for (name, op, access) in
        [("ide_write_mib_s", label::WRITE, grant::READ), ("ide_read_mib_s", label::READ, grant::WRITE)]
    {
        let start = libtern::time::now_ns();
        let mut lba = BENCH_FIRST;
        while lba + BENCH_CHUNK <= SECTORS {
            ok &= matches!(request(op, &[lba, BENCH_CHUNK], Some(&mut buffer), access), Ok((0, _)));
            lba += BENCH_CHUNK;
        }
        let elapsed = libtern::time::now_ns().saturating_sub(start).max(1);
        crate::report::bench(name, (bytes * 1_000_000_000 / elapsed) >> 20, "MiB/s");
    }
    ok
}

/// The disk checks; the exit status.
pub fn run() -> i32 {
    let mut r = Report::default();
    r.run("disk_size", size);
    r.run("disk_reads_what_the_image_holds", signature);
    r.run("disk_reads_many_sectors", many_sectors);
    r.run("disk_write_read_back", write_read_back);
    r.run("disk_refuses_bad_requests", refusals);
    i32::from(r.failed != 0)
}
