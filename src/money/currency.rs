//! ISO 4217 currencies: the code and its minor-unit exponent (SPEC §2, contract `currency`).
//!
//! The table below is ISO 4217 List One as published on 2026-01-01 (178 active codes,
//! funds codes and the `X..` codes included). Codes the list marks "N.A." for minor units
//! (precious metals XAU/XAG/XPD/XPT, XBA–XBD, XDR, XSU, XUA, XTS, XXX) get exponent 0.
//! Withdrawn codes are rejected: for example HRK (Croatia joined the euro in 2023), BGN
//! (Bulgaria, 2026), ANG (replaced by XCG in 2025), SLL, ZWL, CUC, BYR, VEF, MRO, STD, LTL,
//! LVL.

use std::fmt;
use std::str::FromStr;

/// An active ISO 4217 currency: its three-letter code and its minor-unit exponent.
///
/// A `Currency` can only be made from the embedded table, so the code is always three
/// ASCII upper-case letters from the current list.
///
/// ```
/// use ewa::money::currency::Currency;
/// let eur = Currency::parse("EUR").ok_or("unknown")?;
/// assert_eq!(eur.exponent(), 2);
/// assert_eq!(eur.to_string(), "EUR");
/// assert!(Currency::parse("HRK").is_none());
/// # Ok::<(), &'static str>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// ISO 4217 List One (published 2026-01-01), sorted by code, no duplicates.
/// "N.A." minor units are stored as 0.
#[rustfmt::skip]
const TABLE: [([u8; 3], u8); 178] = [
    (*b"AED", 2), (*b"AFN", 2), (*b"ALL", 2), (*b"AMD", 2), (*b"AOA", 2), (*b"ARS", 2),
    (*b"AUD", 2), (*b"AWG", 2), (*b"AZN", 2), (*b"BAM", 2), (*b"BBD", 2), (*b"BDT", 2),
    (*b"BHD", 3), (*b"BIF", 0), (*b"BMD", 2), (*b"BND", 2), (*b"BOB", 2), (*b"BOV", 2),
    (*b"BRL", 2), (*b"BSD", 2), (*b"BTN", 2), (*b"BWP", 2), (*b"BYN", 2), (*b"BZD", 2),
    (*b"CAD", 2), (*b"CDF", 2), (*b"CHE", 2), (*b"CHF", 2), (*b"CHW", 2), (*b"CLF", 4),
    (*b"CLP", 0), (*b"CNY", 2), (*b"COP", 2), (*b"COU", 2), (*b"CRC", 2), (*b"CUP", 2),
    (*b"CVE", 2), (*b"CZK", 2), (*b"DJF", 0), (*b"DKK", 2), (*b"DOP", 2), (*b"DZD", 2),
    (*b"EGP", 2), (*b"ERN", 2), (*b"ETB", 2), (*b"EUR", 2), (*b"FJD", 2), (*b"FKP", 2),
    (*b"GBP", 2), (*b"GEL", 2), (*b"GHS", 2), (*b"GIP", 2), (*b"GMD", 2), (*b"GNF", 0),
    (*b"GTQ", 2), (*b"GYD", 2), (*b"HKD", 2), (*b"HNL", 2), (*b"HTG", 2), (*b"HUF", 2),
    (*b"IDR", 2), (*b"ILS", 2), (*b"INR", 2), (*b"IQD", 3), (*b"IRR", 2), (*b"ISK", 0),
    (*b"JMD", 2), (*b"JOD", 3), (*b"JPY", 0), (*b"KES", 2), (*b"KGS", 2), (*b"KHR", 2),
    (*b"KMF", 0), (*b"KPW", 2), (*b"KRW", 0), (*b"KWD", 3), (*b"KYD", 2), (*b"KZT", 2),
    (*b"LAK", 2), (*b"LBP", 2), (*b"LKR", 2), (*b"LRD", 2), (*b"LSL", 2), (*b"LYD", 3),
    (*b"MAD", 2), (*b"MDL", 2), (*b"MGA", 2), (*b"MKD", 2), (*b"MMK", 2), (*b"MNT", 2),
    (*b"MOP", 2), (*b"MRU", 2), (*b"MUR", 2), (*b"MVR", 2), (*b"MWK", 2), (*b"MXN", 2),
    (*b"MXV", 2), (*b"MYR", 2), (*b"MZN", 2), (*b"NAD", 2), (*b"NGN", 2), (*b"NIO", 2),
    (*b"NOK", 2), (*b"NPR", 2), (*b"NZD", 2), (*b"OMR", 3), (*b"PAB", 2), (*b"PEN", 2),
    (*b"PGK", 2), (*b"PHP", 2), (*b"PKR", 2), (*b"PLN", 2), (*b"PYG", 0), (*b"QAR", 2),
    (*b"RON", 2), (*b"RSD", 2), (*b"RUB", 2), (*b"RWF", 0), (*b"SAR", 2), (*b"SBD", 2),
    (*b"SCR", 2), (*b"SDG", 2), (*b"SEK", 2), (*b"SGD", 2), (*b"SHP", 2), (*b"SLE", 2),
    (*b"SOS", 2), (*b"SRD", 2), (*b"SSP", 2), (*b"STN", 2), (*b"SVC", 2), (*b"SYP", 2),
    (*b"SZL", 2), (*b"THB", 2), (*b"TJS", 2), (*b"TMT", 2), (*b"TND", 3), (*b"TOP", 2),
    (*b"TRY", 2), (*b"TTD", 2), (*b"TWD", 2), (*b"TZS", 2), (*b"UAH", 2), (*b"UGX", 0),
    (*b"USD", 2), (*b"USN", 2), (*b"UYI", 0), (*b"UYU", 2), (*b"UYW", 4), (*b"UZS", 2),
    (*b"VED", 2), (*b"VES", 2), (*b"VND", 0), (*b"VUV", 0), (*b"WST", 2), (*b"XAD", 2),
    (*b"XAF", 0), (*b"XAG", 0), (*b"XAU", 0), (*b"XBA", 0), (*b"XBB", 0), (*b"XBC", 0),
    (*b"XBD", 0), (*b"XCD", 2), (*b"XCG", 2), (*b"XDR", 0), (*b"XOF", 0), (*b"XPD", 0),
    (*b"XPF", 0), (*b"XPT", 0), (*b"XSU", 0), (*b"XTS", 0), (*b"XUA", 0), (*b"XXX", 0),
    (*b"YER", 2), (*b"ZAR", 2), (*b"ZMW", 2), (*b"ZWG", 2),
];

impl Currency {
    /// Looks up an exact upper-case ISO 4217 code (`"EUR"`, not `"eur"` or `"EURO"`).
    ///
    /// Returns `None` for anything that is not an active code of the current list.
    pub fn parse(code: &str) -> Option<Currency> {
        let key: [u8; 3] = code.as_bytes().try_into().ok()?;
        let index = TABLE.binary_search_by(|(c, _)| c.cmp(&key)).ok()?;
        TABLE
            .get(index)
            .map(|&(code, exponent)| Currency { code, exponent })
    }

    /// The three-letter code, e.g. `"EUR"`.
    pub fn code(&self) -> &str {
        // The table holds ASCII letters only, so this never falls back.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// The minor-unit exponent: 2 for EUR (cents), 0 for JPY, 3 for KWD, 4 for CLF.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Every active currency, in code order.
    pub fn all() -> impl ExactSizeIterator<Item = Currency> {
        TABLE
            .iter()
            .map(|&(code, exponent)| Currency { code, exponent })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error of [`Currency::from_str`]: the text is not an active ISO 4217 code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an active ISO 4217 currency code: expected three upper-case letters from the current list, e.g. EUR")]
pub struct ParseCurrencyError {
    input: String,
}

impl ParseCurrencyError {
    /// The rejected text (cut to 16 characters).
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl FromStr for Currency {
    type Err = ParseCurrencyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s).ok_or_else(|| ParseCurrencyError {
            input: s.chars().take(16).collect(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn exponents() {
        for (code, exp) in [
            ("EUR", 2),
            ("JPY", 0),
            ("KWD", 3),
            ("CLF", 4),
            ("BHD", 3),
            ("USD", 2),
            ("UYW", 4),
            ("ISK", 0),
            ("XAU", 0),
            ("XDR", 0),
            ("XXX", 0),
            ("ZWG", 2),
            ("VES", 2),
            ("VED", 2),
            ("SLE", 2),
            ("MRU", 2),
            ("STN", 2),
            ("XCG", 2),
        ] {
            let c = Currency::parse(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(c.exponent(), exp, "{code}");
            assert_eq!(c.code(), code);
            assert_eq!(c.to_string(), code);
            assert_eq!(code.parse::<Currency>(), Ok(c));
        }
    }

    #[test]
    fn rejects() {
        for bad in [
            "eur", "EURO", "EU", "", "HRK", "SLL", "ZWL", "CUC", "BYR", "VEF", "MRO", "STD", "LTL",
            "LVL", "ANG", "BGN", " EUR", "EUR ", "€", "E€", "ÉUR",
        ] {
            assert_eq!(Currency::parse(bad), None, "{bad:?}");
            let err = bad.parse::<Currency>().unwrap_err();
            assert_eq!(err.input(), bad);
            assert!(err.to_string().contains("ISO 4217"));
        }
    }

    #[test]
    fn table_sorted_unique_upper() {
        for pair in TABLE.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?} !< {:?}", pair[0].0, pair[1].0);
        }
        for (code, exp) in TABLE {
            assert!(code.iter().all(u8::is_ascii_uppercase));
            assert!(exp <= 4);
        }
        assert_eq!(Currency::all().len(), 178);
        assert!(Currency::all().all(|c| Currency::parse(c.code()) == Some(c)));
    }
}
