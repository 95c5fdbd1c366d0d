//! Placeholder for the synthetic scenario generator, replaced by the bench branch.
//!
//! Only the signature the CLI calls is fixed here; the document it returns is a valid but
//! empty SPEC §8 scenario.

/// Generator options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Employees to generate.
    pub employees: usize,
    /// Seed of the deterministic generator.
    pub seed: u64,
}

/// A SPEC §8 scenario document (placeholder: a company and nothing else).
pub fn scenario(options: &Options) -> serde_json::Value {
    serde_json::json!({
        "company": {"company_id": format!("generated-{}", options.seed)},
        "received_at": "2026-01-01T00:00:00Z",
    })
}
