//! The programme's dashboards: the finance view and the board's progress report. Each is a few
//! grouped queries (counts and sums in PostgreSQL, integers throughout) and the money rules of
//! `domain::payments`.

use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use super::audit;
use super::outcomes::revision_params;
use super::rulesets::Params;
use crate::api::claims::{ItemStatus, ResultType, WindowStatus};
use crate::api::referrals::ServiceLoad;
use crate::api::reports::*;
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::reports::{self as q, ClaimRow};
use crate::db::{Conn, Pool};
use crate::domain::outcomes::{self as rules};
use crate::domain::payments::{self, financial_year_label};
use crate::error::{ApiError, ApiResult};

/// Managers see reports; auditors see everything read-only; claims officers see the money.
pub const READ: &[Role] = &[Role::Manager, Role::Auditor, Role::ClaimsOfficer];

pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

/// The parameters each ruleset's families were (most recently) attached under.
async fn ruleset_params(conn: &mut Conn) -> ApiResult<BTreeMap<String, Params>> {
    let latest = crate::db::reports::latest_revisions(conn).await?;
    let mut out = BTreeMap::new();
    for (code, revision) in latest {
        let (_, p) = revision_params(conn, &code, revision).await?;
        out.insert(code, p);
    }
    Ok(out)
}

fn target(p: Option<&Params>) -> Option<i64> {
    let t = match p? {
        Params::Phase1(p) => p.outcomes.target_families,
        Params::Phase2(p) => p.outcomes.target_families,
        Params::SupportingFamilies(p) => p.outcomes.target_families,
    };
    (t > 0).then_some(t as i64)
}

/// Attachment fees per ruleset and year, from the families attached and the fee each was
/// attached with; phase 1's deadweight from the revision families were last attached under.
fn fees(attached: &[q::AttachedRow], params: &BTreeMap<String, Params>) -> Vec<AttachmentFees> {
    let mut by_ruleset: BTreeMap<&str, Vec<(i32, i64, i64)>> = BTreeMap::new();
    for a in attached {
        by_ruleset.entry(&a.ruleset_code).or_default().push((
            a.financial_year as i32,
            a.attached,
            a.fee_per_family,
        ));
    }
    let mut out = Vec::new();
    for (code, years) in by_ruleset {
        let deadweight = match params.get(code) {
            Some(Params::Phase1(p)) => (
                p.payments.deadweight_numerator,
                p.payments.deadweight_denominator,
            ),
            _ => (0, 1),
        };
        out.extend(
            payments::attachment_fees(deadweight, &years)
                .into_iter()
                .map(|y| AttachmentFees {
                    ruleset: code.to_string(),
                    financial_year: financial_year_label(y.year),
                    attached: y.attached,
                    attached_to_date: y.attached_to_date,
                    funded: y.funded,
                    fee_per_family_pence: y.fee_per_family,
                    fees_pence: y.fees,
                }),
        );
    }
    out
}

fn submitted(c: &ClaimRow) -> bool {
    c.window_status == WindowStatus::Submitted
}

pub async fn finance(pool: &Pool, ctx: &Allowed<Read>) -> ApiResult<FinanceReport> {
    super::read(pool, async |conn| {
        let params = ruleset_params(conn).await?;
        let attached = q::attached(conn).await?;
        let claims = q::claims(conn).await?;
        audit(conn, ctx, "report.finance", "claim_window", &[]).await?;
        let attachment_fees = fees(&attached, &params);

        let mut windows: Vec<WindowMoney> = Vec::new();
        let mut years: BTreeMap<(String, i16), Money> = BTreeMap::new();
        let mut results: BTreeMap<&str, Money> = BTreeMap::new();
        for c in &claims {
            if windows.last().is_none_or(|w| w.window_id != c.window_id) {
                windows.push(WindowMoney {
                    window_id: c.window_id,
                    name: c.name.clone(),
                    cut_off: c.cut_off,
                    status: c.window_status,
                    pending: 0,
                    pending_pence: 0,
                    money: Money::default(),
                });
            }
            let w = windows.last_mut().expect("pushed");
            if !submitted(c) {
                w.pending += c.items;
                w.pending_pence += c.amount_pence;
                continue;
            }
            let withdrawn = c.status == ItemStatus::Withdrawn;
            w.money
                .add(c.items, c.amount_pence, withdrawn, c.recovered_pence);
            years
                .entry((c.ruleset_code.clone(), c.financial_year))
                .or_default()
                .add(c.items, c.amount_pence, withdrawn, c.recovered_pence);
            results.entry(c.result.as_str()).or_default().add(
                c.items,
                c.amount_pence,
                withdrawn,
                c.recovered_pence,
            );
        }
        // Every year with fees or results.
        let mut year_rows: BTreeMap<(String, String), YearMoney> = BTreeMap::new();
        for f in &attachment_fees {
            year_rows.insert(
                (f.ruleset.clone(), f.financial_year.clone()),
                YearMoney {
                    ruleset: f.ruleset.clone(),
                    financial_year: f.financial_year.clone(),
                    attachment_fees_pence: f.fees_pence,
                    money: Money::default(),
                    total_pence: f.fees_pence,
                },
            );
        }
        for ((code, year), money) in years {
            let label = financial_year_label(year as i32);
            let row = year_rows
                .entry((code.clone(), label.clone()))
                .or_insert(YearMoney {
                    ruleset: code,
                    financial_year: label,
                    attachment_fees_pence: 0,
                    money: Money::default(),
                    total_pence: 0,
                });
            row.total_pence = row.attachment_fees_pence + money.net_pence;
            row.money = money;
        }
        let results: Vec<ResultMoney> = results
            .into_iter()
            .map(|(r, money)| ResultMoney {
                result: ResultType::from_db(r),
                money,
            })
            .collect();
        let fees_total: i64 = attachment_fees.iter().map(|f| f.fees_pence).sum();
        let claimed: i64 = results.iter().map(|r| r.money.claimed_pence).sum();
        let recovered: i64 = results.iter().map(|r| r.money.recovered_pence).sum();
        Ok(FinanceReport {
            attachment_fees,
            windows,
            years: year_rows.into_values().collect(),
            results,
            attachment_fees_pence: fees_total,
            claimed_pence: claimed,
            recovered_pence: recovered,
            net_pence: fees_total + claimed - recovered,
        })
    })
    .await
}

/// A result that turns a family around (not the extra progress-to-work payment).
fn main_result(result: &str) -> bool {
    rules::slot(result) == "results"
}

fn trajectories(claims: &[ClaimRow], params: &BTreeMap<String, Params>) -> Vec<Trajectory> {
    let mut out: BTreeMap<&str, Vec<TrajectoryPoint>> = BTreeMap::new();
    for code in params.keys() {
        out.entry(code).or_default();
    }
    for c in claims
        .iter()
        .filter(|c| submitted(c) && c.status == ItemStatus::Included && main_result(&c.result))
    {
        let points = out.entry(&c.ruleset_code).or_default();
        // Rows come in cut-off then window order: a window's rows follow one another.
        match points.last_mut() {
            Some(p) if p.window_id == c.window_id => p.results += c.items,
            _ => points.push(TrajectoryPoint {
                ruleset: c.ruleset_code.clone(),
                window_id: c.window_id,
                cut_off: c.cut_off,
                window: c.name.clone(),
                results: c.items,
                cumulative: 0,
            }),
        }
    }
    out.into_iter()
        .map(|(code, mut points)| {
            let mut total = 0;
            for p in &mut points {
                total += p.results;
                p.cumulative = total;
            }
            Trajectory {
                ruleset: code.to_string(),
                target: target(params.get(code)),
                points,
            }
        })
        .collect()
}

pub async fn programme(pool: &Pool, ctx: &Allowed<Read>) -> ApiResult<ProgrammeReport> {
    super::read(pool, async |conn| {
        let params = ruleset_params(conn).await?;
        let families = q::families_by_status(conn).await?;
        let attached_rows = q::attached(conn).await?;
        let teams = q::teams(conn).await?;
        let workers = q::workers(conn).await?;
        let services = crate::db::referrals::capacity(conn).await?;
        let claims = q::claims(conn).await?;
        audit(conn, ctx, "report.programme", "claim_window", &[]).await?;

        let mut to_date: HashMap<&str, i64> = HashMap::new();
        let attached: Vec<AttachedYear> = attached_rows
            .iter()
            .map(|a| {
                let t = to_date.entry(&a.ruleset_code).or_default();
                *t += a.attached;
                AttachedYear {
                    ruleset: a.ruleset_code.clone(),
                    financial_year: financial_year_label(a.financial_year as i32),
                    attached: a.attached,
                    attached_to_date: *t,
                    target: target(params.get(&a.ruleset_code)),
                }
            })
            .collect();
        // One row per window and result, whatever the rulesets and attachment years.
        let mut results: Vec<WindowResults> = Vec::new();
        let mut row_of: HashMap<(Uuid, &str), usize> = HashMap::new();
        for c in &claims {
            match row_of.get(&(c.window_id, c.result.as_str())) {
                Some(&i) => results[i].results += c.items,
                None => {
                    row_of.insert((c.window_id, &c.result), results.len());
                    results.push(WindowResults {
                        window_id: c.window_id,
                        name: c.name.clone(),
                        cut_off: c.cut_off,
                        status: c.window_status,
                        result: ResultType::from_db(&c.result),
                        results: c.items,
                    });
                }
            }
        }
        let turned_around = params
            .keys()
            .map(|code| {
                let held = claims.iter().filter(|c| {
                    &c.ruleset_code == code
                        && submitted(c)
                        && c.status == ItemStatus::Included
                        && main_result(&c.result)
                });
                let (mut n, mut employment) = (0, 0);
                for c in held {
                    n += c.items;
                    if c.result == rules::CONTINUOUS_EMPLOYMENT {
                        employment += c.items;
                    }
                }
                let attached = to_date.get(code.as_str()).copied().unwrap_or(0);
                TurnedAround {
                    ruleset: code.clone(),
                    attached,
                    turned_around: n,
                    share_basis_points: if attached > 0 {
                        n * 10_000 / attached
                    } else {
                        0
                    },
                    employment_share_basis_points: if n > 0 { employment * 10_000 / n } else { 0 },
                    target: target(params.get(code)),
                }
            })
            .collect();
        Ok(ProgrammeReport {
            families: families
                .into_iter()
                .map(|f| FamiliesByStatus {
                    status: f.key,
                    families: f.n,
                })
                .collect(),
            attached,
            teams: teams
                .into_iter()
                .map(|t| TeamLoad {
                    team_code: t.team_code,
                    name: t.name,
                    open: t.open,
                    open_case_limit: t.open_case_limit,
                })
                .collect(),
            workers: workers
                .into_iter()
                .map(|w| WorkerLoad {
                    staff_id: w.staff_id,
                    name: w.name,
                    staff_role: w.staff_role,
                    team_code: w.team_code,
                    open: w.open,
                })
                .collect(),
            services: services.into_iter().map(ServiceLoad::from).collect(),
            results,
            turned_around,
            trajectories: trajectories(&claims, &params),
        })
    })
    .await
}

/// One ruleset's trajectory: the one asked for, else the one with the most families attached.
pub async fn trajectory(
    pool: &Pool,
    ctx: &Allowed<Read>,
    ruleset: Option<String>,
) -> ApiResult<Trajectory> {
    let report = programme(pool, ctx).await?;
    let chosen = match ruleset {
        Some(code) => report
            .trajectories
            .into_iter()
            .find(|t| t.ruleset == code)
            .ok_or_else(|| {
                ApiError::validation("ruleset", "no family is attached under that ruleset")
            })?,
        None => {
            let busiest = report
                .turned_around
                .iter()
                .max_by_key(|t| (t.attached, std::cmp::Reverse(t.ruleset.clone())))
                .map(|t| t.ruleset.clone());
            match busiest {
                Some(code) => report
                    .trajectories
                    .into_iter()
                    .find(|t| t.ruleset == code)
                    .expect("every ruleset has a trajectory"),
                None => {
                    return Err(ApiError::validation(
                        "ruleset",
                        "no family is attached under any ruleset yet",
                    ))
                }
            }
        }
    };
    Ok(chosen)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The trajectory as an SVG line chart (like the May 2014 report's): cumulative families turned
/// around at each claim's cut-off, against the target. Self-contained, for a board paper.
pub fn svg(t: &Trajectory) -> String {
    let (w, h) = (720.0_f64, 400.0_f64);
    let (left, right, top, bottom) = (70.0, 30.0, 50.0, 60.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max_points = t.points.iter().map(|p| p.cumulative).max().unwrap_or(0);
    let ceiling = max_points.max(t.target.unwrap_or(0)).max(1);
    // A round step for the y axis: 1, 2 or 5 times a power of ten, about five lines.
    let mut step = 1i64;
    while ceiling / step > 5 {
        step = match step.to_string().as_bytes()[0] {
            b'1' => step * 2,
            b'2' => step / 2 * 5,
            _ => step * 2,
        };
    }
    let top_value = (ceiling + step - 1) / step * step;
    let y = |v: i64| top + plot_h - plot_h * v as f64 / top_value as f64;
    let n = t.points.len();
    let x = |i: usize| {
        if n <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"Arial, sans-serif\" font-size=\"12\">\n<title>Families turned around against target: {}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">Families turned around (cumulative, claims submitted): {}</text>\n",
        escape(&t.ruleset),
        escape(&t.ruleset)
    );
    let mut v = 0;
    while v <= top_value {
        let yy = y(v);
        out.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>\n",
            left + plot_w,
            left - 8.0,
            yy + 4.0
        ));
        v += step;
    }
    out.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{:.1}\" stroke=\"#333\"/>\n<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\n",
        top + plot_h,
        top + plot_h,
        left + plot_w,
        top + plot_h
    ));
    if let Some(target) = t.target {
        let yy = y(target);
        out.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#c0392b\">Target {target}</text>\n",
            left + plot_w,
            left + plot_w,
            yy - 6.0
        ));
    }
    if t.points.is_empty() {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#666\">No claims submitted yet</text>\n",
            left + plot_w / 2.0,
            top + plot_h / 2.0
        ));
    } else {
        let line: Vec<String> = t
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.cumulative)))
            .collect();
        out.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"3\"/>\n",
            line.join(" ")
        ));
        for (i, p) in t.points.iter().enumerate() {
            out.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#1f5fa8\"><title>{}: {}</title></circle>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                x(i),
                y(p.cumulative),
                escape(&p.window),
                p.cumulative,
                x(i),
                y(p.cumulative) - 10.0,
                p.cumulative,
                x(i),
                top + plot_h + 20.0,
                p.cut_off.format("%b %Y")
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(day: u32, cumulative: i64) -> TrajectoryPoint {
        TrajectoryPoint {
            ruleset: "phase1-2012".into(),
            window_id: Uuid::from_u128(day as u128),
            cut_off: chrono::NaiveDate::from_ymd_opt(2014, 5, day).unwrap(),
            window: format!("Claim <{day}>"),
            results: 1,
            cumulative,
        }
    }

    #[test]
    fn the_chart_draws_each_point_and_the_target() {
        let t = Trajectory {
            ruleset: "phase1-2012".into(),
            target: Some(730),
            points: vec![point(1, 120), point(31, 269)],
        };
        let s = svg(&t);
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.contains("Target 730"));
        assert_eq!(s.matches("<circle").count(), 2);
        assert!(s.contains(">269<"));
        assert!(s.contains("Claim &lt;31&gt;"), "names are escaped");
        assert!(!s.contains("Claim <31>"));
        // The axis runs to a round value at or above the target: 800 in steps of 200.
        assert!(s.contains(">800<"), "{s}");
    }

    #[test]
    fn an_empty_chart_says_so() {
        let t = Trajectory {
            ruleset: "phase2-2015".into(),
            target: None,
            points: Vec::new(),
        };
        assert!(svg(&t).contains("No claims submitted yet"));
    }
}
