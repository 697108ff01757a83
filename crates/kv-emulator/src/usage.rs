//! Whether a key version may be used for an operation now: enabled, inside its
//! `nbf`/`exp` window, and the operation listed in its `key_ops`.
//!
//! As the service documents ("About keys", date-time controlled operations), a key
//! outside its `nbf`/`exp` window still decrypts, unwraps and verifies, so data made
//! while it was valid stays usable; only the operations that make new data (encrypt,
//! wrap, sign, release) are refused.

use kv_jwk::KeyOperation;

use crate::error::ApiError;
use crate::store::KeyMeta;

/// Refuses the operation with the service's 403 unless the key may perform it at `now`.
pub fn check_usable(meta: &KeyMeta, op: &KeyOperation, now: i64) -> Result<(), ApiError> {
    let attrs = &meta.attributes;
    if attrs.enabled == Some(false) {
        return Err(ApiError::Forbidden(format!(
            "Operation {op} is not allowed on a disabled key."
        )));
    }
    let time_checked = !matches!(
        op,
        KeyOperation::Decrypt | KeyOperation::UnwrapKey | KeyOperation::Verify
    );
    if time_checked && attrs.nbf.is_some_and(|nbf| now < nbf) {
        return Err(ApiError::Forbidden(format!(
            "Operation {op} is not allowed before the key's not-before date (nbf)."
        )));
    }
    if time_checked && attrs.exp.is_some_and(|exp| now >= exp) {
        return Err(ApiError::Forbidden(format!(
            "Operation {op} is not allowed on an expired key."
        )));
    }
    if !meta.public.permits(op) {
        return Err(ApiError::key_operation_forbidden(op));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_protocol::KeyAttributes;

    fn meta(enabled: bool, nbf: Option<i64>, exp: Option<i64>, ops: Vec<KeyOperation>) -> KeyMeta {
        let mut meta = KeyMeta {
            attributes: KeyAttributes {
                enabled: Some(enabled),
                nbf,
                exp,
                ..Default::default()
            },
            ..Default::default()
        };
        meta.public.key_ops = Some(ops);
        meta
    }

    #[test]
    fn rules() {
        let sign = KeyOperation::Sign;
        assert!(check_usable(&meta(true, None, None, vec![sign.clone()]), &sign, 100).is_ok());
        assert!(check_usable(&meta(false, None, None, vec![sign.clone()]), &sign, 100).is_err());
        assert!(
            check_usable(&meta(true, Some(101), None, vec![sign.clone()]), &sign, 100).is_err()
        );
        assert!(
            check_usable(&meta(true, None, Some(100), vec![sign.clone()]), &sign, 100).is_err()
        );
        assert!(
            check_usable(
                &meta(true, Some(100), Some(101), vec![sign.clone()]),
                &sign,
                100
            )
            .is_ok()
        );
        // Outside the window, decrypt, unwrap and verify still work.
        for op in [
            KeyOperation::Decrypt,
            KeyOperation::UnwrapKey,
            KeyOperation::Verify,
        ] {
            let ops = vec![op.clone()];
            assert!(check_usable(&meta(true, None, Some(100), ops.clone()), &op, 100).is_ok());
            assert!(check_usable(&meta(true, Some(101), None, ops.clone()), &op, 100).is_ok());
            assert!(check_usable(&meta(false, None, None, ops), &op, 100).is_err());
        }
        for op in [KeyOperation::Encrypt, KeyOperation::WrapKey] {
            let ops = vec![op.clone()];
            assert!(check_usable(&meta(true, None, Some(100), ops.clone()), &op, 100).is_err());
            assert!(check_usable(&meta(true, Some(101), None, ops), &op, 100).is_err());
        }
        let err = check_usable(
            &meta(true, None, None, vec![KeyOperation::Verify]),
            &sign,
            100,
        );
        assert!(matches!(err, Err(ApiError::KeyOperationForbidden(_))));
    }
}
