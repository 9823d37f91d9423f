//! What the rest of the server uses to talk to the source scheduler: reload the sources, fetch
//! one now, and hear about stored documents and changed WebSub hubs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, oneshot};

use super::RunOutcome;

/// Fetches asked for with [`SchedulerHandle::run_now`], by source id, with their waiters.
pub(super) type Wanted = HashMap<i64, Vec<oneshot::Sender<RunOutcome>>>;

/// Cheap to clone; every clone talks to the same scheduler.
#[derive(Clone, Default)]
pub struct SchedulerHandle {
    pub(super) reload: Arc<Notify>,
    documents: Arc<Notify>,
    hub_links: Arc<Notify>,
    wanted: Arc<Mutex<Wanted>>,
}

impl SchedulerHandle {
    /// Sources changed (added, edited, paused, deleted): re-read them now.
    pub fn reload(&self) {
        self.reload.notify_one();
    }

    /// Fetches source `id` as soon as it is free, whatever its schedule: at once, or right after
    /// the fetch in progress (which may have read the resource before the caller changed it).
    /// Resolves with the outcome of a fetch that started after this call; the sender is dropped
    /// (an error) when the source is unknown or paused, or the scheduler stops.
    pub fn run_now(&self, id: i64) -> oneshot::Receiver<RunOutcome> {
        let (sender, receiver) = oneshot::channel();
        self.wanted().entry(id).or_default().push(sender);
        // A reload also plans a source added a moment ago.
        self.reload.notify_one();
        receiver
    }

    pub(super) fn wanted(&self) -> MutexGuard<'_, Wanted> {
        self.wanted.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Resolves when new document versions were stored. There is one waiter, the pipeline; a
    /// notification that comes while it is busy is kept for its next wait, not lost.
    pub async fn new_documents(&self) {
        self.documents.notified().await;
    }

    /// New document versions were stored (by a fetch or a WebSub content distribution).
    pub fn documents_stored(&self) {
        self.documents.notify_one();
    }

    /// A feed's WebSub hub or topic changed: wake the subscriber.
    pub fn hub_links_changed(&self) {
        self.hub_links.notify_one();
    }

    /// Resolves when a feed's WebSub hub or topic changed.
    pub async fn new_hub_links(&self) {
        self.hub_links.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn documents_stored_while_nobody_waits_are_not_lost() {
        let handle = SchedulerHandle::default();
        handle.documents_stored();
        let woken = tokio::time::timeout(Duration::from_millis(100), handle.new_documents());
        assert!(
            woken.await.is_ok(),
            "the pipeline hears of documents stored while it was busy"
        );
    }
}
