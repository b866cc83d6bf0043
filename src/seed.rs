//! `ffc seed --families N [--seed S]`: fills the database with synthetic families for load tests
//! and benchmarks: households of 1 to 8 people with ages, valid NHS, National Insurance and pupil
//! numbers, postcodes, and evidence (school terms, offences, anti-social behaviour, benefits,
//! local filter facts), lead workers with a caseload each (about a third of families allocated),
//! and referrals to the commissioned services without a capacity limit (one family in twenty;
//! requested, accepted, in progress or completed, each with its history, resting on a recorded
//! override as consent is not seeded). Rows go in through COPY on a plain tokio-postgres connection, in chunks
//! of 10,000 families each committed on its own; the same seed gives the same rows (ids
//! included), so runs can be compared.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};

use chrono::{Days, NaiveDate};
use futures_util::SinkExt;
use uuid::Uuid;

/// Families per COPY round (and per transaction).
const CHUNK: u64 = 10_000;

/// A small, fast, reproducible generator (SplitMix64); not for anything secret.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent` in 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn uuid(&mut self) -> Uuid {
        let (a, b) = (self.next_u64(), self.next_u64());
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_be_bytes());
        bytes[8..].copy_from_slice(&b.to_be_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    fn digits(&mut self, n: usize) -> Vec<u32> {
        (0..n).map(|_| self.below(10) as u32).collect()
    }
}

/// An NHS number with a valid modulus-11 check digit.
pub fn nhs_number(rng: &mut Rng) -> String {
    loop {
        let d = rng.digits(9);
        let sum: u32 = d.iter().zip((2..=10u32).rev()).map(|(x, w)| x * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        return d
            .iter()
            .chain([check].iter())
            .map(|x| x.to_string())
            .collect();
    }
}

/// A Unique Pupil Number with its mod-23 check letter.
pub fn upn(rng: &mut Rng) -> String {
    const ALPHABET: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";
    let d = rng.digits(12);
    let weighted: u32 = d[..11].iter().zip(2u32..).map(|(x, w)| x * w).sum::<u32>() + 13 * d[11];
    let mut s = String::with_capacity(13);
    s.push(ALPHABET[(weighted % 23) as usize] as char);
    for x in d {
        s.push(char::from(b'0' + x as u8));
    }
    s
}

/// A National Insurance number from prefixes HMRC issues.
pub fn ni_number(rng: &mut Rng) -> String {
    let prefix = rng.pick(&[
        "AB", "CE", "JH", "KL", "MA", "NP", "PR", "SC", "TW", "WR", "YZ",
    ]);
    let suffix = rng.pick(&["A", "B", "C", "D"]);
    let d: String = rng.digits(6).iter().map(|x| x.to_string()).collect();
    format!("{prefix}{d}{suffix}")
}

const POSTCODES: [&str; 20] = [
    "S60 1AE", "S60 2AA", "S61 1BD", "S62 6EB", "S63 7QP", "S65 1AA", "S66 2HL", "S25 1AB",
    "S26 4WD", "S81 7AA", "LS1 4AP", "M1 1AE", "B1 1BB", "NE1 7RU", "L1 8JQ", "S1 2HE", "S2 4SU",
    "DN1 1AA", "S70 2TA", "S35 0AA",
];
const GIVEN: [&str; 12] = [
    "Alex", "Sam", "Jo", "Chris", "Pat", "Lee", "Kim", "Ash", "Robin", "Jamie", "Casey", "Morgan",
];
const FAMILY: [&str; 10] = [
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Khan", "Walker",
];
const TENURES: [&str; 4] = [
    "social_rent_council",
    "private_rent",
    "owner_occupier",
    "social_rent_housing_association",
];

fn day(from: NaiveDate, rng: &mut Rng, span_days: u64) -> NaiveDate {
    from + Days::new(rng.below(span_days))
}

/// What was written.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub families: u64,
    pub members: u64,
    pub evidence: u64,
    pub allocations: u64,
    pub referrals: u64,
}

/// The COPY text of one chunk: families, members, evidence, allocations and referrals.
#[derive(Default)]
struct Chunk {
    families: String,
    members: String,
    evidence: String,
    allocations: String,
    referrals: String,
    referral_events: String,
    counts: Counts,
}

/// One lead worker for every this many families (a caseload of about 13 allocated families).
const FAMILIES_PER_WORKER: u64 = 40;
/// Services the seeder refers to: those without a capacity limit, so any number may be open.
const SERVICES: [(&str, &str); 4] = [
    ("ywca-family-support", "ywca"),
    ("mind-intensive-family-support", "rotherham-mind"),
    ("ffc-employment-adviser", "dwp"),
    ("esf-employment-support", "wiseability"),
];
/// A referral's path as (action, from, to), and how far along it each seeded referral got.
const PATH: [(&str, &str, &str); 4] = [
    ("create", "\\N", "requested"),
    ("accept", "requested", "accepted"),
    ("start", "accepted", "in_progress"),
    ("complete", "in_progress", "completed"),
];

/// The lead workers' staff rows and ids: as many as the families need, same ids for a seed.
/// Subjects name the seed, so databases seeded twice with different seeds keep both sets.
fn workers(families: u64, seed: u64) -> (String, Vec<Uuid>) {
    let mut rng = Rng::new(seed ^ 0x5EED_57AF);
    let mut rows = String::new();
    let ids: Vec<Uuid> = (1..=families.div_ceil(FAMILIES_PER_WORKER))
        .map(|k| {
            let id = rng.uuid();
            let _ = writeln!(
                rows,
                "{id}\tseed-{seed}-lead-worker-{k}\tLead Worker {k}\tlead_worker\tRotherham MBC"
            );
            id
        })
        .collect();
    (rows, ids)
}

fn family(rng: &mut Rng, n: u64, workers: &[Uuid], out: &mut Chunk) {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
    let id = rng.uuid();
    let tenure = rng.pick(&TENURES);
    let postcode = rng.pick(&POSTCODES);
    let _ = writeln!(
        out.families,
        "{id}\t{n} Synthetic Street\tRotherham\t{postcode}\t{tenure}\t{}",
        1 + rng.below(5)
    );
    out.counts.families += 1;
    // 1 to 8 people: one or two adults, then children (most households 2 to 5).
    let adults = 1 + rng.below(2);
    let size = (adults + rng.below(4) + u64::from(rng.chance(10)) * rng.below(4)).clamp(1, 8);
    let surname = rng.pick(&FAMILY);
    let mut first_adult = None;
    for k in 0..size {
        let member = rng.uuid();
        first_adult.get_or_insert(member);
        let adult = k < adults;
        let dob = if adult {
            day(d(1960, 1, 1), rng, 11_000)
        } else {
            day(d(1996, 9, 1), rng, 5_800)
        };
        let gender = rng.pick(&["female", "male"]);
        let nhs = nhs_number(rng);
        let (ni, upn) = if adult {
            (ni_number(rng), "\\N".to_string())
        } else {
            ("\\N".to_string(), upn(rng))
        };
        let _ = writeln!(
            out.members,
            "{member}\t{id}\t{}\t{}\t{}\t{surname}\t{dob}\t{gender}\t{nhs}\t{ni}\t{upn}",
            if adult { "adult" } else { "child" },
            if adult { "parent" } else { "child" },
            rng.pick(&GIVEN),
        );
        out.counts.members += 1;
        let mut ev = |line: String| {
            out.evidence.push_str(&line);
            out.counts.evidence += 1;
        };
        if !adult {
            for (y, term, starts) in [
                (2011, "summer", d(2012, 4, 16)),
                (2012, "autumn", d(2012, 9, 3)),
                (2012, "spring", d(2013, 1, 7)),
            ] {
                let absent = if k % 3 == 0 {
                    rng.below(60)
                } else {
                    rng.below(8)
                };
                let unauthorised = absent / 2 + rng.below(2) * (absent % 2);
                ev(format!(
                    "{}\t{id}\t{member}\tschool_term\tschool\t{starts}\t\\N\t\\N\t{y}\t{term}\t140\t{}\t{unauthorised}\t{}\t\\N\t\\N\tseed\n",
                    rng.uuid(),
                    140 - absent,
                    u64::from(rng.chance(5)),
                ));
            }
        }
        if rng.chance(8) {
            ev(format!(
                "{}\t{id}\t{member}\tproven_offence\tpolice\t{}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\tseed\n",
                rng.uuid(),
                day(d(2012, 7, 1), rng, 300)
            ));
        }
        if rng.chance(5) {
            let kind = rng.pick(&[
                "asbo",
                "injunction",
                "acceptable_behaviour_contract",
                "housing_asb_action",
            ]);
            ev(format!(
                "{}\t{id}\t{member}\tasb_intervention\tpolice\t{}\t\\N\t{kind}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\tseed\n",
                rng.uuid(),
                day(d(2012, 6, 1), rng, 360)
            ));
        }
        if adult && rng.chance(45) {
            let ends = if rng.chance(30) {
                "2013-01-01".to_string()
            } else {
                "\\N".into()
            };
            let benefit = rng.pick(&[
                "jobseekers_allowance",
                "employment_support_allowance",
                "income_support",
            ]);
            ev(format!(
                "{}\t{id}\t{member}\tout_of_work_benefit\tdwp\t{}\t{ends}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t{benefit}\t\\N\tseed\n",
                rng.uuid(),
                day(d(2009, 1, 1), rng, 1400)
            ));
        }
    }
    if rng.chance(15) {
        let filter = rng.pick(&[
            "adult_mental_health",
            "domestic_abuse",
            "substance_misuse",
            "benefit_cap",
        ]);
        out.evidence.push_str(&format!(
            "{}\t{id}\t\\N\tlocal_filter\tsocial_care\t{}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t{filter}\tseed\n",
            rng.uuid(),
            day(d(2011, 1, 1), rng, 800)
        ));
        out.counts.evidence += 1;
    }
    if rng.chance(33) {
        let worker = workers[rng.below(workers.len() as u64) as usize];
        let _ = writeln!(
            out.allocations,
            "{}\t{id}\t{worker}\t{}T09:00:00Z\tseed",
            rng.uuid(),
            day(d(2012, 9, 1), rng, 400)
        );
        out.counts.allocations += 1;
    }
    if rng.chance(5) {
        let referral = rng.uuid();
        let (service, organisation) = SERVICES[rng.below(SERVICES.len() as u64) as usize];
        // Most are open (accepted or in progress), as a provider's caseload is.
        let steps = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4][rng.below(10) as usize];
        let (_, _, status) = PATH[steps - 1];
        let outcome = if status == "completed" {
            "Engaged throughout; goals met"
        } else {
            "\\N"
        };
        let member = first_adult.expect("every household has an adult");
        let referred_on = day(d(2013, 4, 1), rng, 700);
        let _ = writeln!(
            out.referrals,
            "{referral}\t{id}\t{member}\t{service}\t{organisation}\t{status}\t\
             Synthetic referral for load tests\t{referred_on}\t\
             Synthetic data: consent is not seeded\tseed\t{outcome}\tseed",
        );
        // A referral's history is read in id order: time-ordered ids, a step a week apart.
        let start = referred_on
            .and_hms_opt(9, 0, 0)
            .expect("time")
            .and_utc()
            .timestamp_millis() as u64;
        for (step, (action, from, to)) in PATH[..steps].iter().enumerate() {
            let mut random = [0u8; 10];
            random.copy_from_slice(&rng.uuid().as_bytes()[..10]);
            let at = start + step as u64 * 7 * 24 * 3_600_000;
            let event = uuid::Builder::from_unix_timestamp_millis(at, &random).into_uuid();
            let _ = writeln!(
                out.referral_events,
                "{event}\t{referral}\t{action}\t{from}\t{to}\tseed"
            );
        }
        out.counts.referrals += 1;
    }
}

async fn copy(
    client: &tokio_postgres::Transaction<'_>,
    sql: &str,
    data: String,
) -> Result<(), String> {
    let sink = client
        .copy_in(sql)
        .await
        .map_err(|e| format!("{sql}: {e}"))?;
    futures_util::pin_mut!(sink);
    sink.send(bytes::Bytes::from(data))
        .await
        .map_err(|e| format!("{sql}: {e}"))?;
    sink.finish().await.map_err(|e| format!("{sql}: {e}"))?;
    Ok(())
}

/// COPYs each (statement, rows) in one transaction; empty ones are skipped.
async fn copy_all(
    client: &mut tokio_postgres::Client,
    parts: Vec<(&str, String)>,
) -> Result<(), String> {
    let tx = client
        .transaction()
        .await
        .map_err(|e| format!("transaction: {e}"))?;
    for (sql, rows) in parts.into_iter().filter(|(_, rows)| !rows.is_empty()) {
        copy(&tx, sql, rows).await?;
    }
    tx.commit().await.map_err(|e| format!("commit: {e}"))
}

/// Seeds `families` families as the owner role; returns (families, members, evidence) written.
pub async fn seed(owner_url: &str, families: u64, seed: u64) -> Result<Counts, String> {
    let (mut client, conn) = tokio_postgres::connect(owner_url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    tokio::spawn(conn);
    // The audit trail records who changed what through the API; seeding is not that, and says so
    // once, in the log.
    log::info!("seeding {families} synthetic families (seed {seed})");
    let mut rng = Rng::new(seed);
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut totals = Counts::default();
    let (staff, workers) = workers(families, seed);
    copy_all(
        &mut client,
        vec![(
            "COPY staff (id, subject, name, staff_role, organisation) FROM STDIN",
            staff,
        )],
    )
    .await?;
    let mut done = 0u64;
    let mut last_tenth = 0;
    while done < families {
        let n = CHUNK.min(families - done);
        let mut chunk = Chunk::default();
        for i in 0..n {
            family(&mut rng, done + i + 1, &workers, &mut chunk);
        }
        let Chunk {
            families: f,
            members,
            evidence,
            allocations,
            referrals,
            referral_events,
            counts,
        } = chunk;
        copy_all(
            &mut client,
            vec![
                (
                    "COPY families (id, address_line1, town, postcode, housing_tenure, bedrooms) \
                     FROM STDIN",
                    f,
                ),
                (
                    "COPY members (id, family_id, member_role, relationship, given_name, \
                     family_name, date_of_birth, gender, nhs_number, ni_number, upn) FROM STDIN",
                    members,
                ),
                (
                    "COPY evidence (id, family_id, member_id, kind, source, occurred_on, ends_on, \
                     intervention_kind, academic_year, term, possible_sessions, \
                     sessions_attended, unauthorised_absences, fixed_term_exclusions, \
                     benefit_type, filter, recorded_by) FROM STDIN",
                    evidence,
                ),
                (
                    "COPY allocations (id, family_id, staff_id, started_at, allocated_by) \
                     FROM STDIN",
                    allocations,
                ),
                (
                    "COPY referrals (id, family_id, member_id, service_code, organisation, \
                     status, reason, referred_on, consent_override, override_by, outcome, \
                     referred_by) FROM STDIN",
                    referrals,
                ),
                (
                    "COPY referral_events (id, referral_id, action, from_status, to_status, \
                     actor) FROM STDIN",
                    referral_events,
                ),
            ],
        )
        .await?;
        done += n;
        totals.families += counts.families;
        totals.members += counts.members;
        totals.evidence += counts.evidence;
        totals.allocations += counts.allocations;
        totals.referrals += counts.referrals;
        let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
        let tenth = done * 10 / families;
        if tty {
            let bar: String = (0..30)
                .map(|i| if i < done * 30 / families { '#' } else { '.' })
                .collect();
            eprint!(
                "\r[{bar}] {:>3}% {done}/{families} families, {rate:.0}/s",
                done * 100 / families
            );
            let _ = std::io::stderr().flush();
        } else if tenth > last_tenth || done == families {
            eprintln!(
                "{:>3}% {done}/{families} families, {rate:.0}/s",
                done * 100 / families
            );
        }
        last_tenth = tenth;
    }
    if tty {
        eprintln!();
    }
    client
        .batch_execute(
            "ANALYZE families; ANALYZE members; ANALYZE evidence; ANALYZE staff; \
             ANALYZE allocations; ANALYZE referrals; ANALYZE referral_events",
        )
        .await
        .map_err(|e| format!("analyze: {e}"))?;
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identifiers::{normalise_nhs_number, normalise_ni_number, normalise_upn};

    #[test]
    fn generated_identifiers_pass_the_services_own_checks() {
        let mut rng = Rng::new(42);
        for _ in 0..2000 {
            let n = nhs_number(&mut rng);
            assert_eq!(normalise_nhs_number(&n).as_deref(), Ok(n.as_str()));
            let u = upn(&mut rng);
            assert_eq!(normalise_upn(&u).as_deref(), Ok(u.as_str()));
            let ni = ni_number(&mut rng);
            assert_eq!(normalise_ni_number(&ni).as_deref(), Ok(ni.as_str()));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_families() {
        let run = |seed| {
            let ids = workers(50, seed).1;
            let mut rng = Rng::new(seed);
            let mut c = Chunk::default();
            for i in 0..50 {
                family(&mut rng, i, &ids, &mut c);
            }
            (
                c.families,
                c.members,
                c.evidence,
                c.allocations,
                c.referrals,
            )
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn households_have_one_to_eight_people() {
        let mut rng = Rng::new(1);
        let ids = workers(2000, 1).1;
        let mut c = Chunk::default();
        for i in 0..2000 {
            family(&mut rng, i, &ids, &mut c);
        }
        let mut per: std::collections::HashMap<&str, usize> = Default::default();
        for line in c.members.lines() {
            *per.entry(line.split('\t').nth(1).unwrap()).or_default() += 1;
        }
        assert_eq!(per.len(), 2000);
        assert!(per.values().all(|n| (1..=8).contains(n)));
        assert!(per.values().any(|n| *n >= 6));
        // About a third allocated, one in twenty referred, each referral with its history.
        assert!((500..800).contains(&c.counts.allocations), "{:?}", c.counts);
        assert!((60..140).contains(&c.counts.referrals), "{:?}", c.counts);
        let events = c.referral_events.lines().count() as u64;
        assert!(events >= c.counts.referrals && events <= 4 * c.counts.referrals);
        for r in c.referrals.lines() {
            let f: Vec<&str> = r.split('\t').collect();
            let history: Vec<&str> = c
                .referral_events
                .lines()
                .filter(|e| e.split('\t').nth(1) == Some(f[0]))
                .collect();
            // In id order (how the service reads a history) the moves follow the path, and the
            // last ends in the referral's status; only completed ones carry an outcome.
            let mut ordered = history.clone();
            ordered.sort_by_key(|e| e.split('\t').next().unwrap().to_string());
            assert_eq!(ordered, history, "{r}");
            assert_eq!(history[0].split('\t').nth(2), Some("create"));
            assert_eq!(history.last().unwrap().split('\t').nth(4), Some(f[5]));
            assert_eq!(f[5] == "completed", f[10] != "\\N", "{r}");
        }
    }
}
