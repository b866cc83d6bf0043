//! Partners' bulk data: schools' term records matched by UPN; police ASB incidents, interventions
//! and offences matched by NI number, or by exact name and date of birth. A file with a
//! structural fault is refused whole; rows that fail validation or do not match exactly one
//! person are kept for review with their line numbers; the rest is imported in one transaction,
//! and a re-upload adds nothing.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::audit;
use crate::api::evidence::*;
use crate::api::imports::*;
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::evidence as eq;
use crate::db::imports::{self as q, Candidate, ImportRow, ReviewRow};
use crate::db::Pool;
use crate::domain::eligibility::{term_dates, term_index, Term};
use crate::domain::identifiers;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::reply::Reply;

pub const IMPORT: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin];
pub const READ: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin, Role::Auditor];

pub struct Import_;
impl Policy for Import_ {
    const ROLES: &'static [Role] = IMPORT;
}
pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

pub const SCHOOL_COLUMNS: [&str; 7] = [
    "upn",
    "academic_year",
    "term",
    "possible_sessions",
    "sessions_attended",
    "unauthorised_absences",
    "fixed_term_exclusions",
];
pub const POLICE_COLUMNS: [&str; 7] = [
    "record_type",
    "date",
    "ni_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "intervention_kind",
];

/// One data row of the file: its line and its values by column.
struct Line {
    line: i32,
    values: HashMap<String, String>,
}

impl Line {
    fn get(&self, col: &str) -> Option<&str> {
        self.values
            .get(col)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn fields(&self) -> serde_json::Value {
        serde_json::to_value(&self.values).expect("map serialises")
    }
}

/// How a row is to be matched to a person.
enum Key {
    Upn(String),
    Ni(String),
    NameDob(String),
}

struct Parsed {
    line: Line,
    key: Key,
    /// The record, without its member yet.
    record: EvidenceCreate,
}

fn structural(message: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new("file", message)])
}

/// Reads the file: UTF-8, a header naming every required column. Anything else is structural.
fn read(bytes: &[u8], required: &[&str]) -> ApiResult<Vec<Line>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        structural(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| structural(format!("unreadable header line: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<FieldError> = required
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .map(|c| FieldError::new(format!("file: column {c}"), "missing from the header line"))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| structural(format!("line {}: {e}", i + 2)))?;
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let values = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect();
        lines.push(Line {
            line: i as i32 + 2,
            values,
        });
    }
    if lines.len() > 100_000 {
        return Err(structural("more than 100,000 rows: split the file".into()));
    }
    Ok(lines)
}

fn number(l: &Line, col: &str) -> Result<i32, String> {
    l.get(col)
        .ok_or_else(|| format!("{col} is empty"))?
        .parse()
        .map_err(|_| format!("{col} is not a whole number"))
}

fn parse_school(l: Line) -> Result<Parsed, (Line, String)> {
    let r = (|| {
        let upn = identifiers::normalise_upn(l.get("upn").ok_or("upn is empty")?)
            .map_err(|m| format!("upn: {m}"))?;
        let year = number(&l, "academic_year")?;
        if !(1990..=2100).contains(&year) {
            return Err("academic_year must be from 1990 to 2100".to_string());
        }
        let term_name = l.get("term").unwrap_or_default().to_ascii_lowercase();
        let (term, api_term) = match term_name.as_str() {
            "autumn" => (Term::Autumn, SchoolTerm::Autumn),
            "spring" => (Term::Spring, SchoolTerm::Spring),
            "summer" => (Term::Summer, SchoolTerm::Summer),
            _ => return Err("term must be autumn, spring or summer".to_string()),
        };
        let mut rec = EvidenceCreate::new(
            EvidenceKind::SchoolTerm,
            EvidenceSource::School,
            term_dates(term_index(year, term)).0,
        );
        rec.academic_year = Some(year as i16);
        rec.term = Some(api_term);
        rec.possible_sessions = Some(number(&l, "possible_sessions")?);
        rec.sessions_attended = Some(number(&l, "sessions_attended")?);
        rec.unauthorised_absences = Some(number(&l, "unauthorised_absences")?);
        rec.fixed_term_exclusions = Some(number(&l, "fixed_term_exclusions")?);
        Ok((Key::Upn(upn), rec))
    })();
    match r {
        Ok((key, record)) => Ok(Parsed {
            line: l,
            key,
            record,
        }),
        Err(e) => Err((l, e)),
    }
}

fn date(l: &Line, col: &str) -> Result<NaiveDate, String> {
    l.get(col)
        .ok_or_else(|| format!("{col} is empty"))?
        .parse()
        .map_err(|_| format!("{col} is not a date (YYYY-MM-DD)"))
}

fn parse_police(l: Line) -> Result<Parsed, (Line, String)> {
    let r = (|| {
        let kind = match l.get("record_type").unwrap_or_default() {
            "asb_incident" => EvidenceKind::AsbIncident,
            "asb_intervention" => EvidenceKind::AsbIntervention,
            "proven_offence" => EvidenceKind::ProvenOffence,
            _ => {
                return Err(
                    "record_type must be asb_incident, asb_intervention or proven_offence"
                        .to_string(),
                )
            }
        };
        let mut rec = EvidenceCreate::new(kind, EvidenceSource::Police, date(&l, "date")?);
        if kind == EvidenceKind::AsbIntervention {
            rec.intervention_kind = Some(
                l.get("intervention_kind")
                    .and_then(InterventionKind::parse)
                    .ok_or("intervention_kind must be asbo, injunction, acceptable_behaviour_contract or housing_asb_action")?,
            );
        }
        let key = match l.get("ni_number") {
            Some(ni) => Key::Ni(
                identifiers::normalise_ni_number(ni).map_err(|m| format!("ni_number: {m}"))?,
            ),
            None => {
                let fam = l
                    .get("family_name")
                    .ok_or("needs ni_number, or family_name, given_name and date_of_birth")?;
                let giv = l
                    .get("given_name")
                    .ok_or("needs ni_number, or family_name, given_name and date_of_birth")?;
                let dob = date(&l, "date_of_birth")?;
                Key::NameDob(format!(
                    "{}|{}|{dob}",
                    fam.to_lowercase(),
                    giv.to_lowercase()
                ))
            }
        };
        Ok((key, rec))
    })();
    match r {
        Ok((key, record)) => Ok(Parsed {
            line: l,
            key,
            record,
        }),
        Err(e) => Err((l, e)),
    }
}

fn review(import_id: Uuid, l: &Line, problem: ReviewProblem, detail: String) -> ReviewRow {
    ReviewRow {
        import_id,
        line: l.line,
        problem: problem.as_str().into(),
        detail,
        fields: l.fields(),
    }
}

/// The record's identity across uploads: what it says and who it is about.
fn import_key(kind: ImportKind, member: Uuid, record: &EvidenceCreate) -> String {
    let content = serde_json::to_string(record).expect("record serialises");
    let d = Sha256::digest(format!("{}|{member}|{content}", kind.as_str()).as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn import(
    pool: &Pool,
    ctx: &Allowed<Import_>,
    kind: ImportKind,
    bytes: &[u8],
) -> ApiResult<Reply> {
    let lines = read(
        bytes,
        match kind {
            ImportKind::SchoolTerms => &SCHOOL_COLUMNS,
            ImportKind::Police => &POLICE_COLUMNS,
        },
    )?;
    let file_sha256: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let import_id = Uuid::now_v7();
    let rows_total = lines.len() as i32;
    let mut reviews = Vec::new();
    let mut parsed = Vec::new();
    for l in lines {
        let p = match kind {
            ImportKind::SchoolTerms => parse_school(l),
            ImportKind::Police => parse_police(l),
        };
        match p {
            Ok(p) => parsed.push(p),
            Err((l, e)) => reviews.push(review(import_id, &l, ReviewProblem::Invalid, e)),
        }
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        // Every key in the file looked up at once, per kind of key.
        let (mut upns, mut nis, mut fams, mut givs, mut dobs) =
            (vec![], vec![], vec![], vec![], vec![]);
        for p in &parsed {
            match &p.key {
                Key::Upn(u) => upns.push(u.clone()),
                Key::Ni(n) => nis.push(n.clone()),
                Key::NameDob(k) => {
                    let mut it = k.split('|');
                    fams.push(it.next().unwrap_or_default().to_string());
                    givs.push(it.next().unwrap_or_default().to_string());
                    dobs.push(
                        it.next()
                            .and_then(|d| d.parse().ok())
                            .unwrap_or(NaiveDate::MIN),
                    );
                }
            }
        }
        let mut candidates: HashMap<String, Vec<Candidate>> = HashMap::new();
        let found = [
            q::by_upn(conn, &upns).await?,
            q::by_ni(conn, &nis).await?,
            q::by_name_dob(conn, fams, givs, dobs).await?,
        ];
        for c in found.into_iter().flatten() {
            let list = candidates.entry(c.key.clone()).or_default();
            if !list.iter().any(|o| o.id == c.id) {
                list.push(c);
            }
        }
        let mut records = Vec::new();
        for mut p in parsed {
            let key = match &p.key {
                Key::Upn(k) | Key::Ni(k) | Key::NameDob(k) => k.clone(),
            };
            let what = match &p.key {
                Key::Upn(_) => "UPN",
                Key::Ni(_) => "NI number",
                Key::NameDob(_) => "name and date of birth",
            };
            match candidates.get(&key).map(Vec::as_slice).unwrap_or_default() {
                [] => reviews.push(review(
                    import_id,
                    &p.line,
                    ReviewProblem::Unmatched,
                    format!("no current member has this {what}"),
                )),
                [one] => {
                    p.record.member_id = Some(one.id);
                    let errors = super::evidence::validate(&p.record);
                    if let Some(e) = errors.first() {
                        reviews.push(review(
                            import_id,
                            &p.line,
                            ReviewProblem::Invalid,
                            format!("{}: {}", e.field, e.message),
                        ));
                        continue;
                    }
                    let key = import_key(kind, one.id, &p.record);
                    let mut row =
                        super::evidence::row(one.family_id, p.record, &ctx.principal.subject);
                    row.import_key = Some(key);
                    records.push(row);
                }
                many => reviews.push(review(
                    import_id,
                    &p.line,
                    ReviewProblem::Ambiguous,
                    format!("{} current members have this {what}", many.len()),
                )),
            }
        }
        let matched = records.len() as i32;
        // "Who touched family X" must find imports too: name every family and member matched.
        let mut people: Vec<Uuid> = records
            .iter()
            .flat_map(|r| [r.family_id].into_iter().chain(r.member_id))
            .collect();
        people.sort();
        people.dedup();
        let mut ids: Vec<Uuid> = vec![import_id];
        for chunk in records.chunks(2000) {
            ids.extend(eq::insert_imported(conn, chunk.to_vec()).await?);
        }
        let imported = ids.len() as i32 - 1;
        ids.extend(people);
        let for_review = reviews.len() as i32;
        reviews.sort_by_key(|r| r.line);
        let (row, review_rows) = {
            let saved = q::insert(
                conn,
                ImportRow {
                    id: import_id,
                    kind: kind.as_str().into(),
                    file_sha256,
                    rows_total,
                    imported,
                    duplicates: matched - imported,
                    for_review,
                    uploaded_by: ctx.principal.subject.clone(),
                    created_at: chrono::Utc::now(),
                },
                reviews.clone(),
            )
            .await?;
            (saved, reviews)
        };
        audit(conn, ctx, "import.create", "import", &ids).await?;
        let body = view(row, review_rows);
        Ok(Reply::created(
            &body,
            format!("/api/v1/imports/{import_id}"),
            1,
        ))
    })
    .await
}

fn view(r: ImportRow, review: Vec<ReviewRow>) -> Import {
    Import {
        id: r.id,
        kind: ImportKind::from_db(&r.kind),
        file_sha256: r.file_sha256,
        rows_total: r.rows_total,
        imported: r.imported,
        duplicates: r.duplicates,
        for_review: r.for_review,
        review: review
            .into_iter()
            .map(|v| ReviewItem {
                line: v.line,
                problem: ReviewProblem::from_db(&v.problem),
                detail: v.detail,
                fields: v.fields,
            })
            .collect(),
        uploaded_by: r.uploaded_by,
        created_at: r.created_at,
    }
}

pub async fn get(pool: &Pool, ctx: &Allowed<Read>, id: Uuid) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        let (row, review) = q::find(conn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("import"))?;
        audit(conn, ctx, "import.read", "import", &[id]).await?;
        Ok(Reply::ok(&view(row, review), None))
    })
    .await
}
