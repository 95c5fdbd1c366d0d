//! `ewa bench --order time` (issue #16): the generated payroll fed as a live integration
//! feeds it ([`ewa::generate::for_each_batch_in_time_order`]: shifts in start order in
//! daily batches, an HR sync along the way).

/// In which order the generated records are pushed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    /// Employee by employee, each with all its shifts (the generator's order).
    #[default]
    Employee,
    /// Shifts in start order in daily batches, a few employees and contracts along the way.
    Time,
}
