//! Bad pointers to the kernel: `DebugWrite` from the kernel half, a
//! non-canonical address, unmapped user memory, null, or with a length that
//! runs out of the user half fails with `BadAddress` (or `InvalidArgument`
//! for an absurd length), and writes nothing.

use alloc::format;
use alloc::vec::Vec;

use abi::Error;
use libtern::console::debug_write_raw;

use crate::isolation::{KERNEL_HALF, KERNEL_IMAGE, UNMAPPED_USER};
use crate::report::Outcome;

pub fn debug_write() -> Outcome {
    let ok = b"x";
    let valid = ok.as_ptr() as u64;
    let cases: [(&str, u64, u64); 8] = [
        ("kernel half", KERNEL_HALF, 8),
        ("kernel image", KERNEL_IMAGE, 8),
        ("non-canonical", 0x1234_5678_0000_0000, 8),
        ("first non-user address", abi::USER_TOP, 8),
        ("unmapped user memory", UNMAPPED_USER, 8),
        ("null", 0, 8),
        ("length past the user half", valid, abi::USER_TOP),
        ("length wrapping around", valid, u64::MAX),
    ];
    let mut wrong = Vec::new();
    for (what, ptr, len) in cases {
        let result = debug_write_raw(ptr, len);
        if !matches!(result, Err(Error::BadAddress | Error::InvalidArgument)) {
            wrong.push(format!("{what} ({ptr:#x}, {len:#x}) gave {result:?}"));
        }
    }
    if wrong.is_empty() { Ok(()) } else { Err(wrong.join("; ")) }
}
