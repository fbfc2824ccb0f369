//! What system this is: uname, answered locally.
//!
//! Tern has one node and no host name service yet, so the node name is the
//! fixed `tern`; the release is libposix's version, which is the version of
//! the whole system (one workspace, one version).

use crate::syscalls::{Args, SysResult};
use crate::user;

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
