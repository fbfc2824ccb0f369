//! The guest's VGA text screen: 80x25 cells at physical 0xb8000, each a
//! character byte then a colour byte. The harness saves that memory through
//! the QEMU monitor and keeps the characters, one line of text per row.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::monitor::Monitor;

pub const COLUMNS: usize = 80;
pub const ROWS: usize = 25;
/// Where the text buffer is in guest physical memory.
pub const VGA_TEXT: u64 = 0xb8000;
/// Bytes of the screen: a character and an attribute byte per cell.
pub const BYTES: usize = COLUMNS * ROWS * 2;

/// How long to wait between two looks at the screen, and at most for it
/// to hold still.
const SETTLE: Duration = Duration::from_millis(100);
const SETTLE_LIMIT: Duration = Duration::from_secs(2);

/// The screen's text: [`ROWS`] lines, each the characters of its cells
/// without trailing blanks. Printable ASCII stays; a NUL (never-written
/// memory) is a blank; any other byte (code page 437 graphics) is `.`.
pub fn text(cells: &[u8]) -> Result<Vec<String>> {
    if cells.len() != BYTES {
        bail!("a {COLUMNS}x{ROWS} text screen is {BYTES} bytes, not {}", cells.len());
    }
    let lines = cells
        .chunks(COLUMNS * 2)
        .map(|row| {
            let line: String = row.chunks(2).map(|cell| character(cell[0])).collect();
            line.trim_end().to_string()
        })
        .collect();
    Ok(lines)
}

fn character(byte: u8) -> char {
    match byte {
        0x20..=0x7e => byte as char,
        0 => ' ',
        _ => '.',
    }
}

/// Reads the screen through `monitor`, saving it into `dump`: looks until
/// two looks [`SETTLE`] apart agree (the guest may be writing the last
/// line still), at most [`SETTLE_LIMIT`].
pub fn read(monitor: &mut Monitor, dump: &Path) -> Result<Vec<String>> {
    let deadline = Instant::now() + SETTLE_LIMIT;
    let mut last = look(monitor, dump)?;
    loop {
        thread::sleep(SETTLE);
        let now = look(monitor, dump)?;
        if now == last || Instant::now() >= deadline {
            return Ok(now);
        }
        last = now;
    }
}

fn look(monitor: &mut Monitor, dump: &Path) -> Result<Vec<String>> {
    // QEMU writes the file; make sure an old one cannot pass for it.
    let _ = fs::remove_file(dump);
    monitor.save_memory(VGA_TEXT, BYTES as u64, dump)?;
    let cells = fs::read(dump).with_context(|| format!("reading the screen dump {}", dump.display()))?;
    text(&cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A screen holding `rows` (row, column, text), with colour bytes.
    fn screen(rows: &[(usize, usize, &str)]) -> Vec<u8> {
        let mut cells: Vec<u8> = [b' ', 0x07].repeat(COLUMNS * ROWS);
        for &(row, column, text) in rows {
            for (i, byte) in text.bytes().enumerate() {
                let at = (row * COLUMNS + column + i) * 2;
                cells[at] = byte;
                cells[at + 1] = 0x1f;
            }
        }
        cells
    }

    #[test]
    fn cells_become_lines_of_characters() {
        let lines = text(&screen(&[(0, 0, "first line"), (1, 4, "indented"), (24, 75, "edge!")])).unwrap();
        assert_eq!(lines.len(), ROWS);
        assert_eq!(lines[0], "first line");
        assert_eq!(lines[1], "    indented");
        assert!(lines[2..24].iter().all(String::is_empty));
        // 80 columns: the last row ends at the right edge.
        assert_eq!(lines[24], format!("{}edge!", " ".repeat(75)));
    }

    #[test]
    fn colour_bytes_are_not_text() {
        let mut cells = screen(&[]);
        cells[0] = b'A';
        cells[1] = b'B';
        cells[2] = b'C';
        cells[3] = b'D';
        assert_eq!(text(&cells).unwrap()[0], "AC");
    }

    #[test]
    fn nul_is_blank_and_graphics_are_dots() {
        let mut cells = vec![0u8; BYTES];
        cells[0] = 0xc4;
        cells[4] = b'x';
        cells[COLUMNS * 2] = 0x01;
        let lines = text(&cells).unwrap();
        assert_eq!(lines[0], ". x");
        assert_eq!(lines[1], ".");
        assert!(lines[2..].iter().all(String::is_empty));
    }

    #[test]
    fn a_screen_is_exactly_4000_bytes() {
        assert_eq!(BYTES, 4000);
        assert!(text(&vec![0; BYTES - 2]).is_err());
        assert!(text(&vec![0; 4096]).is_err());
    }
}
