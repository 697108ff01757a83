//! The pure-Rust backend: rsa 0.10, p256/p384/p521/k256 0.14, aes-gcm 0.11, aes-kw 0.3,
//! cbc 0.2, sha1/sha2 0.11, ml-dsa 0.1 and getrandom.

mod aes;
mod ec;
mod ml_dsa;
mod rsa;

pub use self::aes::{GetRandom, RustCryptoAes};
pub use self::ec::RustCryptoEc;
pub use self::ml_dsa::RustCryptoMlDsa;
pub use self::rsa::RustCryptoRsa;

use crate::CryptoProvider;

static ML_DSA: RustCryptoMlDsa = RustCryptoMlDsa;
static RSA: RustCryptoRsa = RustCryptoRsa;
static EC: RustCryptoEc = RustCryptoEc;
static AES: RustCryptoAes = RustCryptoAes;
static RANDOM: GetRandom = GetRandom;

/// A provider that does everything with the RustCrypto crates.
pub fn provider() -> CryptoProvider {
    CryptoProvider {
        rsa: &RSA,
        ec: &EC,
        aes_gcm: &AES,
        aes_kw: &AES,
        aes_cbc: &AES,
        ml_dsa: &ML_DSA,
        random: &RANDOM,
    }
}
