//! Long-format CSV of a [`Report`], for pandas and spreadsheets: one file per decision
//! (`NAME.csv`: one column per index, named by its set, then the value, every instance
//! including zeros), one per capacity constraint (`NAME.utilisation.csv`) and, for plans
//! solved by DP, `plans.csv`. Column names are stable; units are in the headers.

use super::{ConstraintReport, DecisionReport, Report};

/// One CSV file: its name (a decision or constraint name plus `.csv`) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvFile {
    pub name: String,
    pub text: String,
}

/// Names of the index columns: the set of each index; when two indices range over the same
/// set, `set.index` for each of them (`regions.origin`, `regions.dest`).
pub fn index_columns(sets: &[String], names: &[String]) -> Vec<String> {
    sets.iter()
        .zip(names)
        .map(|(s, n)| {
            if sets.iter().filter(|o| *o == s).count() > 1 && s != n {
                format!("{s}.{n}")
            } else {
                s.clone()
            }
        })
        .collect()
}

/// `name (unit)`, or `name` when dimensionless.
fn with_unit(name: &str, unit: &str) -> String {
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// A number as CSV text: twelve significant digits (solver round-off does not show), in
/// the shortest form that reads back to that value, without thousands separators.
fn number(v: f64) -> String {
    let v = if v == 0.0 || !v.is_finite() {
        v
    } else {
        let digits = 12 - (v.abs().log10().floor() as i32 + 1);
        if digits > 0 {
            let f = 10f64.powi(digits.min(300));
            (v * f).round() / f
        } else {
            v.round()
        }
    };
    let mut s = ryu::Buffer::new().format(v).to_string();
    if s.ends_with(".0") {
        s.truncate(s.len() - 2);
    }
    s
}

fn write(records: Vec<Vec<String>>) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for r in records {
        // Writing to memory cannot fail.
        let _ = w.write_record(&r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The CSV of one decision: every instance, zeros included, in the order of its sets.
pub fn decision_csv(d: &DecisionReport) -> String {
    let mut head = index_columns(&d.index_sets, &d.index_names);
    head.push(with_unit(&d.name, &d.unit));
    let mut records = vec![head];
    for v in &d.all {
        let mut r = v.index.clone();
        r.push(number(v.value));
        records.push(r);
    }
    write(records)
}

/// The CSV of a constraint's capacity rows: load, capacity, utilisation and whether the row
/// is binding, in the order of its sets.
pub fn utilisation_csv(c: &ConstraintReport) -> String {
    let mut head = index_columns(&c.index_sets, &c.index_names);
    head.extend([
        with_unit("load", &c.unit),
        with_unit("capacity", &c.unit),
        "utilisation".to_string(),
        "binding".to_string(),
    ]);
    let mut records = vec![head];
    for row in &c.rows {
        let (Some(load), Some(cap), Some(u)) = (row.load, row.capacity, row.utilisation) else {
            continue;
        };
        let mut r = row.index.clone();
        r.extend([
            number(load),
            number(cap),
            number(u),
            row.binding.to_string(),
        ]);
        records.push(r);
    }
    write(records)
}

/// Every CSV file of a report.
pub fn files(r: &Report) -> Vec<CsvFile> {
    let mut out: Vec<CsvFile> = r
        .decisions
        .iter()
        .map(|d| CsvFile {
            name: format!("{}.csv", d.name),
            text: decision_csv(d),
        })
        .collect();
    for c in &r.constraints {
        if c.rows.iter().any(|row| row.utilisation.is_some()) {
            out.push(CsvFile {
                name: format!("{}.utilisation.csv", c.name),
                text: utilisation_csv(c),
            });
        }
    }
    if !r.plans.is_empty() {
        let unit = r.objective.as_ref().map(|o| o.unit.as_str()).unwrap_or("");
        let mut records = vec![vec![
            "plan".to_string(),
            "stage".to_string(),
            "state".to_string(),
            "decision".to_string(),
            with_unit("cost", unit),
        ]];
        for p in &r.plans {
            for s in &p.stages {
                let state: Vec<String> = s.state.iter().map(|v| v.to_string()).collect();
                records.push(vec![
                    p.plan.clone(),
                    s.stage.to_string(),
                    state.join(" "),
                    s.decision.to_string(),
                    number(s.cost),
                ]);
            }
        }
        out.push(CsvFile {
            name: "plans.csv".into(),
            text: write(records),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn index_columns_are_sets_and_tell_repeated_sets_apart() {
        assert_eq!(
            index_columns(&strings(&["services", "regions"]), &strings(&["s", "r"])),
            ["services", "regions"]
        );
        assert_eq!(
            index_columns(
                &strings(&["regions", "regions", "quarters"]),
                &strings(&["origin", "dest", "q"])
            ),
            ["regions.origin", "regions.dest", "quarters"]
        );
    }

    #[test]
    fn numbers_have_no_round_off_noise_and_no_separators() {
        assert_eq!(number(3.1100770000000004), "3.110077");
        assert_eq!(number(1_500_000.0), "1500000");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.25), "-0.25");
        assert_eq!(number(1e-7), "1e-7");
    }

    #[test]
    fn names_with_commas_are_quoted() {
        assert_eq!(
            write(vec![strings(&["a,b", "c"]), strings(&["1", "2"])]),
            "\"a,b\",c\n1,2\n"
        );
    }
}
