//! Validation and normalisation of UK identifiers held on family case records.
//!
//! Every function is pure (no I/O). On success it returns the canonical form
//! that should be stored; on failure it returns a short message suitable for
//! an API validation error. Messages never echo the rejected value, because
//! these identifiers are personal data and must not leak into logs.

/// Letters permitted in a UPN check letter or temporary-UPN suffix (DfE omits I, O and S).
const UPN_ALPHABET: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Letters that never appear in either National Insurance prefix letter.
const NI_FORBIDDEN_PREFIX_LETTERS: &[u8] = b"DFIQUV";

/// National Insurance prefixes that HMRC does not issue.
const NI_UNISSUED_PREFIXES: [&[u8; 2]; 7] = [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"];

/// Letters never used in the inward code of a UK postcode.
const POSTCODE_INWARD_EXCLUDED: &[u8] = b"CIKMOV";

fn upn_letter_index(c: u8) -> Option<usize> {
    UPN_ALPHABET.iter().position(|&a| a == c)
}

/// Unique Pupil Number: DfE mod-23 weighted check letter catches mistyped UPNs before they mis-link pupil records.
pub fn normalise_upn(s: &str) -> Result<String, &'static str> {
    let upn = s.trim().to_ascii_uppercase();
    if upn.chars().count() != 13 {
        return Err("UPN must be 13 characters");
    }
    if !upn.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("UPN must contain only letters and digits");
    }
    let bytes = upn.as_bytes();

    let first = bytes[0];
    if !first.is_ascii_alphabetic() {
        return Err("UPN must start with a check letter");
    }
    let Some(check_index) = upn_letter_index(first) else {
        return Err("UPN check letter cannot be I, O or S");
    };

    if !bytes[1..12].iter().all(u8::is_ascii_digit) {
        return Err("UPN characters 2 to 12 must be digits");
    }

    let last = bytes[12];
    let last_value = if last.is_ascii_digit() {
        usize::from(last - b'0')
    } else {
        match upn_letter_index(last) {
            Some(i) => i,
            None => return Err("temporary UPN final letter cannot be I, O or S"),
        }
    };

    let weighted: usize = bytes[1..12]
        .iter()
        .zip(2usize..)
        .map(|(&b, p)| p * usize::from(b - b'0'))
        .sum::<usize>()
        + 13 * last_value;

    if weighted % UPN_ALPHABET.len() != check_index {
        return Err("UPN check letter does not match");
    }
    Ok(upn)
}

/// NHS number: the NHS modulus-11 check digit rejects transcription errors that would attach care records to the wrong person.
pub fn normalise_nhs_number(s: &str) -> Result<String, &'static str> {
    let trimmed = s.trim();
    let bytes = trimmed.as_bytes();
    let digits: Vec<u8> = match bytes.len() {
        10 => bytes.to_vec(),
        12 if (bytes[3] == b' ' && bytes[7] == b' ') || (bytes[3] == b'-' && bytes[7] == b'-') => {
            [&bytes[0..3], &bytes[4..7], &bytes[8..12]].concat()
        }
        _ => return Err("NHS number must be 10 digits, optionally grouped 3-3-4"),
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err("NHS number must contain only digits");
    }

    let sum: u32 = digits[..9]
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&d, w)| w * u32::from(d - b'0'))
        .sum();
    let check = match 11 - (sum % 11) {
        11 => 0,
        10 => return Err("NHS number is not valid"),
        c => c,
    };
    if check != u32::from(digits[9] - b'0') {
        return Err("NHS number check digit does not match");
    }
    Ok(String::from_utf8(digits).expect("validated as ASCII digits"))
}

/// National Insurance number: HMRC's prefix/suffix allocation rules reject numbers that can never have been issued.
pub fn normalise_ni_number(s: &str) -> Result<String, &'static str> {
    let ni: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if ni.chars().count() != 9 {
        return Err("National Insurance number must be 9 characters");
    }
    let bytes = ni.as_bytes();
    if !bytes.is_ascii() {
        return Err("National Insurance number contains invalid characters");
    }

    let (first, second) = (bytes[0], bytes[1]);
    if !first.is_ascii_alphabetic() || !second.is_ascii_alphabetic() {
        return Err("National Insurance number must start with two letters");
    }
    if NI_FORBIDDEN_PREFIX_LETTERS.contains(&first) || NI_FORBIDDEN_PREFIX_LETTERS.contains(&second)
    {
        return Err("National Insurance prefix cannot contain D, F, I, Q, U or V");
    }
    if second == b'O' {
        return Err("National Insurance prefix cannot have O as its second letter");
    }
    if NI_UNISSUED_PREFIXES.iter().any(|p| p[..] == bytes[0..2]) {
        return Err("National Insurance prefix is not issued");
    }
    if !bytes[2..8].iter().all(u8::is_ascii_digit) {
        return Err("National Insurance number must have six digits after the prefix");
    }
    if !matches!(bytes[8], b'A'..=b'D') {
        return Err("National Insurance suffix must be A, B, C or D");
    }
    Ok(ni)
}

fn is_valid_outward(o: &[u8]) -> bool {
    let a = |i: usize| o[i].is_ascii_uppercase();
    let d = |i: usize| o[i].is_ascii_digit();
    match o.len() {
        // A9
        2 => a(0) && d(1),
        // A99, A9A, AA9
        3 => a(0) && ((d(1) && (d(2) || a(2))) || (a(1) && d(2))),
        // AA99, AA9A
        4 => a(0) && a(1) && d(2) && (d(3) || a(3)),
        _ => false,
    }
}

fn is_valid_inward(i: &[u8]) -> bool {
    let letter_ok = |b: u8| b.is_ascii_uppercase() && !POSTCODE_INWARD_EXCLUDED.contains(&b);
    i.len() == 3 && i[0].is_ascii_digit() && letter_ok(i[1]) && letter_ok(i[2])
}

/// UK postcode: Royal Mail outward/inward formats, stored canonically so addresses match and group by district.
pub fn normalise_postcode(s: &str) -> Result<String, &'static str> {
    let parts: Vec<String> = s
        .split_whitespace()
        .map(|p| p.to_ascii_uppercase())
        .collect();
    let compact = match parts.as_slice() {
        [] => return Err("postcode is required"),
        [whole] => whole.clone(),
        [outward, inward] if inward.len() == 3 => format!("{outward}{inward}"),
        _ => return Err("postcode must be an outward code and a three-character inward code"),
    };
    if !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("postcode must contain only letters and digits");
    }
    if !(5..=7).contains(&compact.len()) {
        return Err("postcode must be 5 to 7 letters and digits");
    }
    if compact == "GIR0AA" {
        return Ok("GIR 0AA".to_string());
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    if !is_valid_inward(inward.as_bytes()) {
        return Err(
            "postcode inward code must be a digit and two letters (not C, I, K, M, O or V)",
        );
    }
    if !is_valid_outward(outward.as_bytes()) {
        return Err("postcode outward code is not in a recognised format");
    }
    Ok(format!("{outward} {inward}"))
}

/// Postcode district (outward code) of a postcode already passed through [`normalise_postcode`], used for area grouping.
pub fn postcode_district(normalised: &str) -> &str {
    normalised
        .split_once(' ')
        .map_or(normalised, |(outward, _)| outward)
}

/// Lower-layer super output area codes (ONS): E01 for England or W01 for Wales, then six digits.
pub fn is_lsoa(code: &str) -> bool {
    code.len() == 9
        && (code.starts_with("E01") || code.starts_with("W01"))
        && code[3..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- UPN ----

    #[test]
    fn upn_check_letter_matches_weighted_mod_23() {
        assert_eq!(
            normalise_upn("P207000016049").as_deref(),
            Ok("P207000016049")
        );
    }

    #[test]
    fn upn_wrong_check_letter_rejected() {
        assert_eq!(
            normalise_upn("B207000016049"),
            Err("UPN check letter does not match")
        );
    }

    #[test]
    fn upn_must_be_13_characters() {
        assert!(normalise_upn("P20700001604").is_err());
        assert!(normalise_upn("P2070000160490").is_err());
        assert!(normalise_upn("").is_err());
    }

    #[test]
    fn upn_rejects_non_alphanumeric_characters() {
        assert!(normalise_upn("P20700001604-").is_err());
        assert!(normalise_upn("P2070000160é9").is_err());
    }

    #[test]
    fn upn_digits_required_in_positions_2_to_12() {
        assert!(normalise_upn("P2070000A6049").is_err());
        assert!(normalise_upn("1207000016049").is_err());
    }

    #[test]
    fn upn_check_letter_excludes_i_o_s() {
        for first in ["I", "O", "S"] {
            let upn = format!("{first}207000016049");
            assert_eq!(
                normalise_upn(&upn),
                Err("UPN check letter cannot be I, O or S")
            );
        }
    }

    #[test]
    fn upn_temporary_final_letter_excludes_i_o_s() {
        for last in ["I", "O", "S"] {
            let upn = format!("M20700001604{last}");
            assert_eq!(
                normalise_upn(&upn),
                Err("temporary UPN final letter cannot be I, O or S")
            );
        }
    }

    #[test]
    fn upn_temporary_final_letter_uses_alphabet_index() {
        // A has index 0 in the UPN alphabet; check letter computes to M.
        assert_eq!(
            normalise_upn("M20700001604A").as_deref(),
            Ok("M20700001604A")
        );
        // Z has index 22; check letter computes to V.
        assert_eq!(
            normalise_upn("V93612345678Z").as_deref(),
            Ok("V93612345678Z")
        );
        assert!(normalise_upn("P20700001604A").is_err());
    }

    #[test]
    fn upn_trimmed_and_uppercased() {
        assert_eq!(
            normalise_upn("  p207000016049\n").as_deref(),
            Ok("P207000016049")
        );
        assert_eq!(
            normalise_upn("m20700001604a").as_deref(),
            Ok("M20700001604A")
        );
    }

    // ---- NHS number ----

    #[test]
    fn nhs_check_digit_matches_mod_11() {
        assert_eq!(
            normalise_nhs_number("9434765919").as_deref(),
            Ok("9434765919")
        );
        assert_eq!(
            normalise_nhs_number("9990000018").as_deref(),
            Ok("9990000018")
        );
        assert_eq!(
            normalise_nhs_number("9990000069").as_deref(),
            Ok("9990000069")
        );
    }

    #[test]
    fn nhs_wrong_check_digit_rejected() {
        assert_eq!(
            normalise_nhs_number("9434765918"),
            Err("NHS number check digit does not match")
        );
        assert!(normalise_nhs_number("9990000019").is_err());
    }

    #[test]
    fn nhs_check_of_11_means_zero() {
        // Weighted sum of 999000005 is divisible by 11.
        assert_eq!(
            normalise_nhs_number("9990000050").as_deref(),
            Ok("9990000050")
        );
        assert!(normalise_nhs_number("9990000051").is_err());
    }

    #[test]
    fn nhs_check_of_10_is_never_valid() {
        // 999000000 and 999123456 compute a check value of 10.
        for last in 0..=9 {
            let n = format!("999000000{last}");
            assert_eq!(normalise_nhs_number(&n), Err("NHS number is not valid"));
            let n = format!("999123456{last}");
            assert_eq!(normalise_nhs_number(&n), Err("NHS number is not valid"));
        }
    }

    #[test]
    fn nhs_3_3_4_grouping_with_spaces_or_hyphens_normalised() {
        assert_eq!(
            normalise_nhs_number("943 476 5919").as_deref(),
            Ok("9434765919")
        );
        assert_eq!(
            normalise_nhs_number("943-476-5919").as_deref(),
            Ok("9434765919")
        );
        assert_eq!(
            normalise_nhs_number(" 999 000 0018 ").as_deref(),
            Ok("9990000018")
        );
    }

    #[test]
    fn nhs_other_groupings_rejected() {
        assert!(normalise_nhs_number("9434 765 919").is_err());
        assert!(normalise_nhs_number("943 476-5919").is_err());
        assert!(normalise_nhs_number("943  4765919").is_err());
    }

    #[test]
    fn nhs_must_be_10_digits() {
        assert!(normalise_nhs_number("943476591").is_err());
        assert!(normalise_nhs_number("94347659190").is_err());
        assert!(normalise_nhs_number("").is_err());
    }

    #[test]
    fn nhs_rejects_letters() {
        assert_eq!(
            normalise_nhs_number("94347659A9"),
            Err("NHS number must contain only digits")
        );
        assert!(normalise_nhs_number("ABC DEF GHIJ").is_err());
    }

    // ---- National Insurance number ----

    #[test]
    fn ni_valid_format_accepted() {
        assert_eq!(normalise_ni_number("AB123456C").as_deref(), Ok("AB123456C"));
    }

    #[test]
    fn ni_spaces_removed_and_uppercased() {
        assert_eq!(
            normalise_ni_number("ab 12 34 56 c").as_deref(),
            Ok("AB123456C")
        );
    }

    #[test]
    fn ni_prefix_letters_exclude_d_f_i_q_u_v() {
        for letter in ['D', 'F', 'I', 'Q', 'U', 'V'] {
            let first = format!("{letter}A123456C");
            let second = format!("A{letter}123456C");
            assert_eq!(
                normalise_ni_number(&first),
                Err("National Insurance prefix cannot contain D, F, I, Q, U or V"),
                "first letter {letter}"
            );
            assert_eq!(
                normalise_ni_number(&second),
                Err("National Insurance prefix cannot contain D, F, I, Q, U or V"),
                "second letter {letter}"
            );
        }
    }

    #[test]
    fn ni_o_never_second_prefix_letter() {
        assert_eq!(
            normalise_ni_number("AO123456C"),
            Err("National Insurance prefix cannot have O as its second letter")
        );
        assert!(normalise_ni_number("OA123456C").is_ok());
    }

    #[test]
    fn ni_unissued_prefixes_rejected() {
        for prefix in ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"] {
            let ni = format!("{prefix}123456C");
            assert_eq!(
                normalise_ni_number(&ni),
                Err("National Insurance prefix is not issued"),
                "prefix {prefix}"
            );
        }
    }

    #[test]
    fn ni_suffix_must_be_a_to_d() {
        for suffix in ['A', 'B', 'C', 'D'] {
            assert!(normalise_ni_number(&format!("AB123456{suffix}")).is_ok());
        }
        assert_eq!(
            normalise_ni_number("AB123456E"),
            Err("National Insurance suffix must be A, B, C or D")
        );
    }

    #[test]
    fn ni_six_digits_required() {
        assert!(normalise_ni_number("AB12345XC").is_err());
    }

    #[test]
    fn ni_must_be_9_characters() {
        assert!(normalise_ni_number("AB123456").is_err());
        assert!(normalise_ni_number("AB1234567C").is_err());
        assert!(normalise_ni_number("").is_err());
    }

    // ---- Postcode ----

    #[test]
    fn postcode_format_a9() {
        assert_eq!(normalise_postcode("M1 1AE").as_deref(), Ok("M1 1AE"));
    }

    #[test]
    fn postcode_format_a99() {
        assert_eq!(normalise_postcode("B33 8TH").as_deref(), Ok("B33 8TH"));
    }

    #[test]
    fn postcode_format_a9a() {
        assert_eq!(normalise_postcode("W1A 0AX").as_deref(), Ok("W1A 0AX"));
    }

    #[test]
    fn postcode_format_aa9() {
        assert_eq!(normalise_postcode("CR2 6XH").as_deref(), Ok("CR2 6XH"));
    }

    #[test]
    fn postcode_format_aa99() {
        assert_eq!(normalise_postcode("DN55 1PT").as_deref(), Ok("DN55 1PT"));
    }

    #[test]
    fn postcode_format_aa9a() {
        assert_eq!(normalise_postcode("EC1A 1BB").as_deref(), Ok("EC1A 1BB"));
    }

    #[test]
    fn postcode_special_gir_0aa() {
        assert_eq!(normalise_postcode("GIR 0AA").as_deref(), Ok("GIR 0AA"));
        assert_eq!(normalise_postcode("gir0aa").as_deref(), Ok("GIR 0AA"));
    }

    #[test]
    fn postcode_lowercase_and_no_space_normalised() {
        assert_eq!(normalise_postcode("s601ae").as_deref(), Ok("S60 1AE"));
        assert_eq!(normalise_postcode("ec1a1bb").as_deref(), Ok("EC1A 1BB"));
    }

    #[test]
    fn postcode_whitespace_trimmed_and_collapsed() {
        assert_eq!(
            normalise_postcode("  s60 \t 1ae \n").as_deref(),
            Ok("S60 1AE")
        );
    }

    #[test]
    fn postcode_space_only_between_outward_and_inward() {
        assert!(normalise_postcode("S 601AE").is_err());
        assert!(normalise_postcode("S6 0 1AE").is_err());
    }

    #[test]
    fn postcode_outward_only_rejected() {
        assert!(normalise_postcode("S60").is_err());
        assert!(normalise_postcode("").is_err());
        assert!(normalise_postcode("   ").is_err());
    }

    #[test]
    fn postcode_digits_only_rejected() {
        assert!(normalise_postcode("123 456").is_err());
    }

    #[test]
    fn postcode_inward_letters_exclude_c_i_k_m_o_v() {
        assert!(normalise_postcode("S60 1CE").is_err());
        for letter in ['C', 'I', 'K', 'M', 'O', 'V'] {
            assert!(normalise_postcode(&format!("S60 1A{letter}")).is_err());
            assert!(normalise_postcode(&format!("S60 1{letter}A")).is_err());
        }
    }

    #[test]
    fn postcode_too_long_rejected() {
        assert!(normalise_postcode("EC1AB 1BB").is_err());
        assert!(normalise_postcode("EC1A1BBX").is_err());
    }

    #[test]
    fn postcode_bad_outward_format_rejected() {
        assert!(normalise_postcode("9A 1AA").is_err());
        assert!(normalise_postcode("ABC 1AA").is_err());
        assert!(normalise_postcode("A9AA 1AA").is_err());
        assert!(normalise_postcode("S6-0 1AE").is_err());
    }

    #[test]
    fn postcode_district_is_outward_code() {
        assert_eq!(postcode_district("S60 1AE"), "S60");
        assert_eq!(postcode_district("EC1A 1BB"), "EC1A");
        assert_eq!(postcode_district("GIR 0AA"), "GIR");
    }
}
