//! The aws-lc-rs backend (AWS-LC underneath). It lacks RSNULL and 192-bit AES key wrap; the
//! default provider sends those to RustCrypto when it is compiled in.

mod aes;
mod ec;
mod rsa;

pub use self::aes::{AwsLcAes, AwsLcRandom};
pub use self::ec::AwsLcEc;
pub use self::rsa::AwsLcRsa;

use crate::CryptoProvider;

static RSA: AwsLcRsa = AwsLcRsa;
static EC: AwsLcEc = AwsLcEc;
static AES: AwsLcAes = AwsLcAes;
static RANDOM: AwsLcRandom = AwsLcRandom;

/// A provider that does everything aws-lc-rs implements with aws-lc-rs.
pub fn provider() -> CryptoProvider {
    CryptoProvider {
        rsa: &RSA,
        ec: &EC,
        aes_gcm: &AES,
        aes_kw: &AES,
        aes_cbc: &AES,
        random: &RANDOM,
    }
}
