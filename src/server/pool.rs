//! Read connections for the server's lookups: a fixed number of
//! read-only stores, each used by one request at a time on a blocking
//! thread (a `rusqlite::Connection` is not `Sync`; pool crates pin other
//! rusqlite versions, see the field notes). The same pool serves a memory
//! in PostgreSQL: one connection per store, replaced when it breaks.

use std::path::PathBuf;
use std::sync::Mutex;

use tokio::sync::Semaphore;

use super::ApiError;
use crate::Result;
use crate::store::Store;

pub struct Readers {
    db: PathBuf,
    stores: Mutex<Vec<Store>>,
    permits: Semaphore,
}

impl Readers {
    pub fn open(db: &std::path::Path, n: usize) -> Result<Readers> {
        let stores = (0..n)
            .map(|_| Store::open_read_only(db))
            .collect::<Result<Vec<_>>>()?;
        Ok(Readers {
            db: db.to_path_buf(),
            stores: Mutex::new(stores),
            permits: Semaphore::new(n),
        })
    }

    /// Run `f` on a free connection (waiting for one), off the async
    /// threads; once more on a new connection if that one turns out
    /// broken (`f` only reads).
    pub async fn run<T, F>(&self, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Store) -> Result<T> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ApiError::internal("the read connections are closed"))?;
        let taken = self.stores.lock().ok().and_then(|mut s| s.pop());
        let db = self.db.clone();
        // Everything that may block runs off the async threads: a new
        // connection (one lost to a panic, or broken), the lookup, and
        // dropping a broken connection (the PostgreSQL driver closes it
        // with a blocking call, which must not run on an async thread).
        let (store, out) = tokio::task::spawn_blocking(move || {
            let store = match taken {
                Some(store) => store,
                None => match Store::open_read_only(&db) {
                    Ok(store) => store,
                    Err(e) => return (None, Err(e)),
                },
            };
            let out = f(&store);
            if !store.is_broken() {
                return (Some(store), out);
            }
            // The connection is gone (the database server restarted since
            // it was last used, say): it is dropped, and the read, which
            // changes nothing, is tried once more on a new one. Only when
            // that fails too does the caller get the error (503).
            drop(store);
            match Store::open_read_only(&db) {
                Ok(fresh) => {
                    let out = f(&fresh);
                    (Some(fresh).filter(|s| !s.is_broken()), out)
                }
                Err(_) => (None, out),
            }
        })
        .await
        .map_err(|e| ApiError::internal(format!("a lookup stopped: {e}")))?;
        if let Some(store) = store
            && let Ok(mut stores) = self.stores.lock()
        {
            stores.push(store);
        }
        out.map_err(ApiError::from)
    }
}
