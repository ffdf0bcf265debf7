//! The fuzzy index in memory, for a long-running process (`memoire
//! serve`): the same posting lists and term multisets as the store's
//! tables, as flat arrays of ids, so that a search reads them without a
//! statement per list. It is brought up to date inside each search's read
//! transaction (the pairs added since, or everything again after a
//! removal), so a search sees exactly what the store holds: the results
//! are those of [`super::search`] on the store.

use std::collections::HashMap;
use std::sync::RwLock;

use super::Index;
use crate::Result;
use crate::store::Store;

/// Pairs added since the last full load beyond which the index is read
/// again whole (the added ones live in slower maps).
const MAX_ADDED: usize = 50_000;

pub struct WarmIndex {
    inner: RwLock<Lists>,
}

#[derive(Default)]
struct Lists {
    /// The store's removal counter when loaded.
    epoch: i64,
    /// Highest pair id read.
    loaded_max: i64,
    /// The id of the "" term (punctuation-only sources).
    empty_term: Option<i64>,
    /// (term, words) → range of `postings`.
    keys: HashMap<(u32, u32), (u32, u32)>,
    postings: Vec<u32>,
    /// Pair p's terms, in order: `doc_terms[doc_start[p]..doc_start[p + 1]]`.
    doc_start: Vec<u32>,
    doc_terms: Vec<u32>,
    /// Pairs added since the full load.
    added_postings: HashMap<(u32, u32), Vec<u32>>,
    added_docs: HashMap<u32, Vec<u32>>,
}

impl WarmIndex {
    /// Read the whole index of `store` into memory.
    pub fn load(store: &Store) -> Result<WarmIndex> {
        let lists = store.in_read_transaction(|| Lists::load(store))?;
        Ok(WarmIndex {
            inner: RwLock::new(lists),
        })
    }

    /// Pairs held (for the server's log).
    pub fn len(&self) -> usize {
        // doc_start has an entry per id up to the highest, and one more:
        // ids without a pair (removed, or never given) have empty ranges.
        self.inner.read().map_or(0, |l| {
            l.doc_start.windows(2).filter(|w| w[1] > w[0]).count() + l.added_docs.len()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Search `store` through this index: brought up to date and searched
    /// in one read transaction.
    pub fn search(&self, store: &Store, query: &super::Query<'_>) -> Result<Vec<super::Match>> {
        store.in_read_transaction(|| {
            self.refresh(store)?;
            let lists = self.inner.read().map_err(|_| {
                crate::Error::new(crate::Kind::Internal, "the index lock is poisoned")
            })?;
            super::search_with(
                store,
                &View {
                    lists: &lists,
                    store,
                },
                query,
            )
        })
    }

    /// Catch up with `store`: the pairs indexed since the last look, or
    /// the whole index again when pairs were removed or many added.
    fn refresh(&self, store: &Store) -> Result<()> {
        let (epoch, max) = store.index_state()?;
        {
            let lists = self.read()?;
            if lists.epoch == epoch && lists.loaded_max >= max {
                return Ok(());
            }
        }
        let mut lists = self
            .inner
            .write()
            .map_err(|_| crate::Error::new(crate::Kind::Internal, "the index lock is poisoned"))?;
        if lists.epoch == epoch && lists.loaded_max >= max {
            return Ok(()); // another search caught up meanwhile
        }
        if lists.epoch != epoch
            || lists.added_docs.len() + (max - lists.loaded_max) as usize > MAX_ADDED
        {
            *lists = Lists::load(store)?;
            return Ok(());
        }
        let after = lists.loaded_max;
        // The "" term may be newer than the load.
        let empty = store.term_stats(&[""])?[0].map(|(id, _)| id);
        lists.empty_term = empty;
        store.for_each_doc_after(after, |pair, terms| {
            let pair_u = pair as u32;
            let words = if terms.len() == 1 && Some(terms[0]) == empty {
                0
            } else {
                terms.len()
            } as u32;
            let mut distinct: Vec<u32> = terms.iter().map(|&t| t as u32).collect();
            lists.added_docs.insert(pair_u, distinct.clone());
            distinct.sort_unstable();
            distinct.dedup();
            for term in distinct {
                lists
                    .added_postings
                    .entry((term, words))
                    .or_default()
                    .push(pair_u);
            }
            lists.loaded_max = lists.loaded_max.max(pair);
        })?;
        lists.loaded_max = lists.loaded_max.max(max);
        Ok(())
    }

    fn read(&self) -> Result<std::sync::RwLockReadGuard<'_, Lists>> {
        self.inner
            .read()
            .map_err(|_| crate::Error::new(crate::Kind::Internal, "the index lock is poisoned"))
    }
}

impl Lists {
    fn load(store: &Store) -> Result<Lists> {
        let mut lists = Lists {
            epoch: store.index_epoch()?,
            empty_term: store.term_stats(&[""])?[0].map(|(id, _)| id),
            ..Lists::default()
        };
        let mut current: Option<(u32, u32)> = None;
        let mut start = 0u32;
        store.for_each_posting(|term, words, pair| {
            let key = (term as u32, words as u32);
            if current != Some(key) {
                if let Some(previous) = current {
                    let end = lists.postings.len() as u32;
                    lists.keys.insert(previous, (start, end - start));
                }
                current = Some(key);
                start = lists.postings.len() as u32;
            }
            lists.postings.push(pair as u32);
        })?;
        if let Some(previous) = current {
            let end = lists.postings.len() as u32;
            lists.keys.insert(previous, (start, end - start));
        }
        let mut last = 0i64;
        store.for_each_doc_after(0, |pair, terms| {
            // Pairs without a doc (ids never used) get an empty range.
            while (lists.doc_start.len() as i64) <= pair {
                lists.doc_start.push(lists.doc_terms.len() as u32);
            }
            lists.doc_terms.extend(terms.iter().map(|&t| t as u32));
            last = pair;
        })?;
        lists.doc_start.push(lists.doc_terms.len() as u32);
        lists.loaded_max = last;
        Ok(lists)
    }
}

/// The index in memory, with the store for term statistics (read fresh:
/// they only order the search).
struct View<'a> {
    lists: &'a Lists,
    store: &'a Store,
}

impl Index for View<'_> {
    fn term_stats(&self, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>> {
        self.store.term_stats(terms)
    }

    fn postings(&self, term: i64, words: usize, out: &mut Vec<u32>) -> Result<()> {
        let key = (term as u32, words as u32);
        if let Some(&(start, len)) = self.lists.keys.get(&key) {
            out.extend_from_slice(&self.lists.postings[start as usize..(start + len) as usize]);
        }
        if let Some(added) = self.lists.added_postings.get(&key) {
            out.extend_from_slice(added);
        }
        Ok(())
    }

    fn common_terms(
        &self,
        pairs: &[u32],
        query: &super::Pattern,
        out: &mut Vec<usize>,
    ) -> Result<()> {
        let lists = self.lists;
        out.extend(pairs.iter().map(|&pair| {
            if let Some(terms) = lists.added_docs.get(&pair) {
                return query.common(terms);
            }
            let p = pair as usize;
            if p + 1 < lists.doc_start.len() {
                let range = lists.doc_start[p] as usize..lists.doc_start[p + 1] as usize;
                return query.common(&lists.doc_terms[range]);
            }
            0
        }));
        Ok(())
    }

    fn max_pair_id(&self) -> Result<u32> {
        Ok(self.lists.loaded_max.max(0) as u32)
    }

    /// Checking a candidate's terms is one pass over a short array here:
    /// cheaper than reading a long list.
    fn prune_list_factor(&self) -> i64 {
        2
    }
}
