//! Builds a small company in code, then prints an explained accrual and an eligibility
//! decision: `cargo run --example explain`.

use ewa::calendar::parse_instant;
use ewa::{Company, Delivery, Detail, Fee, Kind, Policy, Twin};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tz = chrono_tz::America::New_York;
    let policy = Policy::builder().fee(
        Delivery::Instant,
        Fee {
            flat: 199,
            rate_bps: 100,
        },
    );
    let company = Company::new("corner-bakery", tz).with_policy(policy.build()?);
    let mut twin = Twin::new(company);
    let t = |s: &str| parse_instant(tz, s);
    let received = t("2026-06-01T00:00:00")?;

    let schedules = [
        json!({"pay_schedule_id": "weekly", "frequency": "weekly", "alignment": "arrears",
        "periods": [{"pay_period_id": "2026-W23", "start_at": "2026-06-01", "stop_at": "2026-06-08", "pay_at": "2026-06-12"}]}),
    ];
    let contracts = [
        json!({"contract_id": "baker", "pay_schedule_id": "weekly", "currency": "USD",
        "wage_rate_period": "hourly", "wage_rate_amount": 1200,
        "custom_info": {"overtime": {"weekly_threshold_hours": "40", "multiplier": "1.5"}}}),
    ];
    let employees = [
        json!({"employee_id": "ruth", "given_name": "Ruth", "contract_id": "baker",
        "contract_start_on": "2025-03-01"}),
    ];
    // Five 9-hour days and a 1-hour Saturday: 46 h, 6 h over the FLSA weekly threshold.
    let mut shifts: Vec<_> = (1..=5)
        .map(|d| json!({"shift_id": format!("s{d}"), "shift_status": "approved", "employee_id": "ruth",
            "start_at": format!("2026-06-0{d}T06:00:00"), "stop_at": format!("2026-06-0{d}T15:00:00")}))
        .collect();
    shifts.push(
        json!({"shift_id": "s6", "shift_status": "approved", "employee_id": "ruth",
        "start_at": "2026-06-06T08:00:00", "stop_at": "2026-06-06T09:00:00"}),
    );
    for (kind, records) in [
        (Kind::PaySchedules, &schedules[..]),
        (Kind::Contracts, &contracts[..]),
        (Kind::Employees, &employees[..]),
        (Kind::Shifts, &shifts[..]),
    ] {
        let report = twin.apply(kind, records, received)?;
        println!(
            "{:<13} {} received, {} accepted",
            report.target_entity, report.count_received, report.count_accepted
        );
    }

    let as_of = t("2026-06-08T09:00:00")?;
    let acc = twin.accruals("ruth", as_of)?;
    for p in &acc.periods {
        println!(
            "\nperiod {} ({} .. {}), paid {}",
            p.pay_period_id, p.start_at, p.stop_at, p.pay_at
        );
        for l in &p.lines {
            println!(
                "  {:<12} {:>6} {:<7} × {:>5} {:>5}  = {:>12}  {:?}",
                format!("{:?}", l.kind).to_lowercase(),
                l.quantity,
                l.unit,
                l.rate.map_or(String::new(), |r| r.to_string()),
                l.multiplier.clone().unwrap_or_default(),
                l.amount,
                l.source_ids
            );
        }
        println!(
            "  gross {}  net {}  (46 h × 12.00 + 6 h × 6.00 = 588.00)",
            p.gross, p.net
        );
    }
    for delivery in [Delivery::Standard, Delivery::Instant] {
        let e = twin.eligibility("ruth", as_of, delivery, Detail::Brief)?;
        println!(
            "\n{:?}: eligible {} — may draw {} (fee {}), base {}, headroom {}, recovered on {}",
            delivery,
            e.eligible,
            e.available,
            e.fee,
            e.accessible_base,
            e.headroom,
            e.recovery.map(|r| r.pay_at.to_string()).unwrap_or_default()
        );
    }
    Ok(())
}
