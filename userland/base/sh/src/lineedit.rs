//! A small line editor for a VT100 terminal (the serial console works):
//! the terminal in raw mode, one line redrawn in place with horizontal
//! scrolling, cursor keys, Emacs keys and a history.
//!
//! Keys: Left/Right (Ctrl-B/F), Home/End (Ctrl-A/E), Backspace, Delete,
//! Ctrl-U/K (kill to start/end), Ctrl-W (kill the word before), Up/Down
//! (Ctrl-P/N) for history, Ctrl-L clears the screen, Ctrl-C abandons the
//! line, Ctrl-D on an empty line is end of file.

use crate::sys;

const HISTORY_MAX: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    Up,
    Down,
    WordLeft,
    WordRight,
    KillStart,
    KillEnd,
    KillWord,
    Interrupt,
    Eof,
    Clear,
    Other,
}

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Redraw the line.
    Redraw,
    /// The line is done.
    Done,
    Interrupted,
    Eof,
    ClearScreen,
    Nothing,
}

/// The line being edited, with the history to move through.
#[derive(Default)]
pub struct LineState {
    pub buf: Vec<char>,
    pub pos: usize,
    hist_idx: usize,
    draft: Vec<char>,
}

impl LineState {
    pub fn new(history_len: usize) -> Self {
        LineState { buf: Vec::new(), pos: 0, hist_idx: history_len, draft: Vec::new() }
    }

    pub fn text(&self) -> String {
        self.buf.iter().collect()
    }

    pub fn key(&mut self, key: Key, history: &[String]) -> Action {
        match key {
            Key::Char(c) => {
                self.buf.insert(self.pos, c);
                self.pos += 1;
            }
            Key::Enter => {
                self.pos = self.buf.len();
                return Action::Done;
            }
            Key::Interrupt => return Action::Interrupted,
            Key::Eof => {
                if self.buf.is_empty() {
                    return Action::Eof;
                }
                if self.pos < self.buf.len() {
                    self.buf.remove(self.pos);
                } else {
                    return Action::Nothing;
                }
            }
            Key::Backspace => {
                if self.pos == 0 {
                    return Action::Nothing;
                }
                self.pos -= 1;
                self.buf.remove(self.pos);
            }
            Key::Delete => {
                if self.pos >= self.buf.len() {
                    return Action::Nothing;
                }
                self.buf.remove(self.pos);
            }
            Key::Left => self.pos = self.pos.saturating_sub(1),
            Key::Right => self.pos = (self.pos + 1).min(self.buf.len()),
            Key::Home => self.pos = 0,
            Key::End => self.pos = self.buf.len(),
            Key::WordLeft => {
                while self.pos > 0 && self.buf[self.pos - 1] == ' ' {
                    self.pos -= 1;
                }
                while self.pos > 0 && self.buf[self.pos - 1] != ' ' {
                    self.pos -= 1;
                }
            }
            Key::WordRight => {
                while self.pos < self.buf.len() && self.buf[self.pos] == ' ' {
                    self.pos += 1;
                }
                while self.pos < self.buf.len() && self.buf[self.pos] != ' ' {
                    self.pos += 1;
                }
            }
            Key::KillStart => {
                self.buf.drain(..self.pos);
                self.pos = 0;
            }
            Key::KillEnd => self.buf.truncate(self.pos),
            Key::KillWord => {
                let end = self.pos;
                while self.pos > 0 && self.buf[self.pos - 1] == ' ' {
                    self.pos -= 1;
                }
                while self.pos > 0 && self.buf[self.pos - 1] != ' ' {
                    self.pos -= 1;
                }
                self.buf.drain(self.pos..end);
            }
            Key::Up => {
                if self.hist_idx == 0 {
                    return Action::Nothing;
                }
                if self.hist_idx == history.len() {
                    self.draft = self.buf.clone();
                }
                self.hist_idx -= 1;
                self.buf = history[self.hist_idx].chars().collect();
                self.pos = self.buf.len();
            }
            Key::Down => {
                if self.hist_idx >= history.len() {
                    return Action::Nothing;
                }
                self.hist_idx += 1;
                self.buf = if self.hist_idx == history.len() {
                    self.draft.clone()
                } else {
                    history[self.hist_idx].chars().collect()
                };
                self.pos = self.buf.len();
            }
            Key::Clear => return Action::ClearScreen,
            Key::Other => return Action::Nothing,
        }
        Action::Redraw
    }
}

/// The width of text on the screen, without escape sequences.
pub fn visible_width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        if !c.is_control() {
            n += 1;
        }
    }
    n
}

/// The terminal output for a line: prompt, the visible part of the line,
/// erase to the end, the cursor in place.
pub fn render(prompt: &str, buf: &[char], pos: usize, cols: usize) -> String {
    let plen = visible_width(prompt);
    let cols = cols.max(2);
    let mut start = 0;
    let mut p = pos;
    let mut len = buf.len();
    while plen + p >= cols && p > 0 {
        start += 1;
        p -= 1;
        len -= 1;
    }
    while plen + len >= cols && len > p {
        len -= 1;
    }
    let mut s = String::from("\r");
    s.push_str(prompt);
    s.extend(&buf[start..start + len]);
    s.push_str("\x1b[K\r");
    if plen + p > 0 {
        s.push_str(&format!("\x1b[{}C", plen + p));
    }
    s
}

pub enum ReadResult {
    Line(String),
    Eof,
    Interrupted,
}

pub struct Editor {
    pub history: Vec<String>,
}

impl Editor {
    pub fn new() -> Self {
        Editor { history: Vec::new() }
    }

    fn add_history(&mut self, line: &str) {
        if line.trim().is_empty() || self.history.last().is_some_and(|l| l == line) {
            return;
        }
        self.history.push(line.to_string());
        if self.history.len() > HISTORY_MAX {
            self.history.remove(0);
        }
    }

    /// Reads a line from the terminal on descriptor 0, echoing on 2.
    pub fn read_line(&mut self, prompt: &str) -> ReadResult {
        let Some(orig) = sys::tcgetattr(0) else { return read_plain(prompt) };
        let mut raw = orig;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
        raw.c_iflag &= !(libc::ICRNL | libc::INLCR | libc::IXON);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        sys::tcsetattr(0, &raw);
        let r = self.edit(prompt);
        sys::tcsetattr(0, &orig);
        r
    }

    fn edit(&mut self, prompt: &str) -> ReadResult {
        // Only the last line of a prompt is redrawn.
        let (head, prompt) = match prompt.rfind('\n') {
            Some(i) => (&prompt[..=i], &prompt[i + 1..]),
            None => ("", prompt),
        };
        let cols = sys::columns(2);
        let plen = visible_width(prompt);
        let _ = sys::write_str(2, &format!("{}{prompt}", head.replace('\n', "\r\n")));
        let mut st = LineState::new(self.history.len());
        loop {
            let Some(key) = read_key() else {
                let _ = sys::write_str(2, "\r\n");
                if st.buf.is_empty() {
                    return ReadResult::Eof;
                }
                let line = st.text();
                self.add_history(&line);
                return ReadResult::Line(line);
            };
            let (old_pos, old_len) = (st.pos, st.buf.len());
            let at_end = old_pos == old_len;
            match st.key(key, &self.history) {
                Action::Redraw => {
                    // Typing or erasing at the end of a line that fits
                    // needs no redraw: the terminal output stays small
                    // and reads like a plain terminal's.
                    let len = st.buf.len();
                    let out = match key {
                        Key::Char(c) if at_end && plen + len < cols => c.to_string(),
                        Key::Backspace if at_end && plen + old_len < cols => "\x08 \x08".to_string(),
                        _ => render(prompt, &st.buf, st.pos, cols),
                    };
                    let _ = sys::write_str(2, &out);
                }
                Action::Done => {
                    let out = if at_end && plen + old_len < cols {
                        "\r\n".to_string()
                    } else {
                        format!("{}\r\n", render(prompt, &st.buf, st.pos, cols))
                    };
                    let _ = sys::write_str(2, &out);
                    let line = st.text();
                    self.add_history(&line);
                    return ReadResult::Line(line);
                }
                Action::Interrupted => {
                    let _ = sys::write_str(2, "^C\r\n");
                    return ReadResult::Interrupted;
                }
                Action::Eof => {
                    let _ = sys::write_str(2, "\r\n");
                    return ReadResult::Eof;
                }
                Action::ClearScreen => {
                    let _ = sys::write_str(2, &format!("\x1b[H\x1b[2J{}", render(prompt, &st.buf, st.pos, cols)));
                }
                Action::Nothing => {}
            }
        }
    }
}

/// Without terminal settings: the prompt, then a line as the terminal
/// gives it.
fn read_plain(prompt: &str) -> ReadResult {
    let _ = sys::write_str(2, prompt);
    let mut bytes = Vec::new();
    loop {
        let mut b = [0u8; 1];
        match sys::read(0, &mut b) {
            Ok(1) => {
                if b[0] == b'\n' {
                    break;
                }
                bytes.push(b[0]);
            }
            _ => {
                if bytes.is_empty() {
                    return ReadResult::Eof;
                }
                break;
            }
        }
    }
    ReadResult::Line(String::from_utf8_lossy(&bytes).into_owned())
}

fn read_byte() -> Option<u8> {
    let mut b = [0u8; 1];
    match sys::read(0, &mut b) {
        Ok(1) => Some(b[0]),
        _ => None,
    }
}

/// A byte if one comes within `ms` milliseconds.
fn read_byte_within(ms: i32) -> Option<u8> {
    let mut pfd = libc::pollfd { fd: 0, events: libc::POLLIN, revents: 0 };
    // SAFETY: pfd is a valid pollfd.
    let r = unsafe { libc::poll(&mut pfd, 1, ms) };
    if r == 0 {
        return None;
    }
    read_byte()
}

/// The next key; `None` at end of file.
fn read_key() -> Option<Key> {
    let b = read_byte()?;
    Some(match b {
        b'\r' | b'\n' => Key::Enter,
        0x7f | 0x08 => Key::Backspace,
        0x01 => Key::Home,
        0x05 => Key::End,
        0x02 => Key::Left,
        0x06 => Key::Right,
        0x10 => Key::Up,
        0x0e => Key::Down,
        0x0b => Key::KillEnd,
        0x15 => Key::KillStart,
        0x17 => Key::KillWord,
        0x03 => Key::Interrupt,
        0x04 => Key::Eof,
        0x0c => Key::Clear,
        0x1b => escape(),
        b if b < 0x20 => Key::Other,
        b if b < 0x80 => Key::Char(b as char),
        b => {
            let len = match b {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf7 => 4,
                _ => return Some(Key::Other),
            };
            let mut seq = vec![b];
            for _ in 1..len {
                seq.push(read_byte()?);
            }
            match std::str::from_utf8(&seq).ok().and_then(|s| s.chars().next()) {
                Some(c) => Key::Char(c),
                None => Key::Other,
            }
        }
    })
}

/// After ESC: an escape sequence.
fn escape() -> Key {
    let Some(b1) = read_byte_within(100) else { return Key::Other };
    match b1 {
        b'[' => {
            let mut param = 0u32;
            loop {
                let Some(b) = read_byte() else { return Key::Other };
                match b {
                    b'0'..=b'9' => param = param * 10 + u32::from(b - b'0'),
                    b';' => param = 0,
                    b'A' => return Key::Up,
                    b'B' => return Key::Down,
                    b'C' => return Key::Right,
                    b'D' => return Key::Left,
                    b'H' => return Key::Home,
                    b'F' => return Key::End,
                    b'~' => {
                        return match param {
                            1 | 7 => Key::Home,
                            4 | 8 => Key::End,
                            3 => Key::Delete,
                            _ => Key::Other,
                        };
                    }
                    _ => return Key::Other,
                }
            }
        }
        b'O' => match read_byte() {
            Some(b'A') => Key::Up,
            Some(b'B') => Key::Down,
            Some(b'C') => Key::Right,
            Some(b'D') => Key::Left,
            Some(b'H') => Key::Home,
            Some(b'F') => Key::End,
            _ => Key::Other,
        },
        b'b' => Key::WordLeft,
        b'f' => Key::WordRight,
        0x7f => Key::KillWord,
        _ => Key::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_keys(st: &mut LineState, keys: &[Key], history: &[String]) {
        for &k in keys {
            st.key(k, history);
        }
    }

    fn chars(s: &str) -> Vec<Key> {
        s.chars().map(Key::Char).collect()
    }

    #[test]
    fn editing() {
        let mut st = LineState::new(0);
        type_keys(&mut st, &chars("helo"), &[]);
        type_keys(&mut st, &[Key::Left, Key::Char('l'), Key::End, Key::Char('!')], &[]);
        assert_eq!(st.text(), "hello!");
        type_keys(&mut st, &[Key::Backspace, Key::Home, Key::Delete], &[]);
        assert_eq!(st.text(), "ello");
        assert_eq!(st.pos, 0);
        type_keys(&mut st, &[Key::Right, Key::Right, Key::KillEnd], &[]);
        assert_eq!(st.text(), "el");
        type_keys(&mut st, &[Key::Char('x'), Key::Left, Key::KillStart], &[]);
        assert_eq!(st.text(), "x");
        assert_eq!(st.pos, 0);
        assert_eq!(st.key(Key::Backspace, &[]), Action::Nothing);
    }

    #[test]
    fn kill_word() {
        let mut st = LineState::new(0);
        type_keys(&mut st, &chars("ls -l  /tmp  "), &[]);
        st.key(Key::KillWord, &[]);
        assert_eq!(st.text(), "ls -l  ");
        st.key(Key::KillWord, &[]);
        assert_eq!(st.text(), "ls ");
        st.key(Key::WordLeft, &[]);
        assert_eq!(st.pos, 0);
        st.key(Key::WordRight, &[]);
        assert_eq!(st.pos, 2);
    }

    #[test]
    fn history() {
        let h: Vec<String> = vec!["first".into(), "second".into()];
        let mut st = LineState::new(h.len());
        type_keys(&mut st, &chars("draft"), &h);
        st.key(Key::Up, &h);
        assert_eq!(st.text(), "second");
        st.key(Key::Up, &h);
        assert_eq!(st.text(), "first");
        assert_eq!(st.key(Key::Up, &h), Action::Nothing);
        st.key(Key::Down, &h);
        assert_eq!(st.text(), "second");
        st.key(Key::Down, &h);
        assert_eq!(st.text(), "draft");
        assert_eq!(st.key(Key::Down, &h), Action::Nothing);
    }

    #[test]
    fn control_keys() {
        let mut st = LineState::new(0);
        assert_eq!(st.key(Key::Eof, &[]), Action::Eof);
        st.key(Key::Char('a'), &[]);
        assert_eq!(st.key(Key::Eof, &[]), Action::Nothing);
        st.key(Key::Home, &[]);
        assert_eq!(st.key(Key::Eof, &[]), Action::Redraw);
        assert_eq!(st.text(), "");
        assert_eq!(st.key(Key::Interrupt, &[]), Action::Interrupted);
        assert_eq!(st.key(Key::Enter, &[]), Action::Done);
    }

    #[test]
    fn rendering() {
        let buf: Vec<char> = "echo hi".chars().collect();
        assert_eq!(render("$ ", &buf, 7, 80), "\r$ echo hi\x1b[K\r\x1b[9C");
        assert_eq!(render("$ ", &buf, 0, 80), "\r$ echo hi\x1b[K\r\x1b[2C");
        // Scrolled: the cursor stays on screen.
        let long: Vec<char> = "abcdefghij".chars().collect();
        let r = render("> ", &long, 10, 8);
        assert_eq!(r, "\r> fghij\x1b[K\r\x1b[7C");
        assert_eq!(visible_width("\x1b[1;32m/tmp\x1b[0m # "), 7);
    }
}
