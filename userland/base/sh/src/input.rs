//! Where the shell's commands come from: a descriptor (a script on
//! standard input) or the terminal through the line editor.

use std::cell::RefCell;
use std::rc::Rc;

use crate::lexer::{Input, Source};
use crate::lineedit::{Editor, ReadResult};
use crate::sys;

/// Lines from a descriptor, never reading past the line returned: a
/// block at a time and seeking back when the descriptor can seek, one
/// byte at a time otherwise (so commands run from the script can read
/// the rest of standard input).
pub struct FdSource {
    fd: i32,
    seekable: bool,
}

impl FdSource {
    pub fn new(fd: i32) -> Self {
        // SAFETY: plain call.
        let seekable = unsafe { libc::lseek(fd, 0, libc::SEEK_CUR) } >= 0;
        FdSource { fd, seekable }
    }
}

impl Source for FdSource {
    fn read_line(&mut self, _continuation: bool) -> Input {
        let mut line = Vec::new();
        if self.seekable {
            let mut buf = [0u8; 4096];
            loop {
                let n = sys::read(self.fd, &mut buf).unwrap_or_default();
                if n == 0 {
                    break;
                }
                if let Some(i) = buf[..n].iter().position(|&b| b == b'\n') {
                    line.extend_from_slice(&buf[..=i]);
                    let back = (n - i - 1) as libc::off_t;
                    if back > 0 {
                        // SAFETY: plain call.
                        unsafe { libc::lseek(self.fd, -back, libc::SEEK_CUR) };
                    }
                    break;
                }
                line.extend_from_slice(&buf[..n]);
            }
        } else {
            let mut b = [0u8; 1];
            while let Ok(1) = sys::read(self.fd, &mut b) {
                line.push(b[0]);
                if b[0] == b'\n' {
                    break;
                }
            }
        }
        if line.is_empty() {
            return Input::Eof;
        }
        Input::Line(String::from_utf8_lossy(&line).into_owned())
    }
}

/// The prompts to show next: PS1 and PS2, expanded.
pub type Prompts = Rc<RefCell<(String, String)>>;

/// Lines typed at the terminal.
pub struct InteractiveSource {
    editor: Editor,
    prompts: Prompts,
}

impl InteractiveSource {
    pub fn new(prompts: Prompts) -> Self {
        InteractiveSource { editor: Editor::new(), prompts }
    }
}

impl Source for InteractiveSource {
    fn read_line(&mut self, continuation: bool) -> Input {
        let prompt = {
            let p = self.prompts.borrow();
            if continuation { p.1.clone() } else { p.0.clone() }
        };
        sys::clear_pending(libc::SIGINT);
        match self.editor.read_line(&prompt) {
            ReadResult::Line(mut s) => {
                s.push('\n');
                Input::Line(s)
            }
            ReadResult::Eof => Input::Eof,
            ReadResult::Interrupted => Input::Interrupted,
        }
    }
}
