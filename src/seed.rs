//! The `[[sources]]` and `[[stories]]` of the config file, created at start when missing.
//! Idempotent: what exists (by URL and kind, or by name) is left as the admin API made it.

use crate::config::Config;
use crate::storage::Storage;

/// Creates the configured sources and stories the database does not have yet.
pub async fn seed(config: &Config, storage: &Storage) -> anyhow::Result<()> {
    seed_sources(config, storage).await?;
    seed_stories(config, storage).await
}

async fn seed_sources(config: &Config, storage: &Storage) -> anyhow::Result<()> {
    for request in &config.sources {
        let source = request
            .clone()
            .validate()
            .map_err(|e| anyhow::anyhow!("[[sources]]: {e}"))?;
        let name = source.name.clone();
        if let Some(id) = storage.insert_source(source).await? {
            tracing::info!(source.id = id, source.name = %name, "source added from the config file");
        }
    }
    Ok(())
}

async fn seed_stories(config: &Config, storage: &Storage) -> anyhow::Result<()> {
    for story in &config.stories {
        story
            .validate()
            .map_err(|e| anyhow::anyhow!("[[stories]]: {e}"))?;
        let name = story.name.trim().to_owned();
        let definition = serde_json::to_string(story)?;
        if let Some(id) = storage
            .insert_story_if_absent(name.clone(), definition)
            .await?
        {
            tracing::info!(story.id = id, story.name = %name, "story added from the config file");
        }
    }
    Ok(())
}
