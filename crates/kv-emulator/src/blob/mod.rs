//! A small Azure Blob Storage REST client for full backup and restore: Put Blob, List
//! Blobs and Get Blob on one container, authorized by a SAS token appended to each URL.
//!
//! Works with path-style URLs (`http://127.0.0.1:10000/devstoreaccount1/CONTAINER`, as
//! Azurite serves them) and with `https://ACCOUNT.blob.core.windows.net/CONTAINER`.
//! Plain `http` is allowed because Azurite speaks it. Error text names the operation and
//! the blob path, never the SAS token (URLs are reported without their query).

// Shared-key SAS signing: only the Azurite launcher mints tokens; the server takes them.
#[cfg(feature = "azurite")]
pub mod sas;

use std::time::Duration;

use url::Url;

/// The Blob service REST version sent in `x-ms-version`.
pub const BLOB_API_VERSION: &str = "2021-08-06";

/// A failure talking to blob storage.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The container URL is not an absolute `http`/`https` URL with a container path.
    #[error("the storage resource URI is not a blob container URL")]
    InvalidUrl,
    /// The storage service answered with an error status.
    #[error("blob storage answered {status} to {operation} {path}")]
    Status {
        /// What was attempted.
        operation: &'static str,
        /// The blob or container path.
        path: String,
        /// The HTTP status.
        status: u16,
    },
    /// The request could not be sent or its answer read.
    #[error("blob storage could not be reached for {operation} {path}: {detail}")]
    Transport {
        /// What was attempted.
        operation: &'static str,
        /// The blob or container path.
        path: String,
        /// The transport error, without URL.
        detail: String,
    },
}

impl BlobError {
    /// A stable code for the error body of a failed job.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUrl => "InvalidStorageUri",
            Self::Status { status: 403, .. } => "AuthorizationFailure",
            Self::Status { status: 404, .. } => "BlobNotFound",
            Self::Status { .. } => "StorageError",
            Self::Transport { .. } => "StorageUnreachable",
        }
    }
}

/// One blob container reached with a SAS token.
#[derive(Clone)]
pub struct BlobContainer {
    http: reqwest::Client,
    container: Url,
    sas: String,
}

impl std::fmt::Debug for BlobContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobContainer")
            .field("container", &self.container.path())
            .field("sas", &"[REDACTED]")
            .finish()
    }
}

fn transport(operation: &'static str, path: &str, e: &reqwest::Error) -> BlobError {
    // Only the kind of failure: reqwest's text would include the URL and its SAS token.
    let detail = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_decode() || e.is_body() {
        "bad response body"
    } else {
        "request failed"
    };
    BlobError::Transport {
        operation,
        path: path.to_owned(),
        detail: detail.to_owned(),
    }
}

impl BlobContainer {
    /// A client for the container at `container_url` (no query) with SAS `token` (with
    /// or without a leading `?`).
    ///
    /// # Errors
    /// [`BlobError::InvalidUrl`] when the URL is not `http(s)` or names no container.
    pub fn new(container_url: &str, token: &str) -> Result<Self, BlobError> {
        let mut container = Url::parse(container_url).map_err(|_| BlobError::InvalidUrl)?;
        if !matches!(container.scheme(), "http" | "https")
            || container.host_str().is_none()
            || container.path().trim_matches('/').is_empty()
        {
            return Err(BlobError::InvalidUrl);
        }
        container.set_query(None);
        container.set_fragment(None);
        let path = container.path().trim_end_matches('/').to_owned();
        container.set_path(&path);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|_| BlobError::InvalidUrl)?;
        Ok(Self {
            http,
            container,
            sas: token.trim().trim_start_matches('?').to_owned(),
        })
    }

    /// The container URL (without SAS).
    pub fn url(&self) -> &Url {
        &self.container
    }

    fn url_for(&self, blob: Option<&str>, extra: &[(&str, &str)]) -> Url {
        let mut url = self.container.clone();
        if let Some(blob) = blob {
            let path = format!("{}/{}", url.path(), blob);
            url.set_path(&path);
        }
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in extra {
            query.append_pair(k, v);
        }
        let mut query = query.finish();
        if !self.sas.is_empty() {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&self.sas);
        }
        url.set_query((!query.is_empty()).then_some(query.as_str()));
        url
    }

    async fn send(
        &self,
        operation: &'static str,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, BlobError> {
        let response = request
            .header("x-ms-version", BLOB_API_VERSION)
            .send()
            .await
            .map_err(|e| transport(operation, path, &e))?;
        if !response.status().is_success() {
            return Err(BlobError::Status {
                operation,
                path: path.to_owned(),
                status: response.status().as_u16(),
            });
        }
        Ok(response)
    }

    /// Put Blob: writes `data` as a block blob at `blob` (a path inside the container).
    pub async fn put_blob(&self, blob: &str, data: Vec<u8>) -> Result<(), BlobError> {
        let url = self.url_for(Some(blob), &[]);
        let request = self
            .http
            .put(url)
            .header("x-ms-blob-type", "BlockBlob")
            .header("content-type", "application/octet-stream")
            .body(data);
        self.send("Put Blob", blob, request).await.map(drop)
    }

    /// Get Blob: the content of `blob`.
    pub async fn get_blob(&self, blob: &str) -> Result<Vec<u8>, BlobError> {
        let url = self.url_for(Some(blob), &[]);
        let response = self.send("Get Blob", blob, self.http.get(url)).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport("Get Blob", blob, &e))?;
        Ok(bytes.to_vec())
    }

    /// List Blobs: the names of every blob whose name starts with `prefix`, following
    /// `NextMarker` across pages.
    pub async fn list_blobs(&self, prefix: &str) -> Result<Vec<String>, BlobError> {
        let mut names = Vec::new();
        let mut marker = String::new();
        loop {
            let mut params = vec![
                ("restype", "container"),
                ("comp", "list"),
                ("prefix", prefix),
            ];
            if !marker.is_empty() {
                params.push(("marker", marker.as_str()));
            }
            let url = self.url_for(None, &params);
            let response = self.send("List Blobs", prefix, self.http.get(url)).await?;
            let xml = response
                .text()
                .await
                .map_err(|e| transport("List Blobs", prefix, &e))?;
            names.extend(blob_names(&xml));
            match element(&xml, "NextMarker") {
                Some(next) if !next.is_empty() => marker = next,
                _ => return Ok(names),
            }
        }
    }
}

/// The text of the first `<tag>` element of `xml`, unescaped.
fn element(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml.get(start..)?.find(&close)?;
    xml.get(start..start + len).map(unescape)
}

/// The `<Name>` of every `<Blob>` in a List Blobs answer.
fn blob_names(xml: &str) -> Vec<String> {
    xml.split("<Blob>")
        .skip(1)
        .filter_map(|blob| element(blob, "Name"))
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_sas_and_params() {
        let c = BlobContainer::new(
            "http://127.0.0.1:10000/devstoreaccount1/backups/",
            "?sv=2021-08-06&sig=abc%2B",
        )
        .unwrap();
        assert_eq!(
            c.url_for(Some("f/keys/k1"), &[]).as_str(),
            "http://127.0.0.1:10000/devstoreaccount1/backups/f/keys/k1?sv=2021-08-06&sig=abc%2B"
        );
        assert_eq!(
            c.url_for(None, &[("restype", "container"), ("prefix", "f/")])
                .as_str(),
            "http://127.0.0.1:10000/devstoreaccount1/backups?restype=container&prefix=f%2F&sv=2021-08-06&sig=abc%2B"
        );
        assert!(!format!("{c:?}").contains("abc"));
        assert!(BlobContainer::new("ftp://h/c", "").is_err());
        assert!(BlobContainer::new("http://h/", "").is_err());
    }

    #[test]
    fn list_answer_parsing() {
        let xml = "<?xml version=\"1.0\"?><EnumerationResults><Blobs>\
            <Blob><Name>f/keys/a&amp;b</Name><Properties/></Blob>\
            <Blob><Name>f/keys/c</Name></Blob></Blobs><NextMarker/></EnumerationResults>";
        assert_eq!(blob_names(xml), vec!["f/keys/a&b", "f/keys/c"]);
        assert_eq!(element(xml, "NextMarker"), None);
        let more = "<NextMarker>tok</NextMarker>";
        assert_eq!(element(more, "NextMarker").as_deref(), Some("tok"));
    }
}
