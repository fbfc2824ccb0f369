//! What system this is: uname, answered locally, and sysinfo, from mm0's
//! figures.
//!
//! Tern has one node and no host name service yet, so the node name is the
//! fixed `tern`; the release is libposix's version, which is the version of
//! the whole system (one workspace, one version).

use crate::syscalls::{Args, SysResult};
use crate::user;
use abi::PAGE_SIZE;
use fs0_proto::errno::EINVAL;
use libtern_sys::mm0::Mm0Error;
use libtern_sys::{mm0, time};
use mm0_proto::reboot;

/// Bytes of each field of `struct utsname` (Linux's `__NEW_UTS_LEN + 1`).
const FIELD: usize = 65;

/// `struct utsname`: six NUL-terminated strings.
#[repr(C)]
#[derive(Clone, Copy)]
struct UtsName {
    sysname: [u8; FIELD],
    nodename: [u8; FIELD],
    release: [u8; FIELD],
    version: [u8; FIELD],
    machine: [u8; FIELD],
    domainname: [u8; FIELD],
}

/// `text` as a NUL-padded utsname field (cut to leave the final NUL).
const fn field(text: &str) -> [u8; FIELD] {
    let mut out = [0; FIELD];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && i < FIELD - 1 {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

const TERN: UtsName = UtsName {
    sysname: field("Tern"),
    nodename: field("tern"),
    release: field(env!("CARGO_PKG_VERSION")),
    version: field(concat!("Tern ", env!("CARGO_PKG_VERSION"))),
    machine: field("x86_64"),
    // What Linux reports when no NIS domain is set.
    domainname: field("(none)"),
};

/// uname(buf)
pub fn uname(args: &Args) -> SysResult {
    user::write(args[0], TERN).map(|()| 0)
}

/// `struct sysinfo` (Linux x86_64, 112 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct SysInfo {
    uptime: i64,
    loads: [u64; 3],
    totalram: u64,
    freeram: u64,
    sharedram: u64,
    bufferram: u64,
    totalswap: u64,
    freeswap: u64,
    procs: u16,
    pad: u16,
    totalhigh: u64,
    freehigh: u64,
    mem_unit: u32,
    reserved: [u8; 4],
}

const _: () = assert!(size_of::<SysInfo>() == 112);

/// sysinfo(info): uptime, memory in bytes (mm0's frames) and the number of
/// processes. Tern keeps no load averages and has no swap: those are 0.
pub fn sysinfo(args: &Args) -> SysResult {
    let stats = mm0::mem_stats().map_err(Mm0Error::errno)?;
    let uptime_ns = time::now_ns();
    let info = SysInfo {
        uptime: (uptime_ns / 1_000_000_000) as i64,
        totalram: stats.total_pages * PAGE_SIZE,
        freeram: stats.free_pages * PAGE_SIZE,
        procs: u16::try_from(stats.processes).unwrap_or(u16::MAX),
        mem_unit: 1,
        ..SysInfo::default()
    };
    user::write(args[0], info).map(|()| 0)
}

/// reboot(2)'s magic numbers and commands.
const REBOOT_MAGIC1: u32 = 0xfee1_dead;
const REBOOT_MAGIC2: [u32; 4] = [672_274_793, 85_072_278, 369_367_448, 537_993_216];
const RB_POWER_OFF: u32 = 0x4321_fedc;
const RB_AUTOBOOT: u32 = 0x0123_4567;
const RB_HALT_SYSTEM: u32 = 0xcdef_0123;
const RB_DISABLE_CAD: u32 = 0;

/// reboot(magic, magic2, cmd, arg): power off, restart or halt through
/// mm0, which has fs0 write everything back first. Ctrl-Alt-Del does
/// nothing on Tern, so disabling it succeeds and enabling it is EINVAL, as
/// are the other commands (kexec, suspend).
pub fn reboot(args: &Args) -> SysResult {
    let [magic, magic2, cmd, ..] = *args;
    if magic as u32 != REBOOT_MAGIC1 || !REBOOT_MAGIC2.contains(&(magic2 as u32)) {
        return Err(EINVAL);
    }
    let how = match cmd as u32 {
        RB_DISABLE_CAD => return Ok(0),
        RB_POWER_OFF => reboot::POWER_OFF,
        RB_AUTOBOOT => reboot::RESTART,
        RB_HALT_SYSTEM => reboot::HALT,
        _ => return Err(EINVAL),
    };
    Err(mm0::reboot(how).errno())
}
