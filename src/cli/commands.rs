//! The commands, over the public library API.

use super::args::{company_id, open, time, InputArgs, InputFormat};
use super::output::{emit, write_failed, write_json};
use super::table::{self, money, reason_text};
use super::{bench, csv, demo, exit, jsonl, AdvanceAction, Cli, Command, Env, Failure, Format};
use ewa::calendar::{parse_zone, Instant};
use ewa::eligibility::AdvanceOutcome;
use ewa::store::Store;
use ewa::{AdvanceRequest, Company, Delivery, Detail, Eligibility, JobReport, Kind, Twin};
use serde::Serialize;
use serde_json::Value;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

/// Runs the parsed command.
pub fn run(cli: &Cli, env: Env, out: &mut dyn Write) -> Result<i32, Failure> {
    match &cli.command {
        Command::Demo { as_of, employees } => {
            demo::run(cli, env, as_of.as_deref(), *employees, out)
        }
        Command::Init { timezone, config } => {
            init(cli, timezone.as_deref(), config.as_deref(), out)
        }
        ingest @ Command::Ingest { .. } => ingest_command(cli, env, ingest, out),
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
            eligibility(
                cli,
                env,
                who,
                as_of.as_deref(),
                known_at.as_deref(),
                delivery.get(),
                out,
            )
        }
        Command::Advance { action } => advance(cli, env, action, out),
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
        Command::History { shift } => history(cli, shift, out),
        Command::Compact => compact(cli, out),
        Command::Companies => companies(cli, out),
        Command::Scenario { file } => scenario(file, out),
        Command::Generate {
            employees,
            seed,
            out: file,
        } => generate(*employees, *seed, file.as_deref(), out),
        bench @ Command::Bench { .. } => bench_command(cli, bench, out),
    }
}

/// `ewa compact`: a snapshot, and the journal trimmed.
fn compact(cli: &Cli, out: &mut dyn Write) -> Result<i32, Failure> {
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
    Ok(exit::OK)
}

/// `ewa companies`: the store's companies.
fn companies(cli: &Cli, out: &mut dyn Write) -> Result<i32, Failure> {
    let store = open(cli, false)?;
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
    emit(cli, out, &infos, text)?;
    Ok(exit::OK)
}

/// `ewa scenario FILE`: runs a SPEC §8 document.
fn scenario(file: &Path, out: &mut dyn Write) -> Result<i32, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))?;
    let output = ewa::scenario::run_str(&text)?;
    writeln!(out, "{}", output.to_json_pretty()).map_err(write_failed)?;
    Ok(exit::OK)
}

/// `ewa generate`: a synthetic scenario document, to a file or the output.
fn generate(
    employees: usize,
    seed: u64,
    file: Option<&Path>,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let doc = ewa::generate::scenario(&ewa::generate::Options {
        employees,
        seed,
        ..Default::default()
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::input(e.to_string()))?;
    match file {
        Some(f) => std::fs::write(f, text + "\n")
            .map_err(|e| Failure::input(format!("cannot write {}: {e}", f.display())))?,
        None => writeln!(out, "{text}").map_err(write_failed)?,
    }
    Ok(exit::OK)
}

/// `ewa bench`: measures the engine (`command` is the `Bench` command).
fn bench_command(cli: &Cli, command: &Command, out: &mut dyn Write) -> Result<i32, Failure> {
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
    };
    if *bulk_only {
        let bulk = bench::BulkOnly {
            runs: *repeat,
            kind: *kind,
        };
        let text = bench::run_bulk_only(&opts, &bulk)?;
        write!(out, "{text}").map_err(write_failed)?;
        return Ok(exit::OK);
    }
    let report = bench::run(&opts)?;
    if *json || cli.format == Some(Format::Json) {
        write_json(out, &report)?;
    } else {
        write!(out, "{}", report.to_table()).map_err(write_failed)?;
    }
    Ok(exit::OK)
}

/// Runs `f` on the company's twin: the current one, or the one known at `--known-at`.
fn with_twin<R>(
    cli: &Cli,
    env: Env,
    known_at: Option<&str>,
    f: impl FnOnce(&Twin) -> Result<R, Failure>,
) -> Result<R, Failure> {
    let mut store = open(cli, false)?;
    let id = company_id(cli, &store)?;
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
) -> Result<i32, Failure> {
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
    Ok(exit::OK)
}

struct Progress {
    on: bool,
}

impl Progress {
    fn new(env: Env) -> Progress {
        Progress {
            on: env.progress && std::io::stderr().is_terminal(),
        }
    }
    fn phase(&self, msg: &str) {
        if self.on {
            eprint!("\r\x1b[2Kewa: {msg}");
            let _ = std::io::stderr().flush();
        }
    }
    fn done(&self, msg: &str) {
        if self.on {
            eprintln!("\r\x1b[2Kewa: {msg}");
        }
    }
}

fn read_input(file: &Path) -> Result<Vec<u8>, Failure> {
    if file == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::input(format!("cannot read standard input: {e}")))?;
        return Ok(buf);
    }
    std::fs::read(file).map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))
}

/// `ewa ingest` from its parsed arguments.
fn ingest_command(
    cli: &Cli,
    env: Env,
    command: &Command,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let Command::Ingest {
        entity,
        received_at,
        files,
        input,
    } = command
    else {
        return Err(Failure::input("not the ingest command"));
    };
    ingest(cli, env, entity, received_at.as_deref(), files, input, out)
}

fn ingest(
    cli: &Cli,
    env: Env,
    entity: &str,
    received_at: Option<&str>,
    files: &[std::path::PathBuf],
    input: &InputArgs,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let kind = Kind::parse(entity).ok_or_else(|| {
        Failure::input(format!(
            "--entity `{entity}` is not a kind: pay-schedules, contracts, employees, shifts, additions, deductions"
        ))
    })?;
    let mut store = open(cli, false)?;
    let id = company_id(cli, &store)?;
    let company = store.twin(&id)?.company().clone();
    let at = time(received_at, "received-at", company.timezone(), env)?;
    let progress = Progress::new(env);
    let mut reports: Vec<JobReport> = Vec::new();
    let mut failure = None;
    for file in files {
        let name = file.display().to_string();
        progress.phase(&format!("{name}: reading"));
        let r = ingest_file(&mut store, &id, kind, input, file, at, &progress);
        match r {
            Ok(report) => {
                progress.done(&format!(
                    "{name}: {} — {} received, {} accepted, {} rejected",
                    report.job_id,
                    report.count_received,
                    report.count_accepted,
                    report.count_rejected
                ));
                reports.push(report);
            }
            Err(f) => {
                progress.done(&format!("{name}: failed"));
                failure = Some(Failure {
                    code: f.code,
                    message: format!("{name}: {}", f.message),
                });
                break;
            }
        }
    }
    if !reports.is_empty() {
        let text = || {
            reports
                .iter()
                .map(report_table)
                .collect::<Vec<_>>()
                .join("\n")
        };
        match reports.as_slice() {
            [one] => emit(cli, out, one, text)?,
            many => emit(cli, out, &many, text)?,
        }
    }
    if let Some(f) = failure {
        return Err(f);
    }
    Ok(if reports.iter().any(|r| r.count_rejected > 0) {
        exit::REFUSED
    } else {
        exit::OK
    })
}

fn ingest_file(
    store: &mut Store,
    id: &str,
    kind: Kind,
    input: &InputArgs,
    file: &Path,
    at: Instant,
    progress: &Progress,
) -> Result<JobReport, Failure> {
    let bytes = read_input(file)?;
    let format = input.format_of(file, &bytes);
    if format == InputFormat::Json {
        progress.phase(&format!(
            "{}: applying {} bytes of JSON",
            file.display(),
            table::count(bytes.len())
        ));
        return Ok(store.apply_json(id, kind, &bytes, at)?);
    }
    if format == InputFormat::Csv && !csv::supported(kind) {
        return Err(Failure::input(format!(
            "CSV is read for employees, shifts, additions and deductions; send {} as a JSON array",
            kind.target_entity()
        )));
    }
    let max = store.twin(id)?.company().limits().batch_bytes_max();
    if bytes.len() as u64 > max {
        return Err(ewa::Error::BatchRefused {
            reason: format!(
                "{} bytes exceed the limit of {max} (batch_bytes_max)",
                bytes.len()
            ),
        }
        .into());
    }
    // Read whole before anything is applied: a bad file is refused, nothing journaled.
    let records = if format == InputFormat::Csv {
        csv::records(&bytes, kind, input).map_err(|e| Failure::input(e.to_string()))?
    } else {
        jsonl::records(&bytes).map_err(Failure::input)?
    };
    progress.phase(&format!(
        "{}: applying {} records",
        file.display(),
        table::count(records.len())
    ));
    Ok(store.apply(id, kind, &records, at)?)
}

fn report_table(r: &JobReport) -> String {
    let mut s = format!(
        "{} {}: {} received, {} accepted, {} rejected\n",
        r.job_id, r.target_entity, r.count_received, r.count_accepted, r.count_rejected
    );
    let rows: Vec<Vec<String>> = r
        .results
        .iter()
        .filter(|x| !x.outcome.is_accepted())
        .flat_map(|x| {
            x.errors.iter().map(move |e| {
                vec![
                    x.index.to_string(),
                    x.key.clone().unwrap_or_default(),
                    x.outcome.as_str().to_string(),
                    e.field.clone(),
                    e.message.clone(),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        s.push_str(&table::render(
            &["index", "key", "outcome", "field", "message"],
            &rows,
        ));
    }
    s
}

fn accruals(
    cli: &Cli,
    env: Env,
    employee: Option<&str>,
    as_of: Option<&str>,
    known_at: Option<&str>,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    with_twin(cli, env, known_at, |twin| {
        let t = time(as_of, "as-of", twin.company().timezone(), env)?;
        match employee {
            Some(e) => {
                let a = twin.accruals(e, t)?;
                let text = || {
                    let cur = a.currency.as_deref();
                    let mut s = format!(
                        "{} as of {}: accrued unpaid net {}\n",
                        a.employee_id,
                        a.as_of,
                        money(a.accrued_unpaid_net, cur)
                    );
                    s.push_str(&periods_table(&a.periods, cur));
                    s.push_str(&lines_table(&a.periods, cur));
                    s
                };
                emit(cli, out, &a, text)?;
            }
            None => {
                let mut all = Vec::new();
                for e in twin.employee_ids() {
                    let mut a = twin.accruals(e, t)?;
                    for p in &mut a.periods {
                        p.lines.clear();
                    }
                    all.push(a);
                }
                let text = || {
                    let rows: Vec<Vec<String>> = all
                        .iter()
                        .map(|a| {
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
                        })
                        .collect();
                    table::render(
                        &["employee", "currency", "unpaid periods", "gross", "net"],
                        &rows,
                    )
                };
                emit(cli, out, &all, text)?;
            }
        }
        Ok(exit::OK)
    })
}

fn periods_table(periods: &[ewa::PeriodAccrual], cur: Option<&str>) -> String {
    let rows: Vec<Vec<String>> = periods
        .iter()
        .map(|p| {
            vec![
                p.pay_schedule_id.clone(),
                p.pay_period_id.clone(),
                p.start_at.clone(),
                p.stop_at.clone(),
                p.pay_at.clone(),
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
        .flat_map(|p| {
            p.lines.iter().map(move |l| {
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
                vec![
                    p.pay_period_id.clone(),
                    serde_json::to_value(l.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    l.contract_id.clone().unwrap_or_default(),
                    sources,
                    format!("{} {}", l.quantity, l.unit),
                    table::line_rate(l, cur),
                    l.amount.clone(),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "\n{}",
        table::render(
            &[
                "period",
                "line",
                "contract",
                "sources",
                "quantity",
                "rate",
                "amount (minor units)"
            ],
            &rows
        )
    )
}

fn eligibility(
    cli: &Cli,
    env: Env,
    employee: Option<&str>,
    as_of: Option<&str>,
    known_at: Option<&str>,
    delivery: Delivery,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    with_twin(cli, env, known_at, |twin| {
        let t = time(as_of, "as-of", twin.company().timezone(), env)?;
        match employee {
            Some(e) => {
                let a = twin.eligibility(e, t, delivery, Detail::Explained)?;
                emit(cli, out, &a, || eligibility_text(&a))?;
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
                emit(cli, out, &all, text)?;
            }
        }
        Ok(exit::OK)
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

fn eligibility_text(e: &Eligibility) -> String {
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
        ("as of", e.as_of.to_string()),
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
            e.recovery.map(|r| r.pay_at.to_string()).unwrap_or_default(),
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
        s.push_str(&periods_table(&e.periods, cur));
    }
    s
}

fn advance(
    cli: &Cli,
    env: Env,
    action: &AdvanceAction,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let mut store = open(cli, false)?;
    let id = company_id(cli, &store)?;
    let tz = store.twin(&id)?.company().timezone();
    match action {
        AdvanceAction::Quote {
            employee,
            amount,
            at,
            delivery,
        } => {
            let t = time(at.as_deref(), "at", tz, env)?;
            let q = store
                .twin(&id)?
                .quote_advance(employee, *amount, t, delivery.get())?;
            let cur = store
                .twin(&id)?
                .eligibility(employee, t, delivery.get(), Detail::Brief)?
                .currency;
            let cur = cur.as_ref().map(ewa::money::currency::Currency::code);
            let text = || quote_table(&q, cur);
            emit(cli, out, &q, text)?;
            Ok(exit::OK)
        }
        AdvanceAction::Request {
            advance_id,
            employee,
            amount,
            at,
            delivery,
        } => {
            let req = AdvanceRequest {
                advance_id: advance_id.clone(),
                employee_id: employee.clone(),
                amount: *amount,
                requested_at: time(at.as_deref(), "at", tz, env)?,
                delivery: delivery.get(),
            };
            let d = store.request_advance(&id, &req)?;
            let cur = currency_of(store.twin(&id)?, employee);
            let cur = cur.as_deref();
            let text = || decision_table(&d, cur);
            emit(cli, out, &d, text)?;
            Ok(if d.outcome == AdvanceOutcome::Accepted {
                exit::OK
            } else {
                exit::REFUSED
            })
        }
        AdvanceAction::Cancel { advance_id, at } => {
            let t = time(at.as_deref(), "at", tz, env)?;
            let d = store.cancel_advance(&id, advance_id, t)?;
            let text = || cancel_table(&d);
            emit(cli, out, &d, text)?;
            Ok(if d.outcome == AdvanceOutcome::Cancelled {
                exit::OK
            } else {
                exit::REFUSED
            })
        }
    }
}

/// The table of a quote.
fn quote_table(q: &ewa::Quote, cur: Option<&str>) -> String {
    table::pairs(&[
        ("employee", q.employee_id.clone()),
        ("amount", money(q.request_amount, cur)),
        ("fee", money(q.fee, cur)),
        ("total repayable", money(q.total_repayable, cur)),
        (
            "repayment date",
            q.repayment_date.clone().unwrap_or_default(),
        ),
        ("available now", money(q.available, cur)),
        (
            "acceptable",
            if q.acceptable {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        ("reasons", reason_list(&q.reasons)),
    ])
}

/// The table of an advance decision.
fn decision_table(d: &ewa::AdvanceDecision, cur: Option<&str>) -> String {
    table::pairs(&[
        ("advance", d.advance_id.clone()),
        ("employee", d.employee_id.clone()),
        ("outcome", ewa_code(&d.outcome)),
        ("amount", money(d.amount, cur)),
        ("fee", d.fee.map(|f| money(f, cur)).unwrap_or_default()),
        (
            "repaid from",
            d.recovery_pay_period_id.clone().unwrap_or_default(),
        ),
        ("repaid at", d.recovery_pay_at.clone().unwrap_or_default()),
        ("reasons", reason_list(&d.reasons)),
    ])
}

/// The table of a cancel decision.
fn cancel_table(d: &ewa::CancelDecision) -> String {
    table::pairs(&[
        ("advance", d.advance_id.clone()),
        ("outcome", ewa_code(&d.outcome)),
        ("cancelled at", d.cancelled_at.clone()),
        ("reasons", reason_list(&d.reasons)),
    ])
}

/// An employee's currency (for showing amounts), if any.
fn currency_of(twin: &Twin, employee: &str) -> Option<String> {
    twin.accruals(employee, Instant::MIN)
        .ok()
        .and_then(|a| a.currency)
}

fn ewa_code(v: &impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn reason_list(reasons: &[ewa::Reason]) -> String {
    reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn recoveries(
    cli: &Cli,
    env: Env,
    schedule: &str,
    period: &str,
    as_of: Option<&str>,
    known_at: Option<&str>,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    with_twin(cli, env, known_at, |twin| {
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
        emit(cli, out, &list, text)?;
        Ok(exit::OK)
    })
}

fn history(cli: &Cli, shift: &str, out: &mut dyn Write) -> Result<i32, Failure> {
    let mut store = open(cli, false)?;
    let id = company_id(cli, &store)?;
    let versions = store
        .twin(&id)?
        .shift_history(shift)
        .ok_or_else(|| Failure::input(format!("no shift `{shift}` in company `{id}`")))?;
    let text = || {
        let rows: Vec<Vec<String>> = versions
            .iter()
            .map(|v| {
                vec![
                    v.version.to_string(),
                    v.job_id.clone(),
                    v.received_at.clone(),
                    v.shift_status.to_string(),
                    v.employee_id.clone().unwrap_or_default(),
                    v.contract_id.clone().unwrap_or_default(),
                    v.start_at.clone(),
                    v.stop_at.clone(),
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
    emit(cli, out, &versions, text)?;
    Ok(exit::OK)
}
