//! Decoding the binary snapshot, one section at a time (see the module docs of `super`).
//!
//! The decoder checks what it needs to build the twin without panicking or allocating
//! without bound: frames, lengths, counts, references in range, ids, the order of the
//! format's own columns (job runs, side records, id chunks). The twin's structural rules
//! (sort orders, every shift and payment in its owner's list, advance decisions...) are
//! checked once, by [`Twin::check_invariants`], after the stream is read.

use super::reader::{ix_of, opt_ix_of, push_indexed, status_of};
use super::reader::{FrameSource, Reader};
use super::{bad, END, FORMAT_VERSION, FORMAT_VERSION_MIN, MAGIC, RESERVE_MAX};
use crate::accrual::Books;
use crate::calendar::Instant;
use crate::company::Company;
use crate::error::{Error, Result};
use crate::ingest::contracts::parse_minimum_wage;
use crate::ingest::{hourly_only, parse_holiday_pay_hours};
use crate::model::hash::IxMap;
use crate::model::shifts::{index_slots, Chunk, Extra, ShiftStore, CHUNK_SHIFTS, SHIFTS_MAX};
use crate::model::{Advance, EmployeeIx, RecoveryRef, STORED_REASONS};
use crate::model::{
    Alignment, Assignment, Contract, Delivery, Employee, Leave, LeaveStatus, Overtime, Payment,
    Period, Profile, RateVersion, RegularRate, Schedule, ShiftExt, ShiftRec, ShiftVersion,
    SideTables, Span, Stint,
};
use crate::model::{Arena, Few, Index, Ix, State};
use crate::twin::Twin;
use chrono::NaiveTime;
use serde_json::Value;

/// Decodes a binary snapshot from frames pulled from `source` (see the module docs), which
/// fills the buffer it is given with the next frame and returns `false` when there is none.
/// With `company`, the snapshot's company must equal it (the store's company row). The
/// decoded twin must pass [`Twin::check_invariants`].
///
/// # Errors
/// [`Error::Storage`] naming the first thing that is wrong; `source`'s errors.
pub(crate) fn read(company: Option<&Company>, source: &mut FrameSource<'_>) -> Result<Twin> {
    let mut r = Reader::new(source);
    let state = read_body(&mut r, company).map_err(|e| match e {
        Error::Storage { message } if r.entry.0 != "header" => Error::Storage {
            message: format!("{message} (in {} {})", r.entry.0, r.entry.1),
        },
        e => e,
    })?;
    r.finish()?;
    let twin = Twin {
        books: Books::new(state),
    };
    twin.check_invariants().map_err(|e| match e {
        Error::Storage { message } => bad(message),
        e => e,
    })?;
    Ok(twin)
}

/// Every count of the header, and the format version.
struct Counts {
    version: u32,
    schedules: usize,
    contracts: usize,
    employees: usize,
    shifts: usize,
    open: usize,
    extra: usize,
    additions: usize,
    deductions: usize,
    advances: usize,
}

fn read_body(r: &mut Reader<'_>, expected: Option<&Company>) -> Result<State> {
    let (mut twin, n, version) = read_header(r, expected)?;
    let id_max = twin.company.limits.id_chars_max;
    for _ in 0..n.schedules {
        let s = read_schedule(r, id_max)?;
        push_indexed(
            &mut twin.schedules,
            &mut twin.schedule_ix,
            s,
            |s| &s.id,
            "schedule",
        )?;
    }
    for _ in 0..n.contracts {
        let mut c = read_contract(r, &n, id_max)?;
        derive_rules(&mut c, twin.company.limits.text_chars_max)?;
        push_indexed(
            &mut twin.contracts,
            &mut twin.contract_ix,
            c,
            |c| &c.id,
            "contract",
        )?;
    }
    let list_lens = read_employees(r, &mut twin, &n, id_max)?;
    let chunks = read_shift_ids(r, &n, id_max)?;
    read_shifts(r, &mut twin, &n, &list_lens, chunks)?;
    read_payments(r, &mut twin, &n, id_max)?;
    for i in 0..n.advances {
        r.entry = ("advance", i);
        let a = read_advance(r, &n, id_max)?;
        push_indexed(
            &mut twin.advances,
            &mut twin.advance_ix,
            a,
            |a| &a.id,
            "advance",
        )?;
    }
    // 12. Leaves, from format version 2 on (a version 1 stream has none).
    if version >= 2 {
        read_leaves(r, &mut twin, &n, id_max)?;
    }
    // 13. Trailer.
    if r.array::<4>()? != END || r.u64()? != n.shifts as u64 {
        return Err(bad("the trailer is missing or wrong"));
    }
    Ok(twin)
}

/// Section 1, the header: an empty twin of the snapshot's company, its job counter, the
/// counts, the format version.
fn read_header(r: &mut Reader<'_>, expected: Option<&Company>) -> Result<(State, Counts, u32)> {
    if r.array::<8>()? != MAGIC {
        return Err(bad(
            "the bytes are not an ewa twin snapshot (no snapshot marker)",
        ));
    }
    let version = r.u32()?;
    if !(FORMAT_VERSION_MIN..=FORMAT_VERSION).contains(&version) {
        return Err(bad(format!(
            "format version {version}; this ewa reads versions {FORMAT_VERSION_MIN} to {FORMAT_VERSION}"
        )));
    }
    let config = r.string("the company")?;
    let config: Value =
        serde_json::from_str(&config).map_err(|e| bad(format!("the company is not JSON: {e}")))?;
    let company =
        Company::from_json(&config).map_err(|e| bad(format!("the company is invalid: {e}")))?;
    if let Some(c) = expected {
        if *c != company {
            return Err(bad(format!(
                "it holds company `{}`, not the expected `{}`",
                company.company_id, c.company_id
            )));
        }
    }
    let jobs = r.u64()?;
    let n = Counts {
        version,
        schedules: r.count("schedules")?,
        contracts: r.count("contracts")?,
        employees: r.count("employees")?,
        shifts: r.count("shifts")?,
        open: r.count("open shifts")?,
        extra: r.count("shift side records")?,
        additions: r.count("additions")?,
        deductions: r.count("deductions")?,
        advances: r.count("advances")?,
    };
    if n.shifts > SHIFTS_MAX as usize || n.open > n.shifts || n.extra > n.shifts {
        return Err(bad("the shift counts are out of range"));
    }
    let mut twin = State::new(company);
    twin.jobs = jobs;
    Ok((twin, n, version))
}

/// 2. One schedule (its periods' order and alignment are invariants).
fn read_schedule(r: &mut Reader<'_>, id_max: u64) -> Result<Schedule> {
    let id = r.id("a schedule id", id_max)?;
    let what = |f: &str| format!("schedule `{id}` {f}");
    let frequency = r.frequency(&what("frequency"))?;
    let alignment = if r.flag(&what("alignment"))? {
        Some(match r.u8()? {
            0 => Alignment::Arrears,
            1 => Alignment::Aligned,
            2 => Alignment::Advance,
            b => return Err(bad(what(&format!("alignment {b} is unknown")))),
        })
    } else {
        None
    };
    let np = r.count(&what("periods"))?;
    let mut periods: Vec<Period> = Vec::with_capacity(np.min(RESERVE_MAX));
    for _ in 0..np {
        periods.push(Period {
            id: r.id("a pay period id", id_max)?,
            start: r.at()?,
            stop: r.at()?,
            pay_at: r.at()?,
        });
    }
    let custom_info = r.opt_json(&what("custom_info"))?;
    Ok(Schedule {
        id,
        frequency,
        alignment,
        periods,
        custom_info,
    })
}

/// 3. One contract (its rate versions' order is an invariant).
fn read_contract(r: &mut Reader<'_>, n: &Counts, id_max: u64) -> Result<Contract> {
    let id = r.id("a contract id", id_max)?;
    let what = |f: &str| format!("contract `{id}` {f}");
    let schedule = ix_of(r.u32()?, n.schedules, &|| what("schedule"))?;
    let currency = r.currency(&what("currency"))?;
    let rate_period = r.frequency(&what("rate period"))?;
    let nv = r.count(&what("rate versions"))?;
    let mut versions: Vec<RateVersion> = Vec::with_capacity(nv.min(RESERVE_MAX));
    for _ in 0..nv {
        versions.push(RateVersion {
            from: r.at()?,
            amount: r.i64()?,
        });
    }
    let custom_info = r.opt_json(&what("custom_info"))?;
    let overtime = if r.flag(&what("overtime"))? {
        Some(read_overtime(r, &what)?)
    } else {
        None
    };
    // SPEC §5.7: re-derived from the stored custom_info by ingestion's parser; the whole
    // overtime rule set is re-read by `derive_rules` (§5.2 `seventh_day`, `regular_rate`).
    let minimum_wage = parse_minimum_wage(custom_info.as_ref())
        .map_err(|(field, m)| bad(what(&format!("{field} {m}"))))?
        .filter(|_| rate_period == crate::calendar::Frequency::Hourly);
    // Contract rules in custom_info are re-derived by ingestion's own readers (SPEC §5.5,
    // §5.6). Validated on every contract, kept on hourly ones, as ingestion does.
    let holiday_pay_hours = parse_holiday_pay_hours(custom_info.as_ref())
        .map_err(|(f, m)| bad(what(&format!("{f} {m}"))))?;
    let holiday_pay_hours = hourly_only(rate_period, holiday_pay_hours);
    let auto_break = crate::accrual::paid::auto_break_of(custom_info.as_ref())
        .map_err(|(f, m)| bad(what(&format!("{f} {m}"))))?
        .filter(|_| rate_period == crate::calendar::Frequency::Hourly);
    Ok(Contract {
        id,
        schedule,
        currency,
        rate_period,
        versions,
        custom_info,
        overtime,
        premiums: Vec::new(),
        minimum_wage,
        holiday_pay_hours,
        auto_break,
    })
}

/// The contract rules kept only in its `custom_info` (not in the binary format), re-derived
/// by ingestion's own parsers (SPEC §5.2 overtime, §5.4 premiums; on hourly contracts only).
fn derive_rules(c: &mut Contract, text_max: u64) -> Result<()> {
    if c.overtime.is_some() {
        // The whole rule set from the one parser (SPEC §5.2; `seventh_day` is stored only
        // there); the binary fields were read for the format's sake.
        let v = c.custom_info.as_ref().and_then(|ci| ci.get("overtime"));
        let parsed = v.map(crate::ingest::contracts::parse_overtime);
        c.overtime = match parsed {
            Some(Ok(o)) => Some(o),
            Some(Err((f, m))) => return Err(bad(format!("contract `{}` {f} {m}", c.id))),
            None => {
                return Err(bad(format!(
                    "contract `{}` has overtime rules but no custom_info.overtime",
                    c.id
                )))
            }
        };
    }
    // Validated on every contract, kept on hourly ones, as ingestion does.
    let premiums = crate::ingest::premiums::premiums_of(c.custom_info.as_ref(), text_max)
        .map_err(|(f, m)| bad(format!("contract `{}` {f} {m}", c.id)))?;
    c.premiums = hourly_only(c.rate_period, premiums);
    Ok(())
}

fn read_overtime(r: &mut Reader<'_>, what: &dyn Fn(&str) -> String) -> Result<Overtime> {
    let weekly_threshold = r.opt_i64(&what("weekly threshold"))?;
    let daily_threshold = r.opt_i64(&what("daily threshold"))?;
    let multiplier = r.decimal(&what("overtime multiplier"))?;
    let double_time_threshold = r.opt_i64(&what("double-time threshold"))?;
    let double_time_multiplier = r.decimal(&what("double-time multiplier"))?;
    let secs = r.u32()?;
    let nanos = r.u32()?;
    let workday_starts_at = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
        .ok_or_else(|| bad(what("workday_starts_at is not a time of day")))?;
    Ok(Overtime {
        weekly_threshold,
        daily_threshold,
        multiplier,
        double_time_threshold,
        double_time_multiplier,
        workday_starts_at,
        // Not in the binary format: re-derived from `custom_info` by `derive_rules`.
        seventh_day: false,
        regular_rate: RegularRate::Contract,
    })
}

/// 4. Employees (their shift lists come in section 8); returns each list's length.
fn read_employees(
    r: &mut Reader<'_>,
    twin: &mut State,
    n: &Counts,
    id_max: u64,
) -> Result<Vec<usize>> {
    let mut list_lens: Vec<usize> = Vec::with_capacity(n.employees.min(RESERVE_MAX));
    let mut listed_shifts = 0usize;
    for i in 0..n.employees {
        r.entry = ("employee", i);
        let (e, ns) = read_employee(r, &twin.company, n, id_max)?;
        listed_shifts = listed_shifts
            .checked_add(ns)
            .filter(|t| *t <= n.shifts)
            .ok_or_else(|| bad("the shift lists hold more shifts than there are"))?;
        list_lens.push(ns);
        push_indexed(
            &mut twin.employees,
            &mut twin.employee_ix,
            e,
            |e| &e.id,
            "employee",
        )?;
    }
    if listed_shifts + n.open != n.shifts {
        return Err(bad(format!(
            "the shift lists hold {} shifts, the header says {}",
            listed_shifts + n.open,
            n.shifts
        )));
    }
    Ok(list_lens)
}

/// One employee, without its shifts, and the length of its shift list. Field names only
/// in errors (no allocation per employee); `read` names the entry.
fn read_employee(
    r: &mut Reader<'_>,
    company: &Company,
    n: &Counts,
    id_max: u64,
) -> Result<(Employee, usize)> {
    let id = r.id("an employee id", id_max)?;
    let mut field = || r.opt_boxed("profile");
    let profile = Profile {
        work_email: field()?,
        personal_email: field()?,
        given_name: field()?,
        family_name: field()?,
        honorific: field()?,
        work_phone: field()?,
        personal_phone: field()?,
    };
    let custom_info = r.json("custom_info")?;
    let na = r.count("assignments")?;
    let mut assignments = smallvec::SmallVec::with_capacity(na.min(RESERVE_MAX));
    for _ in 0..na {
        assignments.push(read_assignment(r, company, n)?);
    }
    let additions = read_ixs(r, n.additions)?;
    let deductions = read_ixs(r, n.deductions)?;
    let advances = read_ixs(r, n.advances)?;
    let ns = r.count("shift list")?;
    let e = Employee {
        id,
        profile,
        custom_info,
        assignments,
        shifts: Vec::new(),
        additions,
        deductions,
        advances,
        leaves: Few::new(),
    };
    Ok((e, ns))
}

/// One assignment; the stints' instants are recomputed as ingestion computes them (SPEC
/// §2: local midnights).
fn read_assignment(r: &mut Reader<'_>, company: &Company, n: &Counts) -> Result<Assignment> {
    let contract = ix_of(r.u32()?, n.contracts, &|| "assignment".to_string())?;
    let ns = r.count("stints")?;
    let mut stints = smallvec::SmallVec::with_capacity(ns.min(RESERVE_MAX));
    for _ in 0..ns {
        let start_on = r.opt_date("contract_start_on")?;
        let stop_on = r.opt_date("contract_stop_on")?;
        stints.push(Stint {
            start_on,
            stop_on,
            start: start_on.map_or(Instant::MIN, |d| company.midnight(d)),
            end: stop_on
                .and_then(|d| d.succ_opt())
                .map_or(Instant::MAX, |d| company.midnight(d)),
        });
    }
    Ok(Assignment { contract, stints })
}

/// 5. Shift ids: the arena chunks, each checked to hold its share of the ids.
fn read_shift_ids(r: &mut Reader<'_>, n: &Counts, id_max: u64) -> Result<Vec<Chunk>> {
    let nchunks = r.count("shift id chunks")?;
    if nchunks != n.shifts.div_ceil(CHUNK_SHIFTS) {
        return Err(bad(format!(
            "{nchunks} shift id chunks for {} shifts",
            n.shifts
        )));
    }
    let mut chunks = Vec::with_capacity(nchunks);
    for k in 0..nchunks {
        let want = (n.shifts - k * CHUNK_SHIFTS).min(CHUNK_SHIFTS);
        chunks.push(read_id_chunk(r, k, want, id_max)?);
    }
    Ok(chunks)
}

fn read_id_chunk(r: &mut Reader<'_>, k: usize, want: usize, id_max: u64) -> Result<Chunk> {
    let len = r.count("shift id chunk")?;
    if len != want {
        return Err(bad(format!(
            "shift id chunk {k} holds {len} ids, not {want}"
        )));
    }
    let mut ends = Vec::with_capacity(len);
    let mut prev = 0u32;
    for _ in 0..len {
        let end = r.u32()?;
        if end <= prev && !(ends.is_empty() && end > 0) {
            return Err(bad(format!(
                "shift id chunk {k} has an empty or misplaced id"
            )));
        }
        ends.push(end);
        prev = end;
    }
    let text = r.string("shift ids")?;
    if text.len() != prev as usize {
        return Err(bad(format!(
            "shift id chunk {k}'s text does not end with its last id"
        )));
    }
    let mut start = 0usize;
    for &end in &ends {
        let end = end as usize;
        let id = text
            .get(start..end)
            .ok_or_else(|| bad(format!("shift id chunk {k} splits a character")))?;
        if id.len() as u64 > id_max && id.chars().count() as u64 > id_max {
            return Err(bad(format!("shift id `{id}` is too long")));
        }
        start = end;
    }
    Ok(Chunk { text, ends })
}

/// Sections 6–9 into `twin.shifts` and the record lists. The shift id index depends on
/// the ids only: it is built on a second thread while they are decoded (the source, a
/// SQLite statement, stays on this one).
fn read_shifts(
    r: &mut Reader<'_>,
    twin: &mut State,
    n: &Counts,
    list_lens: &[usize],
    chunks: Vec<Chunk>,
) -> Result<()> {
    let nshifts = n.shifts;
    let chunks_ref = &chunks;
    let (slots, parts) = std::thread::scope(|scope| {
        // Without a second thread (the system refused one), the index is built after.
        let builder = std::thread::Builder::new()
            .name("ewa-snapshot-index".into())
            .spawn_scoped(scope, move || index_slots(chunks_ref, nshifts))
            .ok();
        let parts = read_shift_sections(r, twin, n, list_lens);
        let slots = match builder {
            Some(b) => b.join().ok(),
            None => Some(index_slots(chunks_ref, nshifts)),
        };
        (slots, parts)
    });
    let (employee, created, extra, ext) = parts?;
    let slots = slots
        .ok_or_else(|| bad("the id index builder failed"))?
        .map_err(|ix| bad(format!("shift {ix}'s id repeats an earlier shift's")))?;
    twin.shifts = ShiftStore::from_parts(chunks, slots, employee, created, extra, ext);
    Ok(())
}

/// The parts of the shift store that sections 6–9b give: each shift's employee, the
/// creating-job runs, the side records, the current versions' breaks and tips.
type ShiftParts = (
    Vec<Option<EmployeeIx>>,
    Vec<(u32, u64, Instant)>,
    IxMap<Extra>,
    SideTables,
);

fn read_shift_sections(
    r: &mut Reader<'_>,
    twin: &mut State,
    n: &Counts,
    list_lens: &[usize],
) -> Result<ShiftParts> {
    // 6. The employee of each shift: the owner of the list that holds it (section 8).
    let mut employee = vec![None; n.shifts];
    let created = read_runs(r, n)?;
    read_records(r, twin, n, list_lens, &mut employee)?;
    let mut extra = read_side_records(r, n)?;
    let ext = if n.version >= 2 {
        read_shift_exts(r, n, &mut extra)?
    } else {
        SideTables::default()
    };
    Ok((employee, created, extra, ext))
}

/// 9b (format version 2). Breaks and tips of shift versions, by increasing (shift index,
/// version): version `k` below the shift's history length is its `k`-th earlier version,
/// equal to it the current one. That breaks lie inside their version's shift, sorted and
/// disjoint, and that tips lie in `[0, amount_max]`, are invariants
/// ([`Twin::check_invariants`]).
fn read_shift_exts(r: &mut Reader<'_>, n: &Counts, extra: &mut IxMap<Extra>) -> Result<SideTables> {
    let count = r.count("shift break and tip records")?;
    // The current versions' records in index order, then the tables sized exactly.
    let mut current: Vec<(u32, ShiftExt)> = Vec::with_capacity(count.min(RESERVE_MAX));
    let mut prev: Option<(u32, u32)> = None;
    for _ in 0..count {
        let key = (r.u32()?, r.u32()?);
        let (ix, version) = key;
        r.entry = ("shift break and tip record", ix as usize);
        let earlier = extra.get(&ix).map_or(0, |x| x.history.len());
        if prev.is_some_and(|p| p >= key) || ix as usize >= n.shifts || version as usize > earlier {
            return Err(bad(format!(
                "the breaks and tips of shift {ix} version {version} are out of order or range"
            )));
        }
        prev = Some(key);
        let ext = read_shift_ext(r)?;
        if ext.is_empty() {
            return Err(bad(format!(
                "shift {ix} version {version} has an empty record"
            )));
        }
        match extra
            .get_mut(&ix)
            .and_then(|x| x.history.get_mut(version as usize))
        {
            Some(v) => v.ext = Some(Box::new(ext)),
            None => current.push((ix, ext)),
        }
    }
    Ok(SideTables::from_records(current))
}

/// One version's `opt` breaks (count; start, stop each) and `opt` tips.
fn read_shift_ext(r: &mut Reader<'_>) -> Result<ShiftExt> {
    let breaks = if r.flag("unpaid_breaks")? {
        let nb = r.count("unpaid breaks")?;
        let mut list = Vec::with_capacity(nb.min(RESERVE_MAX));
        for _ in 0..nb {
            list.push(Span {
                start: r.at()?,
                stop: r.at()?,
            });
        }
        Some(list.into_boxed_slice())
    } else {
        None
    };
    let tips = r.opt_i64("tips")?;
    Ok(ShiftExt { breaks, tips })
}

/// Section 7, creating-job runs: the first starts at shift 0, each later one further on with
/// another (job, received_at).
fn read_runs(r: &mut Reader<'_>, n: &Counts) -> Result<Vec<(u32, u64, Instant)>> {
    let nruns = r.count("job runs")?;
    if nruns > n.shifts {
        return Err(bad("more job runs than shifts"));
    }
    let mut created: Vec<(u32, u64, Instant)> = Vec::with_capacity(nruns);
    for _ in 0..nruns {
        let run = (r.u32()?, r.u64()?, r.at()?);
        let ok = match created.last() {
            None => run.0 == 0,
            Some(prev) => prev.0 < run.0 && (prev.1, prev.2) != (run.1, run.2),
        };
        if !ok || run.0 as usize >= n.shifts {
            return Err(bad(format!("job run at shift {} is out of order", run.0)));
        }
        created.push(run);
    }
    if n.shifts > 0 && created.is_empty() {
        return Err(bad("the shifts have no creating job"));
    }
    Ok(created)
}

/// Section 8, the current records of every list, column by column (their order and that every shift
/// is listed once are invariants).
fn read_records(
    r: &mut Reader<'_>,
    twin: &mut State,
    n: &Counts,
    list_lens: &[usize],
    employee: &mut [Option<EmployeeIx>],
) -> Result<()> {
    for (k, e) in twin.employees.iter_mut().enumerate() {
        let len = list_lens.get(k).copied().unwrap_or(0);
        e.shifts.reserve_exact(len);
        let owner = u32::try_from(k)
            .ok()
            .and_then(|k| EmployeeIx::below(k, n.employees))
            .ok_or_else(|| bad("too many employees"))?;
        let owner = Some(owner);
        fill_ixs(r, &mut e.shifts, len, owner, employee)?;
    }
    twin.open_shifts.reserve_exact(n.open);
    fill_ixs(r, &mut twin.open_shifts, n.open, None, employee)?;
    let nc = n.contracts;
    for list in lists_mut(twin) {
        for rec in list.iter_mut() {
            let ix = rec.ix();
            rec.contract = opt_ix_of(r.u32()?, nc, &|| format!("shift {ix}'s contract"))?;
        }
    }
    for list in lists_mut(twin) {
        for rec in list.iter_mut() {
            rec.start = r.at()?;
        }
    }
    for list in lists_mut(twin) {
        for rec in list.iter_mut() {
            rec.stop = r.at()?;
        }
    }
    Ok(())
}

/// The record lists of a twin, employees in order, then the open shifts.
fn lists_mut(twin: &mut State) -> impl Iterator<Item = &mut Vec<ShiftRec>> {
    twin.employees
        .iter_mut()
        .map(|e| &mut e.shifts)
        .chain(std::iter::once(&mut twin.open_shifts))
}

/// Reads `len` packed index + status words into `list` and records `owner` as the
/// employee of each shift.
fn fill_ixs(
    r: &mut Reader<'_>,
    list: &mut Vec<ShiftRec>,
    len: usize,
    owner: Option<EmployeeIx>,
    employee: &mut [Option<EmployeeIx>],
) -> Result<()> {
    for _ in 0..len {
        let w = r.u32()?;
        let ix = w & ShiftRec::IX_MAX;
        let status = status_of(w >> 29).ok_or_else(|| bad("a shift status is unknown"))?;
        let slot = employee
            .get_mut(ix as usize)
            .ok_or_else(|| bad(format!("shift {ix} is out of range")))?;
        *slot = owner;
        list.push(ShiftRec::new(ix, status, None, Instant::MIN, Instant::MIN));
    }
    Ok(())
}

/// 9. Side records, by strictly increasing shift index.
fn read_side_records(r: &mut Reader<'_>, n: &Counts) -> Result<IxMap<Extra>> {
    let mut extra: IxMap<Extra> = IxMap::with_capacity_and_hasher(n.extra, Default::default());
    let mut prev: Option<u32> = None;
    for _ in 0..n.extra {
        let ix = r.u32()?;
        if prev.is_some_and(|p| p >= ix) || ix as usize >= n.shifts {
            return Err(bad(format!(
                "shift side record {ix} is out of order or range"
            )));
        }
        prev = Some(ix);
        r.entry = ("shift side record", ix as usize);
        extra.insert(ix, read_side_record(r, n)?);
    }
    Ok(extra)
}

fn read_side_record(r: &mut Reader<'_>, n: &Counts) -> Result<Extra> {
    let custom_info = r.opt_json("custom_info")?.map(Box::new);
    let job = if r.flag("job")? {
        Some((r.u64()?, r.at()?))
    } else {
        None
    };
    let nh = r.count("history")?;
    let mut history = Vec::with_capacity(nh.min(RESERVE_MAX));
    for _ in 0..nh {
        let status = r.status("earlier status")?;
        let employee = opt_ix_of(r.u32()?, n.employees, &|| "earlier employee".into())?;
        let contract = opt_ix_of(r.u32()?, n.contracts, &|| "earlier contract".into())?;
        history.push(ShiftVersion {
            status,
            employee,
            contract,
            start: r.at()?,
            stop: r.at()?,
            custom_info: r.opt_json("earlier custom_info")?.map(Box::new),
            ext: None,
            received_at: r.at()?,
            job: r.u64()?,
        });
    }
    Ok(Extra {
        custom_info,
        job,
        history,
    })
}

/// One employee's list of payment or advance indexes, each below `bound`.
fn read_ixs<I: Ix>(r: &mut Reader<'_>, bound: usize) -> Result<Few<I>> {
    let len = r.count("payment or advance list")?;
    if len > bound {
        return Err(bad("lists more payments or advances than there are"));
    }
    let mut list = Few::with_capacity(len);
    for _ in 0..len {
        let ix = r.u32()?;
        list.push(ix_of(ix, bound, &|| "payment or advance list".to_string())?);
    }
    Ok(list)
}

/// 10. Additions, then deductions (that each is in its employee's list is an invariant).
fn read_payments(r: &mut Reader<'_>, twin: &mut State, n: &Counts, id_max: u64) -> Result<()> {
    for (deduction, count) in [(false, n.additions), (true, n.deductions)] {
        let what = if deduction { "deduction" } else { "addition" };
        let mut list = Arena::with_capacity(count.min(RESERVE_MAX));
        let mut ix = Index::default();
        for i in 0..count {
            r.entry = (what, i);
            let p = read_payment(r, n, what, id_max)?;
            push_indexed(&mut list, &mut ix, p, |p| &p.id, what)?;
        }
        if deduction {
            twin.deductions = list;
            twin.deduction_ix = ix;
        } else {
            twin.additions = list;
            twin.addition_ix = ix;
        }
    }
    Ok(())
}

fn read_payment(r: &mut Reader<'_>, n: &Counts, what: &str, id_max: u64) -> Result<Payment> {
    let id = r.id("a payment id", id_max)?;
    let employee = opt_ix_of(r.u32()?, n.employees, &|| format!("{what} `{id}`"))?;
    let contract = if r.flag(what)? {
        let c = r.u32()?;
        Some(ix_of(c, n.contracts, &|| {
            format!("{what} `{id}`'s contract")
        })?)
    } else {
        None
    };
    let currency = if r.flag(what)? {
        Some(r.currency(what)?)
    } else {
        None
    };
    Ok(Payment {
        id,
        employee,
        contract,
        currency,
        amount: r.i64()?,
        effective_on: r.opt_date(what)?,
        instant: r.at()?,
        custom_info: r.opt_json(what)?,
        in_regular_rate: read_in_regular_rate(r, n, what)?,
    })
}

/// A payment's `in_regular_rate` flag (SPEC §2): only an addition may carry it.
/// Versions 1 and 2 have no flag: false.
fn read_in_regular_rate(r: &mut Reader<'_>, n: &Counts, what: &str) -> Result<bool> {
    if n.version < 3 {
        return Ok(false);
    }
    let flag = r.flag(what)?;
    if flag && what == "deduction" {
        return Err(bad("a deduction is marked in_regular_rate"));
    }
    Ok(flag)
}

/// Section 11, one advance decision (its consistency with the policy, SPEC §6, and its place in
/// its employee's list are invariants).
fn read_advance(r: &mut Reader<'_>, n: &Counts, id_max: u64) -> Result<Advance> {
    let id = r.id("an advance id", id_max)?;
    let fail = |m: &str| bad(format!("advance `{id}` {m}"));
    let employee_id = r.id("an advance's employee id", id_max)?;
    let employee = opt_ix_of(r.u32()?, n.employees, &|| format!("advance `{id}`"))?;
    let amount = r.i64()?;
    let requested_at = r.at()?;
    let delivery = match r.u8()? {
        0 => Delivery::Standard,
        1 => Delivery::Instant,
        _ => return Err(fail("has an unknown delivery")),
    };
    let accepted = r.flag("advance accepted")?;
    let fee = r.i64()?;
    let recovery = if r.flag("advance recovery")? {
        Some(RecoveryRef {
            schedule: ix_of(r.u32()?, n.schedules, &|| {
                format!("advance `{id}` recovery")
            })?,
            period_id: r.id("a recovery period id", id_max)?,
            pay_at: r.at()?,
        })
    } else {
        None
    };
    let nr = r.count("advance reasons")?;
    let mut reasons = Vec::with_capacity(nr.min(RESERVE_MAX));
    for _ in 0..nr {
        let code = r.u8()?;
        let reason = STORED_REASONS.get(code as usize).copied();
        reasons.push(reason.ok_or_else(|| fail("has an unknown reason code"))?);
    }
    let cancelled_at = r.opt_i64("advance cancelled_at")?.map(Instant::from_micros);
    Ok(Advance {
        id,
        employee_id,
        employee,
        amount,
        requested_at,
        delivery,
        accepted,
        fee,
        recovery,
        reasons,
        cancelled_at,
    })
}

/// Section 12, leaves: each read, its references checked, listed in its employee's list in
/// index order (that the list is exactly that, and the leave's own rules, are invariants).
fn read_leaves(r: &mut Reader<'_>, twin: &mut State, n: &Counts, id_max: u64) -> Result<()> {
    let count = r.count("leaves")?;
    twin.leaves.reserve(count.min(RESERVE_MAX));
    for i in 0..count {
        r.entry = ("leave", i);
        let l = read_leave(r, n, id_max)?;
        let employee = l.employee;
        let ix = push_indexed(&mut twin.leaves, &mut twin.leave_ix, l, |l| &l.id, "leave")?;
        if let Some(e) = twin.employees.get_mut(employee) {
            e.leaves.push(ix);
        }
    }
    Ok(())
}

fn read_leave(r: &mut Reader<'_>, n: &Counts, id_max: u64) -> Result<Leave> {
    let id = r.id("a leave id", id_max)?;
    let employee = ix_of(r.u32()?, n.employees, &|| format!("leave `{id}`"))?;
    let contract = if r.flag("leave contract")? {
        let c = r.u32()?;
        Some(ix_of(c, n.contracts, &|| {
            format!("leave `{id}`'s contract")
        })?)
    } else {
        None
    };
    let status = LeaveStatus::ALL
        .get(usize::from(r.u8()?))
        .copied()
        .ok_or_else(|| bad(format!("leave `{id}` has an unknown status")))?;
    let start_on = r.date("leave start_on")?;
    let stop_on = r.date("leave stop_on")?;
    let paid = r.flag("leave paid")?;
    let hours_per_day = r
        .decimal("leave hours_per_day")?
        .ok_or_else(|| bad(format!("leave `{id}` has no hours_per_day")))?;
    Ok(Leave {
        id,
        employee,
        contract,
        status,
        start_on,
        stop_on,
        paid,
        hours_per_day,
        leave_type: r.opt_boxed("leave_type")?,
        custom_info: r.opt_json("leave custom_info")?,
    })
}
