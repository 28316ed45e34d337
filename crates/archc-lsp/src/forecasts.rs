//! Hover text of forecast params: the model chosen for each series (automatic selection picks
//! per series), for the first few series and a count of the rest, read from the forecasts the
//! instance made when the data loaded. [`crate::sizes::annotate`] writes it into the param's
//! symbol.

use archc::analysis::Analysis;
use std::collections::HashMap;

/// Series listed by name in a hover; the rest are counted.
const SHOWN: usize = 3;

/// The hover text of each param computed by `forecast(...)`, by name.
pub fn forecast_info(analysis: &Analysis) -> HashMap<String, String> {
    let mut by_param: Vec<(String, Vec<&archc::forecast::SeriesForecast>)> = Vec::new();
    let Some(inst) = &analysis.instance else {
        return HashMap::new();
    };
    for f in &inst.world.forecasts {
        match by_param.iter_mut().find(|(p, _)| *p == f.param) {
            Some((_, list)) => list.push(f),
            None => by_param.push((f.param.clone(), vec![f])),
        }
    }
    by_param
        .into_iter()
        .map(|(param, list)| {
            let first = list[0];
            let mut text = format!(
                "forecast `{}` of {} series (method `{}`, season {}): ",
                first.stat,
                list.len(),
                first.method.as_str(),
                first.season
            );
            let shown: Vec<String> = list
                .iter()
                .take(SHOWN)
                .map(|f| format!("{} {}", f.series, f.forecast.model))
                .collect();
            text.push_str(&shown.join(", "));
            if list.len() > SHOWN {
                text.push_str(&format!(", and {} more", list.len() - SHOWN));
            }
            (param, text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use archc::analysis::AnalyzeOptions;
    use archc::driver::analyze_source;

    // Four monthly series, each a clean seasonal pattern, and a fifth that is flat.
    fn model() -> String {
        let mut values = Vec::new();
        for (r, scale) in [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)] {
            for m in 1..=24 {
                let v = scale * (100.0 + if m % 12 < 3 { 30.0 } else { 0.0 });
                values.push(format!(
                    "({r}, {}M{:02}): {v} core",
                    2024 + (m - 1) / 12,
                    (m - 1) % 12 + 1
                ));
            }
        }
        format!(
            "set sites = {{a, b, c, d}}\n\
             set history = 2024M01..2025M12\n\
             set ahead = 2026M01..2026M03\n\
             param usage[s in sites, m in history]: core = {{{}}}\n\
             param demand[s in sites, m in ahead]: core = forecast(usage[s], q95, method = snaive)\n",
            values.join(", ")
        )
    }

    #[test]
    fn a_forecast_param_lists_the_model_of_its_first_series_and_counts_the_rest() {
        let options = AnalyzeOptions {
            instantiate: true,
            ..Default::default()
        };
        let a = analyze_source("m.arch", &model(), None, &options);
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        let info = forecast_info(&a);
        let text = info.get("demand").expect("demand is a forecast");
        assert!(
            text.starts_with("forecast `q95` of 4 series (method `snaive`, season 12): usage[a] "),
            "{text}"
        );
        assert!(text.ends_with(", and 1 more"), "{text}");
        assert!(!info.contains_key("usage"));
    }
}
