//! `aggregate(...)` and calendar periods through the whole front end: the statistics of a
//! small table over months, weeks (a week straddling two months counts in the month of its
//! Thursday) and days, `incomplete = partial`, a forecast on an aggregate, and the default
//! season of a forecast for each kind of period.

use archc::analysis::{Analysis, AnalyzeOptions};
use archc::driver::analyze_source;
use archc::instantiate::world::Value;

fn analysed(text: &str) -> Analysis {
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    let a = analyze_source("m.arch", text, None, &options);
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a
}

/// The value of `param[index...]` (elements given by name), in the param's base unit.
fn value(a: &Analysis, param: &str, index: &[&str]) -> Option<f64> {
    let schema = a.schema.as_ref()?;
    let inst = a.instance.as_ref()?;
    let p = schema.params.iter().position(|x| x.name == param)?;
    let key: Option<Vec<u32>> = index
        .iter()
        .map(|n| {
            inst.world
                .elems
                .iter()
                .position(|e| e.name == *n)
                .map(|i| i as u32)
        })
        .collect();
    match inst.world.params[p].as_ref()?.get(&key?)? {
        Value::Num(x) => Some(x),
        _ => None,
    }
}

const MONTHLY: &str = "
set sites = {a}
set months = 2025M01..2025M06
set quarters = 2025Q1..2025Q2
param usage[s in sites, m in months]: core = {
    (a, 2025M01): 3 core, (a, 2025M02): 7 core, (a, 2025M03): 5 core,
    (a, 2025M04): 1 core, (a, 2025M05): 2 core, (a, 2025M06): 9 core,
}
param hi[s in sites, q in quarters]: core = aggregate(usage[s], max)
param lo[s in sites, q in quarters]: core = aggregate(usage[s], min)
param avg[s in sites, q in quarters]: core = aggregate(usage[s], mean)
param total[s in sites, q in quarters]: core = aggregate(usage[s], sum)
param closing[s in sites, q in quarters]: core = aggregate(usage[s], last)
";

#[test]
fn max_min_mean_sum_and_last_of_months_by_quarter() {
    let a = analysed(MONTHLY);
    let want = [
        ("hi", 7.0, 9.0),
        ("lo", 3.0, 1.0),
        ("avg", 5.0, 4.0),
        ("total", 15.0, 12.0),
        ("closing", 5.0, 9.0),
    ];
    for (param, q1, q2) in want {
        assert_eq!(
            value(&a, param, &["a", "2025Q1"]),
            Some(q1),
            "{param} 2025Q1"
        );
        assert_eq!(
            value(&a, param, &["a", "2025Q2"]),
            Some(q2),
            "{param} 2025Q2"
        );
    }
}

#[test]
fn the_unit_flows_through_an_aggregate() {
    // The history in cores, the aggregate declared in thousands of cores: the same values.
    let text = MONTHLY.replace(
        "param hi[s in sites, q in quarters]: core",
        "unit kcore = 1000 core\nparam hi[s in sites, q in quarters]: kcore",
    );
    let a = analysed(&text);
    assert_eq!(
        value(&a, "hi", &["a", "2025Q2"]),
        value(&analysed(MONTHLY), "hi", &["a", "2025Q2"])
    );
}

#[test]
fn weeks_count_in_the_month_of_their_thursday() {
    // Week n holds the value n. 2026W01 (Monday 29 December 2025) and 2026W05 (26 January to
    // 1 February) have their Thursday in January: January holds W01..W05, February W06..W09.
    let entries: Vec<String> = (1..=9).map(|w| format!("2026W{w:02}: {w}")).collect();
    let text = format!(
        "set weeks = 2026W01..2026W09\n\
         set months = 2026M01..2026M02\n\
         param usage[w in weeks]: real = {{{}}}\n\
         param monthly[m in months]: real = aggregate(usage, sum)\n",
        entries.join(", ")
    );
    let a = analysed(&text);
    assert_eq!(value(&a, "monthly", &["2026M01"]), Some(15.0));
    assert_eq!(value(&a, "monthly", &["2026M02"]), Some(30.0));
}

#[test]
fn days_aggregate_into_iso_weeks_and_months() {
    // Day d of 2026-01-05..2026-02-01 (Monday to Sunday, four weeks) holds d = 1..28.
    let text = "
set days = 2026-01-05..2026-02-01
set weeks = 2026W02..2026W05
param usage[d in days]: real = ord(d)
param weekly[w in weeks]: real = aggregate(usage, max)
param first_week_mean[w in weeks]: real = aggregate(usage, mean)
";
    let a = analysed(text);
    assert_eq!(value(&a, "weekly", &["2026W02"]), Some(7.0));
    assert_eq!(value(&a, "weekly", &["2026W05"]), Some(28.0));
    assert_eq!(value(&a, "first_week_mean", &["2026W03"]), Some(11.0));
}

#[test]
fn partial_aggregates_take_the_periods_there_are() {
    let text = "
set months = 2025M01..2025M05
set quarters = 2025Q1..2025Q2
param usage[m in months]: real = {2025M01: 1, 2025M02: 2, 2025M03: 3, 2025M04: 10, 2025M05: 20}
param avg[q in quarters]: real = aggregate(usage, mean, incomplete = partial)
";
    let a = analysed(text);
    assert_eq!(value(&a, "avg", &["2025Q1"]), Some(2.0));
    assert_eq!(value(&a, "avg", &["2025Q2"]), Some(15.0));
    // Without the option the incomplete quarter is an error.
    let strict = text.replace(", incomplete = partial", "");
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    let b = analyze_source("m.arch", &strict, None, &options);
    let codes: Vec<_> = b.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E0546"]);
}

#[test]
fn a_forecast_runs_on_an_aggregate() {
    let text = "
set months = 2024M01..2025M12
set quarters = 2024Q1..2025Q4
set ahead = 2026Q1..2026Q2
param usage[m in months]: core = (ord(m) + 1) * 1 core
param peak[q in quarters]: core = aggregate(usage, max)
param next[q in ahead]: core = forecast(peak, mean, method = naive)
";
    let a = analysed(text);
    // The last quarter's peak is its last month's usage (the series grows): 24 + 1 = 25.
    assert_eq!(value(&a, "peak", &["2025Q4"]), Some(25.0));
    assert_eq!(value(&a, "next", &["2026Q2"]), Some(25.0));
}

/// The season a forecast takes when none is given, from the kind of its periods.
fn default_season(first: &str, last: &str, next: &str, n: usize) -> usize {
    let text = format!(
        "set history = {first}..{last}\n\
         set ahead = {next}..{next}\n\
         param usage[t in history]: real = 10 + ord(t) % 3\n\
         param f[t in ahead]: real = forecast(usage, mean, method = naive)\n"
    );
    let a = analysed(&text);
    let inst = a.instance.as_ref().expect("instantiated");
    assert_eq!(inst.world.forecasts.len(), 1);
    assert_eq!(inst.world.forecasts[0].history.len(), n);
    inst.world.forecasts[0].season
}

#[test]
fn the_default_season_follows_the_period() {
    assert_eq!(default_season("2024Q1", "2025Q4", "2026Q1", 8), 4);
    assert_eq!(default_season("2024M01", "2025M12", "2026M01", 24), 12);
    assert_eq!(default_season("2024W01", "2025W52", "2026W01", 104), 52);
    assert_eq!(
        default_season("2026-01-05", "2026-02-01", "2026-02-02", 28),
        7
    );
    assert_eq!(default_season("1", "24", "25", 24), 1);
}

/// A history file may write its periods as other tools export them: `2025-01` for months,
/// `2025-W01` for weeks, `2025-Q1` for quarters; each lands on the model's own period.
#[test]
fn history_files_may_spell_periods_the_iso_way() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("usage.csv"),
        "s,m,value\na,2025-01,3\na,2025-02,7\na,2025M03,5\na,2025-04,1\na,2025-05,2\na,2025-06,9\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("weekly.csv"),
        "s,w,value\na,2025-W01,4\na,2025W02,6\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("target.csv"),
        "s,q,value\na,2025-Q1,10\na,2025-Q2,11\n",
    )
    .expect("write");
    let model = dir.path().join("m.arch");
    std::fs::write(
        &model,
        "set sites = {a}
set months = 2025M01..2025M06
set weeks = 2025W01..2025W02
set quarters = 2025Q1..2025Q2
param usage[s in sites, m in months]: core from \"usage.csv\"
param weekly[s in sites, w in weeks]: core from \"weekly.csv\"
param goal[s in sites, q in quarters]: core from \"target.csv\"
param hi[s in sites, q in quarters]: core = aggregate(usage[s], max)
",
    )
    .expect("write");
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    let a = archc::driver::analyze(&model, &options);
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    assert_eq!(value(&a, "hi", &["a", "2025Q1"]), Some(7.0));
    assert_eq!(value(&a, "hi", &["a", "2025Q2"]), Some(9.0));
    assert_eq!(value(&a, "weekly", &["a", "2025W01"]), Some(4.0));
    assert_eq!(value(&a, "weekly", &["a", "2025W02"]), Some(6.0));
    assert_eq!(value(&a, "goal", &["a", "2025Q2"]), Some(11.0));
    // Another spelling is still an unknown period, reported at its cell.
    std::fs::write(
        dir.path().join("target.csv"),
        "s,q,value\na,2025-Q1,10\na,2025-q2,11\n",
    )
    .expect("write");
    let a = archc::driver::analyze(&model, &options);
    let unknown: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("2025-q2"))
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", a.diagnostics);
}

/// A series that leaves several coarse periods incomplete is one E0546, which names the
/// first and lists the others; each series has its own.
#[test]
fn an_incomplete_series_is_one_error_listing_its_periods() {
    let text = "
set sites = {a, b}
set months = 2025M01..2025M12
set quarters = 2025Q1..2025Q4
param usage[s in sites, m in months]: real = {
    (a, 2025M01): 1, (a, 2025M02): 2, (a, 2025M04): 4, (a, 2025M07): 7, (a, 2025M10): 10,
    (b, 2025M01): 1, (b, 2025M02): 2, (b, 2025M03): 3, (b, 2025M04): 4, (b, 2025M05): 5,
    (b, 2025M06): 6, (b, 2025M07): 7, (b, 2025M08): 8, (b, 2025M09): 9, (b, 2025M10): 10,
    (b, 2025M11): 11,
}
param hi[s in sites, q in quarters]: real = aggregate(usage[s], max)
";
    let options = AnalyzeOptions {
        instantiate: true,
        ..Default::default()
    };
    let a = analyze_source("m.arch", text, None, &options);
    let errors: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "E0546")
        .collect();
    assert_eq!(errors.len(), 2, "{:?}", a.diagnostics);
    let of_a = errors
        .iter()
        .find(|d| d.message.contains("usage[a]"))
        .expect("series a");
    assert!(of_a.message.starts_with("2025Q1"), "{}", of_a.message);
    let notes = of_a.notes.join(" ");
    assert!(
        notes.contains("3 other quarters incomplete: 2025Q2, 2025Q3, 2025Q4"),
        "{notes}"
    );
    let of_b = errors
        .iter()
        .find(|d| d.message.contains("usage[b]"))
        .expect("series b");
    assert!(of_b.message.starts_with("2025Q4"), "{}", of_b.message);
    assert!(
        of_b.notes.iter().all(|n| !n.contains("other quarters")),
        "{:?}",
        of_b.notes
    );
}
