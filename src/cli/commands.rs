//! The commands, over the public library API.

use super::args::{company_id, open, open_read, time};
use super::output::{emit, emit_list, write_csv_table, write_failed, write_json, write_json_line};
use super::table::{self, money, reason_text};
use super::{
    advances, bench, demo, explain, ingest, Cli, Command, CompanyAction, Env, Failure, Format,
    Outcome,
};
use ewa::calendar::{parse_zone, Instant};
use ewa::{Company, Delivery, Detail, Eligibility, Reason, Twin};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Runs the parsed command.
pub fn run(cli: &Cli, env: Env, out: &mut dyn Write) -> Result<Outcome, Failure> {
    match &cli.command {
        Command::Demo { as_of, employees } => {
            demo::run(cli, env, as_of.as_deref(), *employees, out)
        }
        Command::Init { timezone, config } => {
            init(cli, timezone.as_deref(), config.as_deref(), out)
        }
        ingest @ Command::Ingest { .. } => ingest::run(cli, env, ingest, out),
        Command::Advance { action } => advances::advance(cli, env, action, out),
        Command::Policy { action } => super::policy::run(cli, action, out),
        Command::History { shift, all } => history(cli, shift, *all, out),
        Command::Compact => compact(cli, out),
        Command::Companies => companies(cli, out),
        Command::Scenario { file } => scenario(cli, file, out),
        generate @ Command::Generate { .. } => generate_command(generate, out),
        Command::Advances { action } => advances::list_or_show(cli, env, action, out),
        Command::CompanyCmd {
            action: CompanyAction::Delete { company_id, yes },
        } => delete_company(cli, company_id, *yes, out),
        Command::Completions { shell } => {
            // Generated into memory: clap_complete panics on a failed write.
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "ewa", &mut script);
            out.write_all(&script).map_err(write_failed)?;
            Ok(Outcome::Ok)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd)
                .render(out)
                .map_err(write_failed)?;
            Ok(Outcome::Ok)
        }
        bench @ Command::Bench { .. } => bench_command(cli, bench, out),
        query => run_query(cli, env, query, out),
    }
}

/// The queries at an instant: accruals, eligibility, recoveries, explain.
fn run_query(
    cli: &Cli,
    env: Env,
    command: &Command,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    match command {
        Command::Accruals {
            employee,
            as_of,
            known_at,
        } => accruals(
            cli,
            env,
            employee.as_deref(),
            as_of.as_deref(),
            known_at.as_deref(),
            out,
        ),
        Command::Eligibility {
            employee,
            all,
            as_of,
            known_at,
            delivery,
        } => {
            let who = if *all { None } else { employee.as_deref() };
            let times = (as_of.as_deref(), known_at.as_deref());
            eligibility(cli, env, who, times, delivery.get(), out)
        }
        Command::Recoveries {
            schedule,
            period,
            as_of,
            known_at,
        } => recoveries(
            cli,
            env,
            schedule,
            period,
            as_of.as_deref(),
            known_at.as_deref(),
            out,
        ),
        Command::Explain {
            employee,
            as_of,
            known_at,
        } => explain::run(
            cli,
            env,
            employee,
            as_of.as_deref(),
            known_at.as_deref(),
            out,
        ),
        _ => Err(Failure::input("not a query")),
    }
}

/// `ewa compact`: a snapshot, and the journal trimmed.
fn compact(cli: &Cli, out: &mut dyn Write) -> Result<Outcome, Failure> {
    let mut store = open(cli, false)?;
    let id = company_id(cli, &store)?;
    let r = store.compact(&id)?;
    let text = || {
        table::pairs(&[
            ("company", r.company_id.clone()),
            ("snapshot", r.mode.as_str().to_string()),
            (
                "snapshot rows",
                table::count(usize::try_from(r.snapshot_rows).unwrap_or(usize::MAX)),
            ),
            ("journal rows trimmed", r.journal_rows_trimmed.to_string()),
            ("covers journal up to seq", r.seq.to_string()),
        ])
    };
    emit(cli, out, &r, text)?;
    Ok(Outcome::Ok)
}

/// `ewa companies`: the store's companies.
fn companies(cli: &Cli, out: &mut dyn Write) -> Result<Outcome, Failure> {
    let store = open_read(cli)?;
    let infos = store
        .companies()?
        .iter()
        .map(|c| store.info(c))
        .collect::<ewa::Result<Vec<_>>>()?;
    let text = || {
        let rows: Vec<Vec<String>> = infos
            .iter()
            .map(|i| {
                vec![
                    i.company_id.clone(),
                    i.timezone.clone(),
                    i.head_seq.to_string(),
                    i.journal_rows.to_string(),
                    i.snapshot_mode.as_str().to_string(),
                ]
            })
            .collect();
        table::render(
            &[
                "company",
                "timezone",
                "operations",
                "journal rows",
                "snapshot",
            ],
            &rows,
        )
    };
    emit_list(cli, out, &infos, text)?;
    Ok(Outcome::Ok)
}

/// `ewa scenario FILE`: runs a SPEC §8 document.
fn scenario(cli: &Cli, file: &Path, out: &mut dyn Write) -> Result<Outcome, Failure> {
    // SPEC §8 output is JSON: a table or CSV is refused, never JSON printed instead.
    if matches!(cli.format, Some(Format::Table | Format::Csv)) {
        return Err(Failure::input(
            "scenario prints its SPEC §8 JSON output: --format json (pretty, the default) or jsonl (one line)",
        ));
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))?;
    let output = ewa::scenario::run_str(&text)?;
    if cli.format == Some(Format::Jsonl) {
        write_json_line(out, &output)?;
    } else {
        writeln!(out, "{}", output.to_json_pretty()).map_err(write_failed)?;
    }
    Ok(Outcome::Ok)
}

/// `ewa generate`: a synthetic scenario document, to a file or the output.
fn generate_command(command: &Command, out: &mut dyn Write) -> Result<Outcome, Failure> {
    let Command::Generate {
        employees,
        seed,
        shifts_per_employee,
        start,
        timezone,
        no_pay_rules,
        out: file,
    } = command
    else {
        return Err(Failure::input("not the generate command"));
    };
    let timezone = parse_zone(timezone).ok_or_else(|| {
        Failure::input(format!(
            "--timezone `{timezone}` is not an IANA time zone name"
        ))
    })?;
    let doc = ewa::generate::scenario(&ewa::generate::Options {
        employees: *employees,
        seed: *seed,
        shifts_per_employee: *shifts_per_employee,
        start: *start,
        timezone,
        pay_rules: !*no_pay_rules,
        ..Default::default()
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::input(e.to_string()))?;
    match file {
        Some(f) => std::fs::write(f, text + "\n")
            .map_err(|e| Failure::input(format!("cannot write {}: {e}", f.display())))?,
        None => writeln!(out, "{text}").map_err(write_failed)?,
    }
    Ok(Outcome::Ok)
}

/// `ewa company delete ID --yes`: deletes one company; refused without `--yes`.
fn delete_company(
    cli: &Cli,
    company_id: &str,
    yes: bool,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    let mut store = open(cli, false)?;
    if !store.companies()?.iter().any(|c| c == company_id) {
        return Err(Failure::input(format!(
            "no company `{company_id}` in {}",
            store.path()
        )));
    }
    if !yes {
        return Err(Failure::input(format!(
            "this deletes company `{company_id}` with its journal, snapshot and advances from {}: \
             add --yes to confirm",
            store.path()
        )));
    }
    let deleted = store.delete_company(company_id)?;
    let v = serde_json::json!({"company_id": company_id, "deleted": deleted});
    emit(cli, out, &v, || {
        table::pairs(&[("deleted company", company_id.to_string())])
    })?;
    Ok(Outcome::Ok)
}

/// `ewa bench`: measures the engine (`command` is the `Bench` command).
fn bench_command(cli: &Cli, command: &Command, out: &mut dyn Write) -> Result<Outcome, Failure> {
    let Command::Bench {
        employees,
        json,
        scenario,
        compare_sqlite,
        shifts_per_employee,
        seed,
        lookups,
        bulk_only,
        repeat,
        kind,
        order,
        no_pay_rules,
    } = command
    else {
        return Err(Failure::input("not the bench command"));
    };
    let opts = bench::Options {
        employees: *employees,
        seed: *seed,
        shifts_per_employee: *shifts_per_employee,
        scenario: scenario.clone(),
        compare_sqlite: *compare_sqlite,
        lookups: *lookups,
        order: *order,
        pay_rules: !*no_pay_rules,
    };
    if *bulk_only {
        let bulk = bench::BulkOnly {
            runs: *repeat,
            kind: *kind,
        };
        let text = bench::run_bulk_only(&opts, &bulk)?;
        write!(out, "{text}").map_err(write_failed)?;
        return Ok(Outcome::Ok);
    }
    let report = bench::run(&opts)?;
    if *json || cli.format == Some(Format::Json) {
        write_json(out, &report)?;
    } else {
        write!(out, "{}", report.to_table()).map_err(write_failed)?;
    }
    Ok(Outcome::Ok)
}

/// Runs `f` on the company's twin: the current one, or the one known at `--known-at`.
/// A question about one `employee` (now) reads that employee's view of the store alone
/// when it can ([`ewa::Store::employee_twin`]): a cold call on a company of a million
/// employees reads kilobytes, not the company.
pub fn with_twin<R>(
    cli: &Cli,
    env: Env,
    known_at: Option<&str>,
    employee: Option<&str>,
    f: impl FnOnce(&Twin) -> Result<R, Failure>,
) -> Result<R, Failure> {
    let mut store = open_read(cli)?;
    let id = company_id(cli, &store)?;
    if let (None, Some(e)) = (known_at, employee) {
        return f(&store.employee_twin(&id, e)?);
    }
    let twin = store.twin(&id)?;
    match known_at {
        None => f(twin),
        Some(k) => {
            let at = time(Some(k), "known-at", twin.company().timezone(), env)?;
            f(&store.load_known_at(&id, at)?)
        }
    }
}

fn init(
    cli: &Cli,
    timezone: Option<&str>,
    config: Option<&Path>,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    let mut company = match config {
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Failure::input(format!("cannot read {}: {e}", f.display())))?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let v: Value = serde_json::from_str(text)
                .map_err(|e| Failure::input(format!("{}: not JSON: {e}", f.display())))?;
            if cli.company.is_none() && v.get("company_id").is_none() {
                return Err(Failure::input(
                    "name the company: --company ID, or company_id in the config",
                ));
            }
            Company::from_json(&v)?
        }
        None => match &cli.company {
            Some(id) => Company::new(id.clone(), chrono_tz::UTC),
            None => return Err(Failure::input("name the company: ewa init --company ID")),
        },
    };
    if let Some(id) = &cli.company {
        company = company.with_company_id(id.clone())?;
    }
    if let Some(tz) = timezone {
        company = company.with_timezone(parse_zone(tz).ok_or_else(|| {
            Failure::input(format!("--timezone `{tz}` is not an IANA time zone name"))
        })?);
    }
    let mut store = open(cli, true)?;
    store.create_company(&company)?;
    let info = store.info(company.company_id())?;
    let text = || {
        table::pairs(&[
            ("created company", info.company_id.clone()),
            ("timezone", info.timezone.clone()),
            ("store", store.path().to_string()),
        ])
    };
    emit(cli, out, &info, text)?;
    Ok(Outcome::Ok)
}

fn accruals(
    cli: &Cli,
    env: Env,
    employee: Option<&str>,
    as_of: Option<&str>,
    known_at: Option<&str>,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    with_twin(cli, env, known_at, employee, |twin| {
        let t = time(as_of, "as-of", twin.company().timezone(), env)?;
        match employee {
            Some(e) => {
                let a = twin.accruals(e, t)?;
                let text = || {
                    let cur = a.currency.as_deref();
                    let tz = twin.company().timezone();
                    let mut s = format!(
                        "{} as of {}: accrued unpaid net {}\n",
                        a.employee_id,
                        table::local(tz, t),
                        money(a.accrued_unpaid_net, cur)
                    );
                    s.push_str(&periods_table(&a.periods, cur, tz));
                    s.push_str(&lines_table(&a.periods, cur));
                    s
                };
                emit(cli, out, &a, text)?;
            }
            None => return accruals_all(cli, twin, t, out),
        }
        Ok(Outcome::Ok)
    })
}

/// `accruals` without `--employee`: every employee's unpaid periods, without lines. An
/// employee whose amounts do not fit in `i64` is left out and named on stderr, and the
/// command exits 1: one employee's data never keeps the others from being answered
/// (decision 125).
fn accruals_all(
    cli: &Cli,
    twin: &ewa::Twin,
    t: Instant,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    let mut all = Vec::new();
    let mut outcome = Outcome::Ok;
    for e in twin.employee_ids() {
        match twin.accruals(e, t) {
            Ok(mut a) => {
                for p in &mut a.periods {
                    p.lines.clear();
                }
                all.push(a);
            }
            Err(err @ ewa::Error::Overflow { .. }) => {
                eprintln!("ewa: employee `{e}` left out: {err}");
                outcome = Outcome::Refused;
            }
            Err(err) => return Err(err.into()),
        }
    }
    let text = || {
        let rows: Vec<Vec<String>> = all.iter().map(accruals_row).collect();
        table::render(
            &["employee", "currency", "unpaid periods", "gross", "net"],
            &rows,
        )
    };
    emit_list(cli, out, &all, text)?;
    Ok(outcome)
}

/// One employee's row of the `accruals` table.
fn accruals_row(a: &ewa::Accruals) -> Vec<String> {
    let cur = a.currency.as_deref();
    let gross: i64 = a
        .periods
        .iter()
        .map(|p| p.gross)
        .fold(0, i64::saturating_add);
    vec![
        a.employee_id.clone(),
        a.currency.clone().unwrap_or_default(),
        a.periods.len().to_string(),
        money(gross, cur),
        money(a.accrued_unpaid_net, cur),
    ]
}

fn periods_table(periods: &[ewa::PeriodAccrual], cur: Option<&str>, tz: chrono_tz::Tz) -> String {
    let rows: Vec<Vec<String>> = periods
        .iter()
        .map(|p| {
            vec![
                p.pay_schedule_id.clone(),
                p.pay_period_id.clone(),
                table::local_text(tz, &p.start_at),
                table::local_text(tz, &p.stop_at),
                table::local_text(tz, &p.pay_at),
                if p.in_blackout { "yes" } else { "no" }.into(),
                money(p.gross, cur),
                money(p.withholding, cur),
                money(p.additions, cur),
                money(p.deductions, cur),
                money(p.net, cur),
            ]
        })
        .collect();
    table::render(
        &[
            "schedule",
            "period",
            "start",
            "stop",
            "pay at",
            "blackout",
            "gross",
            "withholding",
            "additions",
            "deductions",
            "net",
        ],
        &rows,
    )
}

fn lines_table(periods: &[ewa::PeriodAccrual], cur: Option<&str>) -> String {
    let rows: Vec<Vec<String>> = periods
        .iter()
        .flat_map(|p| p.lines.iter().map(move |l| line_row(p, l, cur)))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "\n{}",
        table::render(
            &["period", "line", "contract", "sources", "quantity", "rate", "amount",],
            &rows
        )
    )
}

/// One explained line for people: `8 h 00 min` at `14.50/h × 1.5`, the exact amount in
/// major units.
fn line_row(p: &ewa::PeriodAccrual, l: &ewa::Line, cur: Option<&str>) -> Vec<String> {
    let mut sources = l
        .source_ids
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    if l.source_ids.len() > 3 {
        sources.push_str(&format!(" +{}", l.source_ids.len() - 3));
    }
    let quantity = match l.unit {
        "seconds" => l
            .quantity
            .parse::<rust_decimal::Decimal>()
            .ok()
            .and_then(|q| rust_decimal::prelude::ToPrimitive::to_i64(&q.round()))
            .map_or_else(|| l.quantity.clone(), table::hours),
        "days" => format!("{} d", l.quantity),
        _ => String::new(),
    };
    let per = match (l.unit, l.kind) {
        ("seconds", _) => "/h",
        (_, ewa::LineKind::Daily) => "/day",
        _ => "",
    };
    let times = l
        .multiplier
        .as_deref()
        .map(|m| format!(" × {m}"))
        .unwrap_or_default();
    let rate = match (l.kind, l.rate) {
        // The weighted regular rate (SPEC §5.2) and the minimum wage (§5.7), in words.
        (ewa::LineKind::Overtime | ewa::LineKind::DoubleTime, None)
        | (ewa::LineKind::MinimumWage, Some(_)) => {
            format!("{}{per}{times}", table::line_rate(l, cur))
        }
        (_, Some(r)) => format!("{}{per}{times}", money(r, cur)),
        (_, None) => String::new(),
    };
    vec![
        p.pay_period_id.clone(),
        // A premium line names its rule (SPEC §5.4): `premium night`.
        match &l.name {
            Some(name) => format!("{} {name}", table::code(&l.kind)),
            None => table::code(&l.kind),
        },
        l.contract_id.clone().unwrap_or_default(),
        sources,
        quantity,
        rate,
        table::exact_money(&l.amount, cur),
    ]
}

fn eligibility(
    cli: &Cli,
    env: Env,
    employee: Option<&str>,
    (as_of, known_at): (Option<&str>, Option<&str>),
    delivery: Delivery,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    with_twin(cli, env, known_at, employee, |twin| {
        let t = time(as_of, "as-of", twin.company().timezone(), env)?;
        match employee {
            Some(e) => {
                let a = twin.eligibility(e, t, delivery, Detail::Explained)?;
                let tz = twin.company().timezone();
                emit(cli, out, &a, || eligibility_text(&a, tz))?;
                if a.reasons.contains(Reason::UnknownEmployee) {
                    return Err(Failure::unknown_employee(e, twin));
                }
            }
            None => {
                let all = twin.eligibility_all(t, delivery)?;
                let text = || {
                    let rows: Vec<Vec<String>> = all.iter().map(eligibility_row).collect();
                    table::render(
                        &[
                            "employee",
                            "eligible",
                            "available",
                            "fee",
                            "base",
                            "outstanding",
                            "recovery period",
                            "reasons",
                        ],
                        &rows,
                    )
                };
                emit_list(cli, out, &all, text)?;
            }
        }
        Ok(Outcome::Ok)
    })
}

fn codes(e: &Eligibility) -> Vec<String> {
    e.reasons
        .iter()
        .map(|r| {
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect()
}

fn eligibility_row(e: &Eligibility) -> Vec<String> {
    let cur = e
        .currency
        .as_ref()
        .map(ewa::money::currency::Currency::code);
    vec![
        e.employee_id.to_string(),
        if e.eligible { "yes" } else { "no" }.into(),
        money(e.available, cur),
        money(e.fee, cur),
        money(e.accessible_base, cur),
        money(e.outstanding, cur),
        e.recovery
            .map(|r| r.pay_period_id.to_string())
            .unwrap_or_default(),
        codes(e).join(" "),
    ]
}

/// The advances and carried shortfalls that make up `outstanding`, as a table.
fn outstanding_table(e: &Eligibility, cur: Option<&str>) -> String {
    let rows: Vec<Vec<String>> = e
        .outstanding_lines
        .iter()
        .map(|l| {
            vec![
                l.kind.to_string(),
                l.advance_id
                    .clone()
                    .or_else(|| l.pay_period_id.clone())
                    .unwrap_or_default(),
                money(l.amount, cur),
                money(l.fee, cur),
            ]
        })
        .collect();
    table::render(
        &["outstanding", "advance or period", "amount", "fee"],
        &rows,
    )
}

fn eligibility_text(e: &Eligibility, tz: chrono_tz::Tz) -> String {
    let cur = e
        .currency
        .as_ref()
        .map(ewa::money::currency::Currency::code);
    let reasons = codes(e)
        .iter()
        .map(|c| format!("{c} ({})", reason_text(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = table::pairs(&[
        ("employee", e.employee_id.to_string()),
        ("as of", table::local(tz, e.as_of)),
        (
            "eligible",
            if e.eligible {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        (
            "available",
            format!("{} {}", money(e.available, cur), cur.unwrap_or("")),
        ),
        (
            "limited by",
            e.limited_by
                .map(|l| l.field().to_string())
                .unwrap_or_default(),
        ),
        ("fee", money(e.fee, cur)),
        ("accessible base", money(e.accessible_base, cur)),
        ("outstanding", money(e.outstanding, cur)),
        ("carried shortfall", money(e.carried_shortfall, cur)),
        ("headroom", money(e.headroom, cur)),
        (
            "recovery period",
            e.recovery
                .map(|r| r.pay_period_id.to_string())
                .unwrap_or_default(),
        ),
        (
            "recovery pay at",
            e.recovery
                .map(|r| table::local(tz, r.pay_at))
                .unwrap_or_default(),
        ),
        ("accrued unpaid net", money(e.accrued_unpaid_net, cur)),
        ("reasons", reasons),
    ]);
    if !e.outstanding_lines.is_empty() {
        s.push('\n');
        s.push_str(&outstanding_table(e, cur));
    }
    if !e.periods.is_empty() {
        s.push('\n');
        s.push_str(&periods_table(&e.periods, cur, tz));
    }
    s
}

/// An employee's currency (for showing amounts), if any.
pub fn currency_of(twin: &Twin, employee: &str) -> Option<String> {
    twin.accruals(employee, Instant::MIN)
        .ok()
        .and_then(|a| a.currency)
}

fn recoveries(
    cli: &Cli,
    env: Env,
    schedule: &str,
    period: &str,
    as_of: Option<&str>,
    known_at: Option<&str>,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    with_twin(cli, env, known_at, None, |twin| {
        let t = time(as_of, "as-of", twin.company().timezone(), env)?;
        let list = twin.recoveries(schedule, period, t)?;
        let text = || {
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|r| {
                    let cur = currency_of(twin, &r.employee_id);
                    let cur = cur.as_deref();
                    vec![
                        r.employee_id.clone(),
                        r.advances.len().to_string(),
                        money(r.carried_in, cur),
                        money(r.due, cur),
                        money(r.net, cur),
                        money(r.deduct, cur),
                        money(r.carried_forward, cur),
                    ]
                })
                .collect();
            table::render(
                &[
                    "employee",
                    "advances",
                    "carried in",
                    "due",
                    "net",
                    "deduct",
                    "carried forward",
                ],
                &rows,
            )
        };
        if cli.format == Some(Format::Csv) {
            let (header, rows) = payroll_csv(twin, schedule, period, &list);
            write_csv_table(out, &header, &rows)?;
        } else {
            emit_list(cli, out, &list, text)?;
        }
        Ok(Outcome::Ok)
    })
}

/// `recoveries --format csv`: one row per employee, ready for a payroll import — what to
/// deduct in major units (`32.29`, no thousands separator) and in minor units, with the
/// period, the currency and the advances it repays (docs/cli.md "Recoveries as CSV").
fn payroll_csv(
    twin: &Twin,
    schedule: &str,
    period: &str,
    list: &[ewa::Recovery],
) -> (Vec<String>, Vec<Vec<String>>) {
    let header = [
        "employee_id",
        "pay_schedule_id",
        "pay_period_id",
        "currency",
        "deduct",
        "deduct_minor",
        "due",
        "net",
        "carried_in",
        "carried_forward",
        "advance_ids",
    ]
    .map(String::from)
    .to_vec();
    let plain = |v: i64, cur: Option<&str>| money(v, cur).replace(',', "");
    let rows = list
        .iter()
        .map(|r| {
            let cur = currency_of(twin, &r.employee_id);
            let cur = cur.as_deref();
            vec![
                r.employee_id.clone(),
                schedule.to_string(),
                period.to_string(),
                cur.unwrap_or_default().to_string(),
                plain(r.deduct, cur),
                r.deduct.to_string(),
                plain(r.due, cur),
                plain(r.net, cur),
                plain(r.carried_in, cur),
                plain(r.carried_forward, cur),
                r.advances
                    .iter()
                    .filter_map(|a| a.advance_id.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect();
    (header, rows)
}

/// Versions `ewa history --shift` prints without `--all` (docs/decisions.md).
const HISTORY_SHOWN: usize = 1_000;

fn history(cli: &Cli, shift: &str, all: bool, out: &mut dyn Write) -> Result<Outcome, Failure> {
    let mut store = open_read(cli)?;
    let id = company_id(cli, &store)?;
    let tz = store.twin(&id)?.company().timezone();
    let mut versions = store
        .twin(&id)?
        .shift_history(shift)
        .ok_or_else(|| Failure::input(format!("no shift `{shift}` in company `{id}`")))?;
    let folded = versions.len().saturating_sub(HISTORY_SHOWN);
    if !all && folded > 0 {
        // The latest versions, still numbered from the first; the rest counted on stderr.
        versions.drain(..folded);
        eprintln!("ewa: {folded} earlier versions of shift `{shift}` not shown (--all shows them)");
    }
    let text = || {
        let rows: Vec<Vec<String>> = versions
            .iter()
            .map(|v| {
                vec![
                    v.version.to_string(),
                    v.job_id.clone(),
                    table::local_text(tz, &v.received_at),
                    v.shift_status.to_string(),
                    v.employee_id.clone().unwrap_or_default(),
                    v.contract_id.clone().unwrap_or_default(),
                    table::local_text(tz, &v.start_at),
                    table::local_text(tz, &v.stop_at),
                ]
            })
            .collect();
        table::render(
            &[
                "version",
                "job",
                "received at",
                "status",
                "employee",
                "contract",
                "start",
                "stop",
            ],
            &rows,
        )
    };
    emit_list(cli, out, &versions, text)?;
    Ok(Outcome::Ok)
}
