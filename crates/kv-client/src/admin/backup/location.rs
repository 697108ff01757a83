//! Blob Storage locations of full backups: the container URL a backup goes to, and the
//! folder URL a restore reads from, split into container URL and folder name as the
//! service wants them.

use url::{Host, Url};

use crate::error::{Result, invalid_argument};

/// A backup folder: the container's URL and the folder's name inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BackupLocation {
    /// `https://{account}.blob.core.windows.net/{container}` (or path-style, see
    /// [`split_folder_url`]).
    pub(crate) container_url: String,
    /// The folder name, such as `mhsm-myhsm-2020090117323313`.
    pub(crate) folder_name: String,
}

/// Parses a Blob Storage URL: `http` or `https`, with a host, no user info, no query or
/// fragment. The SAS token travels separately, so a query is refused rather than sent
/// (the error does not quote the URL, which may hold one).
fn parse_blob_url(what: &str, url: &str) -> Result<Url> {
    let parsed =
        Url::parse(url).map_err(|_| invalid_argument(format!("{what} is not a valid URL")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(invalid_argument(format!(
            "{what} must be an http or https URL"
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid_argument(format!("{what} has no host")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid_argument(format!("{what} must not carry user info")));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid_argument(format!(
            "{what} must not have a query or fragment (pass the SAS token as BlobStorageAccess::SasToken)"
        )));
    }
    Ok(parsed)
}

/// Path-style URLs (`http://127.0.0.1:10000/{account}/{container}`, as Azurite and other
/// storage emulators serve) put the account name in the first path segment; the storage
/// SDKs recognise them by an IP address or `localhost` as the host.
fn is_path_style(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => true,
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn segments(url: &Url) -> Vec<&str> {
    url.path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default()
}

fn origin(url: &Url) -> String {
    let mut origin = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        origin.push_str(&format!(":{port}"));
    }
    origin
}

/// Checks the URL of the container a backup goes to, and returns it without a trailing
/// `/`.
///
/// # Errors
/// `InvalidArgument` when it is not a Blob Storage container URL.
pub(crate) fn check_container_url(url: &str) -> Result<String> {
    let parsed = parse_blob_url("blob storage URL", url)?;
    let need = if is_path_style(&parsed) { 2 } else { 1 };
    let segments = segments(&parsed);
    if segments.len() < need {
        return Err(invalid_argument(
            "blob storage URL must name a container (https://{account}.blob.core.windows.net/{container})",
        ));
    }
    Ok(format!("{}/{}", origin(&parsed), segments.join("/")))
}

/// Splits a backup's folder URL (the [`folder_url`](super::KeyVaultBackupResult::folder_url)
/// of a backup) into container URL and folder name.
///
/// The container is the first path segment, or the second for a path-style URL whose host
/// is an IP address or `localhost` (the first is then the account); the folder is the
/// rest.
///
/// # Errors
/// `InvalidArgument` when the URL has no container or no folder.
pub(crate) fn split_folder_url(url: &str) -> Result<BackupLocation> {
    let parsed = parse_blob_url("backup folder URL", url)?;
    let container_segments = if is_path_style(&parsed) { 2 } else { 1 };
    let segments = segments(&parsed);
    if segments.len() <= container_segments {
        return Err(invalid_argument(
            "backup folder URL must name a container and a folder (https://{account}.blob.core.windows.net/{container}/{folder})",
        ));
    }
    let (container, folder) = segments.split_at(container_segments);
    Ok(BackupLocation {
        container_url: format!("{}/{}", origin(&parsed), container.join("/")),
        folder_name: folder.join("/"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folder_urls_split_like_the_sdks() {
        let l = split_folder_url(
            "https://account.blob.core.windows.net/backup/mhsm-account-2020090117323313",
        )
        .unwrap();
        assert_eq!(
            l.container_url,
            "https://account.blob.core.windows.net/backup"
        );
        assert_eq!(l.folder_name, "mhsm-account-2020090117323313");

        let azurite =
            split_folder_url("http://127.0.0.1:10000/devstoreaccount1/backups/mhsm-x-1/").unwrap();
        assert_eq!(
            azurite.container_url,
            "http://127.0.0.1:10000/devstoreaccount1/backups"
        );
        assert_eq!(azurite.folder_name, "mhsm-x-1");

        let local = split_folder_url("http://LOCALHOST:10000/devstoreaccount1/c/f").unwrap();
        assert_eq!(
            local.container_url,
            "http://localhost:10000/devstoreaccount1/c"
        );
        let v6 = split_folder_url("http://[::1]:10000/acct/c/f").unwrap();
        assert_eq!(v6.container_url, "http://[::1]:10000/acct/c");
    }

    #[test]
    fn bad_folder_urls() {
        for bad in [
            "not a url",
            "ftp://a.blob.core.windows.net/c/f",
            "https://a.blob.core.windows.net/c",
            "https://a.blob.core.windows.net/",
            "http://127.0.0.1:10000/devstoreaccount1/c",
            "https://a.blob.core.windows.net/c/f?sv=1&sig=SECRET",
            "https://user:pw@a.blob.core.windows.net/c/f",
        ] {
            let e = split_folder_url(bad).unwrap_err();
            assert_eq!(e.kind(), &crate::ErrorKind::InvalidArgument, "{bad}");
            assert!(!e.to_string().contains("SECRET"), "{e}");
        }
    }

    #[test]
    fn container_urls() {
        assert_eq!(
            check_container_url("https://a.blob.core.windows.net/backup/").unwrap(),
            "https://a.blob.core.windows.net/backup"
        );
        assert_eq!(
            check_container_url("http://127.0.0.1:10000/devstoreaccount1/backup").unwrap(),
            "http://127.0.0.1:10000/devstoreaccount1/backup"
        );
        for bad in [
            "https://a.blob.core.windows.net",
            "http://127.0.0.1:10000/devstoreaccount1",
            "https://a.blob.core.windows.net/c?sig=SECRET",
        ] {
            let e = check_container_url(bad).unwrap_err();
            assert!(!e.to_string().contains("SECRET"), "{e}");
        }
    }

    proptest! {
        #[test]
        fn a_backup_folder_url_splits_back(
            account in "[a-z0-9]{3,20}",
            container in "[a-z0-9-]{3,20}",
            folder in "[a-z0-9-]{1,40}",
            port in 1u16..,
            path_style in any::<bool>(),
        ) {
            let container_url = if path_style {
                format!("http://127.0.0.1:{port}/{account}/{container}")
            } else {
                format!("https://{account}.blob.core.windows.net/{container}")
            };
            let checked = check_container_url(&container_url).unwrap();
            // A port equal to the scheme's default disappears from a parsed URL.
            let expected = Url::parse(&container_url).unwrap();
            prop_assert_eq!(&checked, expected.as_str());
            let location = split_folder_url(&format!("{checked}/{folder}")).unwrap();
            prop_assert_eq!(location.container_url, checked);
            prop_assert_eq!(location.folder_name, folder);
        }
    }
}
