//! [`Pager`]: a listing as an [`Iterator`], fetching each page when the previous one's
//! items have been taken.

use std::fmt;
use std::future::poll_fn;

use futures::stream::BoxStream;
use kv_protocol::Page;

use super::runtime::Executor;
use crate::error::Result;

/// The pages of a listing, lazily, as the async [`Pager`](crate::Pager) yields them.
type Pages<T> = BoxStream<'static, Result<Page<T>>>;

/// A lazy listing: an [`Iterator`] of `Result<T>` that fetches the next page only when the
/// items of the previous one have been taken (the blocking form of
/// [`kv_client::Pager`](crate::Pager)).
///
/// The iterator ends after the first error (as the async pager does), so
/// `collect::<Result<Vec<_>>>()` and `for item in pager { let item = item?; … }` both work.
///
/// # Errors
/// Each item is the service's answer for its page, or `NotSupported` when the iterator is
/// advanced from inside an async runtime (see [`blocking`](super)).
pub struct Pager<T> {
    pages: Option<Pages<T>>,
    buffer: std::vec::IntoIter<T>,
    executor: Executor,
}

impl<T> fmt::Debug for Pager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pager")
            .field("buffered", &self.buffer.len())
            .field("done", &self.pages.is_none())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Pager<T> {
    pub(crate) fn new(pager: crate::Pager<T>, executor: Executor) -> Self {
        Self {
            pages: Some(pager.into_pages()),
            buffer: Vec::new().into_iter(),
            executor,
        }
    }

    /// The pages themselves (with their `nextLink`), from where the item iterator stands.
    pub fn into_pages(self) -> PageIter<T> {
        let Self {
            pages,
            buffer,
            executor,
        } = self;
        let rest: Vec<T> = buffer.collect();
        PageIter {
            first: (!rest.is_empty()).then(|| Page::new(rest, None)),
            pages,
            executor,
        }
    }
}

/// Fetches the next page of `pages`, ending the listing on any error.
fn next_page<T>(pages: &mut Option<Pages<T>>, executor: &Executor) -> Option<Result<Page<T>>> {
    let stream = pages.as_mut()?;
    let next = executor.run(poll_fn(|cx| stream.as_mut().poll_next(cx)));
    let next = match next {
        Ok(next) => next,
        Err(e) => Some(Err(e)),
    };
    if !matches!(next, Some(Ok(_))) {
        *pages = None;
    }
    next
}

impl<T> Iterator for Pager<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Some(Ok(item));
            }
            match next_page(&mut self.pages, &self.executor)? {
                Ok(page) => self.buffer = page.value.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// The pages of a listing, as an [`Iterator`] of `Result<Page<T>>`; see
/// [`Pager::into_pages`].
pub struct PageIter<T> {
    first: Option<Page<T>>,
    pages: Option<Pages<T>>,
    executor: Executor,
}

impl<T> fmt::Debug for PageIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageIter")
            .field("done", &(self.first.is_none() && self.pages.is_none()))
            .finish_non_exhaustive()
    }
}

impl<T> Iterator for PageIter<T> {
    type Item = Result<Page<T>>;

    fn next(&mut self) -> Option<Result<Page<T>>> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        next_page(&mut self.pages, &self.executor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ErrorKind};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Pages [1, 2] -> [] -> [3], counting fetches.
    fn numbered(calls: Arc<AtomicUsize>) -> crate::Pager<u32> {
        crate::Pager::from_callback(move |link| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(match link.as_deref() {
                    None => Page::new(vec![1, 2], Some("p2".into())),
                    Some("p2") => Page::new(vec![], Some("p3".into())),
                    _ => Page::new(vec![3], None),
                })
            }
        })
    }

    #[test]
    fn items_across_pages_lazily() {
        let calls = Arc::new(AtomicUsize::new(0));
        let mut pager = Pager::new(numbered(calls.clone()), Executor::Local);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "nothing before the first item"
        );
        assert_eq!(pager.next().unwrap().unwrap(), 1);
        assert_eq!(pager.next().unwrap().unwrap(), 2);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let rest: Vec<u32> = pager.collect::<Result<_>>().unwrap();
        assert_eq!(rest, [3]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn pages_keep_their_boundaries_from_where_the_items_stand() {
        let mut pager = Pager::new(numbered(Arc::default()), Executor::Local);
        assert_eq!(pager.next().unwrap().unwrap(), 1);
        let pages: Vec<Vec<u32>> = pager
            .into_pages()
            .map(|p| p.map(|p| p.value))
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(pages, [vec![2], vec![], vec![3]]);
    }

    #[test]
    fn the_listing_ends_after_an_error() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let failing = crate::Pager::<u32>::from_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Err(Error::new(ErrorKind::Service, "boom")) }
        });
        let mut pager = Pager::new(failing, Executor::Local);
        assert_eq!(
            pager.next().unwrap().unwrap_err().kind(),
            &ErrorKind::Service
        );
        assert!(pager.next().is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn inside_a_runtime_the_pager_says_so_and_stops() {
        let executor = Executor::new_runtime().unwrap();
        let mut pager = Pager::new(numbered(Arc::default()), executor);
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (first, second) = outer.block_on(async { (pager.next(), pager.next()) });
        assert_eq!(first.unwrap().unwrap_err().kind(), &ErrorKind::NotSupported);
        assert!(second.is_none());
    }
}
