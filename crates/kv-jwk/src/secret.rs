//! `SecretBytes`: private key material that is wiped on drop and never printed.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Secret bytes (a private key component or a symmetric key).
///
/// The buffer is zeroized on drop. `Debug` prints `[REDACTED]`. There is deliberately no
/// `Clone`: copying a secret is an explicit [`SecretBytes::clone_secret`]. Equality is
/// constant-time.
#[derive(Default)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Takes ownership of `bytes`; they are zeroized when this value drops.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies `bytes` into a new secret buffer.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The secret bytes. Keep the borrow short and never log it.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// An explicit copy of the secret, in a new zeroizing buffer.
    pub fn clone_secret(&self) -> Self {
        Self(self.0.clone())
    }

    /// Moves the bytes out into a [`Zeroizing`] buffer.
    pub fn into_zeroizing(mut self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(core::mem::take(&mut self.0))
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<Zeroizing<Vec<u8>>> for SecretBytes {
    fn from(mut bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(core::mem::take(&mut *bytes))
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for SecretBytes {}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SecretBytes {}

impl serde::Serialize for SecretBytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let encoded = Zeroizing::new(crate::base64url::encode(&self.0));
        serializer.serialize_str(&encoded)
    }
}

impl<'de> serde::Deserialize<'de> for SecretBytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::base64url::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::from_slice(b"topsecret");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
    }

    #[test]
    fn serde_is_base64url() {
        let s = SecretBytes::from_slice(&[0xfb, 0xff]);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"-_8\"");
        let back: SecretBytes = serde_json::from_str("\"-_8=\"").unwrap();
        assert_eq!(back, s);
    }
}
