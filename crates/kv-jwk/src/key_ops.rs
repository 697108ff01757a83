//! `key_ops`: what a key may be used for.

crate::string_enum! {
    /// A JSON Web Key operation (`key_ops` member).
    pub enum KeyOperation {
        /// Encrypt with the key.
        Encrypt => "encrypt",
        /// Decrypt with the key.
        Decrypt => "decrypt",
        /// Sign a digest with the key.
        Sign => "sign",
        /// Verify a signature with the key.
        Verify => "verify",
        /// Wrap (encrypt) another key.
        WrapKey => "wrapKey",
        /// Unwrap (decrypt) another key.
        UnwrapKey => "unwrapKey",
        /// Import (Managed HSM).
        Import => "import",
        /// Export / release of an exportable key.
        Export => "export",
        /// Secure wrap: generate an AES-256 key in the HSM and wrap it (Managed HSM,
        /// api-version 2026-01-01-preview and later).
        SecureWrapKey => "secureWrapKey",
        /// Secure unwrap: unwrap for an attested target that satisfies the key's release
        /// policy (Managed HSM, api-version 2026-01-01-preview and later).
        SecureUnwrapKey => "secureUnwrapKey",
    }
}
