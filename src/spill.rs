//! Text kept on disk instead of in memory: what a big build holds for its
//! whole length but reads only once or twice (rendered post bodies).
//!
//! A [`Spill`] is one temporary file that many threads append to at once;
//! each piece put in it comes back as a [`Spilled`] handle that reads it
//! again. The file is the kernel's to cache: pages read back soon after
//! they were written come from the page cache, and none of it counts as
//! the build's own memory, which the kernel can reclaim when it needs to.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// An append-only temporary file of texts, removed when dropped (on Unix,
/// as soon as it is opened: a crashed build leaves nothing behind).
pub struct Spill {
    file: File,
    /// Where the next text goes; reserved by each writer before it writes.
    end: AtomicU64,
    /// The file's name while it still has one (not on Unix).
    #[cfg_attr(unix, allow(dead_code))]
    path: Option<PathBuf>,
}

/// One text in a [`Spill`]: where it is and how long.
#[derive(Clone)]
pub struct Spilled {
    spill: Arc<Spill>,
    at: u64,
    len: usize,
}

impl Spill {
    /// A new spill file in the folder `dir` (which must exist), on the
    /// same disk as the output rather than in a temporary folder that may
    /// be held in memory.
    pub fn in_dir(dir: &Path) -> io::Result<Arc<Spill>> {
        let mut n = 0u32;
        loop {
            let path = dir.join(format!(".salon-spill-{}-{n}", std::process::id()));
            let opened = File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path);
            match opened {
                Ok(file) => {
                    #[cfg(unix)]
                    let path = {
                        std::fs::remove_file(&path)?;
                        None
                    };
                    #[cfg(not(unix))]
                    let path = Some(path);
                    return Ok(Arc::new(Spill {
                        file,
                        end: AtomicU64::new(0),
                        path,
                    }));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Appends `text`; safe to call from many threads at once.
    pub fn put(self: &Arc<Self>, text: &str) -> io::Result<Spilled> {
        let len = text.len();
        let at = self.end.fetch_add(len as u64, Ordering::Relaxed);
        write_all_at(&self.file, text.as_bytes(), at)?;
        Ok(Spilled {
            spill: Arc::clone(self),
            at,
            len,
        })
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.end.load(Ordering::Relaxed)
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        #[cfg(not(unix))]
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Spilled {
    /// The text, read back.
    pub fn read(&self) -> io::Result<String> {
        let mut bytes = vec![0; self.len];
        read_exact_at(&self.spill.file, &mut bytes, self.at)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for Spilled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spilled({} bytes at {})", self.len, self.at)
    }
}

impl PartialEq for Spilled {
    /// The same place in the same file (texts are never rewritten).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.spill, &other.spill) && self.at == other.at && self.len == other.len
    }
}

/// A text kept in memory, or in a [`Spill`] when there is one.
#[derive(Debug)]
pub enum Stored {
    /// In memory.
    Memory(Box<str>),
    /// On disk.
    Disk(Spilled),
}

impl Stored {
    /// `text`, moved to `spill` when given (kept in memory if it cannot
    /// be written there).
    pub fn new(text: String, spill: Option<&Arc<Spill>>) -> Stored {
        match spill.map(|s| s.put(&text)) {
            Some(Ok(s)) => Stored::Disk(s),
            _ => Stored::Memory(text.into_boxed_str()),
        }
    }

    /// The text, read back if it is on disk.
    ///
    /// # Panics
    ///
    /// When the spill file, written by this process and held open, cannot
    /// be read back: a failing disk.
    pub fn text(&self) -> String {
        match self {
            Stored::Memory(text) => text.to_string(),
            Stored::Disk(s) => s
                .read()
                .unwrap_or_else(|e| panic!("reading back a spilled text: {e}")),
        }
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_exact_at(file: &File, bytes: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut bytes: &[u8], mut at: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        let n = file.seek_write(bytes, at)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut bytes: &mut [u8], mut at: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        let n = file.seek_read(bytes, at)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        bytes = &mut bytes[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn texts_put_from_many_threads_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::in_dir(dir.path()).unwrap();
        let texts: Vec<String> = (0..500)
            .map(|i| format!("<p>body {i} ü {}</p>", "x".repeat(i)))
            .collect();
        let handles: Vec<Spilled> = texts.par_iter().map(|t| spill.put(t).unwrap()).collect();
        for (t, h) in texts.iter().zip(&handles) {
            assert_eq!(&h.read().unwrap(), t);
        }
        let total: usize = texts.iter().map(String::len).sum();
        assert_eq!(spill.len(), total as u64);
    }

    #[test]
    fn leaves_no_file_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::in_dir(dir.path()).unwrap();
        spill.put("text").unwrap();
        #[cfg(unix)]
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        drop(spill);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
