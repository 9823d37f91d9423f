//! Alerts are immutable once recorded: their payloads are built once and shared by every push.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::payload;
use crate::storage::{AlertRecord, Storage, StorageError};

/// What every push of one alert shares.
pub struct PreparedAlert {
    pub record: AlertRecord,
    pub payload: Vec<u8>,
    pub short_payload: Vec<u8>,
    pub topic: String,
}

/// A bounded map of prepared alerts.
#[derive(Default)]
pub struct AlertCache {
    alerts: Mutex<HashMap<i64, Arc<PreparedAlert>>>,
}

const MAX_CACHED: usize = 1024;

impl AlertCache {
    /// The prepared alert, loading it on first use; `None` when it no longer exists.
    pub async fn get(
        &self,
        storage: &Storage,
        id: i64,
    ) -> Result<Option<Arc<PreparedAlert>>, StorageError> {
        if let Some(found) = self.lock().get(&id) {
            return Ok(Some(Arc::clone(found)));
        }
        let Some(record) = storage.get_alert(id).await? else {
            return Ok(None);
        };
        let prepared = Arc::new(PreparedAlert {
            payload: payload::encode(&record, false),
            short_payload: payload::encode(&record, true),
            topic: payload::push_topic(&record),
            record,
        });
        let mut alerts = self.lock();
        if alerts.len() >= MAX_CACHED {
            alerts.clear();
        }
        alerts.insert(id, Arc::clone(&prepared));
        Ok(Some(prepared))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<PreparedAlert>>> {
        self.alerts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
