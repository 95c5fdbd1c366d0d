//! Helpers: temporary store files, instants, every answer of a twin as JSON text.

use ewa::calendar::{parse_instant, Instant};
use ewa::{Delivery, Detail, Twin};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// An instant in UTC (or company-local, as written).
pub fn t(s: &str) -> Instant {
    parse_instant(chrono_tz::UTC, s).unwrap()
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("ewa-it-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The path as the store prints it.
pub fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// Every answer the twin gives, as one JSON text: eligibility (both deliveries), quotes
/// and accruals of each employee (and an unknown one) at each instant, bulk eligibility,
/// recoveries of each period, shift histories, counts.
pub fn answers(
    twin: &Twin,
    instants: &[Instant],
    periods: &[(&str, &str)],
    shifts: &[String],
) -> String {
    let mut out = Vec::new();
    let mut ids: Vec<String> = twin.employee_ids().iter().map(|s| s.to_string()).collect();
    ids.push("nobody".into());
    for at in instants {
        for id in &ids {
            for d in [Delivery::Standard, Delivery::Instant] {
                out.push(
                    serde_json::to_value(twin.eligibility(id, *at, d, Detail::Explained).unwrap())
                        .unwrap(),
                );
            }
            out.push(
                serde_json::to_value(twin.quote_advance(id, 700, *at, Delivery::Instant).unwrap())
                    .unwrap(),
            );
            out.push(serde_json::to_value(twin.accruals(id, *at).ok()).unwrap());
        }
        out.push(
            serde_json::to_value(twin.eligibility_all(*at, Delivery::Standard).unwrap()).unwrap(),
        );
        for (s, p) in periods {
            out.push(serde_json::to_value(twin.recoveries(s, p, *at).ok()).unwrap());
        }
    }
    for s in shifts {
        out.push(serde_json::to_value(twin.shift_history(s)).unwrap());
    }
    out.push(serde_json::to_value(twin.counts()).unwrap());
    out.push(serde_json::to_value(twin.job_count()).unwrap());
    serde_json::to_string(&out).unwrap()
}
