//! Where the task's own image lies, from symbols of `native.ld`.

use core::ops::Range;

unsafe extern "C" {
    /// First byte of the code (`.text`).
    static __text_start: u8;
    /// First byte after the code.
    static __text_end: u8;
}

/// The addresses of this task's code.
pub fn text() -> Range<u64> {
    // Only the symbols' addresses are taken; their bytes are never read.
    (&raw const __text_start as u64)..(&raw const __text_end as u64)
}
