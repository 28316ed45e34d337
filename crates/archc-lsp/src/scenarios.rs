//! Hover text of scenario sets: how many scenarios a set holds and their probability mass
//! (with the mass a cutoff leaves out), read from the instance when the data loads; else a
//! description of the generator as written (`every failure of 1 of regions, plus
//! nominal`). [`crate::sizes::annotate`] writes it into the set's symbol.

use archc::analysis::Analysis;
use archc::check::SetDef;
use archc::scenario::ScenarioSource;
use archc::units::format_number;
use std::collections::HashMap;

/// The hover text of each scenario set, by name.
pub fn scenario_info(analysis: &Analysis) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(schema) = &analysis.schema else {
        return out;
    };
    for (i, set) in schema.sets.iter().enumerate() {
        let SetDef::Scenarios(def) = &set.def else {
            continue;
        };
        let counted = analysis
            .instance
            .as_ref()
            .and_then(|inst| inst.world.scenario_sets.get(&i));
        let text = match counted {
            Some(data) => {
                // Sums of equal shares such as 1/6 read as written.
                let mass = (data.mass * 1e9).round() / 1e9;
                let mut t = format!(
                    "{} {}, probability mass {}",
                    format_number(data.count as f64),
                    if data.count == 1 {
                        "scenario"
                    } else {
                        "scenarios"
                    },
                    format_number(mass)
                );
                if mass < 1.0 {
                    let why = match &def.source {
                        ScenarioSource::Independent { .. } => " by the cutoff",
                        ScenarioSource::KOf { .. } => ": the other failure sets",
                        _ => "",
                    };
                    t.push_str(&format!(" ({} left out{why})", format_number(1.0 - mass)));
                }
                t
            }
            None => describe(analysis, &def.source),
        };
        out.insert(set.name.clone(), text);
    }
    out
}

/// The generator as written, in words.
fn describe(analysis: &Analysis, source: &ScenarioSource) -> String {
    let text = |e: &archc::syntax::ast::Expr| analysis.sources.slice(e.span).to_string();
    let nominal = |n: bool| if n { ", plus nominal" } else { "" };
    match source {
        ScenarioSource::Declared(list) => format!(
            "{} {} as declared",
            list.len(),
            if list.len() == 1 {
                "scenario"
            } else {
                "scenarios"
            }
        ),
        ScenarioSource::KOf {
            set,
            k,
            up_to,
            nominal: n,
            p,
        } => format!(
            "every failure of {}{} of {}{}, {}",
            if *up_to { "1 to " } else { "" },
            text(k),
            text(set),
            nominal(*n),
            match p {
                Some(p) => format!(
                    "each as likely as exactly those failing (`{}`)",
                    p.name.name
                ),
                None => "equally likely".to_string(),
            }
        ),
        ScenarioSource::Independent {
            set,
            attr,
            cutoff,
            nominal: n,
        } => format!(
            "independent failures of {} with probability `{}`{}{}",
            text(set),
            attr.name.name,
            cutoff
                .as_ref()
                .map(|c| format!(", at least {} likely", text(c)))
                .unwrap_or_default(),
            nominal(*n)
        ),
        ScenarioSource::Groups {
            set,
            attr,
            nominal: n,
            k,
            up_to,
        } => format!(
            "the {} sharing a `{}` fail together, {}{}",
            text(set),
            attr.name.name,
            match k {
                Some(k) => format!(
                    "{}{} groups at a time",
                    if *up_to { "1 to " } else { "" },
                    text(k)
                ),
                None => "one group at a time".to_string(),
            },
            nominal(*n)
        ),
        ScenarioSource::File { path, .. } => format!("one scenario per row of \"{}\"", path.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archc::analysis::AnalyzeOptions;
    use archc::driver::analyze_source;

    const MODEL: &str = "\
use std.infra
region a { cores: 8 core }
region b { cores: 4 core }
region c { cores: 4 core }
set n1 = fail_k(regions, 1)
set n2 = fail_k(regions, 2, up_to = true, nominal = false)
decide x[s in n1, r in regions]: real core >= 0 <= r.cores * up(r, s)
decide y[s in n2, r in regions]: real core >= 0 <= r.cores * up(r, s)
minimize m: sum(s in n1, r in regions) x[s, r] + sum(s in n2, r in regions) y[s, r]
";

    fn info(instantiate: bool) -> HashMap<String, String> {
        let options = AnalyzeOptions {
            instantiate,
            ..Default::default()
        };
        let a = analyze_source("m.arch", MODEL, None, &options);
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        scenario_info(&a)
    }

    #[test]
    fn sizes_and_mass_from_the_data() {
        let i = info(true);
        assert_eq!(i["n1"], "4 scenarios, probability mass 1");
        assert_eq!(i["n2"], "6 scenarios, probability mass 1");
    }

    #[test]
    fn the_generator_without_data() {
        let i = info(false);
        assert_eq!(
            i["n1"],
            "every failure of 1 of regions, plus nominal, equally likely"
        );
        assert_eq!(
            i["n2"],
            "every failure of 1 to 2 of regions, equally likely"
        );
    }
}
