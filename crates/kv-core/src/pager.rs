//! Paging: a lazy [`Pager`] of items, or of whole pages with [`Pager::into_pages`].

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use futures::{Stream, StreamExt, stream::BoxStream};
use http::Method;
use kv_protocol::Page;
use serde::de::DeserializeOwned;
use url::Url;

use crate::{Error, Pipeline, Result, transport::Request};

/// Where a pager stands.
enum PagerState {
    Initial,
    More(String),
}

/// A lazy stream of items over a paged listing; it fetches a page only when the items of
/// the previous one have been taken.
///
/// ```no_run
/// # async fn demo(pipeline: kv_core::Pipeline) -> kv_core::Result<()> {
/// use futures::TryStreamExt;
/// let url = "https://myvault.vault.azure.net/keys".parse().expect("valid URL");
/// let mut pager = kv_core::Pager::<serde_json::Value>::from_next_link(pipeline, url);
/// while let Some(item) = pager.try_next().await? {
///     println!("{item}");
/// }
/// # Ok(()) }
/// ```
pub struct Pager<T> {
    pages: BoxStream<'static, Result<Page<T>>>,
    buffer: std::vec::IntoIter<T>,
}

impl<T> fmt::Debug for Pager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pager")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Pager<T> {
    /// A pager that calls `fetch(None)` for the first page and `fetch(Some(next_link))` for
    /// each further one, until a page has no (or an empty) `nextLink`.
    pub fn from_callback<F, Fut>(fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        Self::from_callback_at(None, fetch)
    }

    /// Like [`Pager::from_callback`], but resuming at `continuation` (a page's `nextLink`
    /// saved earlier, as Python's `by_page(continuation_token)`) when it is `Some`: the
    /// first call is then `fetch(Some(continuation))`.
    pub fn from_callback_at<F, Fut>(continuation: Option<String>, fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        let start = continuation.map_or(PagerState::Initial, PagerState::More);
        let pages = futures::stream::try_unfold(Some(start), move |state| {
            let next = state.map(|state| match state {
                PagerState::Initial => fetch(None),
                PagerState::More(link) => fetch(Some(link)),
            });
            async move {
                let Some(next) = next else { return Ok(None) };
                let page = next.await?;
                let state = page
                    .next_link
                    .clone()
                    .filter(|l| !l.is_empty())
                    .map(PagerState::More);
                Ok(Some((page, state)))
            }
        });
        Self {
            pages: pages.boxed(),
            buffer: Vec::new().into_iter(),
        }
    }

    /// The pages themselves (with their `nextLink`), from where the item stream stands.
    pub fn into_pages(self) -> BoxStream<'static, Result<Page<T>>> {
        let Self { pages, buffer } = self;
        let rest: Vec<T> = buffer.collect();
        if rest.is_empty() {
            pages
        } else {
            futures::stream::once(async move { Ok(Page::new(rest, None)) })
                .chain(pages)
                .boxed()
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Pager<T> {
    /// The service's listing convention: GET `first`, read `{"value": [...], "nextLink"}`,
    /// follow each `nextLink` through `pipeline` until there is none.
    ///
    /// A `nextLink` to another origin than `first`'s is refused (the token must not leave
    /// the vault), as is one that is not a URL.
    pub fn from_next_link(pipeline: Pipeline, first: Url) -> Self {
        Self::from_next_link_map(pipeline, first, Ok::<T, Error>)
    }
}

impl<T: Send + 'static> Pager<T> {
    /// Like [`Pager::from_next_link`], converting each wire item `W` into a `T` with
    /// `convert` (a model built from a kv-protocol type, say).
    pub fn from_next_link_map<W, F>(pipeline: Pipeline, first: Url, convert: F) -> Self
    where
        W: DeserializeOwned + Send + 'static,
        F: Fn(W) -> Result<T> + Send + Sync + 'static,
    {
        Self::from_next_link_map_at(pipeline, first, None, convert)
    }

    /// Like [`Pager::from_next_link_map`], resuming at `continuation` (a `nextLink` saved
    /// from an earlier page) when it is `Some`. The link must be on `first`'s origin, as
    /// every `nextLink` must; otherwise the first item is an error.
    pub fn from_next_link_map_at<W, F>(
        pipeline: Pipeline,
        first: Url,
        continuation: Option<String>,
        convert: F,
    ) -> Self
    where
        W: DeserializeOwned + Send + 'static,
        F: Fn(W) -> Result<T> + Send + Sync + 'static,
    {
        let convert = std::sync::Arc::new(convert);
        Self::from_callback_at(continuation, move |link| {
            let pipeline = pipeline.clone();
            let first = first.clone();
            let convert = convert.clone();
            async move {
                let url = match link {
                    None => first,
                    Some(link) => next_url(&first, &link)?,
                };
                let page = pipeline
                    .send(Request::new(Method::GET, url))
                    .await?
                    .json::<Page<W>>()?;
                let value = page
                    .value
                    .into_iter()
                    .map(|item| convert(item))
                    .collect::<Result<Vec<T>>>()?;
                Ok(Page::new(value, page.next_link))
            }
        })
    }
}

fn next_url(first: &Url, link: &str) -> Result<Url> {
    let url = Url::parse(link).map_err(|e| Error::decode("nextLink is not a URL", e))?;
    let host = |u: &Url| u.host_str().map(str::to_ascii_lowercase);
    if url.scheme() != first.scheme()
        || host(&url) != host(first)
        || url.port_or_known_default() != first.port_or_known_default()
    {
        return Err(Error::new(
            crate::ErrorKind::Decode,
            "nextLink points to another host than the vault",
        ));
    }
    Ok(url)
}

impl<T> Stream for Pager<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(page))) => self.buffer = page.value.into_iter(),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> Unpin for Pager<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    fn numbered(calls: Arc<AtomicUsize>) -> Pager<u32> {
        Pager::from_callback(move |link| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(match link.as_deref() {
                    None => Page::new(vec![1, 2], Some("p2".into())),
                    Some("p2") => Page::new(vec![], Some("p3".into())),
                    Some("p3") => Page::new(vec![3], Some(String::new())),
                    Some(other) => {
                        return Err(Error::invalid_argument(format!("bad link {other}")));
                    }
                })
            }
        })
    }

    #[tokio::test]
    async fn items_across_pages_lazily() {
        let calls = Arc::new(AtomicUsize::new(0));
        let mut pager = numbered(calls.clone());
        assert_eq!(calls.load(Ordering::SeqCst), 0, "lazy");
        assert_eq!(pager.try_next().await.unwrap(), Some(1));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let rest: Vec<u32> = pager.try_collect().await.unwrap();
        assert_eq!(rest, [2, 3]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn into_pages_keeps_page_boundaries() {
        let pages: Vec<Page<u32>> = numbered(Arc::default())
            .into_pages()
            .try_collect()
            .await
            .unwrap();
        let values: Vec<Vec<u32>> = pages.into_iter().map(|p| p.value).collect();
        assert_eq!(values, [vec![1, 2], vec![], vec![3]]);

        let mut pager = numbered(Arc::default());
        assert_eq!(pager.try_next().await.unwrap(), Some(1));
        let pages: Vec<Page<u32>> = pager.into_pages().try_collect().await.unwrap();
        assert_eq!(
            pages.into_iter().flat_map(|p| p.value).collect::<Vec<_>>(),
            [2, 3]
        );
    }

    #[tokio::test]
    async fn errors_end_in_the_stream() {
        let mut pager =
            Pager::<u32>::from_callback(|_| async { Err(Error::invalid_argument("boom")) });
        assert!(pager.try_next().await.is_err());
    }

    #[test]
    fn next_link_must_stay_on_the_vault() {
        let first = Url::parse("https://v.vault.azure.net/keys").unwrap();
        assert!(next_url(&first, "https://v.vault.azure.net/keys?$skiptoken=x").is_ok());
        assert!(next_url(&first, "https://evil.example/keys").is_err());
        assert!(next_url(&first, "https://v.vault.azure.net:8443/keys").is_err());
        assert!(next_url(&first, "not a url").is_err());
    }
}

#[cfg(test)]
mod next_link_tests {
    use super::*;

    #[test]
    fn next_links_stay_on_the_vault() {
        let first = Url::parse("https://v.vault.azure.net/keys?maxresults=1").unwrap();
        assert!(next_url(&first, "https://v.vault.azure.net/keys?$skiptoken=x").is_ok());
        assert!(next_url(&first, "https://V.vault.azure.net:443/keys").is_ok());
        assert!(next_url(&first, "https://evil.example/keys").is_err());
        assert!(next_url(&first, "https://v.vault.azure.net:8443/keys").is_err());
        assert!(next_url(&first, "http://v.vault.azure.net/keys").is_err());
        assert!(next_url(&first, "not a url").is_err());
    }
}
