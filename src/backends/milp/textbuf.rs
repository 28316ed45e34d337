//! A byte buffer in front of an [`std::io::Write`] for the MPS and LP writers: pieces are
//! appended with plain `memcpy`s and numbers are formatted with `itoa`/`ryu`, so writing
//! millions of lines costs no allocation per line. The buffer is handed to the writer
//! whenever it grows past a threshold.

use std::io::{self, Write};

/// Flush to the underlying writer once this many bytes are buffered.
const FLUSH_AT: usize = 1 << 20;

/// Appends text to a buffer and flushes it in large blocks.
pub(crate) struct TextBuf<'w, W: Write> {
    buf: Vec<u8>,
    out: &'w mut W,
    itoa: itoa::Buffer,
    ryu: ryu::Buffer,
}

impl<'w, W: Write> TextBuf<'w, W> {
    pub(crate) fn new(out: &'w mut W) -> Self {
        TextBuf {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            out,
            itoa: itoa::Buffer::new(),
            ryu: ryu::Buffer::new(),
        }
    }

    /// The buffer itself, for name writers that append in place.
    #[inline]
    pub(crate) fn bytes_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    #[inline]
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    #[inline]
    pub(crate) fn str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    #[inline]
    pub(crate) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    #[inline]
    pub(crate) fn uint(&mut self, v: u64) {
        let s = self.itoa.format(v);
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A number as short as it reads back exactly: integers without a fraction (`3`, `-12`),
    /// others in shortest round-trip form (`0.1`, `1e-7`), infinities as `Infinity`.
    #[inline]
    pub(crate) fn num(&mut self, v: f64) {
        if v == v.trunc() && v.abs() < 1e15 {
            // `v + 0.0` turns `-0.0` into `0.0`.
            let s = self.itoa.format((v + 0.0) as i64);
            self.buf.extend_from_slice(s.as_bytes());
        } else if v.is_finite() {
            let s = self.ryu.format_finite(v);
            self.buf.extend_from_slice(s.as_bytes());
        } else if v.is_nan() {
            self.buf.extend_from_slice(b"NaN");
        } else if v > 0.0 {
            self.buf.extend_from_slice(b"Infinity");
        } else {
            self.buf.extend_from_slice(b"-Infinity");
        }
    }

    /// End a line and flush when the buffer is full.
    #[inline]
    pub(crate) fn newline(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Write out everything buffered and flush the writer.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(v: f64) -> String {
        let mut out = Vec::new();
        let mut t = TextBuf::new(&mut out);
        t.num(v);
        t.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_short_and_exact() {
        assert_eq!(fmt(3.0), "3");
        assert_eq!(fmt(-12.0), "-12");
        assert_eq!(fmt(-0.0), "0");
        assert_eq!(fmt(0.1), "0.1");
        assert_eq!(fmt(1e-7), "1e-7");
        assert_eq!(fmt(2.5e20), "2.5e20");
        assert_eq!(fmt(f64::INFINITY), "Infinity");
        assert_eq!(fmt(f64::NEG_INFINITY), "-Infinity");
        for v in [0.1, 1.0 / 3.0, 123456.789, -9.87e-12] {
            assert_eq!(fmt(v).parse::<f64>().unwrap(), v);
        }
    }
}
