use super::*;

fn key(b: u8) -> Key {
    Key::from_bytes([b; KEY_LEN])
}

#[test]
fn a_sealed_value_opens_with_its_key_and_holds_no_plain_text() {
    let plain = "会议记录：张三 13800138000".as_bytes();
    let envelope = key(7).seal([1; IV_LEN], plain);
    assert_eq!(envelope[0], ENVELOPE_VERSION);
    assert_eq!(&envelope[1..1 + IV_LEN], &[1; IV_LEN]);
    assert_eq!(envelope.len(), 1 + IV_LEN + plain.len() + 16);
    assert!(!envelope.windows(3).any(|w| plain.windows(3).any(|p| p == w)), "no three plain bytes in a row survive");
    assert_eq!(key(7).open(&envelope).unwrap(), plain);
}

#[test]
fn another_key_or_an_altered_byte_does_not_open() {
    let envelope = key(7).seal([2; IV_LEN], b"record text");
    assert_eq!(key(8).open(&envelope), Err(VaultError::WrongKey));
    for i in 1..envelope.len() {
        let mut altered = envelope.clone();
        altered[i] ^= 0x01;
        assert_eq!(key(7).open(&altered), Err(VaultError::WrongKey), "byte {i}");
    }
}

#[test]
fn an_unknown_version_or_a_short_value_is_malformed() {
    let mut envelope = key(7).seal([3; IV_LEN], b"x");
    envelope[0] = 9;
    assert_eq!(key(7).open(&envelope), Err(VaultError::Malformed));
    assert_eq!(key(7).open(&[ENVELOPE_VERSION; 28]), Err(VaultError::Malformed));
    assert_eq!(key(7).open(&[]), Err(VaultError::Malformed));
}

/// A record's JSON as the app stores it: field names and phrases repeat.
fn record_json() -> Vec<u8> {
    let entry = r#"{"name":"张三","phone":"13800138000","note":"反映村道年久失修，雨天无法通行"}"#;
    format!(r#"{{"id":"0190","title":"走访群众","attendees":[{}]}}"#, vec![entry; 20].join(",")).into_bytes()
}

#[test]
fn a_stored_value_is_compressed_before_sealing_and_opens_to_the_same_bytes() {
    let plain = record_json();
    let packed = key(7).seal_packed([1; IV_LEN], &plain);
    assert_eq!(packed[0], ENVELOPE_PACKED);
    assert!(packed.len() * 3 < plain.len(), "{} sealed bytes for {} plain", packed.len(), plain.len());
    assert!(!packed.windows(3).any(|w| plain.windows(3).any(|p| p == w)), "no three plain bytes in a row survive");
    assert_eq!(key(7).open(&packed).unwrap(), plain);
    assert_eq!(key(8).open(&packed), Err(VaultError::WrongKey));
}

#[test]
fn a_value_that_does_not_compress_is_sealed_as_version_1() {
    // Bytes without repeats, like a photo's.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let plain: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect();
    let envelope = key(7).seal_packed([2; IV_LEN], &plain);
    assert_eq!(envelope[0], ENVELOPE_VERSION);
    assert_eq!(envelope.len(), 1 + IV_LEN + plain.len() + 16);
    assert_eq!(key(7).open(&envelope).unwrap(), plain);
}

#[test]
fn an_envelope_of_the_previous_release_still_opens_and_a_relabelled_one_does_not() {
    let plain = record_json();
    // What the release before version 2 stored for every value.
    let old = key(7).seal([3; IV_LEN], &plain);
    assert_eq!(key(7).open(&old).unwrap(), plain);
    let mut as_packed = old.clone();
    as_packed[0] = ENVELOPE_PACKED;
    assert_eq!(key(7).open(&as_packed), Err(VaultError::WrongKey), "the version byte is authenticated");
    let mut as_old = key(7).seal_packed([3; IV_LEN], &plain);
    as_old[0] = ENVELOPE_VERSION;
    assert_eq!(key(7).open(&as_old), Err(VaultError::WrongKey));
}

#[test]
fn a_packed_value_announcing_a_huge_or_wrong_length_is_malformed_not_allocated() {
    let seal_body = |body: &[u8]| {
        let sealed = key(7).cipher.encrypt(Nonce::from_slice(&[4; IV_LEN]), Payload { msg: body, aad: &[ENVELOPE_PACKED] }).unwrap();
        [&[ENVELOPE_PACKED][..], &[4; IV_LEN], &sealed].concat()
    };
    let mut huge = lz4_flex::block::compress_prepend_size(&record_json());
    huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(key(7).open(&seal_body(&huge)), Err(VaultError::Malformed));
    let mut longer = lz4_flex::block::compress_prepend_size(&record_json());
    let len = u32::from_le_bytes(longer[..4].try_into().unwrap());
    longer[..4].copy_from_slice(&(len + 1).to_le_bytes());
    assert_eq!(key(7).open(&seal_body(&longer)), Err(VaultError::Malformed), "a block shorter than it says");
    assert_eq!(key(7).open(&seal_body(&[1, 2])), Err(VaultError::Malformed), "no room for the length");
    assert_eq!(key(7).open(&seal_body(&[200, 0, 0, 0, 0xff, 0xff])), Err(VaultError::Malformed), "not an LZ4 block");
}

#[test]
fn pack_and_unpack_are_what_a_platform_aes_gcm_wraps() {
    let plain = record_json();
    let (version, body) = pack(&plain);
    assert_eq!((version, additional_data(version)), (ENVELOPE_PACKED, vec![ENVELOPE_PACKED]));
    assert_eq!(unpack(version, body.into_owned()).unwrap(), plain);
    let (version, body) = pack(b"ab");
    assert_eq!((version, &*body, additional_data(version)), (ENVELOPE_VERSION, &b"ab"[..], vec![]));
}

#[test]
fn the_same_text_sealed_with_two_ivs_looks_different() {
    assert_ne!(key(7).seal([4; IV_LEN], b"same"), key(7).seal([5; IV_LEN], b"same"));
}

#[test]
fn a_sealed_text_round_trips_and_is_recognised() {
    let sealed = key(9).seal_text([6; IV_LEN], "token-abc");
    assert!(is_sealed_text(&sealed) && !sealed.contains("token-abc"));
    assert_eq!(key(9).open_text(&sealed).unwrap(), "token-abc");
    assert!(!is_sealed_text("token-abc"));
    assert_eq!(key(9).open_text("sealed1:zz"), Err(VaultError::Malformed));
    assert_eq!(key(1).open_text(&sealed), Err(VaultError::WrongKey));
}

#[test]
fn a_new_passcode_rewraps_the_same_data_key() {
    let data = key(42);
    let first = WrappedKey::new(SecretKind::Pin, [1; SALT_LEN], ITERATIONS, &key(1), [1; IV_LEN], &data);
    let envelope = data.seal([7; IV_LEN], b"stored before the change");
    let second = WrappedKey::new(SecretKind::Passcode, [2; SALT_LEN], ITERATIONS, &key(2), [2; IV_LEN], &first.unwrap_with(&key(1)).unwrap());
    assert_eq!(second.unwrap_with(&key(2)).unwrap().open(&envelope).unwrap(), b"stored before the change");
    assert_eq!(second.unwrap_with(&key(1)).unwrap_err(), VaultError::WrongKey);
    assert!(!second.wrapped.contains(&hex(&[42; KEY_LEN])), "the data key is never stored as it is");
}

#[test]
fn a_tampered_key_record_is_refused_before_any_derivation() {
    let good = WrappedKey::new(SecretKind::Pin, [1; SALT_LEN], ITERATIONS, &key(1), [1; IV_LEN], &key(2));
    assert_eq!(good.salt_bytes().unwrap(), vec![1; SALT_LEN]);
    for bad in [
        WrappedKey { iterations: 1, ..good.clone() },
        WrappedKey { iterations: u32::MAX, ..good.clone() },
        WrappedKey { salt: "0102".into(), ..good.clone() },
        WrappedKey { salt: "not hex".into(), ..good.clone() },
    ] {
        assert_eq!(bad.salt_bytes(), Err(VaultError::Malformed), "{bad:?}");
    }
    assert_eq!(WrappedKey { wrapped: "xyz".into(), ..good.clone() }.unwrap_with(&key(1)).unwrap_err(), VaultError::Malformed);
}

#[test]
fn a_key_never_prints_its_bytes() {
    assert_eq!(format!("{:?}", key(0xab)), "Key(…)");
}

#[test]
fn a_pin_is_six_digits_and_not_the_first_guess() {
    assert_eq!(check_new_secret(SecretKind::Pin, "480217"), Ok(()));
    for short in ["12345", "1234567", "12a456", "１２３４５６", ""] {
        assert_eq!(check_new_secret(SecretKind::Pin, short), Err(PasscodeProblem::PinNotSixDigits), "{short}");
    }
    for simple in ["000000", "777777", "123456", "654321", "345678"] {
        assert_eq!(check_new_secret(SecretKind::Pin, simple), Err(PasscodeProblem::PinTooSimple), "{simple}");
    }
    assert_eq!(check_new_secret(SecretKind::Pin, "135791"), Ok(()));
}

#[test]
fn a_passcode_has_eight_characters_or_more() {
    assert_eq!(check_new_secret(SecretKind::Passcode, "联络站二〇二六"), Err(PasscodeProblem::PasscodeTooShort));
    assert_eq!(check_new_secret(SecretKind::Passcode, "联络站二〇二六年"), Ok(()));
}

#[test]
fn the_first_three_wrong_tries_cost_nothing_then_the_wait_grows() {
    let waits: Vec<u32> = (0..=12).map(delay_secs).collect();
    assert_eq!(waits, [0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300, 300]);
    assert_eq!(delay_secs(u32::MAX), 300);
}

#[test]
fn the_tablet_warns_before_it_erases_and_erases_at_the_limit() {
    let policy = LockPolicy { max_tries: 10, ..LockPolicy::default() };
    assert_eq!(policy.after_failure(1), AfterFailure::Wait { seconds: 0, tries_left: 9, warn: false });
    assert_eq!(policy.after_failure(6), AfterFailure::Wait { seconds: 20, tries_left: 4, warn: false });
    assert_eq!(policy.after_failure(7), AfterFailure::Wait { seconds: 40, tries_left: 3, warn: true });
    assert_eq!(policy.after_failure(9), AfterFailure::Wait { seconds: 160, tries_left: 1, warn: true });
    assert_eq!(policy.after_failure(10), AfterFailure::Erase);
    // A stored limit below the bounds is read as the lowest allowed, never as "erase at once".
    assert_eq!(LockPolicy { max_tries: 0, ..policy }.after_failure(1), AfterFailure::Wait { seconds: 0, tries_left: 2, warn: true });
}

#[test]
fn the_wait_counts_down_and_a_clock_set_back_does_not_skip_it() {
    let tries = Tries { failures: 5, last_failure_ms: 100_000.0 };
    assert_eq!(tries.wait_secs(100_000.0), 10);
    assert_eq!(tries.wait_secs(104_500.0), 6);
    assert_eq!(tries.wait_secs(111_000.0), 0);
    assert_eq!(tries.wait_secs(50_000.0), 10);
    assert_eq!(tries.wait_secs(f64::NAN), 10);
    assert_eq!(Tries::default().wait_secs(0.0), 0);
}

#[test]
fn the_app_locks_when_idle_or_hidden_for_the_chosen_minutes() {
    let policy = LockPolicy { idle_minutes: 5, ..LockPolicy::default() };
    let min = 60_000.0;
    assert!(!policy.lock_due(4.0 * min, 0.0, None));
    assert!(policy.lock_due(5.0 * min, 0.0, None));
    // Hidden for less than the limit, used just before: stays open.
    assert!(!policy.lock_due(10.0 * min, 9.0 * min, Some(6.0 * min)));
    assert!(policy.lock_due(12.0 * min, 11.5 * min, Some(7.0 * min)));
    // A clock that jumped back: the time since use is unknown, so lock.
    assert!(policy.lock_due(1.0 * min, 3.0 * min, None));
    assert!(policy.lock_due(f64::NAN, 0.0, None));
}

#[test]
fn a_stored_policy_out_of_bounds_is_clamped() {
    let wild = LockPolicy { idle_minutes: 0, max_tries: 1_000, sync_while_locked: true }.clamped();
    assert_eq!(wild, LockPolicy { idle_minutes: 1, max_tries: 50, sync_while_locked: true });
}
