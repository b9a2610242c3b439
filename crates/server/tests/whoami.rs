//! `GET /api/whoami`: a sync token learns which team (id and name) it
//! belongs to, so a tablet can tell a token of another team before it sends
//! that team anything; admin, unknown and revoked tokens learn nothing.
//! Runs on the suite's backend (SQLite, or PostgreSQL under `cargo xtask test native`).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{call, fx, Fx, Res};
use xunfang_core::team_switch::WhoAmI;
use xunfang_server::store::TokenKind;

async fn whoami(f: &Fx, token: Option<&str>) -> Res {
    let mut req = Request::builder().method("GET").uri("/api/whoami");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    call(&f.app, req.body(Body::empty()).unwrap()).await
}

async fn team_of(f: &Fx, token: &str) -> WhoAmI {
    let res = whoami(f, Some(token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header_or_empty(header::CACHE_CONTROL), "no-store", "a team's name is no answer to keep");
    let who: WhoAmI = serde_json::from_value(res.json()).unwrap();
    who.check().unwrap();
    who
}

#[tokio::test]
async fn a_sync_token_is_told_its_team_and_two_teams_are_told_apart() {
    let f = fx();
    let (a1, a2, b) = (f.token("城关联络站"), f.token("城关联络站"), f.token("east"));
    let (first, second, other) = (team_of(&f, &a1).await, team_of(&f, &a2).await, team_of(&f, &b).await);
    assert_eq!(first.team.name, "城关联络站");
    assert_eq!(first, second, "two tokens of one team name the same team");
    assert_eq!(other.team.name, "east");
    assert_ne!(first.team.id, other.team.id, "two teams have two ids");
}

#[tokio::test]
async fn a_device_token_is_told_its_team_too() {
    let f = fx();
    let device = f.store.create_token_of("office", "tablet 3", TokenKind::Device).unwrap();
    assert_eq!(team_of(&f, &device).await.team.name, "office");
}

#[tokio::test]
async fn no_token_a_wrong_one_or_an_admin_token_learns_nothing() {
    let f = fx();
    let _ = f.token("office");
    let admin = f.store.create_token_of("office", "office pc", TokenKind::Admin).unwrap();
    for (token, status) in [(None, StatusCode::UNAUTHORIZED), (Some("0".repeat(64)), StatusCode::UNAUTHORIZED), (Some(admin), StatusCode::FORBIDDEN)] {
        let res = whoami(&f, token.as_deref()).await;
        assert_eq!(res.status, status, "{}", res.text());
        assert!(!res.text().contains("office\""), "no team name in a refusal: {}", res.text());
    }
}
