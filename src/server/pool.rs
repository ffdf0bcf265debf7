//! Read connections for the server's lookups: a fixed number of threads,
//! each with its own read-only store (a `rusqlite::Connection` is not
//! `Sync`; pool crates pin other rusqlite versions, see the field notes),
//! taking the lookups from a queue in order of arrival. The same pool
//! serves a memory in PostgreSQL: one connection per thread, replaced when
//! it breaks.
//!
//! Threads of their own rather than tokio's blocking pool: a thread that
//! ends a lookup takes the next one at once, where a blocking task gave
//! its connection back only once an async thread had polled its end, and
//! the next lookup started only once another had been polled (measured
//! at threshold 50, 32 clients: less CPU a lookup, see the README).
//!
//! Two lanes, each with its threads: [`Lane::Quick`] for what answers in
//! milliseconds (lookups, terms, token checks, health) and [`Lane::Long`]
//! for what may take seconds (pre-translating a document, concordance,
//! statistics), so that a few long requests never hold up every lookup,
//! token check and health probe. A request waits for room in its lane's
//! queue (bounded) before its job is queued: a caller that
//! leaves while waiting takes its request body with it, and one that
//! leaves once queued is skipped.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use super::ApiError;
use crate::Result;
use crate::store::Store;

/// A lookup for a reader thread: given the thread's connection (`None`
/// when it has none, or lost it).
type Job = Box<dyn FnOnce(&mut Option<Store>) + Send>;

/// Which threads a read runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Lookups, terms, token checks, health: milliseconds.
    Quick,
    /// Documents, concordance, statistics: up to seconds.
    Long,
}

/// Jobs queued a quick thread at most: a lookup's job holds a query
/// (10,000 characters at most), and a request that waits for room costs
/// a wake-up more (3 % of the CPU a lookup with 2 a thread), so at 32
/// clients on 2 threads none waits.
const QUICK_QUEUED_A_THREAD: usize = 16;

/// Jobs queued a long thread at most: a document's job holds the whole
/// upload.
const LONG_QUEUED_A_THREAD: usize = 1;

struct Queue {
    jobs: Sender<Job>,
    /// Room in the queue (and on the threads).
    room: Arc<Semaphore>,
}

impl Queue {
    fn open(db: &Path, name: &str, threads: usize, queued_a_thread: usize) -> Result<Queue> {
        let stores = (0..threads)
            .map(|_| Store::open_read_only(db))
            .collect::<Result<Vec<_>>>()?;
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for (k, store) in stores.into_iter().enumerate() {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("memoire-{name}-{k}"))
                // Documents are read one call a nesting level (up to the
                // readers' limits): room to spare.
                .stack_size(8 << 20)
                .spawn(move || work(Some(store), &queue))
                .map_err(|e| {
                    crate::Error::new(
                        crate::Kind::Internal,
                        format!("cannot start a reader thread: {e}"),
                    )
                })?;
        }
        Ok(Queue {
            jobs,
            room: Arc::new(Semaphore::new(threads * (1 + queued_a_thread))),
        })
    }
}

/// Room taken in a lane's queue ([`Readers::room`]).
pub struct Room {
    permit: tokio::sync::OwnedSemaphorePermit,
    lane: Lane,
}

pub struct Readers {
    db: PathBuf,
    quick: Queue,
    long: Queue,
}

impl Readers {
    /// Open `quick` connections for the quick lane and `long` for the long
    /// one (an error here stops the server before it listens), and start
    /// a thread for each.
    pub fn open(db: &Path, quick: usize, long: usize) -> Result<Readers> {
        Ok(Readers {
            db: db.to_path_buf(),
            quick: Queue::open(db, "reader", quick.max(1), QUICK_QUEUED_A_THREAD)?,
            long: Queue::open(db, "long-reader", long.max(1), LONG_QUEUED_A_THREAD)?,
        })
    }

    /// Run `f` on a free connection of `lane` (waiting for one, in order
    /// of arrival), off the async threads; once more on a new connection
    /// if that one turns out broken (`f` only reads). A caller that has
    /// gone (its client left, or its time ran out) before its turn costs
    /// nothing: its lookup is skipped.
    pub async fn run<T, F>(&self, lane: Lane, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Store) -> Result<T> + Send + 'static,
    {
        let room = self.room(lane).await?;
        self.run_in(room, f).await
    }

    /// Wait for room in `lane`'s queue: a request with a large body takes
    /// it before reading the body, so that requests waiting their turn
    /// hold no uploads.
    pub async fn room(&self, lane: Lane) -> std::result::Result<Room, ApiError> {
        let permit = Arc::clone(&self.queue(lane).room)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the read connections are closed"))?;
        Ok(Room { permit, lane })
    }

    fn queue(&self, lane: Lane) -> &Queue {
        match lane {
            Lane::Quick => &self.quick,
            Lane::Long => &self.long,
        }
    }

    /// [`Readers::run`] in room already taken.
    pub async fn run_in<T, F>(&self, room: Room, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Store) -> Result<T> + Send + 'static,
    {
        let queue = self.queue(room.lane);
        let room = room.permit;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let db = self.db.clone();
        let job: Job = Box::new(move |slot| {
            let _room = room;
            if !reply.is_closed() {
                let _ = reply.send(run_on(slot, &db, &f));
            }
        });
        queue
            .jobs
            .send(job)
            .map_err(|_| ApiError::internal("the read connections are closed"))?;
        // No answer: the lookup panicked (its thread took a new connection).
        answer
            .await
            .map_err(|_| ApiError::internal("a lookup stopped"))?
            .map_err(ApiError::from)
    }
}

/// A reader thread: one job at a time, until the pool is dropped. A job
/// that panics loses the connection (it may be mid-transaction) and no
/// more: the next job opens a new one.
fn work(mut slot: Option<Store>, queue: &Mutex<Receiver<Job>>) {
    loop {
        // Only the wait for a job holds the lock; the other idle threads
        // queue behind it.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else {
            return;
        };
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut slot)));
        if ran.is_err() {
            slot = None;
        }
    }
}

/// `f` on the thread's connection (a new one if it has none); once more
/// on a new connection if that one turns out broken (the database server
/// restarted since it was last used, say). Only when that fails too does
/// the caller get the error (503). A connection that stays broken is
/// dropped here, on the reader thread: the PostgreSQL driver closes it
/// with a blocking call, which must not run on an async thread.
fn run_on<T>(slot: &mut Option<Store>, db: &Path, f: &dyn Fn(&Store) -> Result<T>) -> Result<T> {
    let store = match slot.take() {
        Some(store) => store,
        None => Store::open_read_only(db)?,
    };
    let out = f(&store);
    if !store.is_broken() {
        *slot = Some(store);
        return out;
    }
    drop(store);
    match Store::open_read_only(db) {
        Ok(fresh) => {
            let out = f(&fresh);
            *slot = Some(fresh).filter(|s| !s.is_broken());
            out
        }
        Err(_) => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("memory.db");
        drop(Store::open(&db).unwrap());
        (dir, db)
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    /// Keep `lane`'s only thread busy until `hold` says: (hold, the job).
    fn occupy(
        readers: &Arc<Readers>,
        lane: Lane,
    ) -> (
        std::sync::mpsc::Sender<()>,
        tokio::task::JoinHandle<std::result::Result<(), ApiError>>,
    ) {
        let (hold, held) = std::sync::mpsc::channel::<()>();
        let held = Mutex::new(held);
        let readers = Arc::clone(readers);
        let job = tokio::spawn(async move {
            readers
                .run(lane, move |_| {
                    let _ = held.lock().unwrap().recv();
                    Ok(())
                })
                .await
        });
        (hold, job)
    }

    #[test]
    fn a_lookup_that_panics_gets_an_error_and_the_next_ones_a_connection() {
        let (_dir, db) = memory();
        let readers = Readers::open(&db, 1, 1).unwrap();
        runtime().block_on(async {
            let failed = readers
                .run(Lane::Quick, |_| -> Result<()> {
                    panic!("a bug in a lookup")
                })
                .await;
            assert_eq!(failed.unwrap_err().status.as_u16(), 500);
            // The one thread lives on, with a new connection.
            for _ in 0..3 {
                let stats = readers.run(Lane::Quick, |store| store.stats()).await;
                assert!(stats.unwrap().schema_version > 0);
            }
        });
    }

    /// Bug pinned (adversary of 0630d3d): two long pre-translations held
    /// both readers, and every lookup, token check and health probe
    /// waited 15 s behind them.
    #[test]
    fn long_reads_never_hold_up_the_quick_lane() {
        let (_dir, db) = memory();
        let readers = Arc::new(Readers::open(&db, 1, 1).unwrap());
        runtime().block_on(async {
            let (hold, long) = occupy(&readers, Lane::Long);
            tokio::task::yield_now().await;
            // The long lane's only thread is busy; the quick one answers.
            for _ in 0..5 {
                let quick = readers.run(Lane::Quick, |store| store.stats());
                let answer = tokio::time::timeout(std::time::Duration::from_secs(20), quick).await;
                assert!(answer.expect("a quick read waited").unwrap().schema_version > 0);
            }
            assert!(!long.is_finished());
            hold.send(()).unwrap();
            long.await.unwrap().unwrap();
        });
    }

    #[test]
    fn lookups_run_in_order_of_arrival_and_a_gone_caller_costs_nothing() {
        let (_dir, db) = memory();
        let readers = Arc::new(Readers::open(&db, 1, 1).unwrap());
        let ran = Arc::new(Mutex::new(Vec::new()));
        runtime().block_on(async {
            let (hold, busy) = occupy(&readers, Lane::Quick);
            tokio::task::yield_now().await;
            let lookup = |k: usize| {
                let (readers, ran) = (Arc::clone(&readers), Arc::clone(&ran));
                async move {
                    readers
                        .run(Lane::Quick, move |_| {
                            ran.lock().unwrap().push(k);
                            Ok(k)
                        })
                        .await
                }
            };
            let mut waiting = Vec::new();
            for k in 0..4 {
                if k == 1 {
                    // Its caller leaves once the lookup is queued.
                    let mut gone = Box::pin(lookup(k));
                    tokio::select! {
                        biased;
                        _ = &mut gone => unreachable!("the only reader is busy"),
                        () = std::future::ready(()) => {}
                    }
                    continue;
                }
                waiting.push((k, tokio::spawn(lookup(k))));
                tokio::task::yield_now().await;
            }
            hold.send(()).unwrap();
            busy.await.unwrap().unwrap();
            for (k, w) in waiting {
                assert_eq!(w.await.unwrap().unwrap(), k);
            }
        });
        assert_eq!(*ran.lock().unwrap(), vec![0, 2, 3]);
    }
}
