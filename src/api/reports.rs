//! The programme's dashboards: money (attachment fees, results claimed, withdrawn) and progress
//! (families attached against the target, caseloads, results, the trajectory). Every table is
//! also served as CSV.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::claims::{ResultType, WindowStatus};
use super::referrals::ServiceLoad;

/// A table that can be written as CSV: its header, then one line per row.
pub trait Table {
    const HEADER: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

/// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled; a field
/// starting with a formula character (or a tab or carriage return before one) is prefixed with
/// `'` so spreadsheets do not run it.
pub fn csv<T: Table>(rows: &[T]) -> String {
    let field = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<i64>().is_err() {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = T::HEADER.join(",");
    out.push_str("\r\n");
    for r in rows {
        out.push_str(
            &r.cells()
                .iter()
                .map(|c| field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// Attachment fees of one financial year under one ruleset (phase 1: for five families in six,
/// counted cumulatively and rounded half up).
#[derive(Serialize, ToSchema)]
pub struct AttachmentFees {
    #[schema(example = "phase1-2012")]
    pub ruleset: String,
    #[schema(example = "2012/13")]
    pub financial_year: String,
    #[schema(example = 244)]
    pub attached: i64,
    pub attached_to_date: i64,
    /// Families the fee is paid for (after the deadweight deduction).
    #[schema(example = 203)]
    pub funded: i64,
    pub fee_per_family_pence: i64,
    #[schema(example = 64960000)]
    pub fees_pence: i64,
}

impl Table for AttachmentFees {
    const HEADER: &'static [&'static str] = &[
        "ruleset",
        "financial_year",
        "attached",
        "attached_to_date",
        "funded",
        "fee_per_family_pence",
        "fees_pence",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.ruleset.clone(),
            self.financial_year.clone(),
            self.attached.to_string(),
            self.attached_to_date.to_string(),
            self.funded.to_string(),
            self.fee_per_family_pence.to_string(),
            self.fees_pence.to_string(),
        ]
    }
}

/// Money of one group of results: claimed (in submitted windows), withdrawn and recovered, net.
#[derive(Serialize, ToSchema, Default, Clone)]
pub struct Money {
    /// Results claimed in submitted windows (including those later withdrawn).
    pub results: i64,
    pub claimed_pence: i64,
    pub withdrawn: i64,
    pub recovered_pence: i64,
    /// Claimed less recovered.
    pub net_pence: i64,
}

impl Money {
    pub fn add(&mut self, items: i64, amount: i64, withdrawn: bool, recovered: i64) {
        self.results += items;
        self.claimed_pence += amount;
        if withdrawn {
            self.withdrawn += items;
            self.recovered_pence += recovered;
        }
        self.net_pence = self.claimed_pence - self.recovered_pence;
    }
}

#[derive(Serialize, ToSchema)]
pub struct WindowMoney {
    pub window_id: Uuid,
    pub name: String,
    pub cut_off: NaiveDate,
    pub status: WindowStatus,
    /// Results in the window not yet submitted (computing, review, validated) are `pending`.
    pub pending: i64,
    pub pending_pence: i64,
    #[serde(flatten)]
    pub money: Money,
}

impl Table for WindowMoney {
    const HEADER: &'static [&'static str] = &[
        "window_id",
        "name",
        "cut_off",
        "status",
        "pending",
        "pending_pence",
        "results",
        "claimed_pence",
        "withdrawn",
        "recovered_pence",
        "net_pence",
    ];
    fn cells(&self) -> Vec<String> {
        let m = &self.money;
        vec![
            self.window_id.to_string(),
            self.name.clone(),
            self.cut_off.to_string(),
            self.status.as_str().to_string(),
            self.pending.to_string(),
            self.pending_pence.to_string(),
            m.results.to_string(),
            m.claimed_pence.to_string(),
            m.withdrawn.to_string(),
            m.recovered_pence.to_string(),
            m.net_pence.to_string(),
        ]
    }
}

/// Money by the financial year families were attached in: fees received and results.
#[derive(Serialize, ToSchema)]
pub struct YearMoney {
    pub ruleset: String,
    #[schema(example = "2012/13")]
    pub financial_year: String,
    pub attachment_fees_pence: i64,
    #[serde(flatten)]
    pub money: Money,
    /// Fees plus net results.
    pub total_pence: i64,
}

impl Table for YearMoney {
    const HEADER: &'static [&'static str] = &[
        "ruleset",
        "financial_year",
        "attachment_fees_pence",
        "results",
        "claimed_pence",
        "withdrawn",
        "recovered_pence",
        "net_pence",
        "total_pence",
    ];
    fn cells(&self) -> Vec<String> {
        let m = &self.money;
        vec![
            self.ruleset.clone(),
            self.financial_year.clone(),
            self.attachment_fees_pence.to_string(),
            m.results.to_string(),
            m.claimed_pence.to_string(),
            m.withdrawn.to_string(),
            m.recovered_pence.to_string(),
            m.net_pence.to_string(),
            self.total_pence.to_string(),
        ]
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResultMoney {
    pub result: ResultType,
    #[serde(flatten)]
    pub money: Money,
}

impl Table for ResultMoney {
    const HEADER: &'static [&'static str] = &[
        "result",
        "results",
        "claimed_pence",
        "withdrawn",
        "recovered_pence",
        "net_pence",
    ];
    fn cells(&self) -> Vec<String> {
        let m = &self.money;
        vec![
            self.result.as_str().to_string(),
            m.results.to_string(),
            m.claimed_pence.to_string(),
            m.withdrawn.to_string(),
            m.recovered_pence.to_string(),
            m.net_pence.to_string(),
        ]
    }
}

/// Money received up front and by results.
#[derive(Serialize, ToSchema)]
pub struct FinanceReport {
    pub attachment_fees: Vec<AttachmentFees>,
    pub windows: Vec<WindowMoney>,
    pub years: Vec<YearMoney>,
    pub results: Vec<ResultMoney>,
    pub attachment_fees_pence: i64,
    pub claimed_pence: i64,
    pub recovered_pence: i64,
    /// Fees plus claimed less recovered.
    pub net_pence: i64,
}

/// Families attached in a financial year under a ruleset, against its target.
#[derive(Serialize, ToSchema)]
pub struct AttachedYear {
    pub ruleset: String,
    pub financial_year: String,
    pub attached: i64,
    pub attached_to_date: i64,
    /// The ruleset's target of families (phase 1 in Rotherham: 730); null without one.
    pub target: Option<i64>,
}

impl Table for AttachedYear {
    const HEADER: &'static [&'static str] = &[
        "ruleset",
        "financial_year",
        "attached",
        "attached_to_date",
        "target",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.ruleset.clone(),
            self.financial_year.clone(),
            self.attached.to_string(),
            self.attached_to_date.to_string(),
            opt(&self.target),
        ]
    }
}

#[derive(Serialize, ToSchema)]
pub struct TeamLoad {
    pub team_code: String,
    pub name: String,
    pub open: i64,
    pub open_case_limit: Option<i32>,
}

impl Table for TeamLoad {
    const HEADER: &'static [&'static str] = &["team_code", "name", "open", "open_case_limit"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.team_code.clone(),
            self.name.clone(),
            self.open.to_string(),
            opt(&self.open_case_limit),
        ]
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorkerLoad {
    pub staff_id: Uuid,
    pub name: String,
    #[schema(example = "key_worker")]
    pub staff_role: String,
    pub team_code: Option<String>,
    pub open: i64,
}

impl Table for WorkerLoad {
    const HEADER: &'static [&'static str] =
        &["staff_id", "name", "staff_role", "team_code", "open"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.staff_id.to_string(),
            self.name.clone(),
            self.staff_role.clone(),
            opt(&self.team_code),
            self.open.to_string(),
        ]
    }
}

impl Table for ServiceLoad {
    const HEADER: &'static [&'static str] = &[
        "service_code",
        "organisation",
        "capacity",
        "open",
        "free",
        "waiting",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.service_code.clone(),
            self.organisation.clone(),
            opt(&self.capacity),
            self.open.to_string(),
            opt(&self.free),
            self.waiting.to_string(),
        ]
    }
}

/// Results of one type claimed in one window (submitted or not).
#[derive(Serialize, ToSchema)]
pub struct WindowResults {
    pub window_id: Uuid,
    pub name: String,
    pub cut_off: NaiveDate,
    pub status: WindowStatus,
    pub result: ResultType,
    /// Included (and, once submitted, later withdrawn) results.
    pub results: i64,
}

impl Table for WindowResults {
    const HEADER: &'static [&'static str] = &[
        "window_id",
        "name",
        "cut_off",
        "status",
        "result",
        "results",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.window_id.to_string(),
            self.name.clone(),
            self.cut_off.to_string(),
            self.status.as_str().to_string(),
            self.result.as_str().to_string(),
            self.results.to_string(),
        ]
    }
}

/// One ruleset's families turned around.
#[derive(Serialize, ToSchema)]
pub struct TurnedAround {
    pub ruleset: String,
    pub attached: i64,
    /// Families with a claimed (submitted, not withdrawn) result of the main kind: crime/ASB and
    /// education or continuous employment (phase 1), sustained progress or outcomes.
    pub turned_around: i64,
    /// turned_around / attached in basis points (6470 = 64.70%), rounded down.
    pub share_basis_points: i64,
    /// Continuous employment among those results, in basis points (the national expectation
    /// was at least 100, 1%).
    pub employment_share_basis_points: i64,
    pub target: Option<i64>,
}

impl Table for TurnedAround {
    const HEADER: &'static [&'static str] = &[
        "ruleset",
        "attached",
        "turned_around",
        "share_basis_points",
        "employment_share_basis_points",
        "target",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.ruleset.clone(),
            self.attached.to_string(),
            self.turned_around.to_string(),
            self.share_basis_points.to_string(),
            self.employment_share_basis_points.to_string(),
            opt(&self.target),
        ]
    }
}

/// Cumulative families turned around at each submitted window's cut-off.
#[derive(Serialize, ToSchema, Clone)]
pub struct TrajectoryPoint {
    #[schema(example = "phase1-2012")]
    pub ruleset: String,
    pub window_id: Uuid,
    pub cut_off: NaiveDate,
    pub window: String,
    pub results: i64,
    pub cumulative: i64,
}

impl Table for TrajectoryPoint {
    const HEADER: &'static [&'static str] = &[
        "ruleset",
        "window_id",
        "cut_off",
        "window",
        "results",
        "cumulative",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.ruleset.clone(),
            self.window_id.to_string(),
            self.cut_off.to_string(),
            self.window.clone(),
            self.results.to_string(),
            self.cumulative.to_string(),
        ]
    }
}

#[derive(Serialize, ToSchema)]
pub struct Trajectory {
    pub ruleset: String,
    pub target: Option<i64>,
    pub points: Vec<TrajectoryPoint>,
}

#[derive(Serialize, ToSchema)]
pub struct FamiliesByStatus {
    #[schema(example = "identified")]
    pub status: String,
    pub families: i64,
}

impl Table for FamiliesByStatus {
    const HEADER: &'static [&'static str] = &["status", "families"];
    fn cells(&self) -> Vec<String> {
        vec![self.status.clone(), self.families.to_string()]
    }
}

/// What the programme board watches.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeReport {
    pub families: Vec<FamiliesByStatus>,
    pub attached: Vec<AttachedYear>,
    pub teams: Vec<TeamLoad>,
    pub workers: Vec<WorkerLoad>,
    pub services: Vec<ServiceLoad>,
    pub results: Vec<WindowResults>,
    pub turned_around: Vec<TurnedAround>,
    pub trajectories: Vec<Trajectory>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FinanceQuery {
    /// With `Accept: text/csv`, which table (default `attachment_fees`).
    #[param(inline)]
    pub table: Option<FinanceTable>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ProgrammeQuery {
    /// With `Accept: text/csv`, which table (default `families`).
    #[param(inline)]
    pub table: Option<ProgrammeTable>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TrajectoryQuery {
    /// Ruleset code (default: the ruleset with the most attached families).
    #[param(pattern = "^[a-z0-9-]{3,40}$", max_length = 40)]
    pub ruleset: Option<String>,
}

super::text_enum!(
    /// The finance view's tables.
    FinanceTable {
        AttachmentFees => "attachment_fees",
        Windows => "windows",
        Years => "years",
        Results => "results",
    }
);

super::text_enum!(
    /// The programme dashboard's tables.
    ProgrammeTable {
        Families => "families",
        Attached => "attached",
        Teams => "teams",
        Workers => "workers",
        Services => "services",
        Results => "results",
        TurnedAround => "turned_around",
        Trajectory => "trajectory",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    struct Row(&'static str);
    impl Table for Row {
        const HEADER: &'static [&'static str] = &["name"];
        fn cells(&self) -> Vec<String> {
            vec![self.0.to_string()]
        }
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let out = csv(&[
            Row("plain"),
            Row("a, b"),
            Row("say \"hi\""),
            Row("=HYPERLINK(\"x\")"),
            Row("\t=1+1"),
            Row("-42"),
        ]);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines[0], "name");
        assert_eq!(lines[1], "plain");
        assert_eq!(lines[2], "\"a, b\"");
        assert_eq!(lines[3], "\"say \"\"hi\"\"\"");
        assert_eq!(lines[4], "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(lines[5], "'\t=1+1");
        assert_eq!(lines[6], "-42", "a negative number stays a number");
    }
}
