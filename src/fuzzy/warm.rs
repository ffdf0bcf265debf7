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
    /// Held by the one search that reads what is new: the others that
    /// need it wait for it rather than read it too, and those that do
    /// not go on.
    refreshing: std::sync::Mutex<()>,
}

#[derive(Default)]
struct Lists {
    /// The store's removal counter when loaded.
    epoch: i64,
    /// Highest pair id read.
    loaded_max: i64,
    /// The id of the "" term (punctuation-only sources).
    empty_term: Option<i64>,
    /// Every term's id, by its text, and the highest id read.
    terms: HashMap<Box<str>, u32>,
    max_term: i64,
    /// Each term's document frequency (its number of postings), by id.
    df: Vec<u32>,
    /// Where each (term, words) list is in `postings`. Lists name the
    /// pairs by their place in this index, not by their ids (see
    /// `pair_of`), as offsets from a base the list's key holds: a list's
    /// pairs have one length, and are near one another.
    keys: Keys,
    postings: Vec<u16>,
    /// How often each posting's source holds the term ([`super::held`]).
    posting_counts: Vec<u8>,
    /// The pairs by place: the loaded ones ordered by length in words
    /// (then id), the added ones after them. A search works through one
    /// length at a time: its counts, terms and frequent-term counts are
    /// then side by side in memory, not all over it.
    pair_of: Vec<u32>,
    /// The pair at place d has terms `doc_terms[doc_start[d]..doc_start[d + 1]]`.
    doc_start: Vec<u32>,
    doc_terms: Vec<u32>,
    /// Postings of the pairs added since the full load, and how many.
    added_postings: HashMap<(u32, u32), super::Postings>,
    added: usize,
    /// The pairs' sources, kept for a store over the network.
    sources: Option<Sources>,
    /// The most frequent terms at the load ([`super::Frequent`]), each
    /// term's slot among them by id (`NOT_FREQUENT` for the others), and
    /// how often each pair's source holds them, by place.
    frequent: Vec<u32>,
    frequent_slot: Vec<u8>,
    frequent_counts: Vec<u64>,
}

const NOT_FREQUENT: u8 = u8::MAX;

/// The lists' places in the postings, by term then source length: a
/// search asks for one term at length after length, and finds them side
/// by side (a hash map by (term, length) cost a cache miss a list, a
/// tenth of a search at threshold 50).
///
/// A list whose pairs' places span more than 16 bits (a length held by
/// more than 65,536 sources) is kept in parts, each with its base.
#[derive(Default)]
struct Keys {
    /// Term t's lists are `lists[by_term[t]..by_term[t + 1]]`, ordered by
    /// length.
    by_term: Vec<u32>,
    /// (term, words, start, end, base), once `finish` has run.
    lists: Vec<(u32, u32, u32, u32, u32)>,
}

/// A list's part: its postings' range, and the base of their offsets.
type Part = (std::ops::Range<usize>, u32);

impl Keys {
    fn push(&mut self, (term, words): (u32, u32), range: std::ops::Range<u32>, base: u32) {
        self.lists.push((term, words, range.start, range.end, base));
    }

    /// Order the lists and index them by term.
    fn finish(&mut self) {
        self.lists.sort_unstable();
        let terms = self.lists.last().map_or(0, |l| l.0 as usize + 1);
        self.by_term = Vec::with_capacity(terms + 1);
        let mut at = 0;
        for term in 0..=terms as u32 {
            while at < self.lists.len() && self.lists[at].0 < term {
                at += 1;
            }
            self.by_term.push(at as u32);
        }
        self.lists.shrink_to_fit();
    }

    /// The parts of the list of `term` in sources of `words` words.
    fn get(&self, (term, words): (u32, u32)) -> impl Iterator<Item = Part> + '_ {
        let t = term as usize;
        let lists = match (self.by_term.get(t), self.by_term.get(t + 1)) {
            (Some(&start), Some(&end)) => &self.lists[start as usize..end as usize],
            _ => &[][..],
        };
        let from = lists.partition_point(|l| l.1 < words);
        let to = from + lists[from..].partition_point(|l| l.1 == words);
        lists[from..to]
            .iter()
            .map(|l| (l.2 as usize..l.3 as usize, l.4))
    }
}

/// Sources longer than this (in terms) keep no posting counts in memory.
const MAX_COUNTED: usize = 256;

/// The pairs' sources, kept when the store is a database server
/// (PostgreSQL): a search scores its candidates on these, and asks the
/// server only for the pairs that score, in one statement, rather than
/// for every batch of candidates. A pair's source never changes; removals
/// reload the whole index.
#[derive(Default)]
struct Sources {
    /// The language pairs met, numbered.
    languages: Vec<(Box<str>, Box<str>)>,
    /// Pair p's source is `text[start[p]..start[p + 1]]`, in the
    /// languages `languages[language[p]]` (`NO_PAIR` for an id without a
    /// pair).
    text: String,
    start: Vec<usize>,
    language: Vec<u32>,
    /// The highest pair id read.
    max: i64,
}

const NO_PAIR: u32 = u32::MAX;

impl Sources {
    /// Read the pairs added to `store` since the last call.
    fn read(&mut self, store: &Store) -> Result<()> {
        store.for_each_source_after(self.max, |id, source_lang, target_lang, source| {
            self.add(id, source_lang, target_lang, source);
        })
    }

    /// The pair `id`, above every one held.
    fn add(&mut self, id: i64, source_lang: &str, target_lang: &str, source: &str) {
        if self.start.is_empty() {
            self.start.push(0);
        }
        let Ok(id) = usize::try_from(id) else {
            return;
        };
        while self.language.len() < id {
            self.language.push(NO_PAIR);
            self.start.push(self.text.len());
        }
        let language = match self
            .languages
            .iter()
            .position(|(s, t)| **s == *source_lang && **t == *target_lang)
        {
            Some(n) => n,
            None => {
                self.languages
                    .push((source_lang.into(), target_lang.into()));
                self.languages.len() - 1
            }
        };
        self.text.push_str(source);
        self.language.push(language as u32);
        self.start.push(self.text.len());
        self.max = id as i64;
    }

    fn get(&self, id: u32, source_lang: &str, target_lang: &str) -> Option<&str> {
        let p = id as usize;
        let language = *self.language.get(p)?;
        let (s, t) = self.languages.get(language as usize)?;
        (**s == *source_lang && **t == *target_lang)
            .then(|| &self.text[self.start[p]..self.start[p + 1]])
    }
}

impl WarmIndex {
    /// Read the whole index of `store` into memory.
    pub fn load(store: &Store) -> Result<WarmIndex> {
        let lists = store.in_read_transaction(|| Lists::load(store))?;
        Ok(WarmIndex {
            inner: RwLock::new(lists),
            refreshing: std::sync::Mutex::new(()),
        })
    }

    /// Pairs held (for the server's log).
    pub fn len(&self) -> usize {
        self.inner.read().map_or(0, |l| l.pair_of.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Search `store` through this index: brought up to date and searched
    /// in one read transaction.
    pub fn search(&self, store: &Store, query: &super::Query<'_>) -> Result<Vec<super::Match>> {
        store.in_read_transaction(|| {
            let visible = self.refresh(store)?;
            let lists = self.inner.read().map_err(|_| {
                crate::Error::new(crate::Kind::Internal, "the index lock is poisoned")
            })?;
            super::search_with(
                store,
                &View {
                    lists: &lists,
                    visible,
                },
                query,
            )
        })
    }

    /// Each term's id and document frequency as a search through this
    /// index sees them (brought up to date first): those of `store`.
    pub fn term_stats(&self, store: &Store, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>> {
        store.in_read_transaction(|| {
            let visible = self.refresh(store)?;
            View {
                lists: &*self.read()?,
                visible,
            }
            .term_stats(terms)
        })
    }

    /// Catch up with `store`, and say the highest pair its snapshot sees:
    /// the pairs indexed since the last look, or
    /// the whole index again when pairs were removed or many added. What
    /// is new is read by one search at a time, before the index is
    /// locked for writing: other searches wait only while it is put in.
    fn refresh(&self, store: &Store) -> Result<i64> {
        let (epoch, max) = store.index_state()?;
        if self.read()?.is_current(epoch, max) {
            return Ok(max);
        }
        // It guards no data: a search that panicked holding it leaves
        // nothing half done behind it.
        let _turn = self.refreshing.lock().unwrap_or_else(|e| e.into_inner());
        let (after, max_term, max_source, whole) = {
            let lists = self.read()?;
            if lists.is_current(epoch, max) {
                return Ok(max); // another search caught up meanwhile
            }
            (
                lists.loaded_max,
                lists.max_term,
                lists.sources.as_ref().map(|s| s.max),
                lists.epoch != epoch || lists.added + (max - lists.loaded_max) as usize > MAX_ADDED,
            )
        };
        if whole {
            let fresh = Lists::load(store)?;
            let mut lists = self.write()?;
            // Removals only raise the epoch: an older snapshot's load never
            // replaces a newer one.
            if fresh.epoch > lists.epoch
                || (fresh.epoch == lists.epoch && fresh.loaded_max > lists.loaded_max)
            {
                *lists = fresh;
            }
            return Ok(max);
        }
        let mut terms: Vec<(i64, String)> = Vec::new();
        store.for_each_term_after(max_term, |id, term| terms.push((id, term.to_owned())))?;
        let mut sources: Vec<(i64, String, String, String)> = Vec::new();
        if let Some(after) = max_source {
            store.for_each_source_after(after, |id, source_lang, target_lang, source| {
                sources.push((id, source_lang.into(), target_lang.into(), source.into()));
            })?;
        }
        let mut docs: Vec<(i64, Vec<i64>)> = Vec::new();
        store.for_each_doc_after(after, |pair, terms| docs.push((pair, terms)))?;
        let mut lists = self.write()?;
        if lists.epoch != epoch {
            return Ok(max); // read again whole meanwhile, after a removal
        }
        // Only this search puts in what is new, but keep it idempotent.
        for (id, term) in terms {
            if id > lists.max_term {
                lists.add_term(id, &term);
            }
        }
        if let Some(held) = &mut lists.sources {
            for (id, source_lang, target_lang, source) in sources {
                if id > held.max {
                    held.add(id, &source_lang, &target_lang, &source);
                }
            }
        }
        for (pair, terms) in docs {
            if pair > lists.loaded_max {
                lists.add_doc(pair, &terms);
            }
        }
        lists.loaded_max = lists.loaded_max.max(max);
        Ok(max)
    }

    fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, Lists>> {
        self.inner
            .write()
            .map_err(|_| crate::Error::new(crate::Kind::Internal, "the index lock is poisoned"))
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
            ..Lists::default()
        };
        lists.read_terms(store)?;
        // The sources' terms, by id; then placed by length.
        let (mut ids, mut starts, mut terms) = (Vec::new(), vec![0u32], Vec::new());
        store.for_each_doc_after(0, |pair, doc| {
            ids.push(pair as u32);
            terms.extend(doc.iter().map(|&t| t as u32));
            starts.push(terms.len() as u32);
        })?;
        // (length, id): ids are unique, so the order is total.
        let mut order: Vec<(u64, u32)> = (0..ids.len())
            .map(|d| {
                let words = lists.words(&terms[starts[d] as usize..starts[d + 1] as usize]);
                ((u64::from(words) << 32) | u64::from(ids[d]), d as u32)
            })
            .collect();
        order.sort_unstable();
        let highest = ids.iter().copied().max().unwrap_or(0);
        let mut place = vec![u32::MAX; highest as usize + 1];
        lists.doc_start.push(0);
        for &(_, d) in &order {
            let d = d as usize;
            place[ids[d] as usize] = lists.pair_of.len() as u32;
            lists.pair_of.push(ids[d]);
            lists
                .doc_terms
                .extend_from_slice(&terms[starts[d] as usize..starts[d + 1] as usize]);
            lists.doc_start.push(lists.doc_terms.len() as u32);
        }
        lists.loaded_max = i64::from(highest);
        drop((ids, starts, terms, order));
        let mut current: Option<(u32, u32)> = None;
        // The current list's places (ascending: read by term, length, id).
        let mut places: Vec<u32> = Vec::new();
        store.for_each_posting(|term, words, pair| {
            // Every indexed pair has its terms, read in the same snapshot.
            let Some(&at) = place.get(pair as usize).filter(|&&at| at != u32::MAX) else {
                return;
            };
            lists.count(term as u32);
            let doc = &lists.doc_terms
                [lists.doc_start[at as usize] as usize..lists.doc_start[at as usize + 1] as usize];
            // Counted in the source's terms; a long source's counts are
            // left unknown (they bound nothing), or its terms would be
            // read once a posting (adversary: a 150,000-word source took
            // the load from 0.2 to 4.6 s).
            let held = if doc.len() <= MAX_COUNTED {
                super::held(doc.iter().filter(|&&t| t == term as u32).count() as u32)
            } else {
                super::MANY
            };
            lists.posting_counts.push(held);
            let key = (term as u32, words as u32);
            if current != Some(key) {
                if let Some(previous) = current {
                    lists.put_list(previous, &places);
                }
                current = Some(key);
                places.clear();
            }
            places.push(at);
        })?;
        if let Some(previous) = current {
            lists.put_list(previous, &places);
        }
        lists.keys.finish();
        lists.count_frequent();
        if store.is_postgres() {
            let mut sources = Sources::default();
            sources.read(store)?;
            sources.text.shrink_to_fit();
            lists.sources = Some(sources);
        }
        Ok(lists)
    }

    /// The list `key` of `places` (ascending, as read), in parts of
    /// offsets from their first (one out of order starts a part).
    fn put_list(&mut self, key: (u32, u32), places: &[u32]) {
        let mut rest = places;
        while let Some(&base) = rest.first() {
            let near = |p: &&u32| {
                p.checked_sub(base)
                    .is_some_and(|d| d <= u32::from(u16::MAX))
            };
            let part = rest.iter().take_while(near).count();
            let start = self.postings.len() as u32;
            self.postings
                .extend(rest[..part].iter().map(|&p| (p - base) as u16));
            self.keys.push(key, start..self.postings.len() as u32, base);
            rest = &rest[part..];
        }
    }

    /// Append the places of the loaded list `key` (its parts put back
    /// together).
    fn loaded_places(&self, key: (u32, u32), out: &mut Vec<u32>) {
        for (range, base) in self.keys.get(key) {
            out.extend(self.postings[range].iter().map(|&o| base + u32::from(o)));
        }
    }

    /// Choose the most frequent terms, and count them in every source.
    fn count_frequent(&mut self) {
        let mut by_df: Vec<(u32, u32)> = (self.df.iter().enumerate())
            .filter(|&(_, &df)| df > 0)
            .map(|(term, &df)| (df, term as u32))
            .collect();
        by_df.sort_unstable_by(|a, b| b.cmp(a));
        self.frequent = (by_df.iter().take(super::FREQUENT))
            .map(|&(_, term)| term)
            .collect();
        self.frequent_slot = vec![NOT_FREQUENT; self.df.len()];
        for (slot, &term) in self.frequent.iter().enumerate() {
            self.frequent_slot[term as usize] = slot as u8;
        }
        let docs = self.doc_start.len().saturating_sub(1);
        self.frequent_counts = (0..docs)
            .map(|p| {
                let terms =
                    &self.doc_terms[self.doc_start[p] as usize..self.doc_start[p + 1] as usize];
                super::Frequent::counts_of(|t| self.slot_of(t), terms)
            })
            .collect();
    }

    fn slot_of(&self, term: u32) -> Option<usize> {
        self.frequent_slot
            .get(term as usize)
            .filter(|&&slot| slot != NOT_FREQUENT)
            .map(|&slot| usize::from(slot))
    }

    /// A source's length in words, as its postings give it: a
    /// punctuation-only source is indexed under the "" term, with 0 words.
    fn words(&self, terms: &[u32]) -> u32 {
        if terms.len() == 1 && self.empty_term.is_some_and(|e| e == i64::from(terms[0])) {
            0
        } else {
            terms.len() as u32
        }
    }

    /// Holds what the store holds at this epoch and highest pair.
    fn is_current(&self, epoch: i64, max: i64) -> bool {
        self.epoch == epoch && self.loaded_max >= max
    }

    /// Read the terms added to the store since the last call.
    fn read_terms(&mut self, store: &Store) -> Result<()> {
        store.for_each_term_after(self.max_term, |id, term| self.add_term(id, term))
    }

    fn add_term(&mut self, id: i64, term: &str) {
        if term.is_empty() {
            self.empty_term = Some(id);
        }
        self.terms.insert(term.into(), id as u32);
        self.max_term = self.max_term.max(id);
    }

    /// A pair indexed after the full load: its terms, in order. It takes
    /// the next place.
    fn add_doc(&mut self, pair: i64, terms: &[i64]) {
        let at = self.pair_of.len() as u32;
        let mut ids: Vec<u32> = terms.iter().map(|&t| t as u32).collect();
        let words = self.words(&ids);
        let counts = super::Frequent::counts_of(|t| self.slot_of(t), &ids);
        self.frequent_counts.push(counts);
        self.pair_of.push(pair as u32);
        self.doc_terms.extend_from_slice(&ids);
        self.doc_start.push(self.doc_terms.len() as u32);
        self.added += 1;
        ids.sort_unstable();
        for run in ids.chunk_by(|a, b| a == b) {
            self.count(run[0]);
            self.added_postings
                .entry((run[0], words))
                .or_default()
                .push(at, run.len() as u32);
        }
        self.loaded_max = self.loaded_max.max(pair);
    }

    /// One more posting of `term`.
    fn count(&mut self, term: u32) {
        let t = term as usize;
        if self.df.len() <= t {
            self.df.resize(t + 1, 0);
        }
        self.df[t] += 1;
    }
}

/// The index in memory.
struct View<'a> {
    lists: &'a Lists,
    /// The highest pair the search's snapshot sees. The lists may hold
    /// newer ones (another search read them meanwhile): their sources
    /// must not count, or they would raise the floor above pairs that the
    /// snapshot does hold, and then not be found themselves.
    visible: i64,
}

impl Index for View<'_> {
    fn term_stats(&self, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>> {
        Ok(terms
            .iter()
            .map(|t| {
                self.lists.terms.get(*t).map(|&id| {
                    let df = self.lists.df.get(id as usize).copied().unwrap_or(0);
                    (i64::from(id), i64::from(df))
                })
            })
            .collect())
    }

    fn postings(&self, term: i64, words: usize, out: &mut Vec<u32>) -> Result<()> {
        let key = (term as u32, words as u32);
        self.lists.loaded_places(key, out);
        if let Some(added) = self.lists.added_postings.get(&key) {
            out.extend_from_slice(&added.pairs);
        }
        Ok(())
    }

    fn with_postings(
        &self,
        term: i64,
        words: usize,
        _buffer: &mut super::Postings,
        f: &mut dyn FnMut(super::Places<'_>, &[u8]),
    ) -> Result<()> {
        let key = (term as u32, words as u32);
        for (range, base) in self.lists.keys.get(key) {
            f(
                super::Places::Near(base, &self.lists.postings[range.clone()]),
                &self.lists.posting_counts[range],
            );
        }
        if let Some(added) = self.lists.added_postings.get(&key) {
            f(super::Places::Ids(&added.pairs), &added.counts);
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
        // Each candidate's terms are somewhere in a large array: their
        // places are looked up first (independent reads, in flight
        // together), and each candidate's terms are asked for a few
        // candidates ahead of their check.
        let ranges: Vec<(u32, u32)> = pairs
            .iter()
            .map(|&at| {
                let d = at as usize;
                if d + 1 < lists.doc_start.len() {
                    (lists.doc_start[d], lists.doc_start[d + 1])
                } else {
                    (0, 0)
                }
            })
            .collect();
        const AHEAD: usize = 6;
        for (k, &(start, end)) in ranges.iter().enumerate() {
            if let Some(&(next, _)) = ranges.get(k + AHEAD) {
                super::prefetch(lists.doc_terms.as_ptr().wrapping_add(next as usize));
            }
            out.push(query.common(&lists.doc_terms[start as usize..end as usize]));
        }
        Ok(())
    }

    fn max_pair_id(&self) -> Result<u32> {
        Ok(self.lists.pair_of.len() as u32)
    }

    fn pair_id(&self, id: u32) -> i64 {
        self.lists
            .pair_of
            .get(id as usize)
            .map_or(-1, |&p| i64::from(p))
    }

    fn holds_sources(&self) -> bool {
        self.lists.sources.is_some()
    }

    fn frequent(&self) -> Option<super::Frequent<'_>> {
        Some(super::Frequent {
            terms: &self.lists.frequent,
            counts: &self.lists.frequent_counts,
        })
    }

    fn source(&self, id: u32, source_lang: &str, target_lang: &str) -> Option<&str> {
        if i64::from(id) > self.visible {
            return None;
        }
        self.lists
            .sources
            .as_ref()?
            .get(id, source_lang, target_lang)
    }

    /// Reading a list here costs a few nanoseconds a posting, checking a
    /// candidate's terms a few hundred: on Hansard at threshold 50, any
    /// factor from 32 to 256 did as well (64 chosen), 2 to 8 up to twice
    /// as badly.
    fn prune_list_factor(&self) -> i64 {
        64
    }
}

#[cfg(test)]
mod tests {
    use super::{Keys, Lists};

    #[test]
    fn keys_find_each_list_by_term_and_length_in_any_order_read() {
        let mut keys = Keys::default();
        keys.push((3, 12), 10..14, 0);
        keys.push((0, 5), 0..4, 7);
        keys.push((3, 7), 4..10, 0);
        keys.push((5, 1), 14..15, 0);
        // A list in two parts.
        keys.push((3, 9), 15..17, 70_000);
        keys.push((3, 9), 17..18, 1);
        keys.finish();
        let get = |key| keys.get(key).collect::<Vec<_>>();
        assert_eq!(get((0, 5)), [(0..4, 7)]);
        assert_eq!(get((3, 7)), [(4..10, 0)]);
        assert_eq!(get((3, 12)), [(10..14, 0)]);
        assert_eq!(get((5, 1)), [(14..15, 0)]);
        assert_eq!(get((3, 9)), [(15..17, 70_000), (17..18, 1)]);
        // A term without lists, a length without one, a term added since.
        assert_eq!(get((1, 5)), []);
        assert_eq!(get((3, 8)), []);
        assert_eq!(get((6, 1)), []);
        assert_eq!(get((u32::MAX, 1)), []);
        assert_eq!(Keys::default().get((0, 0)).count(), 0);
    }

    /// A list whose places span more than an offset's 16 bits (a length
    /// held by more than 65,536 sources) is kept in parts, and read back
    /// whole: no pair lost or moved.
    #[test]
    fn a_list_wider_than_16_bits_is_kept_in_parts() {
        let mut lists = Lists::default();
        let places = [3, 65_538, 65_539, 140_000, 140_001, 300_000];
        lists.put_list((1, 20), &places);
        lists.put_list((2, 20), &[5, 9]);
        lists.put_list((3, 20), &[9, 5]);
        lists.keys.finish();
        let read = |key| {
            let mut out = Vec::new();
            lists.loaded_places(key, &mut out);
            out
        };
        assert_eq!(read((1, 20)), places);
        assert_eq!(read((2, 20)), [5, 9]);
        assert_eq!(read((3, 20)), [9, 5]);
        assert_eq!(lists.keys.get((1, 20)).count(), 4);
    }
}
