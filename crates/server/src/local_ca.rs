//! `tls init` and `tls renew`: a small certificate authority of the office's
//! own (rcgen) and the server certificate it signs for the office's names and IPs.
//!
//! Tablets install the CA once (from /setup/ca); `renew` signs a new server
//! certificate with the same CA key, so they keep trusting the server. The
//! CA key stays in DATA/tls/ca.key (owner-only) and is never served.

use std::io::Write;
use std::net::IpAddr;
use std::path::Path;

use base64::Engine;
use chrono::{DateTime, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SanType,
    SerialNumber,
};
use sha2::{Digest, Sha256};

use crate::tls::{day, read_chain, CertInfo, TlsDir};

/// Midnight (UTC) of a chrono time's day, in rcgen's time type (a macro:
/// that type is the `time` crate's, which rcgen does not re-export).
macro_rules! midnight {
    ($t:expr) => {{
        use chrono::Datelike;
        let t = $t;
        rcgen::date_time_ymd(t.year(), t.month() as u8, t.day() as u8)
    }};
}

/// The CA is valid this long: tablets install it once.
const CA_DAYS: i64 = 3650;
/// The server certificate's validity. iOS and macOS refuse a TLS server
/// certificate valid for more than 825 days, even from a CA the user installed.
pub const SERVER_DAYS: i64 = 800;

/// What `init` or `renew` wrote.
#[derive(Debug, Clone)]
pub struct Issued {
    pub names: Vec<String>,
    pub not_after: DateTime<Utc>,
    /// Base64 SHA-256 of the CA's SubjectPublicKeyInfo.
    pub ca_spki_sha256: String,
}

/// Creates the CA and a server certificate for `names` and `ips` in `dir`.
/// Refuses when `dir` already holds any of them: replacing the CA would make
/// every tablet install the new one.
pub fn init(dir: &TlsDir, names: &[String], ips: &[IpAddr], now: DateTime<Utc>) -> Result<Issued, String> {
    let sans = sans(names, ips)?;
    for existing in [dir.ca_cert(), dir.ca_key(), dir.server_cert(), dir.server_key()] {
        if existing.exists() {
            return Err(format!(
                "{} already exists: this office has its local CA, and tablets that trust it would have to install a new one. \
                 For a new server certificate from the same CA (new names or IPs too) run `xunfang-server tls renew`; \
                 to start over, move {} away first",
                existing.display(),
                dir.0.display()
            ));
        }
    }
    std::fs::create_dir_all(&dir.0).map_err(|e| format!("cannot create {}: {e}", dir.0.display()))?;

    let ca_key = KeyPair::generate().map_err(|e| format!("cannot make a key: {e}"))?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = DistinguishedName::new();
    // The day in the name tells two CAs of one office apart in a tablet's
    // trust settings.
    ca.distinguished_name.push(DnType::CommonName, format!("Xunfang office CA ({}, {})", display_name(&sans), day(now)));
    ca.distinguished_name.push(DnType::OrganizationName, "巡访 Xunfang");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    ca.not_before = midnight!(now - chrono::Duration::days(1));
    ca.not_after = midnight!(now + chrono::Duration::days(CA_DAYS));
    ca.serial_number = Some(serial()?);
    let ca_cert = ca.self_signed(&ca_key).map_err(|e| format!("cannot make the CA certificate: {e}"))?;

    write_new(&dir.ca_key(), ca_key.serialize_pem().as_bytes(), true)?;
    write_new(&dir.ca_cert(), ca_cert.pem().as_bytes(), false)?;
    let issuer = Issuer::new(ca, ca_key);
    issue(dir, &issuer, ca_cert.pem(), sans, now)
}

/// Signs a new server certificate (and key) with the CA in `dir`, for the
/// names and IPs given, or for those of the current certificate.
pub fn renew(dir: &TlsDir, names: &[String], ips: &[IpAddr], now: DateTime<Utc>) -> Result<Issued, String> {
    let ca_pem = std::fs::read_to_string(dir.ca_cert())
        .map_err(|e| format!("cannot read the local CA {}: {e}. Make one first: `xunfang-server tls init --name … --ip …`", dir.ca_cert().display()))?;
    let ca_key_pem = std::fs::read_to_string(dir.ca_key()).map_err(|e| format!("cannot read the CA key {}: {e}", dir.ca_key().display()))?;
    let ca_key = KeyPair::from_pem(&ca_key_pem).map_err(|e| format!("{} is not a private key: {e}", dir.ca_key().display()))?;
    let ca_der = read_chain(&dir.ca_cert())?.remove(0);
    let ca_info = CertInfo::parse(&ca_der).map_err(|e| format!("cannot read {}: {e}", dir.ca_cert().display()))?;
    if ca_info.spki != ca_key.subject_public_key_info() {
        return Err(format!("the key {} is not the key of the CA {}; put back the pair `tls init` wrote", dir.ca_key().display(), dir.ca_cert().display()));
    }
    if ca_info.not_after < now + chrono::Duration::days(SERVER_DAYS) {
        tracing::warn!(
            "the local CA expires on {}: before then make a new one (`tls init` in an empty directory) and install it on every tablet",
            day(ca_info.not_after)
        );
    }
    let sans = if names.is_empty() && ips.is_empty() {
        let current = read_chain(&dir.server_cert())?.remove(0);
        let info = CertInfo::parse(&current).map_err(|e| format!("cannot read {}: {e}", dir.server_cert().display()))?;
        let (names, ips): (Vec<String>, Vec<String>) = info.names.into_iter().partition(|n| n.parse::<IpAddr>().is_err());
        sans(&names, &ips.iter().filter_map(|ip| ip.parse().ok()).collect::<Vec<_>>())?
    } else {
        sans(names, ips)?
    };
    let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key).map_err(|e| format!("cannot use the CA {}: {e}", dir.ca_cert().display()))?;
    issue(dir, &issuer, ca_pem, sans, now)
}

/// Signs the server certificate and writes it with its key, replacing any
/// earlier pair only once both new files are complete.
fn issue(dir: &TlsDir, issuer: &Issuer<'_, KeyPair>, ca_pem: String, sans: Vec<SanType>, now: DateTime<Utc>) -> Result<Issued, String> {
    let key = KeyPair::generate().map_err(|e| format!("cannot make a key: {e}"))?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, display_name(&sans));
    params.subject_alt_names = sans;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    // A day back: a tablet whose clock is a little behind still accepts it.
    params.not_before = midnight!(now - chrono::Duration::days(1));
    let not_after = now + chrono::Duration::days(SERVER_DAYS);
    params.not_after = midnight!(not_after);
    params.serial_number = Some(serial()?);
    let cert = params.signed_by(&key, issuer).map_err(|e| format!("cannot sign the server certificate: {e}"))?;

    let cert_tmp = dir.0.join("server.crt.new");
    let key_tmp = dir.0.join("server.key.new");
    let _ = std::fs::remove_file(&cert_tmp);
    let _ = std::fs::remove_file(&key_tmp);
    // The chain: the server's certificate, then the CA's, so a client that
    // matches the CA (a pinned key, a trust store) finds it in the handshake.
    write_new(&cert_tmp, format!("{}{}", cert.pem(), ca_pem).as_bytes(), false)?;
    write_new(&key_tmp, key.serialize_pem().as_bytes(), true)?;
    std::fs::rename(&key_tmp, dir.server_key()).map_err(|e| format!("cannot replace {}: {e}", dir.server_key().display()))?;
    std::fs::rename(&cert_tmp, dir.server_cert()).map_err(|e| format!("cannot replace {}: {e}", dir.server_cert().display()))?;

    let ca_der = read_chain(&dir.ca_cert())?.remove(0);
    let ca_info = CertInfo::parse(&ca_der)?;
    let names = CertInfo::parse(cert.der())?.names;
    Ok(Issued { names, not_after, ca_spki_sha256: spki_sha256(&ca_info.spki) })
}

/// Base64 of the SHA-256 of a SubjectPublicKeyInfo (Chromium's form for
/// `--ignore-certificate-errors-spki-list`, HPKP's pin format).
pub fn spki_sha256(spki: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki))
}

/// The names checked as DNS names (letters, digits, `-`, dots; no wildcard)
/// and the IPs, at least one in all.
fn sans(names: &[String], ips: &[IpAddr]) -> Result<Vec<SanType>, String> {
    if names.is_empty() && ips.is_empty() {
        return Err("name at least one address the tablets open: --name office.lan and/or --ip 192.168.1.10".into());
    }
    let mut sans = Vec::new();
    for name in names {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        let label_ok =
            |l: &str| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if name.len() > 253 || !name.split('.').all(label_ok) || name.parse::<IpAddr>().is_ok() {
            return Err(format!("\"{name}\" is not a host name (letters, digits, '-' and dots, e.g. office.lan); give IP addresses with --ip"));
        }
        sans.push(SanType::DnsName(name.clone().try_into().map_err(|e| format!("\"{name}\": {e}"))?));
    }
    sans.extend(ips.iter().copied().map(SanType::IpAddress));
    Ok(sans)
}

/// The first name, for the certificates' common names.
fn display_name(sans: &[SanType]) -> String {
    match sans.first() {
        Some(SanType::DnsName(name)) => name.as_str().to_string(),
        Some(SanType::IpAddress(ip)) => ip.to_string(),
        _ => "office".into(),
    }
}

/// A random positive serial number (browsers refuse two certificates of one
/// CA with the same serial).
fn serial() -> Result<SerialNumber, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers: {e}"))?;
    bytes[0] &= 0x7f;
    Ok(SerialNumber::from_slice(&bytes))
}

/// Writes a file that must not exist yet; `secret` files are owner-only.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
