//! The Payd seed's example payloads (shared/seeds/001), verbatim.
//!
//! The seed's examples are placeholders: the schedule and shift examples use one instant for
//! `start_at`, `stop_at` (and `pay_at`), and the contract and payment examples use the currency
//! `"string"`. SPEC §2 forbids both, so those are rejected naming exactly that field, and the
//! same payloads with only that placeholder filled in are accepted (docs/decisions.md).

use crate::common::*;
use ewa::{Company, Kind, Outcome, Twin};
use serde_json::{json, Value};

const T: &str = "2019-08-01T00:00:00Z";

fn seed_schedule() -> Value {
    json!({"pay_schedule_id": "string", "frequency": "hourly", "alignment": "arrears",
        "periods": [{"pay_period_id": "string", "start_at": "2019-08-24T14:15:22Z",
                     "stop_at": "2019-08-24T14:15:22Z", "pay_at": "2019-08-24T14:15:22Z"}],
        "custom_info": {}})
}
fn seed_contract() -> Value {
    json!({"contract_id": "string", "pay_schedule_id": "string", "currency": "string",
           "wage_rate_period": "hourly", "wage_rate_amount": 0, "custom_info": {}})
}
fn seed_employee() -> Value {
    json!({"employee_id": "string", "work_email": "user@example.com", "personal_email": "user@example.com",
        "given_name": "string", "family_name": "string", "honorific": "string",
        "work_phone": "+65-6225-5577", "personal_phone": "+65-6225-5577", "custom_info": {},
        "contract_id": "string", "contract_start_on": "2019-08-24", "contract_stop_on": "2019-08-24"})
}
fn seed_shift() -> Value {
    json!({"shift_id": "string", "shift_status": "available", "employee_id": "string", "contract_id": "string",
           "start_at": "2019-08-24T14:15:22Z", "stop_at": "2019-08-24T14:15:22Z", "custom_info": {}})
}
fn seed_payment() -> Value {
    json!({"payment_id": "string", "employee_id": "string", "contract_id": "string",
           "currency": "string", "amount": 0, "custom_info": {}})
}

#[test]
fn seed_examples_verbatim_are_accepted_or_rejected_for_their_placeholder_only() {
    let mut twin = Twin::new(Company::new("payd", chrono_tz::Asia::Singapore));
    let r = push(&mut twin, Kind::PaySchedules, json!([seed_schedule()]), T);
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "periods[0].stop_at");
    let mut s = seed_schedule();
    s["periods"][0]["stop_at"] = json!("2019-08-24T15:15:22Z");
    // arrears: pay_at >= stop_at, so the same placeholder instant cannot stay in pay_at either.
    s["periods"][0]["pay_at"] = json!("2019-08-24T15:15:22Z");
    assert_eq!(
        outcomes(&push(&mut twin, Kind::PaySchedules, json!([s]), T)),
        [Outcome::Created]
    );

    let r = push(&mut twin, Kind::Contracts, json!([seed_contract()]), T);
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "currency");
    let mut c = seed_contract();
    c["currency"] = json!("SGD");
    let r = push(&mut twin, Kind::Contracts, json!([c]), T);
    assert_eq!(outcomes(&r), [Outcome::Created], "{:?}", r.results);

    // The employee example is accepted verbatim.
    let r = push(&mut twin, Kind::Employees, json!([seed_employee()]), T);
    assert_eq!(outcomes(&r), [Outcome::Created], "{:?}", r.results);
    assert_eq!(
        outcomes(&push(
            &mut twin,
            Kind::Employees,
            json!([seed_employee()]),
            T
        )),
        [Outcome::Unchanged]
    );

    let r = push(&mut twin, Kind::Shifts, json!([seed_shift()]), T);
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "stop_at");
    let mut sh = seed_shift();
    sh["stop_at"] = json!("2019-08-24T18:15:22Z");
    assert_eq!(
        outcomes(&push(&mut twin, Kind::Shifts, json!([sh]), T)),
        [Outcome::Created]
    );

    for kind in [Kind::Additions, Kind::Deductions] {
        let r = push(&mut twin, kind, json!([seed_payment()]), T);
        assert_eq!(outcomes(&r), [Outcome::Rejected]);
        assert_eq!(error_field(&r, 0), "currency");
        let mut p = seed_payment();
        p["currency"] = json!("SGD");
        assert_eq!(
            outcomes(&push(&mut twin, kind, json!([p]), T)),
            [Outcome::Created]
        );
    }
}

#[test]
fn seed_employee_with_a_misspelled_field_is_rejected_naming_it() {
    let mut twin = Twin::new(Company::new("payd", chrono_tz::Asia::Singapore));
    let mut e = seed_employee();
    e.as_object_mut().unwrap().remove("contract_id");
    let obj = e.as_object_mut().unwrap();
    let v = obj.remove("given_name").unwrap();
    obj.insert("givenname".into(), v);
    let r = push(&mut twin, Kind::Employees, json!([e]), T);
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "givenname");
}
