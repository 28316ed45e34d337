//! CPLEX LP output of an instantiated model (`archc emit --lp`), the readable format most
//! solvers accept.
//!
//! Sections: `Minimize`/`Maximize` (the objective with its constant term), `Subject To`
//! (one line per row: `name: expr <= hi`, `>= lo` or `= v`; a two-sided row becomes two
//! lines, `name;lo: expr >= lo` and `name;hi: expr <= hi`, since not every LP reader takes
//! `lo <= expr <= hi`), `Bounds`, `General`, `Binary`, `End`. Long expressions continue on
//! the next line. A row with no finite side restricts nothing and is written as a comment.
//! Names come from [`super::names`], the same as in the MPS output.

use super::mps::effective_bounds;
use super::names::NameTable;
use super::textbuf::TextBuf;
use crate::ir::{Model, Sense, VarKind};
use std::io::{self, Write};
use std::path::Path;

/// Terms per line before an expression continues on the next line.
const TERMS_PER_LINE: usize = 8;

/// Write `+ 3 x` / `- x` terms; returns how many were written.
fn write_terms<W: Write>(
    t: &mut TextBuf<'_, W>,
    names: &NameTable<'_>,
    terms: impl Iterator<Item = (usize, f64)>,
) -> io::Result<usize> {
    let mut n: usize = 0;
    for (j, v) in terms {
        if n > 0 && n.is_multiple_of(TERMS_PER_LINE) {
            t.newline()?;
            t.str("   ");
        }
        if v < 0.0 {
            t.str(if n == 0 { "- " } else { " - " });
        } else if n > 0 {
            t.str(" + ");
        }
        let a = v.abs();
        if a != 1.0 {
            t.num(a);
            t.byte(b' ');
        }
        names.write_col(j, t.bytes_mut());
        n += 1;
    }
    Ok(n)
}

/// A side of a row or bound: `-inf`/`+inf` for the infinities.
fn side<W: Write>(t: &mut TextBuf<'_, W>, v: f64) {
    if v == f64::NEG_INFINITY {
        t.str("-inf");
    } else if v == f64::INFINITY {
        t.str("+inf");
    } else {
        t.num(v);
    }
}

/// Write the model in CPLEX LP format.
pub fn write_lp(model: &Model, out: &mut impl Write) -> io::Result<()> {
    let names = NameTable::new(model);
    let (obj, constant) = model.objective_dense();
    let mut t = TextBuf::new(out);

    t.str("\\ archc model: ");
    t.uint(model.num_columns() as u64);
    t.str(" columns, ");
    t.uint(model.num_rows() as u64);
    t.str(" rows");
    t.newline()?;
    let maximize = matches!(&model.objective, Some(o) if o.sense == Sense::Maximize);
    t.str(if maximize { "Maximize" } else { "Minimize" });
    t.newline()?;
    t.byte(b' ');
    t.bytes(names.objective());
    t.str(": ");
    let n = write_terms(
        &mut t,
        &names,
        obj.iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(j, &v)| (j, v)),
    )?;
    drop(obj);
    if constant != 0.0 || n == 0 {
        if n > 0 {
            t.str(if constant < 0.0 { " - " } else { " + " });
        } else if constant < 0.0 {
            t.str("- ");
        }
        t.num(constant.abs());
    }
    t.newline()?;

    t.str("Subject To");
    t.newline()?;
    for (i, r) in model.rows.iter().enumerate() {
        let has_lo = r.lo > f64::NEG_INFINITY;
        let has_hi = r.hi < f64::INFINITY;
        if !has_lo && !has_hi {
            t.str("\\ ");
            names.write_row(i, t.bytes_mut());
            t.str(" has no finite side");
            t.newline()?;
            continue;
        }
        let two_sided = has_lo && has_hi && r.lo != r.hi;
        let range = model.row_start[i]..model.row_start[i + 1];
        let sides: &[(&str, &str, f64)] = if two_sided {
            &[(";lo", " >= ", r.lo), (";hi", " <= ", r.hi)]
        } else if has_lo && has_hi {
            &[("", " = ", r.lo)]
        } else if has_lo {
            &[("", " >= ", r.lo)]
        } else {
            &[("", " <= ", r.hi)]
        };
        for &(suffix, op, rhs) in sides {
            t.byte(b' ');
            names.write_row(i, t.bytes_mut());
            t.str(suffix);
            t.str(": ");
            let terms = model.row_cols[range.clone()]
                .iter()
                .zip(&model.row_vals[range.clone()])
                .map(|(c, &v)| (c.0 as usize, v));
            let n = write_terms(&mut t, &names, terms)?;
            if n == 0 {
                // An empty row still needs a left-hand side.
                if model.num_columns() > 0 {
                    t.str("0 ");
                    names.write_col(0, t.bytes_mut());
                } else {
                    t.str("0");
                }
            }
            t.str(op);
            side(&mut t, rhs);
            t.newline()?;
        }
    }

    t.str("Bounds");
    t.newline()?;
    for (j, c) in model.columns.iter().enumerate() {
        let (lb, ub) = effective_bounds(c.kind, c.lb, c.ub);
        if (c.kind == VarKind::Binary && lb == 0.0 && ub == 1.0)
            || (lb == 0.0 && ub == f64::INFINITY)
        {
            continue;
        }
        t.byte(b' ');
        if lb == ub {
            names.write_col(j, t.bytes_mut());
            t.str(" = ");
            t.num(lb);
        } else if lb == f64::NEG_INFINITY && ub == f64::INFINITY {
            names.write_col(j, t.bytes_mut());
            t.str(" free");
        } else if ub == f64::INFINITY {
            names.write_col(j, t.bytes_mut());
            t.str(" >= ");
            side(&mut t, lb);
        } else {
            side(&mut t, lb);
            t.str(" <= ");
            names.write_col(j, t.bytes_mut());
            t.str(" <= ");
            side(&mut t, ub);
        }
        t.newline()?;
    }

    // Binaries with bounds other than [0, 1] (e.g. fixed) are written as bounded generals.
    let is_plain_binary = |c: &crate::ir::Column| {
        let (lb, ub) = effective_bounds(c.kind, c.lb, c.ub);
        c.kind == VarKind::Binary && lb == 0.0 && ub == 1.0
    };
    for (title, wanted) in [("General", false), ("Binary", true)] {
        let mut listed = 0usize;
        for (j, c) in model.columns.iter().enumerate() {
            if c.kind == VarKind::Continuous || is_plain_binary(c) != wanted {
                continue;
            }
            if listed == 0 {
                t.str(title);
                t.newline()?;
            }
            t.byte(b' ');
            names.write_col(j, t.bytes_mut());
            listed += 1;
            if listed.is_multiple_of(TERMS_PER_LINE) {
                t.newline()?;
            }
        }
        if !listed.is_multiple_of(TERMS_PER_LINE) {
            t.newline()?;
        }
    }
    t.str("End");
    t.newline()?;
    t.finish()
}

/// Write the model in CPLEX LP format to a file.
pub fn write_lp_to_path(model: &Model, path: &Path) -> io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    write_lp(model, &mut file)
}
