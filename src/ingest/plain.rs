//! A shift record's text read without serde when it is in the plain form Payd usually sends
//! (SPEC §2 "shift"): an object of known fields, each once, keys and strings without
//! escapes, the text fields strings (the references also `null`), `custom_info` an object
//! or `null`, `unpaid_breaks` a list of `{"start_at", "stop_at"}` objects or `null`, `tips`
//! a non-negative integer or `null`, and the four required fields present.
//!
//! It yields the [`Lenient`] record that serde would read from the same text (with nothing
//! to report from reading: the plain form has no read error), so the one validator and the
//! one batch loop see the same record either way. Anything else is `None`, and the caller
//! reads the text with serde, which names every read error. The tests check that whatever
//! this accepts, serde reads the same way.

use super::record::{Patch, Timestamp, UnpaidBreak};
use super::shifts::{Lenient, Shift, NAMES};
use super::split::{find_special, object_end};
use crate::model::ShiftStatus;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The fields a plain record must carry (`shift_id`, `shift_status`, `start_at`,
/// `stop_at`), as bits of their places in [`NAMES`].
const REQUIRED: u16 = 0b11_0011;

/// The record in `raw` (one element of a batch), when it is in the plain form.
pub(super) fn read_plain(raw: &str) -> Option<Lenient<'_>> {
    let mut c = Cursor { text: raw, i: 0 };
    let mut rec = Shift::default();
    let mut seen = 0u16;
    c.ws();
    c.eat(b'{')?;
    loop {
        c.ws();
        let key = c.string()?;
        let k = NAMES.iter().position(|n| *n == key)?;
        let bit = 1u16 << k;
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        c.ws();
        c.eat(b':')?;
        c.ws();
        c.field(k, &mut rec)?;
        c.ws();
        match c.next()? {
            b',' => {}
            b'}' => break,
            _ => return None,
        }
    }
    c.ws();
    (c.i == raw.len() && seen & REQUIRED == REQUIRED).then(|| Lenient::typed(rec))
}

/// A position in a record's text.
struct Cursor<'a> {
    text: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    /// Skips JSON white space.
    fn ws(&mut self) {
        while self
            .peek()
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// A string without escape or control character (which serde_json rejects unescaped),
    /// borrowed.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = self.text.as_bytes().get(self.i..)?;
        let n = find_special(rest)?;
        if rest.get(n) != Some(&b'"') {
            return None;
        }
        let s = self.text.get(self.i..self.i + n)?;
        self.i += n + 1;
        Some(s)
    }

    /// Whether a `null` comes next (and then skips it).
    fn null(&mut self) -> bool {
        let null = self.text.as_bytes().get(self.i..self.i + 4) == Some(b"null");
        if null {
            self.i += 4;
        }
        null
    }

    /// A string or `null`.
    fn text_or_null(&mut self) -> Option<Option<&'a str>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(Some)
    }

    /// A non-negative integer in JSON's spelling (no leading zero) up to `i64::MAX`; a
    /// fraction or exponent is left for the caller to refuse.
    fn integer(&mut self) -> Option<i64> {
        let b = self.text.as_bytes().get(self.i..)?;
        let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || (n > 1 && b.first() == Some(&b'0')) {
            return None;
        }
        let v = self.text.get(self.i..self.i + n)?.parse::<i64>().ok()?;
        self.i += n;
        Some(v)
    }

    /// An object, read by serde_json as the record's reader reads a nested object.
    fn object(&mut self) -> Option<Map<String, Value>> {
        let end = object_end(self.text.as_bytes(), self.i)?;
        let m = serde_json::from_str(self.text.get(self.i..end)?).ok()?;
        self.i = end;
        Some(m)
    }

    /// A list of plain `{"start_at", "stop_at"}` objects (SPEC §5.6).
    fn breaks(&mut self) -> Option<Vec<UnpaidBreak<'a>>> {
        let mut out = Vec::new();
        self.eat(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(out);
        }
        loop {
            out.push(self.unpaid_break()?);
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b']' => return Some(out),
                _ => return None,
            }
        }
    }

    /// One `{"start_at": "…", "stop_at": "…"}` object, its two fields in any order.
    fn unpaid_break(&mut self) -> Option<UnpaidBreak<'a>> {
        self.eat(b'{')?;
        let (mut start, mut stop) = (None, None);
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let slot = match key {
                "start_at" if start.is_none() => &mut start,
                "stop_at" if stop.is_none() => &mut stop,
                _ => return None,
            };
            *slot = Some(Timestamp(Cow::Borrowed(self.string()?)));
            self.ws();
            match self.next()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
        Some(UnpaidBreak {
            start_at: start?,
            stop_at: stop?,
        })
    }

    /// The value of field `k` of [`NAMES`] into its slot of `rec`.
    fn field(&mut self, k: usize, rec: &mut Shift<'a>) -> Option<()> {
        match k {
            0 => rec.shift_id = Cow::Borrowed(self.string()?),
            1 => rec.shift_status = ShiftStatus::parse(self.string()?)?,
            2 => rec.employee_id = self.text_or_null()?.map(Cow::Borrowed),
            3 => rec.contract_id = self.text_or_null()?.map(Cow::Borrowed),
            4 => rec.start_at = Timestamp(Cow::Borrowed(self.string()?)),
            5 => rec.stop_at = Timestamp(Cow::Borrowed(self.string()?)),
            6 if self.null() => rec.custom_info = None,
            6 => rec.custom_info = Some(self.object()?),
            7 if self.null() => rec.unpaid_breaks = Patch::Null,
            7 => rec.unpaid_breaks = Patch::Set(self.breaks()?),
            8 if self.null() => rec.tips = Patch::Null,
            8 => rec.tips = Patch::Set(self.integer()?),
            _ => return None,
        }
        Some(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::read_plain;
    use crate::ingest::shifts::Lenient;
    use crate::ingest::shifts::NAMES;

    /// Whatever the plain reader accepts, serde reads into the same record, with nothing
    /// to report.
    fn agrees(text: &str) -> bool {
        let Some(plain) = read_plain(text) else {
            return false;
        };
        let serde: Lenient<'_> = serde_json::from_str(text).expect(text);
        assert_eq!(plain.0, serde.0, "{text}");
        assert_eq!(plain.1, serde.1, "{text}");
        true
    }

    const BASE: &str = r#""shift_id": "s1", "shift_status": "approved", "start_at": "2026-06-03T08:00:00Z", "stop_at": "2026-06-03T12:00:00Z""#;

    #[test]
    fn plain_records_read_as_serde_reads_them() {
        for extra in [
            "",
            r#", "employee_id": "e1", "contract_id": null"#,
            r#", "employee_id": null, "contract_id": "c1""#,
            r#", "custom_info": null"#,
            r#", "custom_info": {}"#,
            r#", "custom_info": {"a": [1, {"b": "}"}], "c": 1.5, "a": 2}"#,
            r#", "unpaid_breaks": null, "tips": null"#,
            r#", "unpaid_breaks": [], "tips": 0"#,
            r#", "unpaid_breaks": [ {"stop_at": "b", "start_at": "a"} , {"start_at": "c","stop_at":"d"} ]"#,
            r#", "tips": 9223372036854775807"#,
            "\t,\n\"tips\"\r:  12 ",
        ] {
            let text = format!("{{{BASE}{extra}}}");
            assert!(agrees(&text), "{text}");
            assert!(agrees(&format!(" \n{text}\t ")), "{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_serde() {
        for extra in [
            r#", "shift_note": "x""#,
            r#", "shift_id": "s2""#,
            r#", "employee_id": "e\"1""#,
            r#", "employee_id": "e\u00e9""#,
            r#", "employee_id": 3"#,
            r#", "employee_id": nul"#,
            r#", "employee_id": nullx"#,
            r#", "custom_info": 3"#,
            r#", "custom_info": "x""#,
            r#", "custom_info": {"a": x}"#,
            r#", "unpaid_breaks": [{"start_at": "a"}]"#,
            r#", "unpaid_breaks": [{"start_at": "a", "stop_at": "b", "x": 1}]"#,
            r#", "unpaid_breaks": [{"start_at": "a", "start_at": "b"}]"#,
            r#", "unpaid_breaks": [{"start_at": "a", "stop_at": null}]"#,
            r#", "unpaid_breaks": [1]"#,
            r#", "unpaid_breaks": [{"start_at": "a", "stop_at": "b"},]"#,
            r#", "unpaid_breaks": {}"#,
            r#", "tips": -1"#,
            r#", "tips": 01"#,
            r#", "tips": 1.0"#,
            r#", "tips": 1e3"#,
            r#", "tips": 9223372036854775808"#,
            r#", "tips": "1""#,
            ",",
        ] {
            let text = format!("{{{BASE}{extra}}}");
            assert!(read_plain(&text).is_none(), "{text}");
        }
        for text in [
            "{}",
            r#"{"shift_id": "s1"}"#,
            r#"{"shift_id": null, "shift_status": "approved", "start_at": "a", "stop_at": "b"}"#,
            r#"{"shift_id": "s1", "shift_status": "approvedd", "start_at": "a", "stop_at": "b"}"#,
            r#"{"shift_id": "s1", "shift_status": "approved", "start_at": "a", "stop_at": "b"} x"#,
            r#"{"shift_id": "s1", "shift_status": "approved", "start_at": "a", "stop_at": "b""#,
            r#"["shift_id"]"#,
        ] {
            assert!(read_plain(text).is_none(), "{text}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Records of spellings of each field (or none), in any order, some with an odd
        /// piece or a byte cut out: whatever reads plainly reads the same through serde.
        #[test]
        fn whatever_reads_plainly_reads_the_same_through_serde(
            choice in proptest::array::uniform9(0usize..8),
            order in proptest::sample::subsequence((0..10).collect::<Vec<usize>>(), 10),
            shuffle in proptest::collection::vec((0usize..10, 0usize..10), 0..6),
            odd in 0usize..8,
            cut in 0usize..400,
        ) {
            // Each field's plain spellings, then one that is not plain.
            let spellings: [(&[&str], &str); 9] = [
                (&[r#""s1""#, r#""""#], "7"),
                (&[r#""voided""#, r#""available""#], r#""approvedd""#),
                (&[r#""e0000001""#, "null", r#""""#], r#""e\u0031""#),
                (&[r#""h-weekly-1""#, "null"], "3"),
                (&[r#""2026-06-03T08:00:00Z""#, r#""2026-06-03""#], "null"),
                (&[r#""2026-06-03T12:00:00+02:00""#, r#""x""#], "1"),
                (&["null", r#"{"k": [true, null], "k": {}}"#, "{}"], "[]"),
                (&["null", "[]", r#"[{"start_at": "a", "stop_at": "b"}, {"stop_at": "d", "start_at": "c"}]"#], r#"[{"start_at": "a"}]"#),
                (&["null", "0", "500"], "-5"),
            ];
            let odds = ["", r#""x": 2"#, r#""tips": 3"#, r#""shift_id": "s2""#];
            let mut order = order;
            for (a, b) in shuffle {
                order.swap(a, b);
            }
            let mut body = Vec::new();
            for k in order {
                if k == 9 {
                    if let Some(o) = odds.get(odd).filter(|o| !o.is_empty()) {
                        body.push(o.to_string());
                    }
                } else {
                    let (plain, other) = spellings[k];
                    let v = match choice[k] {
                        c @ 0..6 => plain[c % plain.len()],
                        6 => other,
                        _ => continue,
                    };
                    body.push(format!("\"{}\": {v}", NAMES[k]));
                }
            }
            let text = format!("{{{}}}", body.join(", "));
            agrees(&text);
            let cut = cut.min(text.len());
            let broken = format!("{}{}", &text[..cut], &text[(cut + 1).min(text.len())..]);
            if read_plain(&broken).is_some() {
                agrees(&broken);
            }
        }
    }

    #[test]
    fn generated_records_read_plainly() {
        let opts = crate::generate::Options {
            employees: 50,
            shifts_per_employee: 10,
            ..Default::default()
        };
        let mut n = 0;
        crate::generate::for_each_batch(&opts, |kind, records| {
            if kind == crate::Kind::Shifts {
                for r in records {
                    let text = serde_json::to_string(&r).unwrap();
                    assert!(agrees(&text), "{text}");
                    n += 1;
                }
            }
            Ok(())
        })
        .unwrap();
        assert!(n > 500);
    }
}
