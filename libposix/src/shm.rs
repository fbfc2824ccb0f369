//! SysV shared memory: shmget, shmat, shmdt, shmctl, served by mm0
//! (`mm0/src/sysv_shm.rs`). libposix checks pointers and lays out
//! `struct shmid_ds`.

use crate::mapped;
use crate::server;
use crate::syscalls::{Args, SysResult};
use crate::user;
use fs0_proto::errno::EINVAL;
use mm0_proto::{SLOT_MM0, label, shm};

/// Added to shmctl commands by C libraries for the 64-bit layout.
const IPC_64: u64 = 0x100;

/// `struct shmid_ds` (x86_64): `ipc_perm` (key, uid, gid, cuid, cgid,
/// mode, seq, padding), size, attach/detach/change times, creator and last
/// pid, attachments.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct ShmidDs {
    key: i32,
    uid: u32,
    gid: u32,
    cuid: u32,
    cgid: u32,
    mode: u32,
    seq: i32,
    pad: [u64; 2],
    segsz: u64,
    atime: i64,
    dtime: i64,
    ctime: i64,
    cpid: i32,
    lpid: i32,
    nattch: u64,
    unused: [u64; 2],
}

/// shmget(key, size, flags)
pub fn shmget(args: &Args) -> SysResult {
    let words = [i64::from(args[0] as i32) as u64, args[1], u64::from(args[2] as u32)];
    server::call(SLOT_MM0, label::SHMGET, &words, &[]).map(|r| r.word(0))
}

/// shmat(id, addr, flags)
pub fn shmat(args: &Args) -> SysResult {
    let words = [u64::from(args[0] as u32), args[1], u64::from(args[2] as u32)];
    server::call(SLOT_MM0, label::SHMAT, &words, &[]).map(|r| r.word(0))
}

/// shmdt(addr)
pub fn shmdt(args: &Args) -> SysResult {
    mapped::forget_all();
    server::call(SLOT_MM0, label::SHMDT, &[args[0]], &[]).map(|_| 0)
}

/// shmctl(id, cmd, buf): IPC_STAT, IPC_SET (the mode), IPC_RMID.
pub fn shmctl(args: &Args) -> SysResult {
    let [id, cmd, buf, ..] = *args;
    let id = u64::from(id as u32);
    let cmd = u64::from(cmd as u32) & !IPC_64;
    match cmd {
        shm::IPC_RMID => server::call(SLOT_MM0, label::SHMCTL, &[id, cmd, 0], &[]).map(|_| 0),
        shm::IPC_SET => {
            let ds = user::read::<ShmidDs>(buf)?;
            server::call(SLOT_MM0, label::SHMCTL, &[id, cmd, u64::from(ds.mode)], &[]).map(|_| 0)
        }
        shm::IPC_STAT => {
            user::check_range(buf, size_of::<ShmidDs>() as u64)?;
            server::call(SLOT_MM0, label::SHMCTL, &[id, cmd, 0], &[])?;
            let mut w = [0u64; 9];
            server::ipc_buffer().buf_words(&mut w);
            let ds = ShmidDs {
                key: w[0] as u32 as i32,
                mode: w[1] as u32,
                segsz: w[2],
                atime: w[3] as i64,
                dtime: w[4] as i64,
                ctime: w[5] as i64,
                cpid: w[6] as i32,
                lpid: w[7] as i32,
                nattch: w[8],
                ..ShmidDs::default()
            };
            user::write(buf, ds).map(|()| 0)
        }
        _ => Err(EINVAL),
    }
}

const _: () = assert!(size_of::<ShmidDs>() == 112 && core::mem::offset_of!(ShmidDs, segsz) == 48);
