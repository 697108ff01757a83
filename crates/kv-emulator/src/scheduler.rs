//! The background scheduler: purges deleted keys whose date has passed and applies
//! rotation policies' `Rotate` lifetime actions. It runs every `scheduler_interval`
//! and at once whenever the clock is moved, so tests move the clock instead of sleeping.

use std::time::Duration;

use kv_protocol::{Iso8601Duration, KeyRotationPolicy};

use crate::error::ApiError;
use crate::service::rotation;
use crate::state::AppState;
use crate::store::VersionRow;

/// Runs the scheduler until `shutdown` resolves.
pub async fn run(
    state: AppState,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut shutdown = shutdown;
    loop {
        // Register for clock moves before working, so a move during the tick is not lost.
        let moved = state.clock().moved();
        if let Err(e) = tick(&state).await {
            tracing::warn!(error = %e, "scheduler tick failed");
        }
        tokio::select! {
            () = moved => {}
            () = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// One pass over every vault and Managed HSM: purge what is due, then rotate what is due.
/// Returns how many keys were purged and rotated.
pub async fn tick(state: &AppState) -> Result<(usize, usize), ApiError> {
    let _pass = state.scheduler_guard().await;
    let (mut purged, mut rotated) = (0, 0);
    for vault in state.every_vault() {
        let (p, r) = tick_one(&vault).await?;
        purged += p;
        rotated += r;
    }
    Ok((purged, rotated))
}

async fn tick_one(state: &AppState) -> Result<(usize, usize), ApiError> {
    let now = state.clock().now();
    let purged = state.store().run(move |tx| tx.purge_due(now)).await?;
    for name in &purged {
        tracing::info!(key = %name, "purged deleted key after its retention period");
    }
    let candidates = state
        .store()
        .run(|tx| {
            let mut due = Vec::new();
            for (name, policy) in tx.keys_with_policy()? {
                if let Some(latest) = tx.latest(&name)? {
                    due.push((latest, policy));
                }
            }
            Ok(due)
        })
        .await?;
    let mut rotated = 0;
    for (latest, policy) in candidates {
        if rotation_due(&latest, &policy, now) {
            let name = latest.name.clone();
            match rotation::rotate(state, name.clone()).await {
                Ok(row) => {
                    rotated += 1;
                    tracing::info!(key = %name, version = %row.version, "rotated by policy");
                }
                Err(e) => tracing::warn!(key = %name, error = %e, "policy rotation failed"),
            }
        }
    }
    Ok((purged.len(), rotated))
}

/// Whether `policy`'s Rotate action is due for a key whose latest version is `latest`.
pub fn rotation_due(latest: &VersionRow, policy: &KeyRotationPolicy, now: i64) -> bool {
    let Some(action) = policy.lifetime_actions.iter().flatten().find(|a| {
        a.action
            .as_ref()
            .and_then(|t| t.action_type.as_ref())
            .is_some_and(|t| t.is_rotate())
    }) else {
        return false;
    };
    let Some(trigger) = &action.trigger else {
        return false;
    };
    let parse = |s: &str| s.parse::<Iso8601Duration>().ok();
    let due = if let Some(after) = trigger.time_after_create.as_deref().and_then(parse) {
        latest
            .meta
            .attributes
            .created
            .and_then(|created| after.checked_add_to(created))
    } else if let Some(before) = trigger.time_before_expiry.as_deref().and_then(parse) {
        latest
            .meta
            .attributes
            .exp
            .and_then(|exp| before.checked_sub_from(exp))
    } else {
        None
    };
    due.is_some_and(|due| now >= due)
}
