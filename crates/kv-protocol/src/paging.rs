//! `Page<T>`: one page of a list operation (`{"value": [...], "nextLink": "..."}`).

use serde::{Deserialize, Serialize};

/// One page of a pageable list (keys, key versions, deleted keys, role assignments, role
/// definitions).
///
/// `nextLink` is the absolute URL of the next page (with an opaque `$skiptoken`), absent
/// or `null` on the last page. A page without `value` reads as empty.
///
/// ```
/// use kv_protocol::{KeyItem, KeyListResult};
/// let page: KeyListResult = serde_json::from_str(r#"{"value":[{"kid":"https://v/keys/a"}],"nextLink":null}"#)?;
/// assert_eq!(page.value.len(), 1);
/// assert!(page.is_last());
/// assert_eq!(serde_json::to_string(&page)?, r#"{"value":[{"kid":"https://v/keys/a"}]}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The URL of the next page, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

impl<T> Page<T> {
    /// A page holding `value`, followed by `next_link` if any.
    pub fn new(value: Vec<T>, next_link: Option<String>) -> Self {
        Self { value, next_link }
    }

    /// Whether this is the last page (no `nextLink`, or an empty one).
    pub fn is_last(&self) -> bool {
        self.next_link.as_deref().is_none_or(str::is_empty)
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            value: Vec::new(),
            next_link: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips(value in proptest::collection::vec(any::<u32>(), 0..5),
                       next_link in proptest::option::of("https://[a-z]{1,8}/keys\\?\\$skiptoken=[A-Za-z0-9]{1,10}")) {
            let page = Page { value, next_link };
            let json = serde_json::to_value(&page).unwrap();
            crate::test_support::assert_no_nulls(&json);
            prop_assert_eq!(serde_json::from_value::<Page<u32>>(json).unwrap(), page);
        }
    }

    #[test]
    fn missing_value_and_empty_next_link() {
        let page: Page<u32> = serde_json::from_str(r#"{"nextLink":""}"#).unwrap();
        assert!(page.value.is_empty());
        assert!(page.is_last());
        assert!(!Page::new(vec![1], Some("https://x".into())).is_last());
        assert_eq!(
            serde_json::to_string(&Page::<u32>::default()).unwrap(),
            r#"{"value":[]}"#
        );
    }
}
