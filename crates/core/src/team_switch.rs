//! Which team the data on a tablet belongs to, and when new sync settings mean another team:
//! the rule the app applies before it switches, the numbers its warning gives, and the checks on a set-up link's address.
//!
//! A tablet's data is tied to a [`Place`]: the endpoint, the sync mode and, for the native
//! protocol, the team the server says the token belongs to (`GET /api/whoami`, [`WhoAmI`]).
//! Data of one place never goes to another: a switch either finds the same place ([`Verdict::Same`]),
//! or the tablet holds nothing worth a word, or the app warns with a [`Holding`] and erases before
//! it sets up the new place. REST and push-only endpoints name no team: there the endpoint is the
//! team's collection, so a new token for the same endpoint is the same place.

use serde::{Deserialize, Serialize};

/// The mode key (as the app stores it) of the native protocol, whose server names the team.
pub const NATIVE: &str = "native";
/// The longest team name an answer may carry (characters).
pub const MAX_TEAM_NAME_CHARS: usize = 200;

/// A team as the server names it: its id (stable while the server's database lives) and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    pub id: i64,
    pub name: String,
}

/// `GET /api/whoami`: the team of the request's sync token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmI {
    pub team: TeamRef,
}

impl WhoAmI {
    /// Whether an answer is one a server could give: a positive id, a name of one line and
    /// at most [`MAX_TEAM_NAME_CHARS`] characters. What a server sends is hostile until checked.
    pub fn check(&self) -> Result<(), String> {
        let name = &self.team.name;
        if self.team.id <= 0 || name.trim().is_empty() || name.chars().count() > MAX_TEAM_NAME_CHARS || name.chars().any(char::is_control) {
            return Err("the server's answer about the token's team is not one a Xunfang server gives".into());
        }
        Ok(())
    }
}

/// Where a tablet's data belongs: stored beside the sync settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// As typed; compared by [`same_endpoint`].
    pub endpoint: String,
    /// The app's mode key (`native`, `rest`, `push_only`).
    pub mode: String,
    /// The team the server named (native only; `None` until it was asked).
    #[serde(default)]
    pub team: Option<TeamRef>,
}

/// What new sync settings mean for the data on this tablet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The tablet was never tied to a place: what it holds (made before the first
    /// set-up) becomes the new place's and is sent there.
    First,
    /// The same place: the data stays and keeps syncing (a new token of the same team).
    Same,
    /// Another endpoint, mode or team: the data must not go there.
    Another,
    /// The same endpoint, but the team of one of the tokens is not known (the server could
    /// not be asked): treated as another team, since a guess could mix two teams.
    Unknown,
}

impl Verdict {
    /// Whether the data now on the tablet has to be sent to its own place and erased first.
    pub fn needs_erase(self) -> bool {
        matches!(self, Verdict::Another | Verdict::Unknown)
    }
}

/// `a` and `b` name the same endpoint: compared without surrounding spaces, trailing
/// slashes, and the case of the scheme and host (a path's case matters).
pub fn same_endpoint(a: &str, b: &str) -> bool {
    normal_endpoint(a) == normal_endpoint(b)
}

fn normal_endpoint(endpoint: &str) -> String {
    let e = endpoint.trim().trim_end_matches('/');
    match e.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            format!("{}://{}{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase(), path)
        }
        None => e.to_string(),
    }
}

/// What moving from the data's place `bound` (`None`: never tied to one) to `next` means.
pub fn compare(bound: Option<&Place>, next: &Place) -> Verdict {
    let Some(bound) = bound else { return Verdict::First };
    if !same_endpoint(&bound.endpoint, &next.endpoint) || bound.mode != next.mode {
        return Verdict::Another;
    }
    if next.mode != NATIVE {
        return Verdict::Same;
    }
    match (&bound.team, &next.team) {
        (Some(a), Some(b)) if a.id == b.id => Verdict::Same,
        (Some(_), Some(_)) => Verdict::Another,
        _ => Verdict::Unknown,
    }
}

/// What is on the tablet, as the warning before a switch says it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holding {
    /// Documents of every kind (records, people, proposals, reports, settings).
    pub records: usize,
    pub photos: u32,
    /// Documents changed here and not yet confirmed by the server.
    pub unsent_records: usize,
    /// Photos taken here and not yet uploaded.
    pub unsent_photos: u32,
}

impl Holding {
    /// Changes not yet sent: documents and photos ("K changes are not yet sent").
    pub fn unsent(&self) -> usize {
        self.unsent_records + self.unsent_photos as usize
    }

    /// Nothing to lose and nothing to leak: a switch needs no word.
    pub fn is_empty(&self) -> bool {
        self.records == 0 && self.photos == 0 && self.unsent() == 0
    }
}

/// Whether a switch judged `verdict` with `holding` on the tablet must be confirmed with the
/// warning (and then erase the tablet before the new place is used).
pub fn must_warn(verdict: Verdict, holding: &Holding) -> bool {
    verdict.needs_erase() && !holding.is_empty()
}

/// Whether erasing may go ahead: only with nothing unsent, or after the person confirmed
/// that the unsent changes are lost (`confirmed_loss`).
pub fn may_erase(holding: &Holding, confirmed_loss: bool) -> bool {
    holding.unsent() == 0 || confirmed_loss
}

/// The address a set-up link points a tablet to, as the warning shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTarget {
    /// `host[:port]`, lowercase: the part a person can check.
    pub host: String,
}

/// Why a set-up link's address is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRefused {
    /// Not `https://…` (or `http://` to this device itself).
    NotHttps,
    /// Not an address at all, or one whose host is hidden behind `user@` (which
    /// shows one host and goes to another).
    Malformed,
}

/// Checks the endpoint a set-up link carries: `https://host…`, or plain `http://` only to
/// this device itself (`localhost`, `127.x.x.x`, `[::1]`); no user part, no spaces.
pub fn link_target(endpoint: &str) -> Result<LinkTarget, LinkRefused> {
    let e = endpoint.trim();
    if e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LinkRefused::Malformed);
    }
    let (scheme, rest) = e.split_once("://").ok_or(LinkRefused::Malformed)?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.is_empty() || authority.contains('@') || authority.contains('\\') {
        return Err(LinkRefused::Malformed);
    }
    let host = authority.to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default().to_string(),
        None => host.split(':').next().unwrap_or_default().to_string(),
    };
    if name.is_empty() {
        return Err(LinkRefused::Malformed);
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(LinkTarget { host }),
        "http" if is_this_device(&name) => Ok(LinkTarget { host }),
        "http" => Err(LinkRefused::NotHttps),
        _ => Err(LinkRefused::Malformed),
    }
}

fn is_this_device(name: &str) -> bool {
    let loopback_v4 = name.strip_prefix("127.").is_some_and(|r| r.split('.').count() == 3 && r.split('.').all(|p| p.parse::<u8>().is_ok()));
    name == "localhost" || name.ends_with(".localhost") || name == "::1" || loopback_v4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(endpoint: &str, mode: &str, team: Option<i64>) -> Place {
        Place { endpoint: endpoint.into(), mode: mode.into(), team: team.map(|id| TeamRef { id, name: format!("team {id}") }) }
    }

    #[test]
    fn a_token_of_another_team_on_the_same_server_is_another_place() {
        let a = place("https://office.lan", NATIVE, Some(1));
        assert_eq!(compare(Some(&a), &place("https://office.lan/", NATIVE, Some(2))), Verdict::Another);
        assert_eq!(compare(Some(&a), &place("HTTPS://Office.LAN", NATIVE, Some(1))), Verdict::Same, "a new token of the same team");
    }

    #[test]
    fn another_endpoint_or_mode_is_another_place_whatever_the_team() {
        let a = place("https://office.lan", NATIVE, Some(1));
        assert_eq!(compare(Some(&a), &place("https://other.lan", NATIVE, Some(1))), Verdict::Another, "ids of two servers say nothing");
        assert_eq!(compare(Some(&a), &place("https://office.lan", "rest", None)), Verdict::Another);
        assert_eq!(compare(Some(&place("https://x.lan/A", "rest", None)), &place("https://x.lan/a", "rest", None)), Verdict::Another, "paths keep their case");
    }

    #[test]
    fn an_unknown_team_on_the_native_protocol_is_never_taken_for_the_same() {
        let a = place("https://office.lan", NATIVE, None);
        assert_eq!(compare(Some(&a), &place("https://office.lan", NATIVE, Some(1))), Verdict::Unknown);
        assert_eq!(compare(Some(&place("https://office.lan", NATIVE, Some(1))), &place("https://office.lan", NATIVE, None)), Verdict::Unknown);
        assert!(Verdict::Unknown.needs_erase());
    }

    #[test]
    fn a_rest_endpoint_is_its_own_team_so_a_new_token_keeps_the_data() {
        let a = place("https://couch.lan/db", "rest", None);
        assert_eq!(compare(Some(&a), &place("https://couch.lan/db/", "rest", None)), Verdict::Same);
    }

    #[test]
    fn a_tablet_never_set_up_keeps_what_it_made_for_its_first_place() {
        assert_eq!(compare(None, &place("https://office.lan", NATIVE, Some(1))), Verdict::First);
        assert!(!Verdict::First.needs_erase());
    }

    #[test]
    fn only_a_switch_that_would_mix_data_on_a_tablet_holding_some_needs_the_warning() {
        let holding = Holding { records: 3, photos: 1, unsent_records: 2, unsent_photos: 1 };
        assert_eq!(holding.unsent(), 3);
        assert!(must_warn(Verdict::Another, &holding));
        assert!(must_warn(Verdict::Unknown, &Holding { photos: 1, ..Holding::default() }));
        assert!(!must_warn(Verdict::Another, &Holding::default()), "an empty tablet switches without a word");
        assert!(!must_warn(Verdict::Same, &holding));
    }

    #[test]
    fn unsent_changes_are_erased_only_after_the_loss_was_confirmed() {
        let unsent = Holding { records: 3, unsent_records: 1, ..Holding::default() };
        assert!(!may_erase(&unsent, false));
        assert!(may_erase(&unsent, true));
        assert!(may_erase(&Holding { records: 3, photos: 2, ..Holding::default() }, false));
    }

    #[test]
    fn a_link_must_point_to_https_unless_to_this_device() {
        assert_eq!(link_target("https://Office.LAN:8443/").unwrap().host, "office.lan:8443");
        assert_eq!(link_target("http://127.0.0.1:8080").unwrap().host, "127.0.0.1:8080");
        assert_eq!(link_target("http://localhost:3000/x").unwrap().host, "localhost:3000");
        assert_eq!(link_target("http://[::1]:8080").unwrap().host, "[::1]:8080");
        assert_eq!(link_target("http://office.lan"), Err(LinkRefused::NotHttps));
        assert_eq!(link_target("http://127.0.0.1.evil.example"), Err(LinkRefused::NotHttps));
        assert_eq!(link_target("http://localhost.evil.example"), Err(LinkRefused::NotHttps));
    }

    #[test]
    fn a_link_that_hides_its_host_or_is_no_address_is_refused() {
        assert_eq!(link_target("https://office.lan@evil.example/"), Err(LinkRefused::Malformed));
        assert_eq!(link_target("https://"), Err(LinkRefused::Malformed));
        assert_eq!(link_target("office.lan"), Err(LinkRefused::Malformed));
        assert_eq!(link_target("javascript://x"), Err(LinkRefused::Malformed));
        assert_eq!(link_target("https://office .lan"), Err(LinkRefused::Malformed));
        assert_eq!(link_target("https://a\\@b"), Err(LinkRefused::Malformed));
    }

    #[test]
    fn a_whoami_answer_is_checked_before_it_is_believed() {
        let ok = WhoAmI { team: TeamRef { id: 4, name: "城关联络站".into() } };
        assert!(ok.check().is_ok());
        assert!(WhoAmI { team: TeamRef { id: 0, ..ok.team.clone() } }.check().is_err());
        assert!(WhoAmI { team: TeamRef { id: 4, name: "a\nb".into() } }.check().is_err());
        assert!(WhoAmI { team: TeamRef { id: 4, name: "x".repeat(MAX_TEAM_NAME_CHARS + 1) } }.check().is_err());
        let parsed: WhoAmI = serde_json::from_str(r#"{"team":{"id":4,"name":"城关联络站"}}"#).unwrap();
        assert_eq!(parsed, ok);
    }
}
