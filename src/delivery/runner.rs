//! The engine's continuous loop: claims whenever there is room, sends without waiting for the
//! batch, and records answers in batches from one writer task.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::dispatch::{Inner, Update, encrypt_all, encryption_failed, send_one, triage};
use super::{CLAIM_BATCH, IDLE_POLL};
use crate::storage::{Storage, StorageError};

/// The continuous loop: claims whenever there is room, sends without waiting for the batch,
/// and records answers in batches from one writer task.
pub(super) async fn run(inner: Arc<Inner>, token: CancellationToken) {
    let (results, recorded) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(record_results(inner.storage.clone(), recorded));
    let sends = TaskTracker::new();
    while !token.is_cancelled() {
        match claim_and_dispatch(&inner, &results, &sends).await {
            Ok(Step::Continue) => {}
            Ok(Step::Idle) => wait_for_work(&inner, &token).await,
            Ok(Step::Full) => wait_for_room(&inner, &token).await,
            Err(err) => {
                tracing::error!(error = %err, "delivery: cannot claim work; retrying in 1 s");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = token.cancelled() => {}
                }
            }
        }
    }
    sends.close();
    sends.wait().await;
    drop(results);
    if let Err(err) = recorder.await {
        tracing::error!(error = %err, "delivery recorder failed");
    }
}

enum Step {
    /// Claimed some work; look again at once.
    Continue,
    /// Nothing is due.
    Idle,
    /// No room: every permit is taken, or every origin with due work is full.
    Full,
}

type ResultSender = mpsc::UnboundedSender<(Update, OwnedSemaphorePermit)>;

async fn claim_and_dispatch(
    inner: &Arc<Inner>,
    results: &ResultSender,
    sends: &TaskTracker,
) -> Result<Step, StorageError> {
    let room = inner
        .in_flight
        .available_permits()
        .min(CLAIM_BATCH as usize);
    if room == 0 {
        return Ok(Step::Full);
    }
    let excluded = inner.origins.excluded();
    let any_excluded = !excluded.is_empty();
    let claimed = inner
        .storage
        .claim_due_deliveries(room as u32, excluded)
        .await?;
    if claimed.is_empty() {
        return Ok(if any_excluded { Step::Full } else { Step::Idle });
    }
    let mut permits = Vec::with_capacity(claimed.len());
    for _ in 0..claimed.len() {
        match Arc::clone(&inner.in_flight).try_acquire_owned() {
            Ok(permit) => permits.push(permit),
            Err(_) => break,
        }
    }
    let (ready, decided) = triage(inner, claimed).await?;
    for update in decided {
        if let Some(permit) = permits.pop() {
            let _ = results.send((update, permit));
        }
    }
    for (ready, push, error) in encrypt_all(inner, ready).await {
        let Some(permit) = permits.pop() else { break };
        match push {
            Some(push) => {
                let inner = Arc::clone(inner);
                let results = results.clone();
                sends.spawn(async move {
                    let update = send_one(&inner, ready, push).await;
                    let _ = results.send((update, permit));
                });
            }
            None => {
                let _ = results.send(((ready.delivery.id, encryption_failed(error)), permit));
            }
        }
    }
    Ok(Step::Continue)
}

async fn wait_for_work(inner: &Inner, token: &CancellationToken) {
    let now = chrono::Utc::now().timestamp_millis();
    let pause = match inner.storage.next_delivery_due_at().await {
        Ok(Some(due)) => {
            Duration::from_millis(u64::try_from(due - now).unwrap_or_default()).min(IDLE_POLL)
        }
        Ok(None) => IDLE_POLL,
        Err(err) => {
            tracing::error!(error = %err, "delivery: cannot read the queue");
            IDLE_POLL
        }
    };
    tokio::select! {
        () = inner.wake.notified() => {}
        () = tokio::time::sleep(pause) => {}
        () = token.cancelled() => {}
    }
}

async fn wait_for_room(inner: &Inner, token: &CancellationToken) {
    tokio::select! {
        () = inner.origins.freed() => {}
        () = inner.wake.notified() => {}
        () = tokio::time::sleep(Duration::from_millis(250)) => {}
        () = token.cancelled() => {}
    }
}

/// The one writer of results: batches whatever has arrived into one transaction, then frees
/// those pushes' places in the in-flight budget.
async fn record_results(
    storage: Storage,
    mut recorded: mpsc::UnboundedReceiver<(Update, OwnedSemaphorePermit)>,
) {
    let mut batch = Vec::new();
    while recorded.recv_many(&mut batch, 4096).await > 0 {
        let (updates, permits): (Vec<_>, Vec<_>) = std::mem::take(&mut batch).into_iter().unzip();
        if let Err(err) = record_with_retry(&storage, updates).await {
            tracing::error!(error = %err, "delivery: cannot record results; they will be sent again after a restart");
        }
        drop(permits);
    }
}

async fn record_with_retry(storage: &Storage, updates: Vec<Update>) -> Result<(), StorageError> {
    let mut delay = Duration::from_millis(100);
    for _ in 0..5 {
        match storage.record_delivery_updates(updates.clone()).await {
            Ok(()) => return Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, "delivery: recording results failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        }
    }
    storage.record_delivery_updates(updates).await
}
