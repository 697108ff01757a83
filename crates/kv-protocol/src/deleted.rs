//! Deleted keys: the deleted key bundle and item, and their list.
//!
//! Both types flatten the live type ([`KeyBundle`], [`KeyItem`]) and add the three
//! deletion members, so the emulator builds one from the other and clients read the key
//! the same way in both.

use serde::{Deserialize, Serialize};

use crate::keys::{KeyBundle, KeyItem};
use crate::paging::Page;

/// A deleted key (`DeletedKeyBundle`): the answer of DeleteKey and GetDeletedKey.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedKeyBundle {
    /// The key as it was when deleted.
    #[serde(flatten)]
    pub bundle: KeyBundle,
    /// `{vault}/deletedkeys/{name}`: the URL to recover or purge the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_id: Option<String>,
    /// When the key will be purged (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_purge_date: Option<i64>,
    /// When the key was deleted (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<i64>,
}

/// One entry of GetDeletedKeys (`DeletedKeyItem`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedKeyItem {
    /// The key's list entry (versionless `kid`, attributes, tags, managed).
    #[serde(flatten)]
    pub item: KeyItem,
    /// `{vault}/deletedkeys/{name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_id: Option<String>,
    /// When the key will be purged (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_purge_date: Option<i64>,
    /// When the key was deleted (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<i64>,
}

/// A page of GetDeletedKeys (`DeletedKeyListResult`).
pub type DeletedKeyListResult = Page<DeletedKeyItem>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn deleted_bundle_round_trips(
            bundle in arb_key_bundle(),
            recovery_id in proptest::option::of("https://v/deletedkeys/[a-z]{1,8}"),
            scheduled_purge_date in proptest::option::of(any::<i64>()),
            deleted_date in proptest::option::of(any::<i64>()),
        ) {
            let v = DeletedKeyBundle { bundle, recovery_id, scheduled_purge_date, deleted_date };
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn deleted_list_round_trips(
            items in proptest::collection::vec(
                (arb_key_item(), proptest::option::of(any::<i64>())), 0..4),
            next_link in proptest::option::of("https://v/deletedkeys\\?\\$skiptoken=[a-z]{1,8}"),
        ) {
            let value = items.into_iter().map(|(item, date)| DeletedKeyItem {
                item,
                recovery_id: Some("https://v/deletedkeys/k".into()),
                scheduled_purge_date: date,
                deleted_date: date,
            }).collect();
            let v = DeletedKeyListResult { value, next_link };
            prop_assert_eq!(round_trip(&v), v);
        }
    }

    #[test]
    fn flattened_wire_shape() {
        let json = r#"{"recoveryId":"https://v/deletedkeys/k","deletedDate":2,"scheduledPurgeDate":3,"key":{"kid":"https://v/keys/k/1","kty":"EC","crv":"P-256","x":"AQ","y":"Ag"},"attributes":{"enabled":true},"tags":{"a":"b"}}"#;
        let d: DeletedKeyBundle = serde_json::from_str(json).unwrap();
        assert_eq!(d.bundle.kid(), Some("https://v/keys/k/1"));
        assert_eq!(d.deleted_date, Some(2));
        let back: serde_json::Value = serde_json::to_value(&d).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&DeletedKeyBundle::default()).unwrap(),
            "{}"
        );
    }
}
