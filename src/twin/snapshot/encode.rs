//! Writing the binary snapshot (see the module docs of `super` for the format).

use super::{
    bad, checksum, END, FORMAT_VERSION, FRAME_BYTES_MAX, FRAME_HEAD, FRAME_MAGIC, FRAME_TAIL,
    MAGIC, NO_IX,
};
use crate::calendar::{Frequency, Instant};
use crate::error::Result;
use crate::model::{Alignment, Delivery, ShiftSide};
use crate::model::{Ix, State};
use crate::money::Currency;
use crate::twin::Twin;
use chrono::{Datelike, NaiveDate, Timelike};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Writes the stream, handing each full frame to `sink`.
struct Writer<'a> {
    buf: Vec<u8>,
    frame_bytes: usize,
    frames: u32,
    sink: &'a mut dyn FnMut(&[u8]) -> Result<()>,
}

impl Writer<'_> {
    fn new_buf(frame_bytes: usize) -> Vec<u8> {
        let mut b = Vec::with_capacity(FRAME_HEAD + frame_bytes + FRAME_TAIL);
        b.extend_from_slice(&[0u8; FRAME_HEAD]);
        b
    }

    fn put(&mut self, mut b: &[u8]) -> Result<()> {
        loop {
            let room = (FRAME_HEAD + self.frame_bytes).saturating_sub(self.buf.len());
            if b.len() <= room {
                self.buf.extend_from_slice(b);
                return Ok(());
            }
            let (now, later) = b.split_at(room);
            self.buf.extend_from_slice(now);
            self.flush()?;
            b = later;
        }
    }

    /// Seals the current frame and hands it on, then reuses its buffer for the next.
    fn flush(&mut self) -> Result<()> {
        let len = u32::try_from(self.buf.len() - FRAME_HEAD).map_err(|_| bad("frame too long"))?;
        let n = self.frames;
        let (nb, lb) = (n.to_le_bytes(), len.to_le_bytes());
        let head = FRAME_MAGIC.iter().chain(&nb).chain(&lb);
        for (d, s) in self.buf.iter_mut().zip(head) {
            *d = *s;
        }
        let sum = checksum(u64::from(n), self.buf.get(FRAME_HEAD..).unwrap_or(&[]));
        self.buf.extend_from_slice(&sum.to_le_bytes());
        self.frames = n.checked_add(1).ok_or_else(|| bad("too many frames"))?;
        (self.sink)(&self.buf)?;
        self.buf.truncate(FRAME_HEAD);
        Ok(())
    }

    fn u8(&mut self, v: u8) -> Result<()> {
        self.put(&[v])
    }
    fn u32(&mut self, v: u32) -> Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn i64(&mut self, v: i64) -> Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn at(&mut self, v: Instant) -> Result<()> {
        self.i64(v.as_micros())
    }
    fn len(&mut self, n: usize) -> Result<()> {
        self.u32(u32::try_from(n).map_err(|_| bad("a list is longer than 2^32"))?)
    }
    fn str(&mut self, s: &str) -> Result<()> {
        self.len(s.len())?;
        self.put(s.as_bytes())
    }
    fn flag(&mut self, b: bool) -> Result<()> {
        self.u8(u8::from(b))
    }
    fn opt_str(&mut self, s: Option<&str>) -> Result<()> {
        self.flag(s.is_some())?;
        s.map_or(Ok(()), |s| self.str(s))
    }
    fn opt_i64(&mut self, v: Option<i64>) -> Result<()> {
        self.flag(v.is_some())?;
        v.map_or(Ok(()), |v| self.i64(v))
    }
    fn opt_u32(&mut self, v: Option<u32>) -> Result<()> {
        self.flag(v.is_some())?;
        v.map_or(Ok(()), |v| self.u32(v))
    }
    /// An optional index as a `u32`, [`NO_IX`] for none.
    fn ix_or_none<I: Ix>(&mut self, v: Option<I>) -> Result<()> {
        self.u32(v.map_or(NO_IX, Ix::raw))
    }
    fn date(&mut self, d: NaiveDate) -> Result<()> {
        self.put(&d.num_days_from_ce().to_le_bytes())
    }
    fn opt_date(&mut self, d: Option<NaiveDate>) -> Result<()> {
        self.flag(d.is_some())?;
        d.map_or(Ok(()), |d| self.date(d))
    }
    fn json(&mut self, m: &Map<String, Value>) -> Result<()> {
        let text = serde_json::to_string(m).map_err(|e| bad(format!("custom_info: {e}")))?;
        self.str(&text)
    }
    fn opt_json(&mut self, m: Option<&Map<String, Value>>) -> Result<()> {
        self.flag(m.is_some())?;
        m.map_or(Ok(()), |m| self.json(m))
    }
    fn decimal(&mut self, d: Option<Decimal>) -> Result<()> {
        self.opt_str(d.map(|d| d.to_string()).as_deref())
    }
    fn currency(&mut self, c: Currency) -> Result<()> {
        self.put(c.code().as_bytes())
    }
}

fn frequency_code(f: Frequency) -> u8 {
    Frequency::ALL
        .iter()
        .position(|x| *x == f)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

fn alignment_code(a: Alignment) -> u8 {
    match a {
        Alignment::Arrears => 0,
        Alignment::Aligned => 1,
        Alignment::Advance => 2,
    }
}

impl State {
    /// Writes the binary snapshot (see the module docs) as frames of at most `frame_bytes`
    /// payload bytes (clamped to 1 ..= [`FRAME_BYTES_MAX`]), each handed to `sink` as soon
    /// as it is full, so that only one frame buffer (reused) is held besides the twin. Returns the number
    /// of frames.
    ///
    /// # Errors
    /// What `sink` returns; [`Error::Storage`] for a list too long for the format.
    pub(crate) fn write_snapshot(
        &self,
        frame_bytes: usize,
        sink: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<u32> {
        let company = self.company.to_json().to_string();
        self.write_snapshot_as(FORMAT_VERSION, &company, frame_bytes, sink)
    }

    /// [`State::write_snapshot`] with the company's configuration already serialised
    /// (`company`, [`Company::to_json`](crate::Company::to_json) of this state's company):
    /// an employee view of each of a million employees serialises it once, not a million
    /// times.
    pub(crate) fn write_snapshot_with(
        &self,
        company: &str,
        frame_bytes: usize,
        sink: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<u32> {
        self.write_snapshot_as(FORMAT_VERSION, company, frame_bytes, sink)
    }

    /// [`State::write_snapshot`] in format `version`: version 1 leaves out sections 9b
    /// (breaks and tips) and 12 (leaves), versions 1 and 2 the payments'
    /// `in_regular_rate`, as builds before them wrote it — for tests that
    /// older streams still read; it loses those parts of a twin that has them.
    pub(super) fn write_snapshot_as(
        &self,
        version: u32,
        company: &str,
        frame_bytes: usize,
        sink: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<u32> {
        let frame_bytes = frame_bytes.clamp(1, FRAME_BYTES_MAX);
        let mut w = Writer {
            buf: Writer::new_buf(frame_bytes),
            frame_bytes,
            frames: 0,
            sink,
        };
        self.write_body(&mut w, version, company)?;
        w.flush()?;
        Ok(w.frames)
    }

    fn write_body(&self, w: &mut Writer<'_>, version: u32, company: &str) -> Result<()> {
        self.write_header(w, version, company)?;
        self.write_schedules(w)?;
        self.write_contracts(w)?;
        self.write_employees(w)?;
        self.write_shift_ids(w)?;
        // 6. (The employee of each shift is the owner of the list that holds it.)
        self.write_runs(w)?;
        self.write_records(w)?;
        self.write_side_records(w)?;
        if version >= 2 {
            self.write_shift_exts(w)?;
        }
        self.write_payments(w, version)?;
        self.write_advances(w)?;
        if version >= 2 {
            self.write_leaves(w)?;
        }
        // 13. Trailer.
        w.put(&END)?;
        w.u64(self.shifts.len() as u64)
    }

    /// 1. Header: marker, version, company, job counter, counts.
    fn write_header(&self, w: &mut Writer<'_>, version: u32, company: &str) -> Result<()> {
        w.put(&MAGIC)?;
        w.u32(version)?;
        w.str(company)?;
        w.u64(self.jobs)?;
        for n in [
            self.schedules.len(),
            self.contracts.len(),
            self.employees.len(),
            self.shifts.len(),
            self.open_shifts.len(),
            self.shifts.extra.len(),
            self.additions.len(),
            self.deductions.len(),
            self.advances.len(),
        ] {
            w.len(n)?;
        }
        Ok(())
    }

    /// 2. Schedules.
    fn write_schedules(&self, w: &mut Writer<'_>) -> Result<()> {
        for s in &self.schedules {
            w.str(&s.id)?;
            w.u8(frequency_code(s.frequency))?;
            w.flag(s.alignment.is_some())?;
            if let Some(a) = s.alignment {
                w.u8(alignment_code(a))?;
            }
            w.len(s.periods.len())?;
            for p in &s.periods {
                w.str(&p.id)?;
                w.at(p.start)?;
                w.at(p.stop)?;
                w.at(p.pay_at)?;
            }
            w.opt_json(s.custom_info.as_ref())?;
        }
        Ok(())
    }

    /// 3. Contracts.
    fn write_contracts(&self, w: &mut Writer<'_>) -> Result<()> {
        for c in &self.contracts {
            w.str(&c.id)?;
            w.u32(c.schedule.raw())?;
            w.currency(c.currency)?;
            w.u8(frequency_code(c.rate_period))?;
            w.len(c.versions.len())?;
            for v in &c.versions {
                w.at(v.from)?;
                w.i64(v.amount)?;
            }
            w.opt_json(c.custom_info.as_ref())?;
            w.flag(c.overtime.is_some())?;
            if let Some(o) = &c.overtime {
                w.opt_i64(o.weekly_threshold)?;
                w.opt_i64(o.daily_threshold)?;
                w.decimal(o.multiplier)?;
                w.opt_i64(o.double_time_threshold)?;
                w.decimal(o.double_time_multiplier)?;
                w.u32(o.workday_starts_at.num_seconds_from_midnight())?;
                w.u32(o.workday_starts_at.nanosecond())?;
            }
        }
        Ok(())
    }

    /// 4. Employees (their shift lists only by length).
    fn write_employees(&self, w: &mut Writer<'_>) -> Result<()> {
        for e in &self.employees {
            w.str(&e.id)?;
            let p = &e.profile;
            for f in [
                &p.work_email,
                &p.personal_email,
                &p.given_name,
                &p.family_name,
                &p.honorific,
                &p.work_phone,
                &p.personal_phone,
            ] {
                w.opt_str(f.as_deref())?;
            }
            w.json(&e.custom_info)?;
            w.len(e.assignments.len())?;
            for a in &e.assignments {
                w.u32(a.contract.raw())?;
                w.len(a.stints.len())?;
                for s in &a.stints {
                    w.opt_date(s.start_on)?;
                    w.opt_date(s.stop_on)?;
                }
            }
            for list in [&e.additions, &e.deductions] {
                w.len(list.len())?;
                for &ix in list {
                    w.u32(ix.raw())?;
                }
            }
            w.len(e.advances.len())?;
            for &ix in &e.advances {
                w.u32(ix.raw())?;
            }
            w.len(e.shifts.len())?;
        }
        Ok(())
    }

    /// 5. Shift ids, as the arena chunks hold them.
    fn write_shift_ids(&self, w: &mut Writer<'_>) -> Result<()> {
        let st = &self.shifts;
        w.len(st.chunks.len())?;
        for c in &st.chunks {
            w.len(c.ends.len())?;
            for &end in &c.ends {
                w.u32(end)?;
            }
            w.str(&c.text)?;
        }
        Ok(())
    }

    /// 7. The runs of shifts created by one job.
    fn write_runs(&self, w: &mut Writer<'_>) -> Result<()> {
        let st = &self.shifts;
        w.len(st.created.len())?;
        for &(first, job, at) in &st.created {
            w.u32(first)?;
            w.u64(job)?;
            w.at(at)?;
        }
        Ok(())
    }

    /// 8. Current records of every list, one column at a time.
    fn write_records(&self, w: &mut Writer<'_>) -> Result<()> {
        let lists = || {
            self.employees
                .iter()
                .map(|e| &e.shifts)
                .chain(std::iter::once(&self.open_shifts))
        };
        for list in lists() {
            for r in list {
                w.u32(r.ix() | ((r.status() as u32) << 29))?;
            }
        }
        for list in lists() {
            for r in list {
                w.ix_or_none(r.contract)?;
            }
        }
        for list in lists() {
            for r in list {
                w.at(r.start)?;
            }
        }
        for list in lists() {
            for r in list {
                w.at(r.stop)?;
            }
        }
        Ok(())
    }

    /// 9. Side records, by increasing shift index.
    fn write_side_records(&self, w: &mut Writer<'_>) -> Result<()> {
        let st = &self.shifts;
        let mut keys: Vec<u32> = st.extra.keys().copied().collect();
        keys.sort_unstable();
        for ix in keys {
            let Some(x) = st.extra.get(&ix) else { continue };
            w.u32(ix)?;
            w.opt_json(x.custom_info.as_deref())?;
            w.flag(x.job.is_some())?;
            if let Some((job, at)) = x.job {
                w.u64(job)?;
                w.at(at)?;
            }
            w.len(x.history.len())?;
            for v in &x.history {
                w.u8(v.status as u8)?;
                w.ix_or_none(v.employee)?;
                w.ix_or_none(v.contract)?;
                w.at(v.start)?;
                w.at(v.stop)?;
                w.opt_json(v.custom_info.as_deref())?;
                w.at(v.received_at)?;
                w.u64(v.job)?;
            }
        }
        Ok(())
    }

    /// 9b. Breaks and tips of shift versions, by increasing (shift index, version).
    fn write_shift_exts(&self, w: &mut Writer<'_>) -> Result<()> {
        let st = &self.shifts;
        let mut all: Vec<(u32, u32, ShiftSide<'_>)> = Vec::new();
        for (&ix, x) in &st.extra {
            for (k, v) in x.history.iter().enumerate() {
                if let (Some(e), Ok(k)) = (v.ext.as_deref(), u32::try_from(k)) {
                    all.push((ix, k, e.view()));
                }
            }
        }
        for (ix, e) in st.ext.iter() {
            let k = st.extra.get(&ix).map_or(0, |x| x.history.len());
            let k = u32::try_from(k).map_err(|_| bad("too many versions of a shift"))?;
            all.push((ix, k, e));
        }
        all.sort_unstable_by_key(|&(ix, k, _)| (ix, k));
        w.len(all.len())?;
        for (ix, k, e) in all {
            w.u32(ix)?;
            w.u32(k)?;
            w.flag(e.breaks.is_some())?;
            if let Some(b) = e.breaks {
                w.len(b.len())?;
                for s in b.iter() {
                    w.at(s.start)?;
                    w.at(s.stop)?;
                }
            }
            w.opt_i64(e.tips)?;
        }
        Ok(())
    }

    /// 10. Additions, then deductions.
    fn write_payments(&self, w: &mut Writer<'_>, version: u32) -> Result<()> {
        for list in [&self.additions, &self.deductions] {
            for p in list {
                w.str(&p.id)?;
                w.ix_or_none(p.employee)?;
                w.opt_u32(p.contract.map(Ix::raw))?;
                w.flag(p.currency.is_some())?;
                if let Some(c) = p.currency {
                    w.currency(c)?;
                }
                w.i64(p.amount)?;
                w.opt_date(p.effective_on)?;
                w.at(p.instant)?;
                w.opt_json(p.custom_info.as_ref())?;
                if version >= 3 {
                    w.flag(p.in_regular_rate)?;
                }
            }
        }
        Ok(())
    }

    /// 11. Advances (reason codes are positions in `STORED_REASONS`).
    fn write_advances(&self, w: &mut Writer<'_>) -> Result<()> {
        for a in &self.advances {
            w.str(&a.id)?;
            w.str(&a.employee_id)?;
            w.ix_or_none(a.employee)?;
            w.i64(a.amount)?;
            w.at(a.requested_at)?;
            w.u8(match a.delivery {
                Delivery::Standard => 0,
                Delivery::Instant => 1,
            })?;
            w.flag(a.accepted)?;
            w.i64(a.fee)?;
            w.flag(a.recovery.is_some())?;
            if let Some(r) = &a.recovery {
                w.u32(r.schedule.raw())?;
                w.str(&r.period_id)?;
                w.at(r.pay_at)?;
            }
            w.len(a.reasons.len())?;
            for r in &a.reasons {
                let code = crate::model::STORED_REASONS
                    .iter()
                    .position(|x| x == r)
                    .and_then(|i| u8::try_from(i).ok())
                    .unwrap_or(u8::MAX);
                w.u8(code)?;
            }
            w.opt_i64(a.cancelled_at.map(Instant::as_micros))?;
        }
        Ok(())
    }

    /// 12. Leaves (format version 2; SPEC §2 leave).
    fn write_leaves(&self, w: &mut Writer<'_>) -> Result<()> {
        w.len(self.leaves.len())?;
        for l in &self.leaves {
            w.str(&l.id)?;
            w.u32(l.employee.raw())?;
            w.opt_u32(l.contract.map(Ix::raw))?;
            w.u8(l.status.code())?;
            w.date(l.start_on)?;
            w.date(l.stop_on)?;
            w.flag(l.paid)?;
            w.decimal(Some(l.hours_per_day))?;
            w.opt_str(l.leave_type.as_deref())?;
            w.opt_json(l.custom_info.as_ref())?;
        }
        Ok(())
    }
}

impl Twin {
    /// [`State::write_snapshot`] of the twin's state (its caches are not written).
    pub(crate) fn write_snapshot(
        &self,
        frame_bytes: usize,
        sink: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<u32> {
        self.books.state.write_snapshot(frame_bytes, sink)
    }
}
