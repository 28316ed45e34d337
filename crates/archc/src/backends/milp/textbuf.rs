//! A byte buffer in front of an [`std::io::Write`] for the MPS and LP writers: pieces are
//! appended with plain `memcpy`s (fixed-size copies for short pieces) and numbers are
//! formatted without allocation (integers digit by digit, others with `ryu`), so writing
//! millions of lines costs no allocation per line. The buffer is handed to the writer
//! whenever it grows past a threshold.

use std::io::{self, Write};

/// Flush to the underlying writer once this many bytes are buffered.
const FLUSH_AT: usize = 1 << 20;

/// Slots in the cache of formatted numbers.
const CACHE_SLOTS: usize = 1024;

/// A direct-mapped cache of recently formatted non-integral numbers: models repeat the same
/// coefficients (a price, a size) many times, and a hit costs one short copy instead of a
/// shortest-round-trip conversion.
struct NumCache {
    bits: [u64; CACHE_SLOTS],
    len: [u8; CACHE_SLOTS],
    text: [[u8; 24]; CACHE_SLOTS],
}

/// Integers below this in magnitude are copied from [`small_ints`].
const SMALL_INT: i64 = 10_000;

/// The text of every integer in `-SMALL_INT < v < SMALL_INT`, at `v + SMALL_INT - 1`: at most
/// five bytes, its length in the last byte. Built once per process (160 kB).
fn small_ints() -> &'static [[u8; 8]] {
    static TABLE: std::sync::OnceLock<Vec<[u8; 8]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (-SMALL_INT + 1..SMALL_INT)
            .map(|v| {
                let mut text = Vec::with_capacity(24);
                format_int(&mut text, v);
                let mut e = [0u8; 8];
                e[..text.len()].copy_from_slice(&text);
                e[7] = text.len() as u8;
                e
            })
            .collect()
    })
}

/// Append an integer of at most 15 digits (`-0` as `0`): short ones from a table, others
/// digit by digit; either way the text is one fixed-size copy and a truncation, which for
/// the short numbers of a model is cheaper than a call to `memcpy`.
#[inline(always)]
fn put_int(out: &mut Vec<u8>, v: i64, table: &[[u8; 8]]) {
    if let Some(e) = table.get((v + SMALL_INT - 1) as usize) {
        let at = out.len();
        out.extend_from_slice(e);
        out.truncate(at + e[7] as usize);
        return;
    }
    format_int(out, v);
}

/// Append an integer of at most 15 digits, digit by digit.
#[inline]
fn format_int(out: &mut Vec<u8>, v: i64) {
    let mut text = [0u8; 24];
    let mut u = v.unsigned_abs();
    let neg = v < 0;
    let mut digits = 1;
    let mut t = u;
    while t >= 10 {
        t /= 10;
        digits += 1;
    }
    let len = usize::from(neg) + digits;
    text[0] = b'-';
    let mut i = len;
    loop {
        i -= 1;
        text[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    let at = out.len();
    out.extend_from_slice(&text);
    out.truncate(at + len);
}

/// Appends text to a buffer and flushes it in large blocks.
pub(crate) struct TextBuf<'w, W: Write> {
    buf: Vec<u8>,
    out: &'w mut W,
    itoa: itoa::Buffer,
    ryu: ryu::Buffer,
    cache: Box<NumCache>,
    ints: &'static [[u8; 8]],
    /// Flush once this many bytes are buffered.
    flush_at: usize,
}

impl<'w, W: Write> TextBuf<'w, W> {
    pub(crate) fn new(out: &'w mut W) -> Self {
        Self::with_flush_at(out, FLUSH_AT, FLUSH_AT + 4096)
    }

    /// A buffer that is never flushed: its text is taken with [`TextBuf::into_text`] (a
    /// piece of a section formatted apart from the rest).
    pub(crate) fn unflushed(out: &'w mut W, mut buf: Vec<u8>) -> Self {
        buf.clear();
        let mut t = Self::with_flush_at(out, usize::MAX, 0);
        t.buf = buf;
        t
    }

    fn with_flush_at(out: &'w mut W, flush_at: usize, capacity: usize) -> Self {
        TextBuf {
            buf: Vec::with_capacity(capacity),
            out,
            itoa: itoa::Buffer::new(),
            ryu: ryu::Buffer::new(),
            cache: Box::new(NumCache {
                bits: [0; CACHE_SLOTS],
                len: [0; CACHE_SLOTS],
                text: [[0; 24]; CACHE_SLOTS],
            }),
            ints: small_ints(),
            flush_at,
        }
    }

    /// The text of an [`TextBuf::unflushed`] buffer.
    pub(crate) fn into_text(self) -> Vec<u8> {
        self.buf
    }

    /// Write out what is buffered, then `text` (whole lines formatted elsewhere).
    pub(crate) fn write_through(&mut self, text: &[u8]) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.out.write_all(text)
    }

    /// The buffer itself, for name writers that append in place.
    #[inline]
    pub(crate) fn bytes_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Bytes in the buffer: an offset within the current line (the buffer is flushed only
    /// at a newline).
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Append spaces until `width` bytes follow offset `start`.
    #[inline]
    pub(crate) fn pad_to(&mut self, start: usize, width: usize) {
        let end = start + width;
        if self.buf.len() < end {
            self.buf.resize(end, b' ');
        }
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
        // An integral value: the conversion back is exact (`trunc` would be a libm call).
        let i = v as i64;
        if i as f64 == v && v.abs() < 1e15 {
            put_int(&mut self.buf, i, self.ints);
        } else if v.is_finite() {
            let bits = v.to_bits();
            let slot = (bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 54) as usize % CACHE_SLOTS;
            let c = &mut *self.cache;
            let len = c.len[slot] as usize;
            if len > 0 && c.bits[slot] == bits {
                // One fixed-size copy and a truncation rather than a `memcpy` call.
                let at = self.buf.len();
                self.buf.extend_from_slice(&c.text[slot]);
                self.buf.truncate(at + len);
            } else {
                let s = self.ryu.format_finite(v).as_bytes();
                // ryu writes at most 24 bytes.
                let n = s.len().min(24);
                c.text[slot][..n].copy_from_slice(&s[..n]);
                c.len[slot] = n as u8;
                c.bits[slot] = bits;
                self.buf.extend_from_slice(s);
            }
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
        if self.buf.len() >= self.flush_at {
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
        assert_eq!(fmt(0.0), "0");
        assert_eq!(fmt(10.0), "10");
        assert_eq!(fmt(-1.0), "-1");
        assert_eq!(fmt(999_999_999_999_999.0), "999999999999999");
        assert_eq!(fmt(-100_000_000_000_000.0), "-100000000000000");
        assert_eq!(fmt(0.1), "0.1");
        assert_eq!(fmt(1e-7), "1e-7");
        assert_eq!(fmt(2.5e20), "2.5e20");
        assert_eq!(fmt(f64::INFINITY), "Infinity");
        assert_eq!(fmt(f64::NEG_INFINITY), "-Infinity");
        for v in [0.1, 1.0 / 3.0, 123456.789, -9.87e-12] {
            assert_eq!(fmt(v).parse::<f64>().unwrap(), v);
        }
    }

    /// Integers from the table and from the digit loop, around the table's edges.
    #[test]
    fn integers_read_back_exactly() {
        let mut out = Vec::new();
        let mut t = TextBuf::new(&mut out);
        let mut values: Vec<i64> = (-12_000..12_000).collect();
        values.extend([123_456_789, -987_654_321_012, 999_999_999_999_999]);
        for &v in &values {
            t.num(v as f64);
            t.byte(b' ');
        }
        t.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        let back: Vec<i64> = text
            .split_whitespace()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(back, values);
        assert!(!text.contains("+") && !text.contains('.'));
    }

    #[test]
    fn cached_numbers_stay_exact() {
        let mut out = Vec::new();
        let mut t = TextBuf::new(&mut out);
        let values: Vec<f64> = (0..5000)
            .map(|i| (i % 1500) as f64 * 0.37 + 0.001)
            .collect();
        for &v in &values {
            t.num(v);
            t.byte(b' ');
        }
        t.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        let back: Vec<f64> = text
            .split_whitespace()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(back, values);
    }
}
