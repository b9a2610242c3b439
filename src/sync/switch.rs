//! Changing where this tablet syncs without ever mixing two teams' data: which team a
//! token belongs to (`GET /api/whoami`), the plan for new settings, and the switch itself.
//!
//! The rule is `xunfang_core::team_switch`. A change to another endpoint, mode or team on a
//! tablet that holds data is only made after the person saw what is on it ([`Plan`]) and chose:
//! send what is waiting to the old place, then erase and set up the new one ([`switch_erasing`]).

use super::{devices, http::call, status};
use crate::settings::{self, SyncConfig, SyncMode};
use crate::storage::{Db, StoreError};
use leptos::prelude::Set;
use xunfang_core::sync_client::SyncError;
use xunfang_core::team_switch::{compare, must_warn, Holding, TeamRef, Verdict, WhoAmI};

/// The team the server at `endpoint` says `token` belongs to (checked before it is believed).
pub async fn whoami(endpoint: &str, token: &str) -> Result<TeamRef, SyncError> {
    let text = call("GET", &format!("{}/api/whoami", endpoint.trim().trim_end_matches('/')), token, None).await?;
    let who: WhoAmI = serde_json::from_str(&text).map_err(|e| SyncError::BadResponse(e.to_string()))?;
    who.check().map_err(SyncError::BadResponse)?;
    Ok(who.team)
}

/// What applying new sync settings would do, worked out before anything is sent anywhere.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub config: SyncConfig,
    pub verdict: Verdict,
    pub holding: Holding,
    /// The team whose data is on the tablet, if the server named it.
    pub from_team: Option<String>,
    /// The team of the new settings, if the server named it.
    pub to_team: Option<TeamRef>,
}

impl Plan {
    /// Whether the person must see the warning and choose before anything happens.
    pub fn must_warn(&self) -> bool {
        must_warn(self.verdict, &self.holding)
    }
}

/// The plan for `config`. The server of the new settings is asked for the token's team only
/// when that decides (the same native endpoint): a new endpoint is another place anyway, and
/// is sent nothing, not even the token, before the person chose.
pub async fn plan(config: SyncConfig) -> Result<Plan, StoreError> {
    let bound = settings::bound_place();
    let mut to_team = None;
    let same_server = bound.as_ref().is_some_and(|b| b.mode == config.mode.key() && xunfang_core::team_switch::same_endpoint(&b.endpoint, &config.endpoint));
    if config.mode == SyncMode::Native && (same_server || bound.is_none()) {
        to_team = whoami(&config.endpoint, &config.token).await.ok();
    }
    let mut bound = bound;
    if let Some(b) = bound.as_mut().filter(|b| b.team.is_none() && b.mode == SyncMode::Native.key()) {
        // A tablet set up before places were kept: its own token says which team it holds.
        let old = settings::sync_config();
        if same_server && old.is_set() {
            b.team = whoami(&old.endpoint, &old.token).await.ok();
        }
    }
    let verdict = compare(bound.as_ref(), &config.place(to_team.clone()));
    let holding = Db::app().await?.holding().await?;
    Ok(Plan { config, verdict, holding, from_team: bound.and_then(|b| b.team).map(|t| t.name), to_team })
}

/// Applies a plan that needs no warning: the settings and their place are saved (a new
/// endpoint, mode or team starts from the beginning), then sync runs.
pub async fn apply(plan: Plan) -> Result<(), StoreError> {
    let place = plan.config.place(plan.to_team.clone());
    if plan.verdict.needs_erase() {
        // Nothing worth a word is on the tablet, but a cursor of the old place may be.
        Db::app().await?.erase_team_data().await?;
        settings::forget_team();
    }
    settings::set_place(&place);
    super::configure(plan.config).await
}

/// Why a switch stopped before erasing anything.
#[derive(Clone, Debug, PartialEq)]
pub enum SwitchStopped {
    /// Sending to the old place failed: nothing was erased.
    NotSent(SyncError),
    /// After sending, this many changes still wait: nothing was erased.
    StillUnsent(usize),
    Store(String),
}

/// Sends what is waiting to the old place (unless `lose_unsent`, which the person confirmed),
/// then erases the tablet, saves the new settings and restarts the app, which syncs with the
/// new place from its beginning. No sync of the old place runs after the erase.
pub async fn switch_erasing(config: SyncConfig, to_team: Option<TeamRef>, lose_unsent: bool) -> Result<(), SwitchStopped> {
    let store = |e: StoreError| SwitchStopped::Store(e.to_string());
    let Some(s) = status() else { return Err(SwitchStopped::Store("sync has not started".into())) };
    super::hold().await;
    let result = async {
        let db = Db::app().await.map_err(store)?;
        if !lose_unsent {
            let old = settings::sync_config();
            if old.is_set() {
                super::sync_once(old, s).await.map_err(SwitchStopped::NotSent)?;
            }
            let left = db.holding().await.map_err(store)?.unsent();
            if left > 0 {
                return Err(SwitchStopped::StillUnsent(left));
            }
        }
        db.erase_team_data().await.map_err(store)?;
        settings::forget_team();
        settings::set_place(&config.place(to_team));
        settings::set_sync_config(&config);
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            restart();
            Ok(())
        }
        Err(e) => {
            s.running.set(false);
            super::refresh_waiting();
            Err(e)
        }
    }
}

/// Sets up from a claimed device token of this app's own server, unless the tablet holds
/// another team's data: then the plan, for the person to choose.
pub async fn set_up_claimed(token: String) -> Result<Option<Plan>, StoreError> {
    let config = SyncConfig { mode: SyncMode::Native, endpoint: devices::origin(), token, ..SyncConfig::default() };
    let plan = plan(config).await?;
    if plan.must_warn() {
        return Ok(Some(plan));
    }
    apply(plan).await?;
    Ok(None)
}

/// Before a native sync: a place whose team is not known yet (set up before places were
/// kept, or while the server could not be asked) learns it, so a later switch can tell.
/// Best effort: a server without `whoami` still syncs, and the sync itself reports a refused token.
pub(super) async fn learn_team(config: &SyncConfig) {
    let bound = settings::bound_place().filter(|b| b.mode == config.mode.key() && xunfang_core::team_switch::same_endpoint(&b.endpoint, &config.endpoint));
    if bound.as_ref().is_some_and(|b| b.team.is_some()) {
        return;
    }
    if let Ok(team) = whoami(&config.endpoint, &config.token).await {
        settings::set_place(&config.place(Some(team)));
    }
}

/// Reloads the app at its start, empty of the old team.
pub fn restart() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().replace("/");
    }
}
