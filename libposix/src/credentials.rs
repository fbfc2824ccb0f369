//! User and group ids, answered locally.
//!
//! Tern has one user so far: every process runs as root (uid 0, gid 0),
//! with real, effective and saved ids all the same, and no supplementary
//! groups. Calls that change ids are not implemented yet and return
//! `ENOSYS`.

use crate::syscalls::{Args, SysResult};
use crate::user;
use fs0_proto::errno::EINVAL;

/// The one user's id.
const ROOT_UID: u32 = 0;
/// The one user's group.
const ROOT_GID: u32 = 0;

/// getuid()
pub fn getuid(_args: &Args) -> SysResult {
    Ok(u64::from(ROOT_UID))
}

/// geteuid()
pub fn geteuid(_args: &Args) -> SysResult {
    Ok(u64::from(ROOT_UID))
}

/// getgid()
pub fn getgid(_args: &Args) -> SysResult {
    Ok(u64::from(ROOT_GID))
}

/// getegid()
pub fn getegid(_args: &Args) -> SysResult {
    Ok(u64::from(ROOT_GID))
}

/// Writes the real, effective and saved id to the three pointers, stopping
/// at the first bad one (`EFAULT`), as Linux does.
fn write_three(args: &Args, id: u32) -> SysResult {
    for &ptr in &args[..3] {
        user::write(ptr, id)?;
    }
    Ok(0)
}

/// getresuid(ruid, euid, suid)
pub fn getresuid(args: &Args) -> SysResult {
    write_three(args, ROOT_UID)
}

/// getresgid(rgid, egid, sgid)
pub fn getresgid(args: &Args) -> SysResult {
    write_three(args, ROOT_GID)
}

/// getgroups(size, list): the one user has no supplementary groups, so
/// there are none to write, whatever `size` (negative is EINVAL).
pub fn getgroups(args: &Args) -> SysResult {
    if (args[0] as i32) < 0 {
        return Err(EINVAL);
    }
    Ok(0)
}
