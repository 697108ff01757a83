//! Finds secrets in captured text, in every encoding a log line or a `Debug` print could
//! plausibly carry them: the text itself, lower- or upper-case hex, base64url, standard
//! base64 (padded or not), `Debug` of a byte slice (`[12, 34, ...]`, one line or pretty)
//! and the big-endian integer in decimal.
//!
//! Partial leaks count too: every encoding is cut into windows of [`WINDOW`] characters (for
//! base64 at each of the three byte alignments), so a quoted slice of a secret is found
//! wherever it starts. Decimal byte lists are matched [`DEC_WINDOW`] bytes at a time.

use std::collections::HashMap;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};

/// Characters per window of a text encoding (hex: 8 bytes, base64: 12 bytes).
pub const WINDOW: usize = 16;
/// Bytes per window of a decimal byte list.
pub const DEC_WINDOW: usize = 8;

/// One finding: which secret, in which form, and the line it was found in.
#[derive(Debug)]
pub struct Hit {
    pub label: String,
    pub line: String,
}

/// The registered secrets.
#[derive(Default)]
pub struct SecretScanner {
    /// Case-sensitive windows (text, base64 forms).
    exact: HashMap<[u8; WINDOW], String>,
    /// Windows of lower-case hex, matched against lower-cased text.
    hex: HashMap<[u8; WINDOW], String>,
    /// Windows of byte values, matched against runs of decimal numbers.
    dec: HashMap<[u8; DEC_WINDOW], String>,
    /// Whole strings (decimal integers).
    whole: Vec<(String, String)>,
    count: usize,
}

fn add_windows(map: &mut HashMap<[u8; WINDOW], String>, text: &[u8], step: usize, label: &str) {
    if text.len() < WINDOW {
        return;
    }
    let mut i = 0;
    while i + WINDOW <= text.len() {
        let mut w = [0u8; WINDOW];
        w.copy_from_slice(&text[i..i + WINDOW]);
        map.entry(w).or_insert_with(|| label.to_owned());
        i += step;
    }
}

/// The big-endian unsigned integer `bytes` in decimal.
pub fn to_decimal(bytes: &[u8]) -> String {
    let mut num: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut digits = Vec::new();
    while !num.is_empty() {
        let mut rem = 0u32;
        for b in num.iter_mut() {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
        let lead = num.iter().take_while(|b| **b == 0).count();
        num.drain(..lead);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).expect("ASCII digits")
}

impl SecretScanner {
    /// How many secrets are registered.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Registers secret bytes (key components, data keys) in every encoding.
    pub fn add_bytes(&mut self, label: &str, secret: &[u8]) {
        assert!(
            secret.len() >= DEC_WINDOW,
            "{label}: too short to scan for reliably"
        );
        self.count += 1;
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        add_windows(&mut self.hex, hex.as_bytes(), 2, &format!("{label} (hex)"));
        for shift in 0..3.min(secret.len()) {
            let tail = &secret[shift..];
            let url = Base64UrlUnpadded::encode_string(tail);
            add_windows(
                &mut self.exact,
                url.as_bytes(),
                4,
                &format!("{label} (base64url)"),
            );
            let std = Base64::encode_string(tail);
            add_windows(
                &mut self.exact,
                std.as_bytes(),
                4,
                &format!("{label} (base64)"),
            );
        }
        for w in secret.windows(DEC_WINDOW) {
            let mut k = [0u8; DEC_WINDOW];
            k.copy_from_slice(w);
            self.dec
                .entry(k)
                .or_insert_with(|| format!("{label} (decimal bytes)"));
        }
        let decimal = to_decimal(secret);
        if decimal.len() >= 20 {
            // The leading 20 digits of the integer are enough to say it was printed.
            self.whole
                .push((decimal[..20].to_owned(), format!("{label} (integer)")));
        }
    }

    /// Registers a secret string (a token, a plaintext marker): as text and as bytes.
    pub fn add_text(&mut self, label: &str, secret: &str) {
        assert!(secret.len() >= WINDOW, "{label}: too short to scan for");
        add_windows(
            &mut self.exact,
            secret.as_bytes(),
            1,
            &format!("{label} (text)"),
        );
        self.add_bytes(label, secret.as_bytes());
    }

    /// Every place a registered secret occurs in `text`.
    pub fn scan(&self, text: &str) -> Vec<Hit> {
        let bytes = text.as_bytes();
        let lower = text.to_ascii_lowercase();
        let lower = lower.as_bytes();
        let mut hits = Vec::new();
        let mut hit = |at: usize, label: &String| {
            hits.push(Hit {
                label: label.clone(),
                line: line_at(text, at),
            })
        };
        let mut w = [0u8; WINDOW];
        for i in 0..(bytes.len() + 1).saturating_sub(WINDOW) {
            w.copy_from_slice(&bytes[i..i + WINDOW]);
            if let Some(label) = self.exact.get(&w) {
                hit(i, label);
            }
            w.copy_from_slice(&lower[i..i + WINDOW]);
            if let Some(label) = self.hex.get(&w) {
                hit(i, label);
            }
        }
        for (at, run) in decimal_runs(text) {
            for (j, win) in run.windows(DEC_WINDOW).enumerate() {
                let mut k = [0u8; DEC_WINDOW];
                k.copy_from_slice(win);
                if let Some(label) = self.dec.get(&k) {
                    hit(at + j, label);
                }
            }
        }
        for (needle, label) in &self.whole {
            if let Some(at) = text.find(needle.as_str()) {
                hit(at, label);
            }
        }
        hits
    }
}

/// Runs of numbers 0 to 255 separated only by commas and white space (how `Debug` prints
/// a byte slice), with the offset where each run starts.
fn decimal_runs(text: &str) -> Vec<(usize, Vec<u8>)> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let flush = |run: &mut Vec<u8>, start: usize, runs: &mut Vec<(usize, Vec<u8>)>| {
        if run.len() >= DEC_WINDOW {
            runs.push((start, std::mem::take(run)));
        }
        run.clear();
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() {
            let begin = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            // A number glued to letters (an identifier, hex) ends the run.
            let glued = (begin > 0 && bytes[begin - 1].is_ascii_alphanumeric())
                || (i < bytes.len() && bytes[i].is_ascii_alphanumeric());
            match text[begin..i].parse::<u16>() {
                Ok(v) if v <= 255 && !glued => {
                    if run.is_empty() {
                        start = begin;
                    }
                    run.push(v as u8);
                }
                _ => flush(&mut run, start, &mut runs),
            }
        } else if matches!(c, b',' | b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        } else {
            flush(&mut run, start, &mut runs);
            i += 1;
        }
    }
    flush(&mut run, start, &mut runs);
    runs
}

/// The line around byte `at`, cut to 300 characters.
fn line_at(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let end = text[at..].find('\n').map_or(text.len(), |p| at + p);
    text[start..end].chars().take(300).collect()
}

#[test]
fn scanner_finds_every_form_and_nothing_else() {
    let secret: Vec<u8> = (0u8..48)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    let mut s = SecretScanner::default();
    s.add_bytes("k", &secret);
    s.add_text("tok", "tok3n-Abcdefghijklmnopqrstuvwxyz0123456789");
    let slice = &secret[5..30];
    let forms = [
        slice.iter().map(|b| format!("{b:02X}")).collect::<String>(),
        Base64UrlUnpadded::encode_string(slice),
        Base64::encode_string(slice),
        format!("x = {slice:?};"),
        format!("{slice:#?}"),
        to_decimal(&secret),
        "Bearer tok3n-Abcdefghijklmnopqrstuvwxyz0123456789".to_owned(),
        format!("{:?}", "-Abcdefghijklmnopqrstuvwxyz".as_bytes()),
    ];
    for form in &forms {
        assert!(!s.scan(form).is_empty(), "missed: {form}");
    }
    let clean = format!(
        "{:?} {} {}",
        &secret[..7],
        Base64::encode_string(&secret[..11]),
        "request id 0123456789abcdef0123"
    );
    assert!(s.scan(&clean).is_empty(), "{:?}", s.scan(&clean));
    assert_eq!(to_decimal(&[1, 0]), "256");
    assert_eq!(to_decimal(&[0, 0]), "0");
}
