//! The aws-lc-rs backend (AWS-LC underneath). It lacks RSNULL, 192-bit AES key wrap and ML-DSA
//! context strings and external mu; the default provider sends those to RustCrypto when it is
//! compiled in.

mod aes;
mod ec;
mod ml_dsa;
mod rsa;

pub use self::aes::{AwsLcAes, AwsLcRandom};
pub use self::ec::AwsLcEc;
pub use self::ml_dsa::AwsLcMlDsa;
pub use self::rsa::AwsLcRsa;

use crate::CryptoProvider;

static ML_DSA: AwsLcMlDsa = AwsLcMlDsa;
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
        ml_dsa: &ML_DSA,
        random: &RANDOM,
    }
}
