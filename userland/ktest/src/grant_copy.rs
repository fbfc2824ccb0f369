//! Grants between address spaces, both sides: ktest lends its peer two
//! regions of its memory for one `Call` ([`peer::GRANTS`]), grant 0
//! readable only and holding a pattern, grant 1 writable only; the peer
//! copies through them with `GrantCopy`.
//!
//! The peer reads grant 0 whole, hashes what it read, writes it back into
//! grant 1 reversed with every byte plus one, then tries the copies the
//! kernel must refuse ([`REFUSALS`]) with a scratch buffer of its own. Its
//! reply is a [`Report`] in the IPC-buffer words. Once it has replied it
//! tries one more copy through the call it just answered, which must fail
//! with `NoCaller`; ktest asks for that result with a second request
//! ([`peer::GRANT_AFTER_REPLY`]).
//!
//! In ktest's memory each granted region sits a few bytes into an
//! allocation and is followed by guard bytes: after the call, everything
//! but grant 1 must be as ktest left it, so neither a refused copy nor an
//! overlong one reached past what was lent.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use abi::call::{NONE, direction};
use abi::ipc::{Grant, grant as access};
use abi::{Call, Error};
use libtern::grant;
use libtern::ipc::{self, Message};
use libtern::syscall::syscall6;
use mm0_proto::SLOT_TEST_ENDPOINT;

use crate::ensure;
use crate::isolation::KERNEL_HALF;
use crate::peer;
use crate::report::Outcome;

/// Bytes of each grant: more than a page, so copies cross pages.
const GRANT_LEN: usize = 5000;
/// Where each grant starts in its allocation (not word-aligned).
const LEAD: usize = 3;
/// Bytes after each grant that no copy may reach.
const GUARD_LEN: usize = 64;
/// Fill of the bytes before each grant.
const LEAD_BYTE: u8 = 0x11;
/// Fill of the guard bytes.
const GUARD_BYTE: u8 = 0xee;
/// Fill of grant 1 before the call.
const BLANK_BYTE: u8 = 0x00;
/// Fill of the peer's buffers before a copy.
const UNREAD_BYTE: u8 = 0x5a;
/// Bytes of the peer's scratch buffer for the refused copies.
const SCRATCH_LEN: usize = 32;

/// Byte `i` of grant 0.
fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(131) ^ (i >> 8)) as u8
}

/// What the peer makes of grant 0 for grant 1: the bytes reversed, each plus one.
fn transform(bytes: &mut [u8]) {
    bytes.reverse();
    for b in bytes {
        *b = b.wrapping_add(1);
    }
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Where the peer's bytes are for a refused copy.
#[derive(Clone, Copy)]
enum Local {
    /// Its scratch buffer.
    Scratch,
    /// An address in the kernel half.
    KernelHalf,
}

/// A `GrantCopy` the kernel must refuse.
struct Refusal {
    what: &'static str,
    /// The call to copy through: `NONE` (the current caller) or a slot.
    reply: u64,
    index: u64,
    offset: u64,
    len: u64,
    direction: u64,
    local: Local,
    want: Error,
}

const LEN: u64 = GRANT_LEN as u64;

/// Every refused copy the peer tries, in order.
const REFUSALS: [Refusal; 13] = [
    refusal("writing the read-only grant 0", NONE, 0, 0, 16, direction::TO_GRANTER, Error::NoRights),
    refusal("reading the write-only grant 1", NONE, 1, 0, 16, direction::FROM_GRANTER, Error::NoRights),
    refusal("reading 1 byte past grant 0", NONE, 0, LEN, 1, direction::FROM_GRANTER, Error::InvalidArgument),
    refusal("reading across the end of grant 0", NONE, 0, LEN - 8, 16, direction::FROM_GRANTER, Error::InvalidArgument),
    refusal("writing across the end of grant 1", NONE, 1, LEN - 8, 16, direction::TO_GRANTER, Error::InvalidArgument),
    refusal("an offset that wraps around", NONE, 0, u64::MAX, 2, direction::FROM_GRANTER, Error::InvalidArgument),
    refusal("grant index 2", NONE, 2, 0, 1, direction::FROM_GRANTER, Error::InvalidArgument),
    refusal("grant index u64::MAX", NONE, u64::MAX, 0, 1, direction::FROM_GRANTER, Error::InvalidArgument),
    refusal("an unknown direction", NONE, 0, 0, 16, 2, Error::InvalidArgument),
    refusal("an endpoint as the reply", SLOT_TEST_ENDPOINT, 0, 0, 16, direction::FROM_GRANTER, Error::WrongType),
    refusal("an empty slot as the reply", 200, 0, 0, 16, direction::FROM_GRANTER, Error::InvalidCap),
    Refusal {
        local: Local::KernelHalf,
        ..refusal("reading into the kernel half", NONE, 0, 0, 16, direction::FROM_GRANTER, Error::BadAddress)
    },
    Refusal {
        local: Local::KernelHalf,
        ..refusal("writing from the kernel half", NONE, 1, 0, 16, direction::TO_GRANTER, Error::BadAddress)
    },
];

const fn refusal(
    what: &'static str,
    reply: u64,
    index: u64,
    offset: u64,
    len: u64,
    direction: u64,
    want: Error,
) -> Refusal {
    Refusal { what, reply, index, offset, len, direction, local: Local::Scratch, want }
}

const _: () = {
    let mut i = 0;
    while i < REFUSALS.len() {
        assert!(REFUSALS[i].len <= SCRATCH_LEN as u64);
        i += 1;
    }
};

/// Report words before the refusals.
const FIXED_WORDS: usize = 10;
/// IPC-buffer words of a [`Report`].
const REPORT_WORDS: usize = FIXED_WORDS + REFUSALS.len();

/// What the peer saw and did for one GRANTS call.
#[derive(Debug, PartialEq, Eq)]
struct Report {
    /// Grants the call carried.
    count: u64,
    /// Length and access of each grant as the peer received them.
    lens: [u64; 2],
    access: [u64; 2],
    /// The received address fields ORed together: the kernel hides them (0).
    addresses: u64,
    /// Error numbers (0: success) of reading grant 0 and writing grant 1.
    read: u64,
    write: u64,
    /// FNV-1a of the bytes read from grant 0.
    read_hash: u64,
    /// Bytes of the scratch buffer that the refused copies changed.
    scratch_changed: u64,
    /// Error numbers of the [`REFUSALS`], in order.
    refusals: [u64; REFUSALS.len()],
}

impl Report {
    fn to_words(&self) -> [u64; REPORT_WORDS] {
        let mut w = [0; REPORT_WORDS];
        w[..FIXED_WORDS].copy_from_slice(&[
            self.count,
            self.lens[0],
            self.lens[1],
            self.access[0],
            self.access[1],
            self.addresses,
            self.read,
            self.write,
            self.read_hash,
            self.scratch_changed,
        ]);
        w[FIXED_WORDS..].copy_from_slice(&self.refusals);
        w
    }

    fn from_words(w: &[u64; REPORT_WORDS]) -> Report {
        Report {
            count: w[0],
            lens: [w[1], w[2]],
            access: [w[3], w[4]],
            addresses: w[5],
            read: w[6],
            write: w[7],
            read_hash: w[8],
            scratch_changed: w[9],
            refusals: core::array::from_fn(|i| w[FIXED_WORDS + i]),
        }
    }
}

/// The error number of `result`, 0 for success.
fn error_code(result: Result<(), Error>) -> u64 {
    result.err().map_or(0, |e| e as u64)
}

// The peer's side.

/// Answers a GRANTS call that carried `count` grants.
pub fn serve(count: usize) -> Message {
    let received = ipc::received_grants();
    // Filled, so its pages are backed: the kernel does not page memory in.
    let mut bytes = vec![UNREAD_BYTE; GRANT_LEN];
    let read = error_code(grant::read(NONE, 0, 0, &mut bytes));
    let read_hash = fnv1a(&bytes);
    transform(&mut bytes);
    let write = error_code(grant::write(NONE, 1, 0, &bytes));
    let mut scratch = [UNREAD_BYTE; SCRATCH_LEN];
    let refusals = core::array::from_fn(|i| attempt(&REFUSALS[i], &mut scratch));
    let report = Report {
        count: count as u64,
        lens: [received[0].len, received[1].len],
        access: [received[0].access, received[1].access],
        addresses: received[0].addr | received[1].addr,
        read,
        write,
        read_hash,
        scratch_changed: scratch.iter().filter(|&&b| b != UNREAD_BYTE).count() as u64,
        refusals,
    };
    let n = ipc::set_buf_words(&report.to_words());
    let reply = Message::empty(0);
    reply.with_info(reply.info.with_buf_words(n))
}

/// Tries `refusal`; returns the kernel's error number (0 if it copied).
fn attempt(refusal: &Refusal, scratch: &mut [u8; SCRATCH_LEN]) -> u64 {
    let local = match refusal.local {
        Local::Scratch => scratch.as_mut_ptr() as u64,
        Local::KernelHalf => KERNEL_HALF,
    };
    // SAFETY: the kernel must refuse every one of these copies. Were it to
    // perform one anyway, it would write at most SCRATCH_LEN bytes into
    // `scratch` (counted afterwards) or into ktest's memory (which ktest
    // checks); it cannot write the kernel half for us.
    let (rax, _) = unsafe {
        syscall6(
            Call::GrantCopy as u64,
            [refusal.reply, refusal.index, refusal.offset, local, refusal.len, refusal.direction],
        )
    };
    rax
}

/// After replying to a GRANTS call: the error number of a copy through the
/// call just answered.
pub fn after_reply() -> u64 {
    let mut scratch = [UNREAD_BYTE; SCRATCH_LEN];
    error_code(grant::read(NONE, 0, 0, &mut scratch))
}

// ktest's side.

/// ktest's memory around the two grants.
struct Lent {
    source: Vec<u8>,
    destination: Vec<u8>,
}

impl Lent {
    fn new() -> Lent {
        let byte_at = |i: usize, granted: u8| match i {
            _ if i < LEAD => LEAD_BYTE,
            _ if i < LEAD + GRANT_LEN => granted,
            _ => GUARD_BYTE,
        };
        let size = LEAD + GRANT_LEN + GUARD_LEN;
        // Every byte is written here, so every page is backed before the
        // call: the kernel does not page memory in.
        Lent {
            source: (0..size).map(|i| byte_at(i, pattern(i.wrapping_sub(LEAD)))).collect(),
            destination: (0..size).map(|i| byte_at(i, BLANK_BYTE)).collect(),
        }
    }

    fn grants(&mut self) -> [Grant; 2] {
        [
            Grant { addr: self.source[LEAD..].as_ptr() as u64, len: LEN, access: access::READ },
            Grant { addr: self.destination[LEAD..].as_mut_ptr() as u64, len: LEN, access: access::WRITE },
        ]
    }

    fn granted_source(&self) -> &[u8] {
        &self.source[LEAD..LEAD + GRANT_LEN]
    }

    /// The source untouched, and the destination's bytes around grant 1.
    fn outside_intact(&self) -> Outcome {
        let fresh = Lent::new();
        if let Some(i) = self.source.iter().zip(&fresh.source).position(|(a, b)| a != b) {
            return Err(format!("byte {i} of the read-only source changed to {:#x}", self.source[i]));
        }
        let around = |v: &Vec<u8>| -> Vec<u8> { v[..LEAD].iter().chain(&v[LEAD + GRANT_LEN..]).copied().collect() };
        ensure!(around(&self.destination) == around(&fresh.destination), "bytes around grant 1 changed");
        Ok(())
    }
}

/// Makes a GRANTS call; returns the peer's report and the lent memory.
fn lend() -> Result<(Report, Lent), String> {
    let mut lent = Lent::new();
    let n = ipc::set_grants(&lent.grants());
    let msg = Message::empty(peer::GRANTS);
    // The peer writes `lent.destination` through the kernel during the call;
    // no reference to it is alive until the call returns.
    let reply = ipc::call(SLOT_TEST_ENDPOINT, &msg.with_info(msg.info.with_grants(n)))
        .map_err(|e| format!("Call failed: {e:?}"))?;
    ensure!(reply.label() == 0, "the peer answered label {:#x}", reply.label());
    ensure!(reply.info.buf_words() == REPORT_WORDS, "the reply carries {} buffer words", reply.info.buf_words());
    let mut words = [0; REPORT_WORDS];
    ipc::buf_words(&mut words);
    Ok((Report::from_words(&words), lent))
}

pub fn between_spaces() -> Outcome {
    let (report, lent) = lend()?;
    ensure!(report.count == 2, "the peer received {} grants", report.count);
    ensure!(report.lens == [LEN, LEN], "the peer saw lengths {:?}, want {LEN}", report.lens);
    ensure!(report.access == [access::READ, access::WRITE], "the peer saw access {:?}", report.access);
    ensure!(report.addresses == 0, "the peer saw grant addresses ({:#x} ORed)", report.addresses);
    ensure!(report.read == 0, "reading grant 0 failed: {:?}", Error::check(report.read));
    ensure!(report.write == 0, "writing grant 1 failed: {:?}", Error::check(report.write));
    let hash = fnv1a(lent.granted_source());
    ensure!(report.read_hash == hash, "the peer read bytes hashing to {:#x}, want {hash:#x}", report.read_hash);
    let mut want = lent.granted_source().to_vec();
    transform(&mut want);
    let got = &lent.destination[LEAD..LEAD + GRANT_LEN];
    if let Some(i) = got.iter().zip(&want).position(|(a, b)| a != b) {
        return Err(format!("byte {i} of grant 1 is {:#x}, want {:#x}", got[i], want[i]));
    }
    lent.outside_intact()
}

pub fn refusals() -> Outcome {
    let (report, lent) = lend()?;
    let wrong: Vec<String> = REFUSALS
        .iter()
        .zip(report.refusals)
        .filter(|(r, got)| *got != r.want as u64)
        .map(|(r, got)| format!("{}: {:?}, want {:?}", r.what, Error::check(got), r.want))
        .collect();
    ensure!(wrong.is_empty(), "{}", wrong.join("; "));
    ensure!(
        report.scratch_changed == 0,
        "refused copies changed {} bytes of the peer's scratch buffer",
        report.scratch_changed
    );
    lent.outside_intact()
}

pub fn after_reply_refused() -> Outcome {
    // A GRANTS call for the peer to copy through once it has answered.
    lend()?;
    let reply = ipc::call(SLOT_TEST_ENDPOINT, &Message::empty(peer::GRANT_AFTER_REPLY))
        .map_err(|e| format!("Call failed: {e:?}"))?;
    ensure!(reply.label() == 0, "the peer answered label {:#x}", reply.label());
    let got = reply.word(0);
    ensure!(
        got == Error::NoCaller as u64,
        "a copy through an answered call gave {:?}, want NoCaller",
        Error::check(got)
    );
    Ok(())
}
