//! What the report learns from the checked model rather than from the IR: the set behind
//! each index (CSV column names, axes of plots), which indices are ordered (time axes), and
//! the network of a model with links (nodes, links, their utilisation) for the HTML report.

use super::Report;
use crate::check::{ElemTy, IndexDim, Schema, Ty};
use crate::instantiate::world::Value;
use crate::instantiate::Instance;
use crate::syntax::ast::ExprKind;
use rustc_hash::FxHashMap;

/// A network drawn in the HTML report: every entity of the kind the links join, and every
/// link.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    /// The set the links belong to (`links`).
    pub link_set: String,
    pub nodes: Vec<Node>,
    pub links: Vec<Link>,
    /// The constraint whose utilisation colours the links, when there is one.
    pub utilisation_of: Option<String>,
}

/// A node of the network, with its position when the data gives latitude and longitude.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: String,
    /// (latitude, longitude) in degrees, from attributes named `lat`/`latitude` and
    /// `lon`/`lng`/`longitude`; `None` when absent or both 0 (the stdlib `region`'s
    /// default: unknown).
    pub coordinates: Option<(f64, f64)>,
}

/// A directed link between two nodes (by position in [`Topology::nodes`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub name: String,
    pub src: usize,
    pub dst: usize,
    /// Utilisation of the link's capacity row (1 = full).
    pub utilisation: Option<f64>,
}

/// The set an index ranges over, when written as a name (`r in regions`); the index's own
/// name otherwise.
fn set_name(dim: &IndexDim) -> String {
    match &dim.set.kind {
        ExprKind::Name(id) => id.name.clone(),
        _ => dim.var.clone(),
    }
}

/// Which indices are time axes: those over periods; when none is, those over integers (in
/// `covered[p in paths, r in regions, q in quarters]` the quarters are the time, not the
/// numbered sample paths).
fn time_axes(dims: &[IndexDim]) -> Vec<bool> {
    let periods: Vec<bool> = dims
        .iter()
        .map(|d| matches!(d.elem, ElemTy::Period(_)))
        .collect();
    if periods.contains(&true) {
        return periods;
    }
    dims.iter().map(|d| matches!(d.elem, ElemTy::Int)).collect()
}

/// Fill in what the IR does not know: set names and ordered indices of every decision and
/// constraint, and the network when the model joins entities by links.
pub fn describe(report: &mut Report, schema: &Schema, instance: &Instance) {
    let decisions: FxHashMap<&str, &[IndexDim]> = schema
        .decisions
        .iter()
        .map(|d| (d.name.as_str(), d.dims.as_slice()))
        .collect();
    let constraints: FxHashMap<&str, &[IndexDim]> = schema
        .constraints
        .iter()
        .map(|c| (c.name.as_str(), c.dims.as_slice()))
        .collect();
    for d in &mut report.decisions {
        if let Some(dims) = decisions.get(d.name.as_str()) {
            if dims.len() == d.index_names.len() {
                d.index_sets = dims.iter().map(set_name).collect();
                d.ordered = time_axes(dims);
            }
        }
    }
    for c in &mut report.constraints {
        if let Some(dims) = constraints.get(c.name.as_str()) {
            if dims.len() == c.index_names.len() {
                c.index_sets = dims.iter().map(set_name).collect();
                c.ordered = time_axes(dims);
            }
        }
    }
    report.topology = topology(report, schema, instance, &constraints);
}

/// The first kind with `src` and `dst` attributes naming entities of one kind, as a network.
fn topology(
    report: &Report,
    schema: &Schema,
    instance: &Instance,
    constraints: &FxHashMap<&str, &[IndexDim]>,
) -> Option<Topology> {
    let world = &instance.world;
    let (link_kind, node_kind, src_attr, dst_attr) =
        schema.kinds.iter().enumerate().find_map(|(k, info)| {
            let end = |name: &str| {
                let i = *info.attr_index.get(name)?;
                match info.attrs[i].ty {
                    Ty::Elem(ElemTy::Kind(n)) => Some((i, n)),
                    _ => None,
                }
            };
            let (src, n1) = end("src")?;
            let (dst, n2) = end("dst")?;
            (n1 == n2).then_some((k, n1, src, dst))
        })?;
    let links_table = world.kinds.get(link_kind)?;
    let nodes_table = world.kinds.get(node_kind)?;
    if links_table.elems.is_empty() {
        return None;
    }
    let node_info = &schema.kinds[node_kind];
    let number = |names: &[&str], pos: usize| -> Option<f64> {
        names.iter().find_map(|n| {
            let i = *node_info.attr_index.get(*n)?;
            match nodes_table.attrs.get(i)?.get(pos)? {
                Value::Num(v) => Some(*v),
                _ => None,
            }
        })
    };
    let mut node_pos: FxHashMap<u32, usize> = FxHashMap::default();
    let nodes: Vec<Node> = nodes_table
        .elems
        .iter()
        .enumerate()
        .map(|(pos, &e)| {
            node_pos.insert(e, pos);
            let lat = number(&["lat", "latitude"], pos);
            let lon = number(&["lon", "lng", "longitude"], pos);
            Node {
                name: world.elems[e as usize].name.clone(),
                coordinates: lat.zip(lon).filter(|&(a, b)| a != 0.0 || b != 0.0),
            }
        })
        .collect();
    // The capacity row per link: a constraint indexed by the links alone, with utilisation.
    let link_set = schema.kinds[link_kind].set_name.clone();
    let capacity = report.constraints.iter().find(|c| {
        c.rows.iter().any(|r| r.utilisation.is_some())
            && constraints
                .get(c.name.as_str())
                .is_some_and(|d| d.len() == 1 && d[0].elem == ElemTy::Kind(link_kind))
    });
    let utilisation: FxHashMap<&str, f64> = capacity
        .map(|c| {
            c.rows
                .iter()
                .filter_map(|r| Some((r.index.first()?.as_str(), r.utilisation?)))
                .collect()
        })
        .unwrap_or_default();
    let mut links = Vec::new();
    for (pos, &e) in links_table.elems.iter().enumerate() {
        let end = |attr: usize| match links_table.attrs.get(attr)?.get(pos)? {
            Value::Elem(n) => node_pos.get(n).copied(),
            _ => None,
        };
        let (Some(src), Some(dst)) = (end(src_attr), end(dst_attr)) else {
            continue;
        };
        let name = world.elems[e as usize].name.clone();
        links.push(Link {
            utilisation: utilisation.get(name.as_str()).copied(),
            name,
            src,
            dst,
        });
    }
    Some(Topology {
        link_set,
        nodes,
        links,
        utilisation_of: capacity.map(|c| c.name.clone()),
    })
}
