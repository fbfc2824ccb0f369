//! The VGA text screen as a terminal: 80x25 cells (a character byte and a
//! colour byte each) that console output is drawn into, for a person
//! looking at the machine's window.
//!
//! It follows the console's byte stream after output processing: printable
//! ASCII goes to the cursor (wrapping at the end of a line, scrolling at
//! the bottom), `\r`, `\n`, backspace and tab move it, and the VT100/ANSI
//! sequences programs and line editors send most are understood: cursor
//! movement and position (`CSI A/B/C/D/H/f`), erasing the screen or the
//! line (`CSI J/K`) and colours (`CSI m`). Other sequences are swallowed
//! whole, never drawn. A UTF-8 character shows as one `?` (the VGA font is
//! code page 437).

pub const COLUMNS: usize = 80;
pub const ROWS: usize = 25;
/// Light grey on black.
const DEFAULT_COLOUR: u8 = 0x07;
/// Most numeric parameters of one sequence kept.
const MAX_PARAMS: usize = 4;
/// ANSI colour numbers to VGA's palette order.
const ANSI_TO_VGA: [u8; 8] = [0, 4, 2, 6, 1, 5, 3, 7];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parse {
    Text,
    /// After ESC.
    Escape,
    /// Inside `ESC [`: the parameters so far.
    Sequence {
        params: [u16; MAX_PARAMS],
        count: usize,
    },
}

pub struct Screen<'a> {
    cells: &'a mut [u16],
    row: usize,
    column: usize,
    colour: u8,
    parse: Parse,
}

impl<'a> Screen<'a> {
    /// A screen over `cells` (at least 80x25), cleared.
    pub fn new(cells: &'a mut [u16]) -> Screen<'a> {
        assert!(cells.len() >= COLUMNS * ROWS, "a text screen has 80x25 cells");
        let mut screen = Screen { cells, row: 0, column: 0, colour: DEFAULT_COLOUR, parse: Parse::Text };
        screen.erase(0, COLUMNS * ROWS);
        screen
    }

    /// The cursor's cell index (for the hardware cursor).
    pub fn cursor(&self) -> usize {
        self.row * COLUMNS + self.column.min(COLUMNS - 1)
    }

    fn blank(&self) -> u16 {
        u16::from(self.colour) << 8 | u16::from(b' ')
    }

    fn erase(&mut self, from: usize, to: usize) {
        let blank = self.blank();
        self.cells[from..to].fill(blank);
    }

    fn new_line(&mut self) {
        if self.row + 1 < ROWS {
            self.row += 1;
        } else {
            self.cells.copy_within(COLUMNS..COLUMNS * ROWS, 0);
            self.erase(COLUMNS * (ROWS - 1), COLUMNS * ROWS);
        }
    }

    fn put(&mut self, byte: u8) {
        if self.column >= COLUMNS {
            self.column = 0;
            self.new_line();
        }
        self.cells[self.row * COLUMNS + self.column] = u16::from(self.colour) << 8 | u16::from(byte);
        self.column += 1;
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.feed(b);
        }
    }

    fn feed(&mut self, b: u8) {
        match self.parse {
            Parse::Text => match b {
                0x1b => self.parse = Parse::Escape,
                b'\n' => self.new_line(),
                b'\r' => self.column = 0,
                0x08 => self.column = self.column.min(COLUMNS).saturating_sub(1),
                b'\t' => {
                    let next = (self.column / 8 + 1) * 8;
                    while self.column < next.min(COLUMNS) {
                        self.put(b' ');
                    }
                }
                0x20..=0x7e => self.put(b),
                // A UTF-8 character: one mark for its lead byte.
                0xc0..=0xff => self.put(b'?'),
                _ => {}
            },
            Parse::Escape => {
                self.parse = if b == b'[' { Parse::Sequence { params: [0; MAX_PARAMS], count: 0 } } else { Parse::Text }
            }
            Parse::Sequence { mut params, mut count } => match b {
                b'0'..=b'9' => {
                    count = count.max(1);
                    let p = &mut params[count - 1];
                    *p = p.saturating_mul(10).saturating_add(u16::from(b - b'0'));
                    self.parse = Parse::Sequence { params, count };
                }
                // An empty parameter before `;` counts as 0.
                b';' => {
                    count = (count.max(1) + 1).min(MAX_PARAMS);
                    self.parse = Parse::Sequence { params, count };
                }
                // Private markers and intermediates: part of the sequence.
                b'?' | b' '..=b'/' => {}
                0x40..=0x7e => {
                    self.parse = Parse::Text;
                    self.sequence(b, &params[..count]);
                }
                _ => self.parse = Parse::Text,
            },
        }
    }

    /// Carries out `CSI params final`.
    fn sequence(&mut self, last: u8, params: &[u16]) {
        let first = params.first().copied().unwrap_or(0) as usize;
        let n = first.max(1);
        match last {
            b'A' => self.row = self.row.saturating_sub(n),
            b'B' => self.row = (self.row + n).min(ROWS - 1),
            b'C' => self.column = (self.column + n).min(COLUMNS - 1),
            b'D' => self.column = self.column.min(COLUMNS - 1).saturating_sub(n),
            b'H' | b'f' => {
                self.row = first.clamp(1, ROWS) - 1;
                self.column = (params.get(1).copied().unwrap_or(1) as usize).clamp(1, COLUMNS) - 1;
            }
            b'J' => {
                let here = self.cursor();
                match first {
                    0 => self.erase(here, COLUMNS * ROWS),
                    1 => self.erase(0, here + 1),
                    _ => self.erase(0, COLUMNS * ROWS),
                }
            }
            b'K' => {
                let start = self.row * COLUMNS;
                let here = self.cursor();
                match first {
                    0 => self.erase(here, start + COLUMNS),
                    1 => self.erase(start, here + 1),
                    _ => self.erase(start, start + COLUMNS),
                }
            }
            b'm' => {
                if params.is_empty() {
                    self.colour = DEFAULT_COLOUR;
                }
                for &p in params {
                    self.colour = match p {
                        0 => DEFAULT_COLOUR,
                        1 => self.colour | 0x08,
                        7 => self.colour.rotate_left(4),
                        30..=37 => (self.colour & 0xf8) | ANSI_TO_VGA[usize::from(p - 30)],
                        39 => (self.colour & 0xf0) | (DEFAULT_COLOUR & 0x0f),
                        40..=47 => (self.colour & 0x0f) | ANSI_TO_VGA[usize::from(p - 40)] << 4,
                        49 => self.colour & 0x0f,
                        _ => self.colour,
                    };
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    fn text(cells: &[u16], row: usize) -> String {
        let line: Vec<u8> = cells[row * COLUMNS..(row + 1) * COLUMNS].iter().map(|&c| c as u8).collect();
        String::from_utf8(line).unwrap().trim_end().into()
    }

    #[test]
    fn text_wraps_and_scrolls() {
        let mut cells = vec![0u16; COLUMNS * ROWS];
        let mut screen = Screen::new(&mut cells);
        screen.write(b"hello\r\nwor\x08\x08ORLD\r\n");
        for i in 0..30 {
            screen.write(alloc::format!("line {i}\r\n").as_bytes());
        }
        screen.write(&[b'x'; 85]);
        let cursor = screen.cursor();
        assert_eq!(text(&cells, 0), "line 7", "the first lines scrolled away");
        assert_eq!(text(&cells, 22), "line 29");
        assert_eq!(text(&cells, 23), "x".repeat(80));
        assert_eq!(text(&cells, 24), "xxxxx");
        assert_eq!(cursor, 24 * COLUMNS + 5);
    }

    #[test]
    fn escape_sequences_move_erase_and_colour() {
        let mut cells = vec![0u16; COLUMNS * ROWS];
        let mut screen = Screen::new(&mut cells);
        screen.write(b"abcdef\x1b[3D\x1b[K!\x1b[2;5Hxy\x1b[31mR\x1b[0m\x1b[?25l\xc3\xa9");
        assert_eq!(text(&cells, 0), "abc!");
        assert_eq!(text(&cells, 1), "    xyR?");
        assert_eq!(cells[COLUMNS + 6] >> 8, 0x04, "red on black");
        assert_eq!(cells[COLUMNS + 7] >> 8, 0x07, "reset");
        let mut screen = Screen { cells: &mut cells, row: 0, column: 0, colour: 7, parse: Parse::Text };
        screen.write(b"\x1b[2J");
        assert_eq!(text(&cells, 1), "");
    }
}
